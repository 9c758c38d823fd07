import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { randomId } from '../crypto/random.js';
import { SecretBytes } from '../crypto/secret-bytes.js';
import { materialBinding } from '../core/bindings.js';
import type { KeyHandle } from '../core/custody.js';
import { KmsError } from '../core/errors.js';
import type { KeyImportRecord } from '../core/key-import.js';
import type { KeyRecord, KeySpec, KeyUsage, Origin, StoredKeyVersion } from '../core/key.js';
import { newKeyMaterial, ParsedKeyCache } from './asymmetric-material.js';
import { KeyHierarchy } from './key-hierarchy.js';
import { CustodyKeyPrimitives } from './key-primitives.js';
import { MemoryRoot } from '../../test/helpers/memory-root.js';

/** A root of trust in memory (a random root key), sealable, for tests of custody only. */
const NOW = new Date('2026-01-01T00:00:00Z');

async function setup() {
  const root = new MemoryRoot();
  const domainKeys: { version: number; wrapped: Buffer }[] = [];
  const hierarchy = new KeyHierarchy(root, {
    listDomainKeys: async () => domainKeys,
    addDomainKey: async (version, wrapped) => void domainKeys.push({ version, wrapped }),
  });
  await hierarchy.open();
  const versions = new Map<string, StoredKeyVersion>();
  const imports = new Map<string, KeyImportRecord>();
  const parsed = new ParsedKeyCache();
  const primitives = new CustodyKeyPrimitives(
    { keys: { getKeyVersion: async (id, v) => versions.get(`${id}#${v}`) }, hierarchy, imports: { listImports: async (id) => [imports.get(id)].flatMap((r) => (r === undefined ? [] : [{ ...r, imported: true }])) }, clock: { now: () => NOW } },
    parsed,
  );
  async function key(keySpec: KeySpec, keyUsage: KeyUsage, origin: Origin = 'AWS_KMS'): Promise<KeyHandle> {
    const id = randomId();
    const record: KeyRecord = { id, region: 'us-east-1', createdAt: NOW, description: '', keySpec, keyUsage, origin, state: 'Enabled', primaryVersion: 1, policy: '{}' };
    const material = await newKeyMaterial(keySpec);
    const wrapped = await hierarchy.wrap(material, materialBinding(id, 1));
    material.dispose();
    versions.set(`${id}#1`, { keyId: id, version: 1, domainKeyVersion: wrapped.domainKeyVersion, wrappedMaterial: wrapped.wrapped, createdAt: NOW });
    return { record, arn: `arn:aws:kms:eu-west-1:111122223333:key/${id}` };
  }
  return { root, hierarchy, primitives, parsed, imports, key };
}

type Setup = Awaited<ReturnType<typeof setup>>;

function refuses(fn: () => unknown, code: string, message: string): void {
  assert.throws(fn, (e: unknown) => e instanceof KmsError && e.code === code && e.message === message);
}

const secret = (s: string) => SecretBytes.adopt(Buffer.from(s));

