import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { harness, type Harness } from '../../../test/helpers/operation-harness.js';
import { flip } from '../../../test/helpers/negative-cases.js';
import { arnOf, assertAudited, expectFailure, outsider } from '../../../test/helpers/operation-spec.js';

describe('Verify (operation spec)', () => {
  let h: Harness;
  let keyId: string;
  let signature: Buffer;
  const message = Buffer.from('the message of the verify spec');
  const request = () => ({ KeyId: keyId, Message: message, Signature: signature, SigningAlgorithm: 'ECDSA_SHA_256' });
  before(async () => {
    h = await harness();
    keyId = await h.key({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    signature = (await h.ok('Sign', { KeyId: keyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }))['Signature'] as Buffer;
  });
  after(() => h.close());

  it('answers SignatureValid for a signature of the message, and records a success naming the key without the message', async () => {
    const out = await h.ok('Verify', request());
    assert.equal(out['SignatureValid'], true);
    assert.equal(out['KeyId'], arnOf(h, keyId));
    assertAudited(h, { eventName: 'Verify', keyArn: arnOf(h, keyId), principal: h.admin, secrets: [message] });
  });

  it('answers SignatureMismatch (KMSInvalidSignatureException) for a tampered message or signature, and records it', async () => {
    await expectFailure(h, 'Verify', { ...request(), Message: flip(message) }, 'SignatureMismatch', { keyArn: arnOf(h, keyId) });
    await expectFailure(h, 'Verify', { ...request(), Signature: flip(signature, 10) }, 'SignatureMismatch');
  });

  it('refuses a caller without rights with AccessDenied, and records the failure', async () => {
    await expectFailure(h, 'Verify', request(), 'AccessDenied', { as: await outsider(h) });
  });

  it('answers DryRunOperation with DryRun set', async () => {
    await expectFailure(h, 'Verify', { ...request(), DryRun: true }, 'DryRunOperation');
  });

  it('refuses a disabled key with KeyDisabled', async () => {
    const disabled = await h.key({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    await h.ok('DisableKey', { KeyId: disabled });
    await expectFailure(h, 'Verify', { ...request(), KeyId: disabled }, 'KeyDisabled');
  });
});
