/**
 * Post-quantum keys and Ed25519ph through the real AWS SDK (`@aws-sdk/client-kms`, whose model has
 * ML_DSA_*, ML_KEM_*, EXTERNAL_MU, ED25519_PH_SHA_512, Encapsulate and Decapsulate), checked outside
 * Arca: ML-DSA signatures, of a RAW message or of an EXTERNAL_MU computed here, verify with node:crypto
 * from GetPublicKey alone on the message, and Verify takes node:crypto's signatures; a secret node:crypto
 * encapsulates under GetPublicKey's key decapsulates to the same bytes; and an Ed25519ph signature of the
 * RFC 8032 §7.3 key, imported, is that RFC's signature byte for byte. ML-DSA and ML-KEM need Node.js
 * 24.7 (CI runs this file on Node 24); on Node 20 the refusal that names the runtime is checked instead.
 */
import assert from 'node:assert/strict';
import { constants, createHash, createPublicKey, publicEncrypt, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CreateKeyCommand,
  DecapsulateCommand,
  DescribeKeyCommand,
  EncapsulateCommand,
  GetParametersForImportCommand,
  GetPublicKeyCommand,
  ImportKeyMaterialCommand,
  KMSClient,
  SignCommand,
  VerifyCommand,
  type KeySpec,
} from '@aws-sdk/client-kms';
import { mlKemEncapsulate, postQuantumKeyPair, RUNTIME_VERSION, runtimeSupports } from '../../src/crypto/post-quantum.js';
import { externalMu } from '../helpers/ml-dsa-mu.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { expectKmsError, kmsClient } from '../helpers/kms-client.js';

const NEEDS = `needs Node >= 24.7 (ML-DSA and ML-KEM in node:crypto); this is ${RUNTIME_VERSION}`;
const PQC = runtimeSupports('ml-dsa') && runtimeSupports('ml-kem');

let server: InProcessServer;
let kms: KMSClient;
before(async () => {
  server = await startInProcess();
  kms = kmsClient(server);
});
after(async () => {
  kms.destroy();
  await server.close();
});

const spki = (der: Uint8Array | undefined) => createPublicKey({ key: Buffer.from(der ?? assert.fail('no public key')), format: 'der', type: 'spki' });

