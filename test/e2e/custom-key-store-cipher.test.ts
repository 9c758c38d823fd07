import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { materialBinding } from '../../src/core/bindings.js';
import type { KeyHandle } from '../../src/core/custody.js';
import { XKS_FAILURES, XKS_NOT_CONNECTED, type CustomKeyStoreKeyLink, type XksProxyTarget } from '../../src/core/custom-key-stores.js';
import { KmsError } from '../../src/core/errors.js';
import type { HsmKeyStoreConnection } from '../../src/core/hsm-keys.js';
import type { KeyRecord, Origin, StoredKeyVersion } from '../../src/core/key.js';
import { newKeyMaterial } from '../../src/custody/asymmetric-material.js';
import { HSM_NOT_CONNECTED, type CustomKeyStoreCustodyDeps } from '../../src/custody/custom-key-store-cipher.js';
import { KeyHierarchy } from '../../src/custody/key-hierarchy.js';
import { CustodyKeyPrimitives } from '../../src/custody/key-primitives.js';
import { BLOB_FORMAT_HSM, BLOB_FORMAT_XKS, decodeXksBlob, openXksInner } from '../../src/crypto/custom-key-store-blob.js';
import { encodeContext } from '../../src/crypto/encoding.js';
import { randomId, randomSecret } from '../../src/crypto/random.js';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import { XksClient } from '../../src/server/xks-client.js';
import { MemoryHsmClusters } from '../helpers/memory-hsm-clusters.js';
import { startXksProxyFixture, type XksProxyFixture } from '../helpers/xks-proxy-fixture.js';
import { MemoryRoot } from '../helpers/memory-root.js';

/**
 * Custody's encryption under keys in custom key stores (src/custody/custom-key-store-cipher.ts) against a
 * real XKS proxy (the fixture, over HTTP with SigV4) and the in-memory HSM: double encryption, fail closed.
 */

const NOW = new Date('2026-01-01T00:00:00Z');
const STORE_XKS = 'cks-0000000000000000a';
const STORE_HSM = 'cks-0000000000000000b';
const CLUSTER = 'cluster-1a23b4cdefg';
const secret = (s: string) => SecretBytes.copyOf(Buffer.from(s));
const caller = { principalArn: 'arn:aws:iam::111122223333:user/alice', requestId: 'req-1' };

function failsWith(code: string, message?: string) {
  return (e: unknown) => e instanceof KmsError && e.code === code && (message === undefined || e.message === message);
}

