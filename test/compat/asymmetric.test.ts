/**
 * Asymmetric, HMAC and key-agreement keys through the real AWS SDK (`@aws-sdk/client-kms`), checked
 * independently: signatures verify with node:crypto and with the `openssl` command using only what
 * GetPublicKey returned; data encrypted locally with the public key decrypts through Decrypt; ECDH secrets
 * match one computed locally; data key pairs open and match. Then the negative table.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants, createHash, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, publicEncrypt, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateKeyCommand,
  DecryptCommand,
  DeriveSharedSecretCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
  GenerateMacCommand,
  GetPublicKeyCommand,
  KMSClient,
  KMSServiceException,
  ReEncryptCommand,
  SignCommand,
  VerifyCommand,
  VerifyMacCommand,
  type KeySpec,
  type KeyUsageType,
  type SigningAlgorithmSpec,
} from '@aws-sdk/client-kms';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { expectKmsError, kmsClient } from '../helpers/kms-client.js';

let server: InProcessServer;
let kms: KMSClient;
let dir: string;

before(async () => {
  server = await startInProcess();
  kms = kmsClient(server);
  dir = mkdtempSync(join(tmpdir(), 'arca-asym-'));
});
after(async () => {
  kms.destroy();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function newKey(KeySpec: KeySpec, KeyUsage: KeyUsageType): Promise<string> {
  const out = await kms.send(new CreateKeyCommand({ KeySpec, KeyUsage }));
  assert.equal(out.KeyMetadata?.KeySpec, KeySpec);
  assert.equal(out.KeyMetadata?.KeyUsage, KeyUsage);
  return out.KeyMetadata?.KeyId ?? assert.fail('no KeyId');
}

async function publicKeyOf(keyId: string): Promise<KeyObject> {
  const out = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
  assert.ok(out.PublicKey);
  return createPublicKey({ key: Buffer.from(out.PublicKey), format: 'der', type: 'spki' });
}

const message = Buffer.from('a release artifact to sign');

const SIGNING: { spec: KeySpec; algorithm: SigningAlgorithmSpec; hash: string | null; padding?: number }[] = [
  { spec: 'RSA_2048', algorithm: 'RSASSA_PSS_SHA_256', hash: 'sha256', padding: constants.RSA_PKCS1_PSS_PADDING },
  { spec: 'RSA_2048', algorithm: 'RSASSA_PKCS1_V1_5_SHA_384', hash: 'sha384', padding: constants.RSA_PKCS1_PADDING },
  { spec: 'ECC_NIST_P256', algorithm: 'ECDSA_SHA_256', hash: 'sha256' },
  { spec: 'ECC_NIST_P384', algorithm: 'ECDSA_SHA_384', hash: 'sha384' },
  { spec: 'ECC_NIST_P521', algorithm: 'ECDSA_SHA_512', hash: 'sha512' },
  { spec: 'ECC_SECG_P256K1', algorithm: 'ECDSA_SHA_256', hash: 'sha256' },
  { spec: 'ECC_NIST_EDWARDS25519', algorithm: 'ED25519_SHA_512', hash: null },
];

describe('Sign and Verify, checked with node:crypto using only GetPublicKey', () => {
  for (const c of SIGNING) {
    it(`${c.spec} ${c.algorithm}: RAW${c.hash ? ' and DIGEST' : ''} signatures verify locally; a tampered one is KMSInvalidSignatureException`, async () => {
      const keyId = await newKey(c.spec, 'SIGN_VERIFY');
      const info = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
      assert.equal(info.KeySpec, c.spec);
      assert.equal(info.KeyUsage, 'SIGN_VERIFY');
      assert.ok(info.SigningAlgorithms?.includes(c.algorithm));
      assert.equal(info.EncryptionAlgorithms, undefined);
      const pub = await publicKeyOf(keyId);
      const options = { key: pub, dsaEncoding: 'der' as const, ...(c.padding !== undefined ? { padding: c.padding, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } : {}) };
      const modes: { type: 'RAW' | 'DIGEST'; bytes: Buffer }[] = [{ type: 'RAW', bytes: message }];
      if (c.hash !== null) modes.push({ type: 'DIGEST', bytes: createHash(c.hash).update(message).digest() });
      for (const mode of modes) {
        const out = await kms.send(new SignCommand({ KeyId: keyId, Message: mode.bytes, MessageType: mode.type, SigningAlgorithm: c.algorithm }));
        assert.equal(out.SigningAlgorithm, c.algorithm);
        const sig = Buffer.from(out.Signature ?? assert.fail('no signature'));
        assert.ok(nodeVerify(c.hash, message, options, sig), `${mode.type} signature verifies with node:crypto`);
        const ok = await kms.send(new VerifyCommand({ KeyId: keyId, Message: mode.bytes, MessageType: mode.type, Signature: sig, SigningAlgorithm: c.algorithm }));
        assert.equal(ok.SignatureValid, true);
        sig[sig.length - 2] = (sig[sig.length - 2] ?? 0) ^ 0x01;
        await expectKmsError(kms.send(new VerifyCommand({ KeyId: keyId, Message: mode.bytes, MessageType: mode.type, Signature: sig, SigningAlgorithm: c.algorithm })), 'KMSInvalidSignatureException');
      }
    });
  }
});

describe('signatures verify with the openssl command alone', () => {
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  async function signToFiles(spec: KeySpec, algorithm: SigningAlgorithmSpec, name: string): Promise<void> {
    const keyId = await newKey(spec, 'SIGN_VERIFY');
    const pub = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
    writeFileSync(join(dir, `${name}.der`), pub.PublicKey ?? new Uint8Array());
    writeFileSync(join(dir, 'message.txt'), message);
    const out = await kms.send(new SignCommand({ KeyId: keyId, Message: message, MessageType: 'RAW', SigningAlgorithm: algorithm }));
    writeFileSync(join(dir, `${name}.sig`), out.Signature ?? new Uint8Array());
    openssl(['pkey', '-pubin', '-inform', 'DER', '-in', `${name}.der`, '-out', `${name}.pem`]);
  }

  it('ECDSA P-256 (openssl dgst -sha256 -verify)', async () => {
    await signToFiles('ECC_NIST_P256', 'ECDSA_SHA_256', 'p256');
    assert.match(openssl(['dgst', '-sha256', '-verify', 'p256.pem', '-signature', 'p256.sig', 'message.txt']), /Verified OK/);
  });

  it('RSA-PSS SHA-256 with salt = digest length', async () => {
    await signToFiles('RSA_2048', 'RSASSA_PSS_SHA_256', 'rsa');
    assert.match(openssl(['dgst', '-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest', '-verify', 'rsa.pem', '-signature', 'rsa.sig', 'message.txt']), /Verified OK/);
  });

  it('Ed25519 (openssl pkeyutl -verify -rawin)', async () => {
    await signToFiles('ECC_NIST_EDWARDS25519', 'ED25519_SHA_512', 'ed');
    assert.match(openssl(['pkeyutl', '-verify', '-pubin', '-inkey', 'ed.pem', '-rawin', '-in', 'message.txt', '-sigfile', 'ed.sig']), /Signature Verified Successfully/);
  });
});

describe('RSA encryption keys', () => {
  it('data encrypted locally with the public key decrypts through Decrypt (OAEP SHA-1 and SHA-256)', async () => {
    const keyId = await newKey('RSA_2048', 'ENCRYPT_DECRYPT');
    const info = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
    assert.deepEqual(info.EncryptionAlgorithms, ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256']);
    const pub = await publicKeyOf(keyId);
    for (const [algorithm, oaepHash] of [['RSAES_OAEP_SHA_1', 'sha1'], ['RSAES_OAEP_SHA_256', 'sha256']] as const) {
      const ct = publicEncrypt({ key: pub, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, Buffer.from(`secret for ${algorithm}`));
      const out = await kms.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: ct, EncryptionAlgorithm: algorithm }));
      assert.equal(Buffer.from(out.Plaintext ?? []).toString(), `secret for ${algorithm}`);
      assert.equal(out.EncryptionAlgorithm, algorithm);
      const round = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x'), EncryptionAlgorithm: algorithm }));
      assert.equal(round.CiphertextBlob?.length, 256, 'the ciphertext is raw OAEP output');
      const back = await kms.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: round.CiphertextBlob, EncryptionAlgorithm: algorithm }));
      assert.equal(Buffer.from(back.Plaintext ?? []).toString(), 'x');
      ct[10] = (ct[10] ?? 0) ^ 1;
      await expectKmsError(kms.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: ct, EncryptionAlgorithm: algorithm })), 'InvalidCiphertextException');
    }
    await expectKmsError(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.alloc(191), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })), 'ValidationException');
    // ReEncrypt from a symmetric key to the RSA key and back.
    const symmetric = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId;
    const sealed = await kms.send(new EncryptCommand({ KeyId: symmetric, Plaintext: Buffer.from('moved') }));
    const toRsa = await kms.send(new ReEncryptCommand({ CiphertextBlob: sealed.CiphertextBlob, DestinationKeyId: keyId, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    assert.equal(toRsa.DestinationEncryptionAlgorithm, 'RSAES_OAEP_SHA_256');
    const back = await kms.send(new ReEncryptCommand({ CiphertextBlob: toRsa.CiphertextBlob, SourceKeyId: keyId, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DestinationKeyId: symmetric }));
    assert.equal(back.SourceKeyId?.endsWith(keyId), true);
    const opened = await kms.send(new DecryptCommand({ CiphertextBlob: back.CiphertextBlob }));
    assert.equal(Buffer.from(opened.Plaintext ?? []).toString(), 'moved');
    await expectKmsError(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })), 'InvalidKeyUsageException');
    await expectKmsError(kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' })), 'InvalidKeyUsageException');
  });
});

describe('HMAC keys', () => {
  for (const [spec, algorithm, hash, length] of [['HMAC_224', 'HMAC_SHA_224', 'sha224', 28], ['HMAC_512', 'HMAC_SHA_512', 'sha512', 64]] as const) {
    it(`${spec}: GenerateMac gives a ${length}-byte tag that VerifyMac accepts; a tampered tag or message is KMSInvalidMacException`, async () => {
      const keyId = await newKey(spec, 'GENERATE_VERIFY_MAC');
      const out = await kms.send(new GenerateMacCommand({ KeyId: keyId, Message: message, MacAlgorithm: algorithm }));
      const mac = Buffer.from(out.Mac ?? []);
      assert.equal(mac.length, length);
      assert.notEqual(hash, undefined);
      assert.equal((await kms.send(new VerifyMacCommand({ KeyId: keyId, Message: message, MacAlgorithm: algorithm, Mac: mac }))).MacValid, true);
      await expectKmsError(kms.send(new VerifyMacCommand({ KeyId: keyId, Message: Buffer.from('other'), MacAlgorithm: algorithm, Mac: mac })), 'KMSInvalidMacException');
      mac[0] = (mac[0] ?? 0) ^ 1;
      await expectKmsError(kms.send(new VerifyMacCommand({ KeyId: keyId, Message: message, MacAlgorithm: algorithm, Mac: mac })), 'KMSInvalidMacException');
      await expectKmsError(kms.send(new GenerateMacCommand({ KeyId: keyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' })), 'InvalidKeyUsageException');
      await expectKmsError(kms.send(new GetPublicKeyCommand({ KeyId: keyId })), 'UnsupportedOperationException');
    });
  }
});

describe('DeriveSharedSecret', () => {
  it('the shared secret matches one computed locally from GetPublicKey; a peer key on another curve is refused', async () => {
    const keyId = await newKey('ECC_NIST_P256', 'KEY_AGREEMENT');
    const info = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
    assert.deepEqual(info.KeyAgreementAlgorithms, ['ECDH']);
    const local = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const out = await kms.send(new DeriveSharedSecretCommand({ KeyId: keyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: local.publicKey.export({ type: 'spki', format: 'der' }) }));
    const expected = diffieHellman({ privateKey: local.privateKey, publicKey: await publicKeyOf(keyId) });
    assert.deepEqual(Buffer.from(out.SharedSecret ?? []), expected);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    await expectKmsError(kms.send(new DeriveSharedSecretCommand({ KeyId: keyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: p384.publicKey.export({ type: 'spki', format: 'der' }) })), 'ValidationException');
    const offCurve = Buffer.from(local.publicKey.export({ type: 'spki', format: 'der' }));
    offCurve[offCurve.length - 1] = (offCurve[offCurve.length - 1] ?? 0) ^ 1;
    await expectKmsError(kms.send(new DeriveSharedSecretCommand({ KeyId: keyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: offCurve })), 'ValidationException');
    await expectKmsError(kms.send(new SignCommand({ KeyId: keyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' })), 'InvalidKeyUsageException');
  });
});

describe('GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext', () => {
  it('return a PKCS#8 private key matching the public key, encrypted under the symmetric key with the context', async () => {
    const created = await kms.send(new CreateKeyCommand({}));
    const keyId = created.KeyMetadata?.KeyId ?? assert.fail('no key');
    const context = { purpose: 'data-key-pair' };
    for (const spec of ['ECC_NIST_P256', 'RSA_2048'] as const) {
      const out = await kms.send(new GenerateDataKeyPairCommand({ KeyId: keyId, KeyPairSpec: spec, EncryptionContext: context }));
      assert.equal(out.KeyPairSpec, spec);
      const priv = createPrivateKey({ key: Buffer.from(out.PrivateKeyPlaintext ?? []), format: 'der', type: 'pkcs8' });
      assert.deepEqual(createPublicKey(priv).export({ type: 'spki', format: 'der' }), Buffer.from(out.PublicKey ?? []));
      const opened = await kms.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob, EncryptionContext: context }));
      assert.deepEqual(Buffer.from(opened.Plaintext ?? []), Buffer.from(out.PrivateKeyPlaintext ?? []));
    }
    const without = await kms.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: keyId, KeyPairSpec: 'ECC_NIST_P384', EncryptionContext: context }));
    assert.equal('PrivateKeyPlaintext' in without, false);
    const opened = await kms.send(new DecryptCommand({ CiphertextBlob: without.PrivateKeyCiphertextBlob, EncryptionContext: context }));
    const priv = createPrivateKey({ key: Buffer.from(opened.Plaintext ?? []), format: 'der', type: 'pkcs8' });
    assert.deepEqual(createPublicKey(priv).export({ type: 'spki', format: 'der' }), Buffer.from(without.PublicKey ?? []));
    const signKey = await newKey('ECC_NIST_P256', 'SIGN_VERIFY');
    await expectKmsError(kms.send(new GenerateDataKeyPairCommand({ KeyId: signKey, KeyPairSpec: 'ECC_NIST_P256' })), 'InvalidKeyUsageException');
  });
});

describe('invalid combinations get AWS errors', () => {
  let p256 = '';
  let rsaEncrypt = '';
  before(async () => {
    p256 = await newKey('ECC_NIST_P256', 'SIGN_VERIFY');
    rsaEncrypt = await newKey('RSA_2048', 'ENCRYPT_DECRYPT');
  });

  it('Sign with an ENCRYPT_DECRYPT key is InvalidKeyUsageException', async () => {
    await expectKmsError(kms.send(new SignCommand({ KeyId: rsaEncrypt, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })), 'InvalidKeyUsageException');
  });
  it('a signing algorithm of another spec is InvalidKeyUsageException', async () => {
    await expectKmsError(kms.send(new SignCommand({ KeyId: p256, Message: message, SigningAlgorithm: 'ECDSA_SHA_384' })), 'InvalidKeyUsageException');
    await expectKmsError(kms.send(new SignCommand({ KeyId: p256, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })), 'InvalidKeyUsageException');
  });
  it('a RAW message over 4096 bytes is ValidationException', async () => {
    await kms.send(new SignCommand({ KeyId: p256, Message: Buffer.alloc(4096), SigningAlgorithm: 'ECDSA_SHA_256' }));
    await expectKmsError(kms.send(new SignCommand({ KeyId: p256, Message: Buffer.alloc(4097), SigningAlgorithm: 'ECDSA_SHA_256' })), 'ValidationException');
  });
  it('a DIGEST of the wrong length is ValidationException', async () => {
    await expectKmsError(kms.send(new SignCommand({ KeyId: p256, Message: Buffer.alloc(31), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' })), 'ValidationException');
    await expectKmsError(kms.send(new SignCommand({ KeyId: p256, Message: Buffer.alloc(48), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' })), 'ValidationException');
  });
  it('CreateKey with a usage the spec does not have, or without KeyUsage for a non-symmetric spec, is ValidationException', async () => {
    await expectKmsError(kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'KEY_AGREEMENT' })), 'ValidationException');
    await expectKmsError(kms.send(new CreateKeyCommand({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'KEY_AGREEMENT' })), 'ValidationException');
    await expectKmsError(kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'SIGN_VERIFY' })), 'ValidationException');
    await expectKmsError(kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256' })), 'ValidationException');
  });
  it('GetPublicKey of a symmetric key is UnsupportedOperationException', async () => {
    const created = await kms.send(new CreateKeyCommand({}));
    await expectKmsError(kms.send(new GetPublicKeyCommand({ KeyId: created.KeyMetadata?.KeyId })), 'UnsupportedOperationException');
  });
});

describe('disabled keys, the audit trail and the sealed service', () => {
  const canary = Buffer.from('canary-message-5d1c');
  let sign = '';
  let mac = '';
  let agree = '';
  let symmetric = '';
  let peer: Buffer;
  before(async () => {
    sign = await newKey('ECC_NIST_P256', 'SIGN_VERIFY');
    mac = await newKey('HMAC_256', 'GENERATE_VERIFY_MAC');
    agree = await newKey('ECC_NIST_P256', 'KEY_AGREEMENT');
    symmetric = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId ?? '';
    peer = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });
  });

  const calls = () => [
    () => kms.send(new SignCommand({ KeyId: sign, Message: canary, SigningAlgorithm: 'ECDSA_SHA_256' })),
    () => kms.send(new VerifyCommand({ KeyId: sign, Message: canary, Signature: Buffer.alloc(70), SigningAlgorithm: 'ECDSA_SHA_256' })),
    () => kms.send(new GetPublicKeyCommand({ KeyId: sign })),
    () => kms.send(new GenerateMacCommand({ KeyId: mac, Message: canary, MacAlgorithm: 'HMAC_SHA_256' })),
    () => kms.send(new VerifyMacCommand({ KeyId: mac, Message: canary, Mac: Buffer.alloc(32), MacAlgorithm: 'HMAC_SHA_256' })),
    () => kms.send(new DeriveSharedSecretCommand({ KeyId: agree, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer })),
    () => kms.send(new GenerateDataKeyPairCommand({ KeyId: symmetric, KeyPairSpec: 'ECC_NIST_P256' })),
  ];

  it('every new operation on a disabled key is DisabledException', async () => {
    const { DisableKeyCommand, EnableKeyCommand } = await import('@aws-sdk/client-kms');
    for (const k of [sign, mac, agree, symmetric]) await kms.send(new DisableKeyCommand({ KeyId: k }));
    for (const call of calls()) await expectKmsError(call(), 'DisabledException');
    for (const k of [sign, mac, agree, symmetric]) await kms.send(new EnableKeyCommand({ KeyId: k }));
  });

  it('no audit event carries the signed or MACed message', async () => {
    await kms.send(new SignCommand({ KeyId: sign, Message: canary, SigningAlgorithm: 'ECDSA_SHA_256' }));
    await kms.send(new GenerateMacCommand({ KeyId: mac, Message: canary, MacAlgorithm: 'HMAC_SHA_256' }));
    const text = JSON.stringify((await server.app.audit.list(100_000)));
    assert.ok(text.includes('"Sign"') && text.includes('"GenerateMac"'));
    assert.ok(!text.includes(canary.toString('base64')) && !text.includes(canary.toString()), 'the message is not in the audit trail');
  });

  it('once sealed, every new operation is refused (503 KMSInternalException) and no material stays in memory', async () => {
    server.app.hierarchy.seal();
    assert.equal(server.app.hierarchy.heldSecrets, 0);
    for (const call of calls()) {
      try {
        await call();
        assert.fail('succeeded while sealed');
      } catch (e) {
        assert.ok(e instanceof KMSServiceException);
        assert.equal(e.name, 'KMSInternalException');
        assert.equal(e.$metadata.httpStatusCode, 503);
      }
    }
  });
});
