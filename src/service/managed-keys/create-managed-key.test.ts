import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SecretBytes } from '../../crypto/secret-bytes.js';
import { harness, HARNESS_TIME, type Harness } from '../../../test/helpers/operation-harness.js';
import { arnOf, assertAudited, bytesOf, expectFailure } from '../../../test/helpers/operation-spec.js';

const arca = { service: 'ArcaService' } as const;
/** The members that are set (an event's JSON form). */
const defined = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
type Meta = { KeyId: string; Arn: string; KeyState: string; Origin: string; KeySpec: string; KeyUsage: string };

describe('CreateManagedKey (operation spec)', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(() => h.close());

  const keyCount = async () => ((await h.ok('ListKeys', { Limit: 1000 }))['Keys'] as unknown[]).length;
  const create = async (input: Record<string, unknown>) => (await h.ok('CreateManagedKey', input, arca))['KeyMetadata'] as Meta;
  const describeManaged = (keyId: string) => h.ok('DescribeManagedKey', { KeyId: keyId }, arca);

  it('creates a PreActive key by default: Disabled, generated material (AWS_KMS), arca:Lifecycle=PreActive, not exportable', async () => {
    const meta = await create({ KeySpec: 'SYMMETRIC_DEFAULT', Description: 'kmip' });
    assert.equal(meta.KeyState, 'Disabled');
    assert.equal(meta.Origin, 'AWS_KMS');
    assert.equal(meta.KeyUsage, 'ENCRYPT_DECRYPT');
    const event = assertAudited(h, { eventName: 'CreateManagedKey', keyArn: null, principal: h.admin });
    assert.deepEqual(defined(event.requestParameters), { keySpec: 'SYMMETRIC_DEFAULT', exportable: false, registered: false, activate: false });
    const d = await describeManaged(meta.KeyId);
    assert.equal(d['Lifecycle'], 'PreActive');
    assert.equal(d['Exportable'], false);
    assert.equal(d['ActivationDate'], undefined);
    assert.deepEqual(d['Tags'], [{ TagKey: 'arca:Lifecycle', TagValue: 'PreActive' }]);
    // The reserved tags are visible through the AWS API.
    assert.deepEqual((await h.ok('ListResourceTags', { KeyId: meta.KeyId }))['Tags'], [{ TagKey: 'arca:Lifecycle', TagValue: 'PreActive' }]);
    await expectFailure(h, 'Encrypt', { KeyId: meta.KeyId, Plaintext: Buffer.from('x') }, 'KeyDisabled');
  });

  it('with Activate: Enabled, arca:Lifecycle=Active and the activation date; the key encrypts at once', async () => {
    const meta = await create({ KeySpec: 'SYMMETRIC_DEFAULT', Activate: true, Tags: [{ TagKey: 'team', TagValue: 'db' }] });
    assert.equal(meta.KeyState, 'Enabled');
    const d = await describeManaged(meta.KeyId);
    assert.equal(d['Lifecycle'], 'Active');
    assert.deepEqual(d['ActivationDate'], HARNESS_TIME);
    assert.ok((d['Tags'] as { TagKey: string }[]).some((t) => t.TagKey === 'team'));
    const blob = (await h.ok('Encrypt', { KeyId: meta.KeyId, Plaintext: Buffer.from('usable') }))['CiphertextBlob'];
    assert.equal(bytesOf((await h.ok('Decrypt', { CiphertextBlob: blob }))['Plaintext']).toString(), 'usable');
  });

  it('registers known symmetric material as EXTERNAL version 1: exported back byte for byte, and Encrypt then Decrypt work', async () => {
    const material = randomBytes(32);
    const meta = await create({ KeySpec: 'SYMMETRIC_DEFAULT', Material: SecretBytes.copyOf(material), Exportable: true, Activate: true, Aliases: ['alias/kmip-registered'] });
    assert.equal(meta.Origin, 'EXTERNAL');
    assert.equal(meta.KeyState, 'Enabled');
    const created = assertAudited(h, { eventName: 'CreateManagedKey', secrets: [material] });
    assert.deepEqual(defined(created.requestParameters), { keySpec: 'SYMMETRIC_DEFAULT', exportable: true, registered: true, activate: true, aliases: ['alias/kmip-registered'] });
    // Registered material has the import record of imported material: it never expires.
    assert.equal(((await h.ok('DescribeKey', { KeyId: meta.KeyId }))['KeyMetadata'] as Record<string, unknown>)['ExpirationModel'], 'KEY_MATERIAL_DOES_NOT_EXPIRE');

    const out = await h.ok('ExportKeyMaterial', { KeyId: 'alias/kmip-registered' }, arca);
    assert.ok(bytesOf(out['Material']).equals(material), 'the exported material is the registered material');
    assert.equal(out['KeyId'], meta.Arn);
    assert.equal(out['KeySpec'], 'SYMMETRIC_DEFAULT');
    assert.match(String(out['KeyMaterialId']), /^[0-9a-f]{64}$/);
    const exported = assertAudited(h, { eventName: 'ExportKeyMaterial', keyArn: meta.Arn, secrets: [material] });
    assert.equal(exported.responseElements?.['keyMaterialId'], out['KeyMaterialId']);

    const blob = (await h.ok('Encrypt', { KeyId: meta.KeyId, Plaintext: Buffer.from('registered') }))['CiphertextBlob'];
    assert.equal(bytesOf((await h.ok('Decrypt', { CiphertextBlob: blob, KeyId: meta.KeyId }))['Plaintext']).toString(), 'registered');
  });

  it('registers HMAC material that GenerateMac then uses (the tag is HMAC-SHA-256 under the given bytes)', async () => {
    const material = randomBytes(32);
    const meta = await create({ KeySpec: 'HMAC_256', Material: SecretBytes.copyOf(material), Activate: true });
    assert.equal(meta.KeyUsage, 'GENERATE_VERIFY_MAC');
    const mac = (await h.ok('GenerateMac', { KeyId: meta.KeyId, Message: Buffer.from('m'), MacAlgorithm: 'HMAC_SHA_256' }))['Mac'];
    assert.ok(bytesOf(mac).equals(createHmac('sha256', material).update('m').digest()));
  });

  it('refuses material of the wrong length, and an unsupported key spec, with ValidationFailed and no key left', async () => {
    const before = await keyCount();
    const e = await expectFailure(h, 'CreateManagedKey', { KeySpec: 'HMAC_384', Material: SecretBytes.copyOf(randomBytes(32)) }, 'ValidationFailed');
    assert.equal(e.message, 'Material must be 48 bytes long for KeySpec HMAC_384; it is 32.');
    const spec = await expectFailure(h, 'CreateManagedKey', { KeySpec: 'RSA_2048' }, 'ValidationFailed');
    assert.match(spec.message, /SYMMETRIC_DEFAULT, HMAC_224, HMAC_256, HMAC_384, HMAC_512/);
    await expectFailure(h, 'CreateManagedKey', { KeySpec: 'HMAC_256', KeyUsage: 'ENCRYPT_DECRYPT' }, 'ValidationFailed');
    assert.equal(await keyCount(), before);
  });

  it('creates its aliases; an alias that exists rolls the whole request back: no key, no alias left behind', async () => {
    const meta = await create({ KeySpec: 'SYMMETRIC_DEFAULT', Aliases: ['alias/mk-one', 'alias/mk-two'] });
    assert.deepEqual((await describeManaged(meta.KeyId))['Aliases'], ['alias/mk-one', 'alias/mk-two']);
    const before = await keyCount();
    const e = await expectFailure(h, 'CreateManagedKey', { KeySpec: 'SYMMETRIC_DEFAULT', Aliases: ['alias/mk-fresh', 'alias/mk-two'] }, 'AlreadyExists');
    assert.equal(e.message, `An alias with the name arn:aws:kms:${h.realm.region}:${h.realm.account}:alias/mk-two already exists`);
    assert.equal(await keyCount(), before, 'no key left behind');
    const aliases = ((await h.ok('ListAliases', {}))['Aliases'] as { AliasName: string }[]).map((a) => a.AliasName);
    assert.ok(!aliases.includes('alias/mk-fresh'), 'the alias created before the conflict was rolled back');
    await expectFailure(h, 'CreateManagedKey', { KeySpec: 'SYMMETRIC_DEFAULT', Aliases: ['alias/aws/mine'] }, 'InvalidAliasName');
    await expectFailure(h, 'CreateManagedKey', { KeySpec: 'SYMMETRIC_DEFAULT', Aliases: ['nope'] }, 'ValidationFailed');
    assert.equal(await keyCount(), before);
  });

  it('reserves arca: tags: CreateManagedKey, CreateKey and TagResource refuse them, UntagResource cannot remove one', async () => {
    const reserved = 'Tags beginning with arca: are reserved';
    assert.equal((await expectFailure(h, 'CreateManagedKey', { KeySpec: 'SYMMETRIC_DEFAULT', Tags: [{ TagKey: 'ARCA:Exportable', TagValue: 'true' }] }, 'Tag')).message, reserved);
    assert.equal((await expectFailure(h, 'CreateKey', { Tags: [{ TagKey: 'arca:Exportable', TagValue: 'true' }] }, 'Tag')).message, reserved);
    const meta = await create({ KeySpec: 'SYMMETRIC_DEFAULT' });
    assert.equal((await expectFailure(h, 'TagResource', { KeyId: meta.KeyId, Tags: [{ TagKey: 'arca:Exportable', TagValue: 'true' }] }, 'Tag')).message, reserved);
    assert.equal((await expectFailure(h, 'UntagResource', { KeyId: meta.KeyId, TagKeys: ['Arca:Lifecycle'] }, 'Tag')).message, reserved);
    assert.equal((await expectFailure(h, 'UntagResource', { KeyId: meta.KeyId, TagKeys: ['arca:Lifecycle'] }, 'Tag')).message, reserved);
    assert.equal((await describeManaged(meta.KeyId))['Exportable'], false);
    assert.deepEqual((await h.ok('ListResourceTags', { KeyId: meta.KeyId }))['Tags'], [{ TagKey: 'arca:Lifecycle', TagValue: 'PreActive' }]);
  });

  it('arca:KeyExportable lets a policy deny creating exportable keys', async () => {
    const creator = await h.principal('kmip-creator', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'arca:CreateManagedKey', Resource: '*' },
        { Effect: 'Deny', Action: 'arca:CreateManagedKey', Resource: '*', Condition: { Bool: { 'arca:KeyExportable': 'true' } } },
      ],
    });
    await expectFailure(h, 'CreateManagedKey', { KeySpec: 'SYMMETRIC_DEFAULT', Exportable: true }, 'AccessDenied', { as: creator });
    await h.ok('CreateManagedKey', { KeySpec: 'SYMMETRIC_DEFAULT' }, { ...arca, as: creator });
    await h.ok('CreateManagedKey', { KeySpec: 'SYMMETRIC_DEFAULT', Exportable: false }, { ...arca, as: creator });
  });

  it('authorizes kms:CreateAlias on each alias, as CreateAlias does: a caller without it creates nothing', async () => {
    const creator = await h.principal('kmip-no-alias', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'arca:CreateManagedKey', Resource: '*' }] });
    const before = await keyCount();
    const e = await expectFailure(h, 'CreateManagedKey', { KeySpec: 'SYMMETRIC_DEFAULT', Aliases: ['alias/not-mine'] }, 'AccessDenied', { as: creator });
    assert.match(e.message, /kms:CreateAlias on resource: arn:aws:kms:[^:]+:\d+:alias\/not-mine/);
    assert.equal(await keyCount(), before);
  });

  it('refuses to export a key not made exportable, naming it', async () => {
    const meta = await create({ KeySpec: 'SYMMETRIC_DEFAULT', Activate: true });
    const e = await expectFailure(h, 'ExportKeyMaterial', { KeyId: meta.KeyId }, 'UnsupportedOperation', { keyArn: arnOf(h, meta.KeyId) });
    assert.equal(e.message, `Key ${meta.Arn} is not exportable: only keys created or registered as exportable (arca:Exportable) can be exported`);
  });
});
