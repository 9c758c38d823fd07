import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SecretBytes } from '../../crypto/secret-bytes.js';
import { defaultManagedKeyPolicy } from '../../core/managed-key.js';
import { harness, HARNESS_TIME, type Harness } from '../../../test/helpers/operation-harness.js';
import { assertAudited, bytesOf, expectFailure } from '../../../test/helpers/operation-spec.js';

const arca = { service: 'ArcaService' } as const;
type Meta = { KeyId: string; Arn: string; KeyState: string };

describe('managed key lifecycle: ActivateKey, RevokeKey, ExportKeyMaterial, DescribeManagedKey (operation spec)', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(() => h.close());

  const create = async (input: Record<string, unknown>) => (await h.ok('CreateManagedKey', input, arca))['KeyMetadata'] as Meta;
  const describeManaged = (keyId: string) => h.ok('DescribeManagedKey', { KeyId: keyId }, arca);
  /** Gives a key made through the AWS API CreateManagedKey's default policy: AWS's default (kms:*) does not cover arca: actions. */
  const allowManaged = async (keyId: string) => h.ok('PutKeyPolicy', { KeyId: keyId, PolicyName: 'default', Policy: defaultManagedKeyPolicy(h.realm.account) });
  const stateOf = async (keyId: string) => ((await h.ok('DescribeKey', { KeyId: keyId }))['KeyMetadata'] as Meta).KeyState;

  it('activates a PreActive key once: Enabled, Active, dated; activating it again is KMSInvalidStateException', async () => {
    const meta = await create({ KeySpec: 'SYMMETRIC_DEFAULT' });
    h.advance(60_000);
    await h.ok('ActivateKey', { KeyId: meta.KeyId }, arca);
    assertAudited(h, { eventName: 'ActivateKey', keyArn: meta.Arn });
    assert.equal(await stateOf(meta.KeyId), 'Enabled');
    const d = await describeManaged(meta.KeyId);
    assert.equal(d['Lifecycle'], 'Active');
    assert.deepEqual(d['ActivationDate'], new Date(HARNESS_TIME.getTime() + 60_000));
    const e = await expectFailure(h, 'ActivateKey', { KeyId: meta.KeyId }, 'InvalidKeyState');
    assert.equal(e.message, `${meta.Arn} is Active: only a PreActive key can be activated, and this one already is active.`);
  });

  it('revokes an Active key (Superseded): Disabled, Deactivated, dated, with the reason; a revoked key cannot be activated', async () => {
    const meta = await create({ KeySpec: 'SYMMETRIC_DEFAULT', Activate: true });
    const revokedAt = h.clock.now();
    await h.ok('RevokeKey', { KeyId: meta.KeyId, RevocationReason: 'Superseded', RevocationMessage: 'rotated' }, arca);
    const event = assertAudited(h, { eventName: 'RevokeKey', keyArn: meta.Arn });
    assert.equal(event.requestParameters?.['revocationReason'], 'Superseded');
    assert.equal(await stateOf(meta.KeyId), 'Disabled');
    const d = await describeManaged(meta.KeyId);
    assert.equal(d['Lifecycle'], 'Deactivated');
    assert.equal(d['RevocationReason'], 'Superseded');
    assert.deepEqual(d['DeactivationDate'], revokedAt);
    assert.equal(d['CompromiseDate'], undefined);
    const e = await expectFailure(h, 'ActivateKey', { KeyId: meta.KeyId }, 'InvalidKeyState');
    assert.equal(e.message, `${meta.Arn} is Deactivated: a revoked key cannot be activated.`);
  });

  it('a Deactivated key may become Compromised (dated as told), and a Compromised key stays Compromised', async () => {
    const meta = await create({ KeySpec: 'SYMMETRIC_DEFAULT', Activate: true });
    const revokedAt = h.clock.now();
    await h.ok('RevokeKey', { KeyId: meta.KeyId, RevocationReason: 'CessationOfOperation' }, arca);
    h.advance(1000);
    const occurred = new Date(Date.UTC(2026, 0, 2));
    await h.ok('RevokeKey', { KeyId: meta.KeyId, RevocationReason: 'KeyCompromise', CompromiseOccurrenceDate: occurred.getTime() / 1000 }, arca);
    let d = await describeManaged(meta.KeyId);
    assert.equal(d['Lifecycle'], 'Compromised');
    assert.deepEqual(d['CompromiseDate'], occurred);
    assert.deepEqual(d['DeactivationDate'], revokedAt, 'the first revocation dated the deactivation');
    await h.ok('RevokeKey', { KeyId: meta.KeyId, RevocationReason: 'Superseded' }, arca);
    d = await describeManaged(meta.KeyId);
    assert.equal(d['Lifecycle'], 'Compromised');
    assert.equal(d['RevocationReason'], 'Superseded');
    assert.deepEqual(d['CompromiseDate'], occurred);
    await expectFailure(h, 'ActivateKey', { KeyId: meta.KeyId }, 'InvalidKeyState');
  });

  it('a PreActive key can be revoked straight away (never activated)', async () => {
    const meta = await create({ KeySpec: 'HMAC_256' });
    await h.ok('RevokeKey', { KeyId: meta.KeyId, RevocationReason: 'CACompromise' }, arca);
    assert.equal((await describeManaged(meta.KeyId))['Lifecycle'], 'Compromised');
  });

  it('exports a revoked (Disabled) exportable key, and refuses it once destroyed (pending deletion) with KMSInvalidStateException', async () => {
    const material = randomBytes(32);
    const meta = await create({ KeySpec: 'SYMMETRIC_DEFAULT', Material: SecretBytes.copyOf(material), Exportable: true, Activate: true });
    await h.ok('RevokeKey', { KeyId: meta.KeyId, RevocationReason: 'KeyCompromise' }, arca);
    assert.ok(bytesOf((await h.ok('ExportKeyMaterial', { KeyId: meta.KeyId }, arca))['Material']).equals(material), 'old data stays decryptable');
    await h.ok('ScheduleKeyDeletion', { KeyId: meta.KeyId, PendingWindowInDays: 7 });
    const d = await describeManaged(meta.KeyId);
    assert.equal(d['Lifecycle'], 'DestroyedCompromised');
    assert.equal(d['Exportable'], true);
    assert.equal((await expectFailure(h, 'ExportKeyMaterial', { KeyId: meta.KeyId }, 'InvalidKeyState')).message, `${meta.Arn} is pending deletion.`);
    await expectFailure(h, 'RevokeKey', { KeyId: meta.KeyId, RevocationReason: 'Unspecified' }, 'InvalidKeyState');
    await expectFailure(h, 'ActivateKey', { KeyId: meta.KeyId }, 'InvalidKeyState');
  });

  it('a key pending import (PreActive to KMIP) can be neither activated nor revoked nor exported', async () => {
    const keyId = await h.key({ Origin: 'EXTERNAL' });
    await allowManaged(keyId);
    assert.equal((await describeManaged(keyId))['Lifecycle'], 'PreActive');
    await expectFailure(h, 'ActivateKey', { KeyId: keyId }, 'InvalidKeyState');
    await expectFailure(h, 'RevokeKey', { KeyId: keyId, RevocationReason: 'Unspecified' }, 'InvalidKeyState');
    await expectFailure(h, 'ExportKeyMaterial', { KeyId: keyId }, 'InvalidKeyState');
  });

  it('a key made through the AWS API needs a key policy that allows arca: actions; it is Active when Enabled and Deactivated once disabled, which ActivateKey refuses', async () => {
    const keyId = await h.key();
    await expectFailure(h, 'DescribeManagedKey', { KeyId: keyId }, 'AccessDenied');
    await allowManaged(keyId);
    const d = await describeManaged(keyId);
    assert.equal(d['Lifecycle'], 'Active');
    assert.equal(d['Exportable'], false);
    await h.ok('DisableKey', { KeyId: keyId });
    assert.equal((await describeManaged(keyId))['Lifecycle'], 'Deactivated');
    await expectFailure(h, 'ActivateKey', { KeyId: keyId }, 'InvalidKeyState');
  });

  it('a caller whose policies do not allow the arca: action is refused, and a managed key answers it as for a missing key', async () => {
    const meta = await create({ KeySpec: 'SYMMETRIC_DEFAULT', Exportable: true, Activate: true });
    const reader = await h.principal('kmip-reader', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:*', 'arca:DescribeManagedKey'], Resource: '*' }] });
    await h.ok('DescribeManagedKey', { KeyId: meta.KeyId }, { ...arca, as: reader });
    await expectFailure(h, 'ExportKeyMaterial', { KeyId: meta.KeyId }, 'AccessDenied', { as: reader });
    await expectFailure(h, 'RevokeKey', { KeyId: meta.KeyId, RevocationReason: 'Unspecified' }, 'AccessDenied', { as: reader });
  });
});

