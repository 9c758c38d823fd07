import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { harness, type Harness, type HarnessPrincipal } from '../../../test/helpers/operation-harness.js';
import { arnOf, assertAudited, expectFailure, outsider } from '../../../test/helpers/operation-spec.js';

describe('CreateGrant (operation spec)', () => {
  let h: Harness;
  let keyId: string;
  let bob: HarnessPrincipal;
  before(async () => {
    h = await harness();
    keyId = await h.key();
    bob = await h.principal('bob');
  });
  after(() => h.close());

  it('lets the grantee do what the grant names, and nothing else; the grant is recorded with its key', async () => {
    await expectFailure(h, 'Encrypt', { KeyId: keyId, Plaintext: Buffer.from('x') }, 'AccessDenied', { as: bob });
    const out = await h.ok('CreateGrant', { KeyId: keyId, GranteePrincipal: bob.arn, Operations: ['Encrypt'] });
    assert.match(String(out['GrantId']), /^[0-9a-f]{64}$/);
    assert.ok(String(out['GrantToken']).length > 0);
    const event = assertAudited(h, { eventName: 'CreateGrant', keyArn: arnOf(h, keyId), principal: h.admin });
    assert.equal(event.responseElements?.['grantId'], out['GrantId']);
    await h.ok('Encrypt', { KeyId: keyId, Plaintext: Buffer.from('x') }, { as: bob });
    await expectFailure(h, 'DescribeKey', { KeyId: keyId }, 'AccessDenied', { as: bob });
  });

  it('refuses a caller without rights with AccessDenied, and records the failure', async () => {
    const mallory = await outsider(h);
    await expectFailure(h, 'CreateGrant', { KeyId: keyId, GranteePrincipal: mallory.arn, Operations: ['Decrypt'] }, 'AccessDenied', { as: mallory });
  });

  it('answers DryRunOperation with DryRun set, and creates no grant', async () => {
    const before = ((await h.ok('ListGrants', { KeyId: keyId }))['Grants'] as unknown[]).length;
    await expectFailure(h, 'CreateGrant', { KeyId: keyId, GranteePrincipal: bob.arn, Operations: ['Decrypt'], DryRun: true }, 'DryRunOperation');
    assert.equal(((await h.ok('ListGrants', { KeyId: keyId }))['Grants'] as unknown[]).length, before);
  });

  it('refuses a disabled key with KeyDisabled', async () => {
    const disabled = await h.key();
    await h.ok('DisableKey', { KeyId: disabled });
    await expectFailure(h, 'CreateGrant', { KeyId: disabled, GranteePrincipal: bob.arn, Operations: ['Decrypt'] }, 'KeyDisabled');
  });

  it('with ExpiresAt, lets the grantee act until that instant and no longer (the harness clock moves)', async () => {
    const carol = await h.principal('carol');
    const expiresAt = new Date(h.clock.now().getTime() + 3_600_000);
    await h.ok('CreateGrant', { KeyId: keyId, GranteePrincipal: carol.arn, Operations: ['Encrypt'], ExpiresAt: expiresAt });
    assert.equal(h.lastEvent().requestParameters?.['expiresAt'], expiresAt.toISOString());
    await h.ok('Encrypt', { KeyId: keyId, Plaintext: Buffer.from('x') }, { as: carol });
    h.advance(2 * 3_600_000);
    await expectFailure(h, 'Encrypt', { KeyId: keyId, Plaintext: Buffer.from('x') }, 'AccessDenied', { as: carol });
  });

  it('refuses constraints on operations that take no encryption context with a validation error', async () => {
    await expectFailure(h, 'CreateGrant', { KeyId: keyId, GranteePrincipal: bob.arn, Operations: ['DescribeKey'], Constraints: { EncryptionContextSubset: { a: 'b' } } }, 'ValidationFailed');
  });
});