describe('custody: keys in custom key stores (XKS double encryption, HSM-resident keys), fail closed', () => {
  let proxy: XksProxyFixture;
  let primitives: CustodyKeyPrimitives;
  let material: Map<string, SecretBytes>;
  let hsmSession: HsmKeyStoreConnection | undefined;
  let target: XksProxyTarget | undefined;
  const links = new Map<string, CustomKeyStoreKeyLink>();
  const hsm = new MemoryHsmClusters().addCluster(CLUSTER, 'kmsuser-pass');
  let key: (origin: Origin, externalKeyId?: string) => Promise<KeyHandle>;

  before(async () => {
    proxy = await startXksProxyFixture();
    const domainKeys: { version: number; wrapped: Buffer }[] = [];
    const hierarchy = new KeyHierarchy(new MemoryRoot(), { listDomainKeys: async () => domainKeys, addDomainKey: async (version, wrapped) => void domainKeys.push({ version, wrapped }) });
    await hierarchy.open();
    const versions = new Map<string, StoredKeyVersion>();
    material = new Map();
    target = { settings: { uriEndpoint: proxy.endpoint, uriPath: proxy.uriPath, connectivity: 'PUBLIC_ENDPOINT', accessKeyId: proxy.accessKeyId }, secret: secret(proxy.secret) };
    hsmSession = await hsm.connect(CLUSTER, secret('kmsuser-pass'));
    const cks: CustomKeyStoreCustodyDeps = {
      store: { keyLink: async (id) => links.get(id) },
      xks: new XksClient({ timeoutMs: 400, region: 'us-east-1' }),
      connections: { xksTarget: (id) => (id === STORE_XKS ? target : undefined), hsmSession: (id) => (id === STORE_HSM ? hsmSession : undefined) },
    };
    primitives = new CustodyKeyPrimitives({ keys: { getKeyVersion: async (id, v) => versions.get(`${id}#${v}`) }, hierarchy, imports: { listImports: async () => [] }, clock: { now: () => NOW }, customKeyStores: cks });
    key = async (origin, externalKeyId) => {
      const id = randomId();
      const record: KeyRecord = { id, region: 'us-east-1', createdAt: NOW, description: '', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', origin, state: 'Enabled', primaryVersion: 1, policy: '{}' };
      if (origin === 'EXTERNAL_KEY_STORE' || origin === 'AWS_KMS') {
        const m = await newKeyMaterial('SYMMETRIC_DEFAULT');
        material.set(id, SecretBytes.copyOf(m.expose()));
        const wrapped = await hierarchy.wrap(m, materialBinding(id, 1));
        m.dispose();
        versions.set(`${id}#1`, { keyId: id, version: 1, domainKeyVersion: wrapped.domainKeyVersion, wrappedMaterial: wrapped.wrapped, createdAt: NOW });
        if (origin === 'EXTERNAL_KEY_STORE') links.set(id, { keyId: id, storeId: STORE_XKS, externalKeyId: externalKeyId ?? proxy.keyId });
      } else {
        await hsmSession?.generateKey(id);
        links.set(id, { keyId: id, storeId: STORE_HSM, externalKeyId: id });
      }
      return { record, arn: `arn:aws:kms:us-east-1:111122223333:key/${id}` };
    };
  });
  after(async () => {
    await hsmSession?.close();
    await proxy.stop();
  });

  const params = (context: Record<string, string> = { purpose: 'test' }) => ({ context, operation: 'Encrypt', caller });
  const roundTrip = async (k: KeyHandle, text: string, context?: Record<string, string>) => {
    const blob = await primitives.encrypter(k, params(context)).encrypt(secret(text));
    return { blob, open: (over: Record<string, string> | undefined = context) => primitives.decrypter(k, { ...params(over), operation: 'Decrypt', ciphertext: blob }).decrypt() };
  };

  it('an external key store key encrypts twice (0x03) and decrypts; the proxy is told the caller, operation, request and key', async () => {
    const k = await key('EXTERNAL_KEY_STORE');
    const { blob, open } = await roundTrip(k, 'hello xks');
    assert.equal(blob[0], BLOB_FORMAT_XKS);
    assert.equal((await open()).expose().toString(), 'hello xks');
    const encryptCall = proxy.requests.find((r) => r.path.endsWith('/encrypt'));
    assert.deepEqual(encryptCall?.metadata, { awsPrincipalArn: caller.principalArn, kmsOperation: 'Encrypt', kmsRequestId: 'req-1', kmsKeyArn: k.arn });
    assert.equal(proxy.requests.at(-1)?.metadata['kmsOperation'], 'Decrypt');
    // The encryption context is bound: another context does not open it (the proxy refuses its AAD).
    await assert.rejects(open({ purpose: 'other' }), failsWith('InvalidKeyState', XKS_FAILURES.InvalidCiphertextException.message));
    // The blob's header names the key: another key is IncorrectKey.
    const other = await key('EXTERNAL_KEY_STORE');
    assert.throws(() => primitives.decrypter(other, { ...params(), ciphertext: blob }), failsWith('IncorrectKey'));
  });

  it("a 0x03 blob does not open with Arca's material alone: the inner layer is under the proxy's encryption", async () => {
    const k = await key('EXTERNAL_KEY_STORE');
    const { blob } = await roundTrip(k, 'secret words');
    const decoded = decodeXksBlob(blob);
    assert.ok(decoded);
    const m = material.get(k.record.id);
    assert.ok(m);
    // Taking the proxy's output as if it were the inner layer fails; so does every other split of the bytes.
    assert.equal(openXksInner(m, decoded.head, decoded.outer.ciphertext, encodeContext({ purpose: 'test' })), undefined);
    assert.equal(blob.includes(Buffer.from('secret words')), false);
  });

  it("swapping the proxy's key makes decryption fail (KMSInvalidStateException with AWS's message)", async () => {
    proxy.addKey('swappable');
    const k = await key('EXTERNAL_KEY_STORE', 'swappable');
    const { open } = await roundTrip(k, 'before the swap');
    assert.equal((await open()).expose().toString(), 'before the swap');
    proxy.swapKey('swappable');
    await assert.rejects(open(), failsWith('InvalidKeyState', XKS_FAILURES.InvalidCiphertextException.message));
  });

  it('a proxy that is down, silent or answers garbage fails closed; a store not connected here answers XKS_NOT_CONNECTED', async () => {
    const k = await key('EXTERNAL_KEY_STORE');
    const { open } = await roundTrip(k, 'kept');
    proxy.mode = 'garbage';
    await assert.rejects(open(), failsWith('InvalidKeyState', XKS_FAILURES.MalformedResponse.message));
    await assert.rejects(primitives.encrypter(k, params()).encrypt(secret('x')), failsWith('InvalidKeyState', XKS_FAILURES.MalformedResponse.message));
    proxy.mode = 'silent';
    await assert.rejects(open(), failsWith('InvalidKeyState', XKS_FAILURES.TimedOut.message));
    proxy.mode = 'ok';
    const saved = target;
    assert.ok(saved);
    target = { ...saved, settings: { ...saved.settings, uriEndpoint: 'http://127.0.0.1:1' } };
    await assert.rejects(open(), failsWith('InvalidKeyState', XKS_FAILURES.Unreachable.message));
    target = undefined;
    await assert.rejects(open(), failsWith('InvalidKeyState', XKS_NOT_CONNECTED));
    target = saved;
    assert.equal((await open()).expose().toString(), 'kept', 'connected again, the same blob opens');
  });

  it('an HSM key encrypts inside the HSM (0x04) under its label; the context is bound; a closed session fails closed', async () => {
    const k = await key('AWS_CLOUDHSM');
    const { blob, open } = await roundTrip(k, 'in the hsm', { a: 'b' });
    assert.equal(blob[0], BLOB_FORMAT_HSM);
    assert.equal((await open()).expose().toString(), 'in the hsm');
    await assert.rejects(open({ a: 'c' }), failsWith('InvalidCiphertext'));
    const tampered = Buffer.from(blob);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    await assert.rejects(primitives.decrypter(k, { ...params({ a: 'b' }), ciphertext: tampered }).decrypt(), failsWith('InvalidCiphertext'));
    const session = hsmSession;
    hsmSession = undefined;
    await assert.rejects(open(), failsWith('InvalidKeyState', HSM_NOT_CONNECTED));
    hsmSession = session;
    assert.deepEqual(hsm.labels(CLUSTER).includes(k.record.id), true);
  });

  it('data keys work (blobEncrypter); data key pairs are refused as AWS does; a custom key store blob is not an Arca blob', async () => {
    const k = await key('EXTERNAL_KEY_STORE');
    const blob = await primitives.blobEncrypter(k, { context: {}, operation: 'GenerateDataKey', caller }).encrypt(randomSecret(32));
    assert.equal(blob[0], BLOB_FORMAT_XKS);
    assert.equal((await primitives.decrypter(k, { context: {}, operation: 'Decrypt', ciphertext: blob }).decrypt()).length, 32);
    assert.throws(() => primitives.checkDataKeyPair(k, 'RSA_2048', 'GenerateDataKeyPair'), failsWith('UnsupportedOperation'));
    const inHsm = await key('AWS_CLOUDHSM');
    assert.throws(() => primitives.decrypter(inHsm, { context: {}, operation: 'Decrypt', ciphertext: Buffer.alloc(80, 9) }), failsWith('InvalidCiphertext'));
    // A blob of any Arca format naming another key is IncorrectKey, both ways.
    const arca = await key('AWS_KMS');
    const arcaBlob = await primitives.encrypter(arca, { context: {}, operation: 'Encrypt' }).encrypt(secret('plain'));
    assert.throws(() => primitives.decrypter(k, { context: {}, operation: 'Decrypt', ciphertext: arcaBlob }), failsWith('IncorrectKey'));
    assert.throws(() => primitives.decrypter(arca, { context: {}, operation: 'Decrypt', ciphertext: blob }), failsWith('IncorrectKey'));
    assert.throws(() => primitives.decrypter(inHsm, { context: {}, operation: 'Decrypt', ciphertext: blob }), failsWith('IncorrectKey'));
  });
});