describe('LocateKeys (operation spec)', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(() => h.close());

  const create = async (input: Record<string, unknown>) => ((await h.ok('CreateManagedKey', input, arca))['KeyMetadata'] as Meta).KeyId;
  const locate = async (input: Record<string, unknown>) => (await h.ok('LocateKeys', input, arca))['KeyIds'] as string[];

  it('filters by alias, spec, usage, lifecycle, exportability and tags, newest first, with Limit and Offset', async () => {
    const a = await create({ KeySpec: 'SYMMETRIC_DEFAULT', Aliases: ['alias/loc-a'], Tags: [{ TagKey: 'app', TagValue: 'mysql' }] });
    const b = await create({ KeySpec: 'HMAC_256', Activate: true, Exportable: true, Tags: [{ TagKey: 'app', TagValue: 'mysql' }] });
    const c = await create({ KeySpec: 'SYMMETRIC_DEFAULT', Activate: true, Aliases: ['alias/loc-c'] });
    const aws = await h.key();
    const gone = await create({ KeySpec: 'SYMMETRIC_DEFAULT', Activate: true });
    await h.ok('ScheduleKeyDeletion', { KeyId: gone, PendingWindowInDays: 7 });

    assert.deepEqual(await locate({}), [aws, c, b, a], 'every key not pending deletion, newest first');
    assert.deepEqual(await locate({ Aliases: ['alias/loc-a', 'alias/loc-c', 'alias/none'] }), [c, a]);
    assert.deepEqual(await locate({ KeySpec: 'HMAC_256' }), [b]);
    assert.deepEqual(await locate({ KeyUsage: 'ENCRYPT_DECRYPT', Lifecycle: 'Active' }), [aws, c]);
    assert.deepEqual(await locate({ Lifecycle: 'PreActive' }), [a]);
    assert.deepEqual(await locate({ Exportable: true }), [b]);
    assert.deepEqual(await locate({ Exportable: false, Tags: [{ TagKey: 'app', TagValue: 'mysql' }] }), [a]);
    assert.deepEqual(await locate({ Tags: [{ TagKey: 'app', TagValue: 'mysql' }, { TagKey: 'arca:Lifecycle', TagValue: 'Active' }] }), [b]);
    assert.deepEqual(await locate({ Lifecycle: 'Destroyed' }), [gone], 'keys pending deletion only when asked for');
    assert.deepEqual(await locate({ Limit: 2 }), [aws, c]);
    assert.deepEqual(await locate({ Limit: 2, Offset: 2 }), [b, a]);
    assert.deepEqual(await locate({ Offset: 10 }), []);
    assertAudited(h, { eventName: 'LocateKeys', keyArn: null });
    await expectFailure(h, 'LocateKeys', { Limit: 0 }, 'ValidationFailed');
    await expectFailure(h, 'LocateKeys', { Lifecycle: 'Gone' }, 'ValidationFailed');
  });

  it('is refused to a caller who may not call it', async () => {
    const nobody = await h.principal('loc-nobody');
    await expectFailure(h, 'LocateKeys', {}, 'AccessDenied', { as: nobody });
  });
});
