import {
  ConnectCustomKeyStoreCommand,
  CreateCustomKeyStoreCommand,
  CreateKeyCommand,
  DisconnectCustomKeyStoreCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyPairCommand,
  ReEncryptCommand,
  ScheduleKeyDeletionCommand,
  type CreateKeyCommandInput,
  type KMSClient,
} from '@aws-sdk/client-kms';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XKS_FAILURES, XKS_NOT_CONNECTED } from '../../src/core/custom-key-stores.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { expectKmsError, kmsClient } from '../helpers/kms-client.js';
import { MemoryHsmClusters } from '../helpers/memory-hsm-clusters.js';
import { callAt, DAY, TestClock } from '../helpers/lifecycle.js';
import { hasOpenssl, makeCa } from '../helpers/pki.js';
import { createSoftHsmToken, softHsmMissing, type SoftHsmToken } from '../helpers/softhsm.js';
import { openHsmClusters } from '../../src/server/hsm-clusters.js';
import { removeDir, tempDataDir } from '../helpers/server.js';
import { startXksProxyFixture, type XksProxyFixture } from '../helpers/xks-proxy-fixture.js';

/**
 * Keys in custom key stores through the AWS SDK against a running dev app (issue 21 part 2, ADR 0024):
 * an external key store backed by a real XKS proxy (the fixture: HTTP, SigV4, AES-GCM) and a CloudHSM-shaped
 * store over the in-memory HSM, both made and connected with CreateCustomKeyStore / ConnectCustomKeyStore.
 */

const CLUSTER = 'cluster-1a23b4cdefg';
if (!hasOpenssl && process.env['CI'] === 'true') throw new Error('openssl is required in CI (the trust anchor certificate)');
const skip = hasOpenssl ? false : 'openssl is not installed (the trust anchor certificate)';
if (skip !== false) console.log(`skipping the custom key store keys e2e test: ${skip}`);

