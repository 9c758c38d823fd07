import assert from 'node:assert/strict';
import { constants, createHash, createPublicKey, publicEncrypt, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ed25519phVerify } from '../../crypto/ed25519ph.js';
import { postQuantumKeyPair, RUNTIME_VERSION, runtimeSupports, type MlDsaParameterSet } from '../../crypto/post-quantum.js';
import { externalMu } from '../../../test/helpers/ml-dsa-mu.js';
import { harness, type Harness } from '../../../test/helpers/operation-harness.js';
import { arnOf, assertAudited, expectFailure } from '../../../test/helpers/operation-spec.js';

const NEEDS = `needs Node >= 24.7 (ML-DSA in node:crypto); this is ${RUNTIME_VERSION}`;
const ML_DSA = runtimeSupports('ml-dsa');
const spki = (der: unknown) => createPublicKey({ key: der as Buffer, format: 'der', type: 'spki' });

/** An EXTERNAL ML-DSA key whose material node:crypto made (PKCS#8, seed form), so node:crypto holds its private key too. */
async function importedMlDsa(h: Harness, spec: 'ML_DSA_44' | 'ML_DSA_65' | 'ML_DSA_87'): Promise<{ keyId: string; privateKey: KeyObject }> {
  const { privateKey } = postQuantumKeyPair(spec.toLowerCase().replace(/_/g, '-') as MlDsaParameterSet);
  const meta = (await h.ok('CreateKey', { KeySpec: spec, KeyUsage: 'SIGN_VERIFY', Origin: 'EXTERNAL' }))['KeyMetadata'] as Record<string, unknown>;
  const keyId = String(meta['KeyId']);
  const params = await h.ok('GetParametersForImport', { KeyId: keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
  const material = privateKey.export({ format: 'der', type: 'pkcs8' });
  const EncryptedKeyMaterial = publicEncrypt({ key: spki(params['PublicKey']), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material);
  await h.ok('ImportKeyMaterial', { KeyId: keyId, ImportToken: params['ImportToken'], EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
  return { keyId, privateKey };
}

describe('Sign and Verify with ML-DSA and Ed25519ph keys (operation specs)', () => {
  let h: Harness;
  let ed: string;
  before(async () => {
    h = await harness();
    ed = await h.key({ KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY' });
  });
  after(() => h.close());

  it('ML_DSA_44/65/87: CreateKey lists ML_DSA_SHAKE_256; a RAW signature verifies with node:crypto from GetPublicKey alone, and through Verify', async (t) => {
    if (!ML_DSA) {
      const e = await expectFailure(h, 'CreateKey', { KeySpec: 'ML_DSA_65', KeyUsage: 'SIGN_VERIFY' }, 'UnsupportedOperation');
      assert.equal(e.message, `ML_DSA_65 keys need Node.js 24.7 or later; this server runs ${RUNTIME_VERSION}.`);
      return t.skip(NEEDS);
    }
    const message = Buffer.alloc(4096, 7);
    for (const [spec, length] of [['ML_DSA_44', 2420], ['ML_DSA_65', 3309], ['ML_DSA_87', 4627]] as const) {
      const meta = (await h.ok('CreateKey', { KeySpec: spec, KeyUsage: 'SIGN_VERIFY' }))['KeyMetadata'] as Record<string, unknown>;
      assert.deepEqual(meta['SigningAlgorithms'], ['ML_DSA_SHAKE_256']);
      const keyId = String(meta['KeyId']);
      const out = await h.ok('Sign', { KeyId: keyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ML_DSA_SHAKE_256' });
      const signature = out['Signature'] as Buffer;
      assert.equal(signature.length, length);
      assertAudited(h, { eventName: 'Sign', keyArn: arnOf(h, keyId), secrets: [message] });
      const pub = await h.ok('GetPublicKey', { KeyId: keyId });
      assert.equal(String(spki(pub['PublicKey']).asymmetricKeyType), spec.toLowerCase().replace(/_/g, '-'));
      assert.ok(nodeVerify(null, message, spki(pub['PublicKey']), signature), `${spec}: verifies outside Arca`);
      assert.equal((await h.ok('Verify', { KeyId: keyId, Message: message, Signature: signature, SigningAlgorithm: 'ML_DSA_SHAKE_256' }))['SignatureValid'], true);
      await expectFailure(h, 'Verify', { KeyId: keyId, Message: Buffer.from('other'), Signature: signature, SigningAlgorithm: 'ML_DSA_SHAKE_256' }, 'SignatureMismatch');
    }
  });

  it('ML_DSA_44/65/87 EXTERNAL_MU: a μ computed outside Arca signs to what node:crypto verifies on the original message; Verify takes node:crypto\'s signature over μ', async (t) => {
    if (!ML_DSA) return t.skip(NEEDS);
    for (const spec of ['ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87'] as const) {
      const { keyId, privateKey } = await importedMlDsa(h, spec);
      const publicKey = spki((await h.ok('GetPublicKey', { KeyId: keyId }))['PublicKey']);
      const message = Buffer.alloc(100_000, 'a large firmware image '); // beyond RAW's 4096 bytes
      const mu = externalMu(publicKey, message);
      const out = await h.ok('Sign', { KeyId: keyId, Message: mu, MessageType: 'EXTERNAL_MU', SigningAlgorithm: 'ML_DSA_SHAKE_256' });
      assert.equal(out['SigningAlgorithm'], 'ML_DSA_SHAKE_256');
      assertAudited(h, { eventName: 'Sign', keyArn: arnOf(h, keyId), secrets: [mu] });
      assert.ok(nodeVerify(null, message, publicKey, out['Signature'] as Buffer), `${spec}: verifies on M outside Arca`);
      assert.equal(nodeVerify(null, mu, publicKey, out['Signature'] as Buffer), false, `${spec}: not a signature of the bytes of μ as a message`);

      const theirs = nodeSign(null, message, privateKey);
      const verify = { KeyId: keyId, Message: mu, MessageType: 'EXTERNAL_MU', Signature: theirs, SigningAlgorithm: 'ML_DSA_SHAKE_256' };
      assert.equal((await h.ok('Verify', verify))['SignatureValid'], true);
      await expectFailure(h, 'Verify', { ...verify, Message: externalMu(publicKey, Buffer.from('another image')) }, 'SignatureMismatch');
      await expectFailure(h, 'Verify', { ...verify, MessageType: 'RAW' }, 'SignatureMismatch');
    }
  });

  it('ML-DSA: RAW and EXTERNAL_MU signatures of one message both verify, each through Verify in either message type and with node:crypto', async (t) => {
    if (!ML_DSA) return t.skip(NEEDS);
    const keyId = await h.key({ KeySpec: 'ML_DSA_65', KeyUsage: 'SIGN_VERIFY' });
    const publicKey = spki((await h.ok('GetPublicKey', { KeyId: keyId }))['PublicKey']);
    const message = Buffer.from('release 4.0');
    const mu = externalMu(publicKey, message);
    const raw = (await h.ok('Sign', { KeyId: keyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ML_DSA_SHAKE_256' }))['Signature'] as Buffer;
    const viaMu = (await h.ok('Sign', { KeyId: keyId, Message: mu, MessageType: 'EXTERNAL_MU', SigningAlgorithm: 'ML_DSA_SHAKE_256' }))['Signature'] as Buffer;
    for (const signature of [raw, viaMu]) {
      assert.ok(nodeVerify(null, message, publicKey, signature));
      const verify = { KeyId: keyId, Signature: signature, SigningAlgorithm: 'ML_DSA_SHAKE_256' };
      assert.equal((await h.ok('Verify', { ...verify, Message: message, MessageType: 'RAW' }))['SignatureValid'], true);
      assert.equal((await h.ok('Verify', { ...verify, Message: mu, MessageType: 'EXTERNAL_MU' }))['SignatureValid'], true);
    }
  });

  it('ML-DSA: DIGEST is refused with AWS\'s message, a μ that is not 64 bytes as invalid (Sign, Verify and DryRun)', async (t) => {
    if (!ML_DSA) return t.skip(NEEDS);
    const keyId = await h.key({ KeySpec: 'ML_DSA_44', KeyUsage: 'SIGN_VERIFY' });
    const sign = (MessageType: string, Message: Buffer) => ({ KeyId: keyId, Message, MessageType, SigningAlgorithm: 'ML_DSA_SHAKE_256' });
    const digest = await expectFailure(h, 'Sign', sign('DIGEST', Buffer.alloc(64)), 'ValidationFailed');
    assert.equal(digest.message, 'Message type DIGEST is incompatible with key spec ML_DSA_44.');
    for (const length of [1, 32, 63, 65, 4096]) {
      const short = await expectFailure(h, 'Sign', sign('EXTERNAL_MU', Buffer.alloc(length, 1)), 'ValidationFailed');
      assert.equal(short.message, 'External Mu is invalid length for algorithm ML_DSA_SHAKE_256.');
      await expectFailure(h, 'Verify', { ...sign('EXTERNAL_MU', Buffer.alloc(length, 1)), Signature: Buffer.alloc(2420) }, 'ValidationFailed');
      await expectFailure(h, 'Sign', { ...sign('EXTERNAL_MU', Buffer.alloc(length, 1)), DryRun: true }, 'ValidationFailed');
    }
    await expectFailure(h, 'Sign', { ...sign('EXTERNAL_MU', Buffer.alloc(64, 1)), DryRun: true }, 'DryRunOperation');
    await expectFailure(h, 'Sign', { ...sign('RAW', Buffer.from('m')), SigningAlgorithm: 'ED25519_SHA_512' }, 'InvalidKeyUsage');
  });

  it('EXTERNAL_MU on a key that is not ML-DSA is refused as incompatible with its key spec', async () => {
    const e = await expectFailure(h, 'Sign', { KeyId: ed, Message: Buffer.alloc(64), MessageType: 'EXTERNAL_MU', SigningAlgorithm: 'ED25519_SHA_512' }, 'ValidationFailed');
    assert.equal(e.message, 'Message type EXTERNAL_MU is incompatible with algorithm ED25519_SHA_512.');
    const p256 = await h.key({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const f = await expectFailure(h, 'Sign', { KeyId: p256, Message: Buffer.alloc(64), MessageType: 'EXTERNAL_MU', SigningAlgorithm: 'ECDSA_SHA_256' }, 'ValidationFailed');
    assert.equal(f.message, 'Message type EXTERNAL_MU is incompatible with key spec ECC_NIST_P256.');
  });

  it('ED25519_PH_SHA_512 signs a 64-byte SHA-512 DIGEST as Ed25519ph, verified from the public key alone; ED25519_SHA_512 still signs RAW', async () => {
    const meta = (await h.ok('DescribeKey', { KeyId: ed }))['KeyMetadata'] as Record<string, unknown>;
    assert.deepEqual(meta['SigningAlgorithms'], ['ED25519_SHA_512', 'ED25519_PH_SHA_512']);
    const message = Buffer.from('a file too large to send, hashed by the caller');
    const digest = createHash('sha512').update(message).digest();
    const out = await h.ok('Sign', { KeyId: ed, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ED25519_PH_SHA_512' });
    const publicKey = spki((await h.ok('GetPublicKey', { KeyId: ed }))['PublicKey']);
    assert.ok(ed25519phVerify(publicKey, digest, out['Signature'] as Buffer));
    assert.equal(nodeVerify(null, digest, publicKey, out['Signature'] as Buffer), false, 'not a pure Ed25519 signature of the digest');
    const verify = { KeyId: ed, Message: digest, MessageType: 'DIGEST', Signature: out['Signature'], SigningAlgorithm: 'ED25519_PH_SHA_512' };
    assert.equal((await h.ok('Verify', verify))['SignatureValid'], true);
    await expectFailure(h, 'Verify', { ...verify, Message: createHash('sha512').update('other').digest() }, 'SignatureMismatch');
    const raw = await h.ok('Sign', { KeyId: ed, Message: message, SigningAlgorithm: 'ED25519_SHA_512' });
    assert.ok(nodeVerify(null, message, publicKey, raw['Signature'] as Buffer));
  });

  it('each Ed25519 algorithm refuses the other message type with AWS\'s message, and a prehash that is not 64 bytes', async () => {
    const sign = (SigningAlgorithm: string, MessageType: string | undefined, Message: Buffer) => ({ KeyId: ed, Message, SigningAlgorithm, ...(MessageType !== undefined && { MessageType }) });
    const messages = [
      [sign('ED25519_PH_SHA_512', 'RAW', Buffer.alloc(64)), 'Message type RAW is incompatible with algorithm ED25519_PH_SHA_512.'],
      [sign('ED25519_PH_SHA_512', undefined, Buffer.alloc(64)), 'Message type RAW is incompatible with algorithm ED25519_PH_SHA_512.'],
      [sign('ED25519_SHA_512', 'DIGEST', Buffer.alloc(64)), 'Message type DIGEST is incompatible with algorithm ED25519_SHA_512.'],
      [sign('ED25519_PH_SHA_512', 'DIGEST', Buffer.alloc(32)), 'Digest is invalid length for algorithm ED25519_PH_SHA_512.'],
    ] as const;
    for (const [input, message] of messages) assert.equal((await expectFailure(h, 'Sign', input, 'ValidationFailed')).message, message);
  });
});
