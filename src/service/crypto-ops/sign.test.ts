import assert from 'node:assert/strict';
import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { harness, type Harness } from '../../../test/helpers/operation-harness.js';
import { arnOf, assertAudited, expectFailure, outsider } from '../../../test/helpers/operation-spec.js';

describe('Sign (operation spec)', () => {
  let h: Harness;
  let keyId: string;
  const message = Buffer.from('the message of the sign spec');
  const request = () => ({ KeyId: keyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' });
  before(async () => {
    h = await harness();
    keyId = await h.key({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
  });
  after(() => h.close());

  it('answers a signature that the public key verifies, and records a success naming the key without the message', async () => {
    const out = await h.ok('Sign', request());
    assert.equal(out['KeyId'], arnOf(h, keyId));
    assert.equal(out['SigningAlgorithm'], 'ECDSA_SHA_256');
    const publicKey = createPublicKey({ key: (await h.ok('GetPublicKey', { KeyId: keyId }))['PublicKey'] as Buffer, format: 'der', type: 'spki' });
    assert.ok(verifySignature('sha256', message, publicKey, out['Signature'] as Buffer));
    await h.ok('Sign', request());
    assertAudited(h, { eventName: 'Sign', keyArn: arnOf(h, keyId), principal: h.admin, secrets: [message] });
  });

  it('refuses a caller without rights with AccessDenied, and records the failure', async () => {
    await expectFailure(h, 'Sign', request(), 'AccessDenied', { as: await outsider(h) });
  });

  it('answers DryRunOperation with DryRun set', async () => {
    await expectFailure(h, 'Sign', { ...request(), DryRun: true }, 'DryRunOperation', { keyArn: arnOf(h, keyId), secrets: [message] });
  });

  it('refuses a disabled key with KeyDisabled', async () => {
    const disabled = await h.key({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    await h.ok('DisableKey', { KeyId: disabled });
    await expectFailure(h, 'Sign', { ...request(), KeyId: disabled }, 'KeyDisabled');
  });

  it('refuses an algorithm the key does not support with InvalidKeyUsage, and a symmetric key likewise', async () => {
    await expectFailure(h, 'Sign', { ...request(), SigningAlgorithm: 'RSASSA_PSS_SHA_256' }, 'InvalidKeyUsage');
    await expectFailure(h, 'Sign', { ...request(), KeyId: await h.key() }, 'InvalidKeyUsage');
  });
});