describe('keys in custom key stores through the AWS SDK (double encryption, HSM-resident keys, fail closed)', { skip }, () => {
  const dataDir = tempDataDir('arca-cks-keys-');
  const hsm = new MemoryHsmClusters().addCluster(CLUSTER, 'kmsuser-pass');
  const clock = new TestClock();
  let proxy: XksProxyFixture;
  let server: InProcessServer;
  let kms: KMSClient;
  let XKS_STORE = '';
  let HSM_STORE = '';
  let xksKey = '';
  let hsmKey = '';
  let plainKey = '';

  before(async () => {
    proxy = await startXksProxyFixture();
    makeCa(dataDir, 'anchor');
    const anchor = readFileSync(join(dataDir, 'anchor.crt'), 'utf8');
    server = await startInProcess({ dataDir: join(dataDir, 'arca'), clock, schedulerIntervalMs: 0, hsmClusters: hsm, customKeyStores: { xks: { timeoutMs: 500 } } });
    kms = kmsClient(server);
    XKS_STORE = (await kms.send(new CreateCustomKeyStoreCommand({
      CustomKeyStoreName: 'xks', CustomKeyStoreType: 'EXTERNAL_KEY_STORE', XksProxyConnectivity: 'PUBLIC_ENDPOINT', XksProxyUriEndpoint: proxy.endpoint, XksProxyUriPath: proxy.uriPath,
      XksProxyAuthenticationCredential: { AccessKeyId: proxy.accessKeyId, RawSecretAccessKey: proxy.secret },
    }))).CustomKeyStoreId ?? '';
    HSM_STORE = (await kms.send(new CreateCustomKeyStoreCommand({ CustomKeyStoreName: 'hsm', CloudHsmClusterId: CLUSTER, TrustAnchorCertificate: anchor, KeyStorePassword: 'kmsuser-pass' }))).CustomKeyStoreId ?? '';
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: XKS_STORE }));
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: HSM_STORE }));
    plainKey = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId ?? '';
  });
  after(async () => {
    kms?.destroy();
    await server?.close();
    await proxy?.stop();
    removeDir(dataDir);
  });

  it('CreateKey Origin=EXTERNAL_KEY_STORE checks the external key in the proxy and shows the store in KeyMetadata', async () => {
    const created = await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: XKS_STORE, XksKeyId: proxy.keyId, Description: 'xks' }));
    xksKey = created.KeyMetadata?.KeyId ?? '';
    assert.equal(created.KeyMetadata?.Origin, 'EXTERNAL_KEY_STORE');
    assert.equal(created.KeyMetadata?.CustomKeyStoreId, XKS_STORE);
    assert.deepEqual(created.KeyMetadata?.XksKeyConfiguration, { Id: proxy.keyId });
    assert.equal(proxy.requests.at(-1)?.metadata['kmsOperation'], 'CreateKey');
    const described = (await kms.send(new DescribeKeyCommand({ KeyId: xksKey }))).KeyMetadata;
    assert.equal(described?.KeyState, 'Enabled');
    assert.equal(described?.CustomKeyStoreId, XKS_STORE);
    assert.deepEqual(described?.XksKeyConfiguration, { Id: proxy.keyId });
    assert.equal(described?.CloudHsmClusterId, undefined);
  });

  it('CreateKey in a custom key store answers AWS errors: not found, external key missing, misconfigured, in use, wrong parameters', async () => {
    const create = (input: CreateKeyCommandInput) => kms.send(new CreateKeyCommand(input));
    await expectKmsError(create({ Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: 'cks-00000000000000000', XksKeyId: proxy.keyId }), 'CustomKeyStoreNotFoundException');
    await expectKmsError(create({ Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: XKS_STORE, XksKeyId: 'no-such-key' }), 'XksKeyNotFoundException');
    proxy.addKey('aes128', { spec: 'AES_128' });
    proxy.addKey('encrypt-only', { usage: ['ENCRYPT'] });
    await expectKmsError(create({ Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: XKS_STORE, XksKeyId: 'aes128' }), 'XksKeyInvalidConfigurationException');
    await expectKmsError(create({ Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: XKS_STORE, XksKeyId: 'encrypt-only' }), 'XksKeyInvalidConfigurationException');
    await expectKmsError(create({ Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: XKS_STORE, XksKeyId: proxy.keyId }), 'XksKeyAlreadyInUseException');
    await expectKmsError(create({ Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: XKS_STORE }), 'ValidationException');
    await expectKmsError(create({ CustomKeyStoreId: XKS_STORE }), 'ValidationException');
    await expectKmsError(create({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: XKS_STORE }), 'ValidationException');
    await expectKmsError(create({ Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: XKS_STORE, XksKeyId: 'other', KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }), 'UnsupportedOperationException');
  });

  it("CreateKey asks the proxy once, before the audit transaction: a silent proxy holds up no other request's writes", async () => {
    proxy.addKey('checked-once');
    const before = proxy.requests.length;
    const created = await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: XKS_STORE, XksKeyId: 'checked-once' }));
    assert.equal(created.KeyMetadata?.XksKeyConfiguration?.Id, 'checked-once');
    const asked = proxy.requests.slice(before);
    assert.equal(asked.length, 1, JSON.stringify(asked));
    assert.match(String(asked[0]?.metadata['kmsKeyArn']), new RegExp(`:key/${created.KeyMetadata?.KeyId}$`), 'the proxy was told the id the key then took');

    proxy.addKey('slow');
    proxy.mode = 'silent';
    const done: string[] = [];
    try {
      const stuck = expectKmsError(kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: XKS_STORE, XksKeyId: 'slow' })), 'CustomKeyStoreInvalidStateException').then(() => done.push('external key store CreateKey'));
      await new Promise((ok) => setTimeout(ok, 50));
      const other = kms.send(new CreateKeyCommand({ Description: 'written while the proxy is silent' })).then(() => done.push('plain CreateKey'));
      await Promise.all([stuck, other]);
    } finally {
      proxy.mode = 'ok';
    }
    assert.deepEqual(done, ['plain CreateKey', 'external key store CreateKey']);
  });

  it('Encrypt, Decrypt, GenerateDataKey and ReEncrypt work on an external key store key (0x03 blobs); rotation and data key pairs are refused', async () => {
    const context = { purpose: 'e2e' };
    const encrypted = await kms.send(new EncryptCommand({ KeyId: xksKey, Plaintext: Buffer.from('hello xks'), EncryptionContext: context }));
    const blob = Buffer.from(encrypted.CiphertextBlob ?? new Uint8Array());
    assert.equal(blob[0], 0x03);
    const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context }));
    assert.equal(Buffer.from(decrypted.Plaintext ?? new Uint8Array()).toString(), 'hello xks');
    assert.equal(decrypted.KeyId, encrypted.KeyId);
    assert.equal(proxy.requests.at(-1)?.metadata['kmsOperation'], 'Decrypt');
    assert.match(String(proxy.requests.at(-1)?.metadata['awsPrincipalArn']), /^arn:aws:iam::111122223333:user\//);
    await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { purpose: 'other' } })), 'KMSInvalidStateException');

    const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: xksKey, KeySpec: 'AES_256' }));
    const opened = await kms.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob, KeyId: xksKey }));
    assert.deepEqual(Buffer.from(opened.Plaintext ?? new Uint8Array()), Buffer.from(dataKey.Plaintext ?? new Uint8Array()));

    // Out to a key whose material Arca holds, and back in.
    const out = await kms.send(new ReEncryptCommand({ CiphertextBlob: blob, SourceEncryptionContext: context, DestinationKeyId: plainKey }));
    assert.equal(Buffer.from(out.CiphertextBlob ?? new Uint8Array())[0], 0x01);
    const back = await kms.send(new ReEncryptCommand({ CiphertextBlob: out.CiphertextBlob, DestinationKeyId: xksKey, DestinationEncryptionContext: { again: 'yes' } }));
    assert.equal(Buffer.from(back.CiphertextBlob ?? new Uint8Array())[0], 0x03);
    const final = await kms.send(new DecryptCommand({ CiphertextBlob: back.CiphertextBlob, EncryptionContext: { again: 'yes' } }));
    assert.equal(Buffer.from(final.Plaintext ?? new Uint8Array()).toString(), 'hello xks');

    await expectKmsError(kms.send(new EnableKeyRotationCommand({ KeyId: xksKey })), 'UnsupportedOperationException');
    await expectKmsError(kms.send(new GenerateDataKeyPairCommand({ KeyId: xksKey, KeyPairSpec: 'ECC_NIST_P256' })), 'UnsupportedOperationException');
  });

  it("swapping the proxy's external key makes decryption fail: Arca's material alone does not decrypt", async () => {
    proxy.addKey('swappable');
    const key = (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: XKS_STORE, XksKeyId: 'swappable' }))).KeyMetadata?.KeyId;
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('bound to the external key') }));
    assert.equal(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob }))).Plaintext ?? new Uint8Array()).toString(), 'bound to the external key');
    proxy.swapKey('swappable');
    const e = await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob })), 'KMSInvalidStateException');
    assert.equal(e.message, XKS_FAILURES.InvalidCiphertextException.message);
  });

  it('a disconnected external key store: CreateKey answers CustomKeyStoreInvalidStateException, cryptography KMSInvalidStateException; reconnected, the same ciphertext opens', async () => {
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: xksKey, Plaintext: Buffer.from('across a disconnection') }));
    await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: XKS_STORE }));
    const e = await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob })), 'KMSInvalidStateException');
    assert.equal(e.message, XKS_NOT_CONNECTED);
    await expectKmsError(kms.send(new EncryptCommand({ KeyId: xksKey, Plaintext: Buffer.from('x') })), 'KMSInvalidStateException');
    const unavailable = (await kms.send(new DescribeKeyCommand({ KeyId: xksKey }))).KeyMetadata;
    assert.equal(unavailable?.KeyState, 'Unavailable', 'as AWS shows a key of a disconnected store');
    assert.equal(unavailable?.Enabled, false);
    proxy.addKey('while-disconnected');
    await expectKmsError(kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: XKS_STORE, XksKeyId: 'while-disconnected' })), 'CustomKeyStoreInvalidStateException');
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: XKS_STORE }));
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: xksKey }))).KeyMetadata?.KeyState, 'Enabled');
    assert.equal(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob }))).Plaintext ?? new Uint8Array()).toString(), 'across a disconnection');
  });

  it('CreateKey Origin=AWS_CLOUDHSM generates the key in the HSM under the key id; encryption happens there (0x04)', async () => {
    const created = await kms.send(new CreateKeyCommand({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: HSM_STORE }));
    hsmKey = created.KeyMetadata?.KeyId ?? '';
    assert.ok(hsm.labels(CLUSTER).includes(hsmKey), 'the HSM holds a key labelled with the KMS key id');
    const described = (await kms.send(new DescribeKeyCommand({ KeyId: hsmKey }))).KeyMetadata;
    assert.equal(described?.Origin, 'AWS_CLOUDHSM');
    assert.equal(described?.CustomKeyStoreId, HSM_STORE);
    assert.equal(described?.CloudHsmClusterId, CLUSTER);
    assert.equal(described?.XksKeyConfiguration, undefined);
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: hsmKey, Plaintext: Buffer.from('in the hsm'), EncryptionContext: { a: 'b' } }));
    assert.equal(Buffer.from(CiphertextBlob ?? new Uint8Array())[0], 0x04);
    const plain = await kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { a: 'b' } }));
    assert.equal(Buffer.from(plain.Plaintext ?? new Uint8Array()).toString(), 'in the hsm');
    await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { a: 'c' } })), 'InvalidCiphertextException');
    const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: hsmKey, NumberOfBytes: 32 }));
    assert.equal(Buffer.from(dataKey.CiphertextBlob ?? new Uint8Array())[0], 0x04);
    await expectKmsError(kms.send(new EnableKeyRotationCommand({ KeyId: hsmKey })), 'UnsupportedOperationException');
  });

  it('the proxy stopped: encryption and decryption fail closed with KMSInvalidStateException, nothing decrypts', async () => {
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: xksKey, Plaintext: Buffer.from('before the outage') }));
    await proxy.stop();
    const e = await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob })), 'KMSInvalidStateException');
    assert.equal(e.message, XKS_FAILURES.Unreachable.message);
    await expectKmsError(kms.send(new EncryptCommand({ KeyId: xksKey, Plaintext: Buffer.from('x') })), 'KMSInvalidStateException');
    await expectKmsError(kms.send(new GenerateDataKeyCommand({ KeyId: xksKey, KeySpec: 'AES_256' })), 'KMSInvalidStateException');
    await expectKmsError(kms.send(new ReEncryptCommand({ CiphertextBlob, DestinationKeyId: plainKey })), 'KMSInvalidStateException');
  });

  it("deletion's completion destroys the HSM key (orphaned if the store is disconnected) and unlinks keys from their stores (last: it moves the clock)", async () => {
    const hsmKey2 = (await kms.send(new CreateKeyCommand({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: HSM_STORE }))).KeyMetadata?.KeyId ?? '';
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: hsmKey, PendingWindowInDays: 7 }));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: xksKey, PendingWindowInDays: 7 }));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: hsmKey2, PendingWindowInDays: 8 }));
    const links = server.app.store.customKeyStores;
    assert.equal((await links.keyLink(hsmKey))?.storeId, HSM_STORE);
    clock.advance(7 * DAY + 1);
    const run = await server.app.scheduler.runNow();
    assert.deepEqual(run.destroyed.map((d) => d.keyId).sort(), [hsmKey, xksKey].sort());
    assert.equal(hsm.labels(CLUSTER).includes(hsmKey), false, 'the HSM key is destroyed in the token');
    assert.equal(await links.keyLink(hsmKey), undefined);
    assert.equal(await links.keyLink(xksKey), undefined);
    assert.equal(await links.keyWithExternalId(XKS_STORE, proxy.keyId), undefined, 'the external key can back a new KMS key');
    // Disconnected when its deletion completes, the HSM key stays in the token as orphaned key material (as AWS leaves it).
    assert.equal((await callAt(server, clock, 'DisconnectCustomKeyStore', { CustomKeyStoreId: HSM_STORE })).status, 200);
    clock.advance(DAY);
    assert.deepEqual((await server.app.scheduler.runNow()).destroyed.map((d) => d.keyId), [hsmKey2]);
    assert.equal(hsm.labels(CLUSTER).includes(hsmKey2), true, 'orphaned: the operator deletes it in the HSM');
    assert.equal(server.logs.some((l) => l.includes('orphaned key material') && l.includes(hsmKey2)), true);
    // Every key of the store is destroyed: the store can be deleted.
    assert.equal((await callAt(server, clock, 'DeleteCustomKeyStore', { CustomKeyStoreId: HSM_STORE })).status, 200);
  });
});