describe('ML-DSA keys through the AWS SDK', () => {
  it('on a runtime without ML-DSA, CreateKey is UnsupportedOperationException naming the runtime', async (t) => {
    if (PQC) return t.skip('this runtime has ML-DSA');
    const e = await expectKmsError(kms.send(new CreateKeyCommand({ KeySpec: 'ML_DSA_65', KeyUsage: 'SIGN_VERIFY' })), 'UnsupportedOperationException', 400);
    assert.equal(e.message, `ML_DSA_65 keys need Node.js 24.7 or later; this server runs ${RUNTIME_VERSION}.`);
  });

  for (const spec of ['ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87'] satisfies KeySpec[]) {
    it(`${spec}: RAW and EXTERNAL_MU signatures verify with node:crypto on the message from GetPublicKey alone and through Verify; DIGEST and a short mu are AWS's ValidationException`, async (t) => {
      if (!PQC) return t.skip(NEEDS);
      const created = await kms.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY' }));
      assert.deepEqual(created.KeyMetadata?.SigningAlgorithms, ['ML_DSA_SHAKE_256']);
      const KeyId = created.KeyMetadata?.KeyId;
      const message = Buffer.from('firmware 2.0, signed post-quantum');
      const signed = await kms.send(new SignCommand({ KeyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ML_DSA_SHAKE_256' }));
      const pub = await kms.send(new GetPublicKeyCommand({ KeyId }));
      assert.equal(pub.KeySpec, spec);
      assert.deepEqual(pub.SigningAlgorithms, ['ML_DSA_SHAKE_256']);
      assert.ok(nodeVerify(null, message, spki(pub.PublicKey), Buffer.from(signed.Signature ?? [])), 'verifies outside Arca');
      const verified = await kms.send(new VerifyCommand({ KeyId, Message: message, Signature: signed.Signature, SigningAlgorithm: 'ML_DSA_SHAKE_256' }));
      assert.equal(verified.SignatureValid, true);
      const digest = await expectKmsError(kms.send(new SignCommand({ KeyId, Message: Buffer.alloc(64), MessageType: 'DIGEST', SigningAlgorithm: 'ML_DSA_SHAKE_256' })), 'ValidationException', 400);
      assert.equal(digest.message, `Message type DIGEST is incompatible with key spec ${spec}.`);

      // EXTERNAL_MU: μ computed here (FIPS 204 §6.2) for a message over RAW's 4096 bytes; the signature is the message's.
      const large = Buffer.alloc(50_000, 'firmware 2.0, every byte of it ');
      const mu = externalMu(spki(pub.PublicKey), large);
      const viaMu = await kms.send(new SignCommand({ KeyId, Message: mu, MessageType: 'EXTERNAL_MU', SigningAlgorithm: 'ML_DSA_SHAKE_256' }));
      assert.ok(nodeVerify(null, large, spki(pub.PublicKey), Buffer.from(viaMu.Signature ?? [])), 'an EXTERNAL_MU signature verifies on the message outside Arca');
      const muOfMessage = externalMu(spki(pub.PublicKey), message);
      const rawOverMu = await kms.send(new VerifyCommand({ KeyId, Message: muOfMessage, MessageType: 'EXTERNAL_MU', Signature: signed.Signature, SigningAlgorithm: 'ML_DSA_SHAKE_256' }));
      assert.equal(rawOverMu.SignatureValid, true, 'the RAW signature verifies over the message\'s mu');
      const short = await expectKmsError(kms.send(new SignCommand({ KeyId, Message: mu.subarray(0, 32), MessageType: 'EXTERNAL_MU', SigningAlgorithm: 'ML_DSA_SHAKE_256' })), 'ValidationException', 400);
      assert.equal(short.message, 'External Mu is invalid length for algorithm ML_DSA_SHAKE_256.');
    });
  }

  it('ML_DSA_65 imported from node:crypto: Verify with EXTERNAL_MU accepts node:crypto\'s signature of the message, and refuses it over another message\'s mu', async (t) => {
    if (!PQC) return t.skip(NEEDS);
    const pair = postQuantumKeyPair('ml-dsa-65');
    const created = await kms.send(new CreateKeyCommand({ KeySpec: 'ML_DSA_65', KeyUsage: 'SIGN_VERIFY', Origin: 'EXTERNAL' }));
    const KeyId = created.KeyMetadata?.KeyId;
    const params = await kms.send(new GetParametersForImportCommand({ KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
    const wrapping = createPublicKey({ key: Buffer.from(params.PublicKey ?? []), format: 'der', type: 'spki' });
    const material = pair.privateKey.export({ format: 'der', type: 'pkcs8' });
    const EncryptedKeyMaterial = publicEncrypt({ key: wrapping, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material);
    await kms.send(new ImportKeyMaterialCommand({ KeyId, ImportToken: params.ImportToken, EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));
    const message = Buffer.from('signed by the key owner before import');
    const Signature = nodeSign(null, message, pair.privateKey);
    const verified = await kms.send(new VerifyCommand({ KeyId, Message: externalMu(pair.publicKey, message), MessageType: 'EXTERNAL_MU', Signature, SigningAlgorithm: 'ML_DSA_SHAKE_256' }));
    assert.equal(verified.SignatureValid, true);
    await expectKmsError(
      kms.send(new VerifyCommand({ KeyId, Message: externalMu(pair.publicKey, Buffer.from('another')), MessageType: 'EXTERNAL_MU', Signature, SigningAlgorithm: 'ML_DSA_SHAKE_256' })),
      'KMSInvalidSignatureException',
      400,
    );
  });
});

describe('ML-KEM keys: Encapsulate and Decapsulate through the AWS SDK', () => {
  for (const [spec, length] of [['ML_KEM_512', 768], ['ML_KEM_768', 1088], ['ML_KEM_1024', 1568]] as const) {
    it(`${spec}: Encapsulate's secret is Decapsulate's; node:crypto's encapsulation under GetPublicKey decapsulates alike; a wrong length is InvalidCiphertextException`, async (t) => {
      if (!PQC) {
        const e = await expectKmsError(kms.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'ENCAPSULATE_DECAPSULATE' })), 'UnsupportedOperationException', 400);
        assert.match(e.message, new RegExp(`^${spec} keys need Node.js 24.7 or later`));
        return t.skip(NEEDS);
      }
      const created = await kms.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'ENCAPSULATE_DECAPSULATE' }));
      const KeyId = created.KeyMetadata?.KeyId;
      assert.deepEqual(created.KeyMetadata?.EncapsulationAlgorithms, ['ML_KEM']);
      const enc = await kms.send(new EncapsulateCommand({ KeyId, EncapsulationAlgorithm: 'ML_KEM' }));
      assert.equal(enc.SharedSecret?.length, 32);
      assert.equal(enc.SharedSecretCiphertextBlob?.length, length);
      assert.equal(enc.EncapsulationAlgorithm, 'ML_KEM');
      const dec = await kms.send(new DecapsulateCommand({ KeyId, SharedSecretCiphertextBlob: enc.SharedSecretCiphertextBlob, EncapsulationAlgorithm: 'ML_KEM' }));
      assert.deepEqual(Buffer.from(dec.SharedSecret ?? []), Buffer.from(enc.SharedSecret ?? []));
      assert.equal(dec.KeyId, created.KeyMetadata?.Arn);

      const pub = await kms.send(new GetPublicKeyCommand({ KeyId }));
      assert.deepEqual(pub.EncapsulationAlgorithms, ['ML_KEM']);
      const outside = mlKemEncapsulate(spki(pub.PublicKey));
      const ours = await kms.send(new DecapsulateCommand({ KeyId, SharedSecretCiphertextBlob: outside.ciphertext, EncapsulationAlgorithm: 'ML_KEM' }));
      assert.deepEqual(Buffer.from(ours.SharedSecret ?? []), outside.sharedSecret.expose());

      await expectKmsError(kms.send(new DecapsulateCommand({ KeyId, SharedSecretCiphertextBlob: Buffer.alloc(length - 1, 1), EncapsulationAlgorithm: 'ML_KEM' })), 'InvalidCiphertextException', 400);
      await expectKmsError(kms.send(new EncapsulateCommand({ KeyId, EncapsulationAlgorithm: 'ML_KEM', DryRun: true })), 'DryRunOperationException');
    });
  }

  it('Encapsulate with a symmetric key is InvalidKeyUsageException, on any runtime', async () => {
    const KeyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId;
    await expectKmsError(kms.send(new EncapsulateCommand({ KeyId, EncapsulationAlgorithm: 'ML_KEM' })), 'InvalidKeyUsageException', 400);
  });
});

describe('ED25519_PH_SHA_512 through the AWS SDK', () => {
  /** RFC 8032 §7.3: the Ed25519ph key (PKCS#8), its public key, and its signature of "abc". */
  const RFC_PKCS8 = Buffer.from('302e020100300506032b657004220420833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42', 'hex');
  const RFC_PUBLIC = 'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf';
  const RFC_SIGNATURE = '98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae4131f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406';

  it('the RFC 8032 §7.3 key, imported, signs SHA-512("abc") as DIGEST to the RFC\'s signature byte for byte, which Verify accepts', async () => {
    const created = await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY', Origin: 'EXTERNAL' }));
    const KeyId = created.KeyMetadata?.KeyId;
    assert.deepEqual(created.KeyMetadata?.SigningAlgorithms, ['ED25519_SHA_512', 'ED25519_PH_SHA_512']);
    const params = await kms.send(new GetParametersForImportCommand({ KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
    const wrapping = createPublicKey({ key: Buffer.from(params.PublicKey ?? []), format: 'der', type: 'spki' });
    const EncryptedKeyMaterial = publicEncrypt({ key: wrapping, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, RFC_PKCS8);
    await kms.send(new ImportKeyMaterialCommand({ KeyId, ImportToken: params.ImportToken, EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));
    const pub = await kms.send(new GetPublicKeyCommand({ KeyId }));
    assert.equal(Buffer.from(pub.PublicKey ?? []).subarray(12).toString('hex'), RFC_PUBLIC);

    const digest = createHash('sha512').update('abc').digest();
    const signed = await kms.send(new SignCommand({ KeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ED25519_PH_SHA_512' }));
    assert.equal(Buffer.from(signed.Signature ?? []).toString('hex'), RFC_SIGNATURE);
    const verified = await kms.send(new VerifyCommand({ KeyId, Message: digest, MessageType: 'DIGEST', Signature: Buffer.from(RFC_SIGNATURE, 'hex'), SigningAlgorithm: 'ED25519_PH_SHA_512' }));
    assert.equal(verified.SignatureValid, true);
    const raw = await expectKmsError(kms.send(new SignCommand({ KeyId, Message: Buffer.from('abc'), MessageType: 'RAW', SigningAlgorithm: 'ED25519_PH_SHA_512' })), 'ValidationException', 400);
    assert.equal(raw.message, 'Message type RAW is incompatible with algorithm ED25519_PH_SHA_512.');
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata?.KeyState, 'Enabled');
  });
});