describe('CustodyKeyPrimitives: each factory refuses what the key cannot do, with AWS\'s message', () => {
  let t: Setup;
  let aes: KeyHandle;
  let rsa: KeyHandle;
  let p256: KeyHandle;
  let ecdh: KeyHandle;
  let hmac: KeyHandle;
  before(async () => {
    t = await setup();
    aes = await t.key('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT');
    rsa = await t.key('RSA_2048', 'ENCRYPT_DECRYPT');
    p256 = await t.key('ECC_NIST_P256', 'SIGN_VERIFY');
    ecdh = await t.key('ECC_NIST_P256', 'KEY_AGREEMENT');
    hmac = await t.key('HMAC_256', 'GENERATE_VERIFY_MAC');
  });

  it('encrypter: wrong usage, wrong algorithm, context with RSA; a symmetric round trip', async () => {
    const p = t.primitives;
    refuses(() => p.encrypter(p256, { context: {}, operation: 'Encrypt' }), 'InvalidKeyUsage', `${p256.arn} key usage is SIGN_VERIFY which is not valid for Encrypt.`);
    refuses(() => p.encrypter(aes, { algorithm: 'RSAES_OAEP_SHA_256', context: {}, operation: 'Encrypt' }), 'InvalidKeyUsage', `The encryption algorithm RSAES_OAEP_SHA_256 is not valid for ${aes.arn}, which supports SYMMETRIC_DEFAULT.`);
    refuses(() => p.encrypter(rsa, { context: {}, operation: 'ReEncrypt' }), 'InvalidKeyUsage', `The encryption algorithm SYMMETRIC_DEFAULT is not valid for ${rsa.arn}, which supports RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256.`);
    refuses(() => p.encrypter(rsa, { algorithm: 'RSAES_OAEP_SHA_256', context: { a: 'b' }, operation: 'Encrypt' }), 'ValidationFailed', `EncryptionContext is not supported with asymmetric key ${rsa.arn}.`);
    // An RSA key's refusal names the RSA step, whatever operation asked (ReEncrypt names Decrypt / Encrypt).
    refuses(() => p.decrypter(p256, { context: {}, operation: 'ReEncrypt', ciphertext: Buffer.alloc(300) }), 'InvalidKeyUsage', `${p256.arn} key usage is SIGN_VERIFY which is not valid for Decrypt.`);
    const blob = await p.encrypter(aes, { context: { a: 'b' }, operation: 'Encrypt' }).encrypt(secret('hello'));
    const plain = await p.decrypter(aes, { context: { a: 'b' }, operation: 'Decrypt', ciphertext: blob }).decrypt();
    assert.equal(plain.expose().toString(), 'hello');
    const rsaCiphertext = await p.encrypter(rsa, { algorithm: 'RSAES_OAEP_SHA_256', context: {}, operation: 'Encrypt' }).encrypt(secret('hi'));
    assert.equal((await p.decrypter(rsa, { algorithm: 'RSAES_OAEP_SHA_256', context: {}, operation: 'Decrypt', ciphertext: rsaCiphertext }).decrypt()).expose().toString(), 'hi');
  });

  it('blobEncrypter refuses an asymmetric key whatever its usage (GenerateDataKey*)', () => {
    refuses(() => t.primitives.blobEncrypter(rsa, { context: {}, operation: 'GenerateDataKey' }), 'InvalidKeyUsage', `${rsa.arn} is an asymmetric key (RSA_2048), which is not valid for GenerateDataKey.`);
    refuses(() => t.primitives.checkDataKeyPair(rsa, 'ECC_NIST_P256', 'GenerateDataKeyPair'), 'InvalidKeyUsage', `${rsa.arn} is an asymmetric key (RSA_2048), which is not valid for GenerateDataKeyPair.`);
    refuses(() => t.primitives.checkDataKeyPair(aes, 'SM2', 'GenerateDataKeyPair'), 'UnsupportedOperation', 'KeyPairSpec SM2 is not supported by this version of Arca.');
  });

  it('decrypter: a blob naming another key is IncorrectKey, a malformed one the opaque InvalidCiphertext', async () => {
    const other = await t.key('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT');
    const blob = await t.primitives.encrypter(other, { context: {}, operation: 'Encrypt' }).encrypt(secret('x'));
    refuses(() => t.primitives.decrypter(aes, { context: {}, operation: 'Decrypt', ciphertext: blob }), 'IncorrectKey', 'The key ID in the request does not identify a CMK that can perform this operation.');
    assert.throws(() => t.primitives.decrypter(aes, { context: {}, operation: 'Decrypt', ciphertext: Buffer.from([9, 9]) }), (e: unknown) => e instanceof KmsError && e.code === 'InvalidCiphertext');
    const tampered = Buffer.from(await t.primitives.encrypter(aes, { context: {}, operation: 'Encrypt' }).encrypt(secret('x')));
    tampered[tampered.length - 1]! ^= 1;
    await assert.rejects(t.primitives.decrypter(aes, { context: {}, operation: 'Decrypt', ciphertext: tampered }).decrypt(), (e: unknown) => e instanceof KmsError && e.code === 'InvalidCiphertext');
  });

  it('signer and verifier: wrong usage, algorithm of another spec, bad digest length; a round trip', async () => {
    const p = t.primitives;
    refuses(() => p.signer(aes, 'ECDSA_SHA_256', 'RAW', 5), 'InvalidKeyUsage', `${aes.arn} key usage is ENCRYPT_DECRYPT which is not valid for Sign.`);
    refuses(() => p.verifier(p256, 'RSASSA_PSS_SHA_256', 'RAW', 5), 'InvalidKeyUsage', `Signing algorithm RSASSA_PSS_SHA_256 is not compatible with ${p256.arn}, whose key spec ECC_NIST_P256 supports ECDSA_SHA_256.`);
    refuses(() => p.signer(p256, 'ECDSA_SHA_256', 'DIGEST', 31), 'ValidationFailed', 'Digest is invalid length for algorithm ECDSA_SHA_256.');
    const signature = await p.signer(p256, 'ECDSA_SHA_256', 'RAW', 3).sign(secret('msg'));
    assert.equal(await p.verifier(p256, 'ECDSA_SHA_256', 'RAW', 3).verify(secret('msg'), signature), true);
    assert.equal(await p.verifier(p256, 'ECDSA_SHA_256', 'RAW', 3).verify(secret('msh'), signature), false);
  });

  it('mac and agreement: wrong usage and algorithm', async () => {
    const p = t.primitives;
    refuses(() => p.mac(aes, 'HMAC_SHA_256', 'GenerateMac'), 'InvalidKeyUsage', `${aes.arn} key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac.`);
    refuses(() => p.mac(hmac, 'HMAC_SHA_512', 'VerifyMac'), 'InvalidKeyUsage', `MAC algorithm HMAC_SHA_512 is not compatible with ${hmac.arn}, which supports HMAC_SHA_256.`);
    const mac = p.mac(hmac, 'HMAC_SHA_256', 'GenerateMac');
    const tag = await mac.compute(secret('m'));
    assert.equal(await mac.verify(secret('m'), tag), true);
    assert.equal(await mac.verify(secret('n'), tag), false);
    refuses(() => p.agreement(p256, 'ECDH', Buffer.alloc(91)), 'InvalidKeyUsage', `${p256.arn} key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret.`);
    refuses(() => p.agreement(ecdh, 'ECDH', Buffer.from('not a key')), 'ValidationFailed', 'PublicKey is not a valid DER SubjectPublicKeyInfo for key spec ECC_NIST_P256.');
    const peer = await p.publicKey(p256); // a P-256 public key of another key
    assert.equal((await p.agreement(ecdh, 'ECDH', peer).derive()).length, 32);
    await assert.rejects(p.publicKey(aes), (e: unknown) => e instanceof KmsError && e.code === 'UnsupportedOperation' && e.message === `${aes.arn} is not an asymmetric key: it has no public key.`);
  });

  it('expired imported material is refused when used, not by the factory (DryRun answers as before)', async () => {
    const imported = await t.key('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT', 'EXTERNAL');
    const validTo = new Date(NOW.getTime() - 1);
    t.imports.set(imported.record.id, { keyId: imported.record.id, version: 1, fingerprint: Buffer.alloc(32), expirationModel: 'KEY_MATERIAL_EXPIRES', validTo, importedAt: NOW });
    const encrypter = t.primitives.encrypter(imported, { context: {}, operation: 'Encrypt' });
    await assert.rejects(encrypter.encrypt(secret('x')), (e: unknown) => e instanceof KmsError && e.code === 'InvalidKeyState' && e.message === `${imported.record.id} is pending import: its imported key material expired at ${validTo.toISOString()}.`);
  });
});