const softHsm = softHsmMissing();
const softHsmSkip = softHsm !== undefined || !hasOpenssl ? (softHsm ?? 'openssl is not installed') : false;
if (softHsmSkip !== false && process.env['CI'] === 'true') throw new Error(`SoftHSM2 and openssl are required in CI: ${softHsmSkip}`);
if (softHsmSkip !== false) console.log(`skipping the SoftHSM2 custom key store keys test: ${softHsmSkip}`);

describe('an HSM key store key in SoftHSM2 (PKCS#11) through the AWS SDK', { skip: softHsmSkip }, () => {
  let token: SoftHsmToken;
  let server: InProcessServer;
  let kms: KMSClient;
  let dataDir = '';

  before(async () => {
    token = createSoftHsmToken('arca-cks', 'kmsuser-pass1');
    dataDir = tempDataDir('arca-cks-softhsm-');
    makeCa(dataDir, 'anchor');
    const hsmClusters = openHsmClusters({ hsmClusters: [{ clusterId: 'cluster-softhsm2test', module: token.module, tokenLabel: token.label }] });
    server = await startInProcess({ dataDir: join(dataDir, 'arca'), hsmClusters });
    kms = kmsClient(server);
  });
  after(async () => {
    kms?.destroy();
    await server?.close();
    removeDir(dataDir);
    if (token !== undefined) removeDir(token.dir);
  });

  it('CreateKey Origin=AWS_CLOUDHSM generates the key in the token; Encrypt, Decrypt and GenerateDataKey run there', async () => {
    const anchor = readFileSync(join(dataDir, 'anchor.crt'), 'utf8');
    const store = (await kms.send(new CreateCustomKeyStoreCommand({ CustomKeyStoreName: 'softhsm', CloudHsmClusterId: 'cluster-softhsm2test', TrustAnchorCertificate: anchor, KeyStorePassword: 'kmsuser-pass1' }))).CustomKeyStoreId;
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: store }));
    const key = (await kms.send(new CreateKeyCommand({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: store }))).KeyMetadata?.KeyId;
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('in softhsm'), EncryptionContext: { k: 'v' } }));
    assert.equal(Buffer.from(CiphertextBlob ?? new Uint8Array())[0], 0x04);
    const plain = await kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { k: 'v' } }));
    assert.equal(Buffer.from(plain.Plaintext ?? new Uint8Array()).toString(), 'in softhsm');
    await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { k: 'w' } })), 'InvalidCiphertextException');
    const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: key, KeySpec: 'AES_256' }));
    const opened = await kms.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob }));
    assert.deepEqual(Buffer.from(opened.Plaintext ?? new Uint8Array()), Buffer.from(dataKey.Plaintext ?? new Uint8Array()));
    await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: store }));
    await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob })), 'KMSInvalidStateException');
  });
});
