import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { harness, HARNESS_TIME, type Harness } from '../../../test/helpers/operation-harness.js';
import { arnOf, assertAudited, expectFailure, outsider } from '../../../test/helpers/operation-spec.js';

describe('CreateKey (operation spec)', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(() => h.close());

  it('creates an Enabled symmetric encryption key by default, and records a success naming the new key', async () => {
    const out = await h.ok('CreateKey', { Description: 'spec key' });
    const meta = out['KeyMetadata'] as Record<string, unknown>;
    const keyId = String(meta['KeyId']);
    assert.equal(meta['Arn'], arnOf(h, keyId));
    assert.equal(meta['KeyState'], 'Enabled');
    assert.equal(meta['KeySpec'], 'SYMMETRIC_DEFAULT');
    assert.equal(meta['KeyUsage'], 'ENCRYPT_DECRYPT');
    assert.equal(meta['Origin'], 'AWS_KMS');
    assert.equal(meta['Description'], 'spec key');
    assert.deepEqual(meta['CreationDate'], HARNESS_TIME, 'the creation date comes from the clock');
    // The new key is named in the response elements; `resources` lists only keys a request named (today's behaviour).
    const event = assertAudited(h, { eventName: 'CreateKey', keyArn: null, principal: h.admin });
    assert.equal(event.responseElements?.['arn'], arnOf(h, keyId));
    assert.equal(event.readOnly, false);
    await h.ok('Encrypt', { KeyId: keyId, Plaintext: Buffer.from('usable at once') });
  });

  it('creates the asked spec and usage (a signing key)', async () => {
    const meta = (await h.ok('CreateKey', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))['KeyMetadata'] as Record<string, unknown>;
    assert.equal(meta['KeySpec'], 'ECC_NIST_P256');
    assert.deepEqual(meta['SigningAlgorithms'], ['ECDSA_SHA_256']);
  });

  it('creates an EXTERNAL key in PendingImport, without material', async () => {
    const meta = (await h.ok('CreateKey', { Origin: 'EXTERNAL' }))['KeyMetadata'] as Record<string, unknown>;
    assert.equal(meta['KeyState'], 'PendingImport');
    await expectFailure(h, 'Encrypt', { KeyId: String(meta['KeyId']), Plaintext: Buffer.from('x') }, 'InvalidKeyState');
  });

  it('refuses a caller without kms:CreateKey with AccessDenied, creates nothing, and records the failure', async () => {
    const before = ((await h.ok('ListKeys', {}))['Keys'] as unknown[]).length;
    await expectFailure(h, 'CreateKey', {}, 'AccessDenied', { as: await outsider(h), keyArn: null });
    assert.equal(((await h.ok('ListKeys', {}))['Keys'] as unknown[]).length, before);
  });

  it('refuses a usage the spec does not support with a validation error', async () => {
    await expectFailure(h, 'CreateKey', { KeySpec: 'HMAC_256', KeyUsage: 'ENCRYPT_DECRYPT' }, 'ValidationFailed');
  });

  it('refuses a policy that would lock the caller out, unless the safety check is bypassed', async () => {
    const lockout = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:user/nobody' }, Action: 'kms:*', Resource: '*' }] });
    await expectFailure(h, 'CreateKey', { Policy: lockout }, 'MalformedPolicyDocument');
    await h.ok('CreateKey', { Policy: lockout, BypassPolicyLockoutSafetyCheck: true });
  });
});