describe('CustodyKeyPrimitives: parsed private keys are cached per key version', () => {
  it('a second Sign does not parse PKCS#8 again; forgetKey (disable, deletion, destruction) drops the parsed key', async () => {
    const t = await setup();
    const key = await t.key('ECC_NIST_P256', 'SIGN_VERIFY');
    await t.primitives.signer(key, 'ECDSA_SHA_256', 'RAW', 1).sign(secret('a'));
    await t.primitives.signer(key, 'ECDSA_SHA_256', 'RAW', 1).sign(secret('b'));
    assert.equal(t.parsed.parses, 1);
    assert.equal(t.parsed.size, 1);
    t.hierarchy.forgetKey(key.record.id);
    assert.equal(t.parsed.size, 0);
    await t.primitives.signer(key, 'ECDSA_SHA_256', 'RAW', 1).sign(secret('c'));
    assert.equal(t.parsed.parses, 2);
  });

  it('a seal drops every parsed key, and a sealed hierarchy refuses even when the key was cached', async () => {
    const t = await setup();
    const key = await t.key('ECC_NIST_EDWARDS25519', 'SIGN_VERIFY');
    await t.primitives.signer(key, 'ED25519_SHA_512', 'RAW', 1).sign(secret('a'));
    assert.equal(t.parsed.size, 1);
    t.hierarchy.seal();
    assert.equal(t.parsed.size, 0);
    await assert.rejects(t.primitives.signer(key, 'ED25519_SHA_512', 'RAW', 1).sign(secret('a')), (e: unknown) => e instanceof KmsError && e.code === 'Sealed');
  });

  it('is bounded: the least recently used key version goes first', async () => {
    const t = await setup();
    const cache = new ParsedKeyCache(2);
    const keys = [await t.key('ECC_NIST_P256', 'SIGN_VERIFY'), await t.key('ECC_NIST_P256', 'SIGN_VERIFY'), await t.key('ECC_NIST_P256', 'SIGN_VERIFY')];
    const deps = { keys: { getKeyVersion: async () => undefined }, hierarchy: t.hierarchy, imports: { listImports: async () => [] }, clock: { now: () => NOW } };
    // Loads each key's material into the hierarchy's cache (`deps` below reads no store).
    for (const k of keys) await t.primitives.publicKey(k);
    await cache.keysFor(deps, keys[0]!.record);
    await cache.keysFor(deps, keys[1]!.record);
    await cache.keysFor(deps, keys[0]!.record); // 0 is now the most recently used
    await cache.keysFor(deps, keys[2]!.record); // evicts 1
    assert.equal(cache.size, 2);
    const before = cache.parses;
    await cache.keysFor(deps, keys[0]!.record);
    assert.equal(cache.parses, before);
    await cache.keysFor(deps, keys[1]!.record);
    assert.equal(cache.parses, before + 1);
  });
});
