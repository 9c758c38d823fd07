import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { harness, type Harness } from '../../../test/helpers/operation-harness.js';
import { arnOf, assertAudited, expectFailure, outsider } from '../../../test/helpers/operation-spec.js';

describe('GetPublicKey (operation spec)', () => {
  let h: Harness;
  let keyId: string;
  before(async () => {
    h = await harness();
    keyId = await h.key({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
  });
  after(() => h.close());

  it('answers the DER SubjectPublicKeyInfo of the key with its spec and algorithms, and records a success naming the key', async () => {
    const out = await h.ok('GetPublicKey', { KeyId: keyId });
    const key = createPublicKey({ key: out['PublicKey'] as Buffer, format: 'der', type: 'spki' });
    assert.equal(key.asymmetricKeyType, 'ec');
    assert.equal(out['KeySpec'], 'ECC_NIST_P256');
    assert.equal(out['KeyUsage'], 'SIGN_VERIFY');
    assert.deepEqual(out['SigningAlgorithms'], ['ECDSA_SHA_256']);
    assertAudited(h, { eventName: 'GetPublicKey', keyArn: arnOf(h, keyId), principal: h.admin });
  });

  it('refuses a caller without rights with AccessDenied, and records the failure', async () => {
    await expectFailure(h, 'GetPublicKey', { KeyId: keyId }, 'AccessDenied', { as: await outsider(h) });
  });

  it('refuses a symmetric key with UnsupportedOperation', async () => {
    await expectFailure(h, 'GetPublicKey', { KeyId: await h.key() }, 'UnsupportedOperation');
  });

  it('refuses a disabled key with KeyDisabled', async () => {
    const disabled = await h.key({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    await h.ok('DisableKey', { KeyId: disabled });
    await expectFailure(h, 'GetPublicKey', { KeyId: disabled }, 'KeyDisabled');
  });
});
