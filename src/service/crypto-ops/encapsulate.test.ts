import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { mlKemEncapsulate, RUNTIME_VERSION, runtimeSupports } from '../../crypto/post-quantum.js';
import { SecretBytes } from '../../crypto/secret-bytes.js';
import { harness, type Harness } from '../../../test/helpers/operation-harness.js';
import { arnOf, assertAudited, expectFailure, outsider } from '../../../test/helpers/operation-spec.js';

const NEEDS = `needs Node >= 24.7 (ML-KEM in node:crypto); this is ${RUNTIME_VERSION}`;
const ML_KEM = runtimeSupports('ml-kem');

describe('Encapsulate and Decapsulate (operation specs)', () => {
  let h: Harness;
  let keyId: string;
  before(async () => {
    h = await harness();
    if (ML_KEM) keyId = await h.key({ KeySpec: 'ML_KEM_768', KeyUsage: 'ENCAPSULATE_DECAPSULATE' });
  });
  after(() => h.close());

  it('on a runtime without ML-KEM, CreateKey refuses every ML-KEM spec naming the runtime; with it, each spec is created with its algorithms', async () => {
    for (const spec of ['ML_KEM_512', 'ML_KEM_768', 'ML_KEM_1024']) {
      const request = { KeySpec: spec, KeyUsage: 'ENCAPSULATE_DECAPSULATE' };
      if (!ML_KEM) {
        const e = await expectFailure(h, 'CreateKey', request, 'UnsupportedOperation');
        assert.equal(e.message, `${spec} keys need Node.js 24.7 or later; this server runs ${RUNTIME_VERSION}.`);
        continue;
      }
      const meta = (await h.ok('CreateKey', request))['KeyMetadata'] as Record<string, unknown>;
      assert.deepEqual([meta['KeySpec'], meta['KeyUsage'], meta['EncapsulationAlgorithms'], meta['SigningAlgorithms']], [spec, 'ENCAPSULATE_DECAPSULATE', ['ML_KEM'], undefined]);
    }
    await expectFailure(h, 'CreateKey', { KeySpec: 'ML_KEM_768', KeyUsage: 'SIGN_VERIFY' }, 'ValidationFailed');
  });

  it('Encapsulate answers a 32-byte secret and a 1088-byte ciphertext that Decapsulate opens to the same secret; neither event holds the secret', async (t) => {
    if (!ML_KEM) return t.skip(NEEDS);
    const out = await h.ok('Encapsulate', { KeyId: keyId, EncapsulationAlgorithm: 'ML_KEM' });
    assert.equal(out['KeyId'], arnOf(h, keyId));
    assert.equal(out['EncapsulationAlgorithm'], 'ML_KEM');
    const secret = out['SharedSecret'];
    assert.ok(secret instanceof SecretBytes, 'the shared secret is a secret: the transport zeroes it once sent');
    assert.equal(secret.length, 32);
    const ciphertext = out['SharedSecretCiphertextBlob'] as Buffer;
    assert.equal(ciphertext.length, 1088);
    const plain = Buffer.from(secret.expose());
    assertAudited(h, { eventName: 'Encapsulate', keyArn: arnOf(h, keyId), principal: h.admin, secrets: [plain] });
    const back = await h.ok('Decapsulate', { KeyId: keyId, SharedSecretCiphertextBlob: ciphertext, EncapsulationAlgorithm: 'ML_KEM' });
    assert.ok(back['SharedSecret'] instanceof SecretBytes);
    assert.ok(back['SharedSecret'].expose().equals(plain));
    assertAudited(h, { eventName: 'Decapsulate', keyArn: arnOf(h, keyId), principal: h.admin, secrets: [plain] });
  });

  it('Decapsulate opens what node:crypto encapsulated outside Arca under the public key GetPublicKey gave', async (t) => {
    if (!ML_KEM) return t.skip(NEEDS);
    const pub = await h.ok('GetPublicKey', { KeyId: keyId });
    assert.deepEqual(pub['EncapsulationAlgorithms'], ['ML_KEM']);
    const outside = mlKemEncapsulate(createPublicKey({ key: pub['PublicKey'] as Buffer, format: 'der', type: 'spki' }));
    const back = await h.ok('Decapsulate', { KeyId: keyId, SharedSecretCiphertextBlob: outside.ciphertext, EncapsulationAlgorithm: 'ML_KEM' });
    assert.ok((back['SharedSecret'] as SecretBytes).expose().equals(outside.sharedSecret.expose()));
  });

  it('implicit rejection: a tampered ciphertext answers another 32-byte secret, not an error; a wrong length is InvalidCiphertext', async (t) => {
    if (!ML_KEM) return t.skip(NEEDS);
    const out = await h.ok('Encapsulate', { KeyId: keyId, EncapsulationAlgorithm: 'ML_KEM' });
    const ciphertext = Buffer.from(out['SharedSecretCiphertextBlob'] as Buffer);
    ciphertext[100] = (ciphertext[100] ?? 0) ^ 1;
    const back = await h.ok('Decapsulate', { KeyId: keyId, SharedSecretCiphertextBlob: ciphertext, EncapsulationAlgorithm: 'ML_KEM' });
    assert.equal((back['SharedSecret'] as SecretBytes).length, 32);
    assert.equal((back['SharedSecret'] as SecretBytes).expose().equals((out['SharedSecret'] as SecretBytes).expose()), false);
    for (const length of [1087, 1089, 768]) {
      await expectFailure(h, 'Decapsulate', { KeyId: keyId, SharedSecretCiphertextBlob: Buffer.alloc(length, 1), EncapsulationAlgorithm: 'ML_KEM' }, 'InvalidCiphertext');
    }
  });

  it('refuses a key of another usage (InvalidKeyUsage), a caller without rights (AccessDenied), and stops at DryRun', async (t) => {
    const symmetric = await h.key();
    const e = await expectFailure(h, 'Encapsulate', { KeyId: symmetric, EncapsulationAlgorithm: 'ML_KEM' }, 'InvalidKeyUsage');
    assert.equal(e.message, `${arnOf(h, symmetric)} key usage is ENCRYPT_DECRYPT which is not valid for Encapsulate.`);
    await expectFailure(h, 'Decapsulate', { KeyId: symmetric, SharedSecretCiphertextBlob: Buffer.alloc(1088), EncapsulationAlgorithm: 'ML_KEM' }, 'InvalidKeyUsage');
    if (!ML_KEM) return t.skip(NEEDS);
    await expectFailure(h, 'Encapsulate', { KeyId: keyId, EncapsulationAlgorithm: 'ML_KEM' }, 'AccessDenied', { as: await outsider(h) });
    await expectFailure(h, 'Encapsulate', { KeyId: keyId, EncapsulationAlgorithm: 'ML_KEM', DryRun: true }, 'DryRunOperation');
    await expectFailure(h, 'Decapsulate', { KeyId: keyId, SharedSecretCiphertextBlob: Buffer.alloc(5), EncapsulationAlgorithm: 'ML_KEM', DryRun: true }, 'InvalidCiphertext');
  });
});
