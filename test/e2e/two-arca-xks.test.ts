import { ConnectCustomKeyStoreCommand, CreateCustomKeyStoreCommand, CreateKeyCommand, DecryptCommand, DescribeCustomKeyStoresCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { callOperation, type ClientConfig } from '../../src/cli/client.js';
import { expectKmsError } from '../helpers/kms-client.js';
import { hasOpenssl, issue, makeCa } from '../helpers/pki.js';
import { initialize, startSealedServer, unsealWith, type SealedServer } from '../helpers/sealed-server.js';
import { removeDir, tempDataDir } from '../helpers/server.js';
import { sqliteOf } from '../helpers/in-process.js';

/**
 * Issue 21's two-Arca case: Arca A keeps an external key store whose XKS proxy is Arca B (`xksProxy:`,
 * over TLS with a test CA that A trusts through `customKeyStores.xks.caFile`). A key of A encrypts twice
 * (A's material, then B's key through the proxy); B sealed or B's key disabled makes A fail closed.
 */

const skip = !hasOpenssl && process.env['CI'] !== 'true' ? 'needs openssl' : false;
if (skip !== false) console.log(`skipping the two-Arca external key store test: ${skip}`);

const ACCOUNT = '111122223333';
const PRINCIPAL = 'xks-proxy';
const ACCESS_KEY_ID = 'ARCAAEXTERNALKEYSTORE234';
const SECRET = 'aSecretAccessKeyOfFortyThreeToSixtyFourCharsXY';

function xksPolicy(): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Account', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
      { Sid: 'Xks', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/${PRINCIPAL}` }, Action: ['arca:XksGetKeyMetadata', 'arca:XksEncrypt', 'arca:XksDecrypt'], Resource: '*' },
    ],
  });
}

function sdk(admin: ClientConfig): KMSClient {
  const c = admin.credentials;
  assert.ok(c !== undefined);
  return new KMSClient({ endpoint: admin.endpoint, region: 'us-east-1', credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey }, maxAttempts: 1 });
}

describe('Arca as the external key store of another Arca, over TLS', { skip }, () => {
  const pki = tempDataDir('arca-2x-pki-');
  const dirA = tempDataDir('arca-2x-a-');
  const dirB = tempDataDir('arca-2x-b-');
  let a: SealedServer;
  let b: SealedServer;
  let bOverTls: SealedServer;
  let adminB: ClientConfig;
  let sharesB: string[];
  let kms: KMSClient;
  let keyId: string;
  let bKeyId: string;

  before(async () => {
    makeCa(pki, 'ca');
    issue(pki, 'ca', 'b', '/CN=arca-b', 'IP:127.0.0.1,DNS:localhost');
    const tls = { enabled: true, cert: join(pki, 'b.crt'), key: join(pki, 'b.key') };
    b = await startSealedServer(dirB, { type: 'shamir' }, {}, { config: { tls, xksProxy: { uriPathPrefix: '/b', principal: PRINCIPAL, credentials: [{ accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET }], keys: [{ xksKeyId: 'from-arca-a', key: 'alias/held-for-a' }] } } });
    const bEndpoint = b.endpoint.replace('http://', 'https://');
    const trust = { ca: readFileSync(join(pki, 'ca.crt')) };
    bOverTls = { ...b, endpoint: bEndpoint, anonymous: { endpoint: bEndpoint, region: 'us-east-1', tls: trust } };
    const initB = await initialize(bOverTls);
    adminB = { ...initB.admin, tls: trust };
    sharesB = initB.shares;
    await unsealWith(bOverTls, sharesB.slice(0, 3));
    await callOperation(adminB, 'ArcaService.CreatePrincipal', { PrincipalName: PRINCIPAL });
    bKeyId = String(((await callOperation(adminB, 'TrentService.CreateKey', { Policy: xksPolicy() }))['KeyMetadata'] as Record<string, unknown>)['KeyId']);
    await callOperation(adminB, 'TrentService.CreateAlias', { AliasName: 'alias/held-for-a', TargetKeyId: bKeyId });

    a = await startSealedServer(dirA, { type: 'shamir' }, {}, { config: { customKeyStores: { xks: { caFile: join(pki, 'ca.crt') } } } });
    const initA = await initialize(a);
    await unsealWith(a, initA.shares.slice(0, 3));
    kms = sdk(initA.admin);
    const store = await kms.send(new CreateCustomKeyStoreCommand({
      CustomKeyStoreName: 'arca-b',
      CustomKeyStoreType: 'EXTERNAL_KEY_STORE',
      XksProxyConnectivity: 'PUBLIC_ENDPOINT',
      XksProxyUriEndpoint: bEndpoint,
      XksProxyUriPath: '/b/kms/xks/v1',
      XksProxyAuthenticationCredential: { AccessKeyId: ACCESS_KEY_ID, RawSecretAccessKey: SECRET },
    }));
    const storeId = String(store.CustomKeyStoreId);
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: storeId }));
    const described = await kms.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: storeId }));
    assert.equal(described.CustomKeyStores?.[0]?.ConnectionState, 'CONNECTED', JSON.stringify(described.CustomKeyStores));
    const key = await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: storeId, XksKeyId: 'from-arca-a' }));
    keyId = String(key.KeyMetadata?.KeyId);
    assert.equal(key.KeyMetadata?.XksKeyConfiguration?.Id, 'from-arca-a');
  });

  after(async () => {
    kms?.destroy();
    await a?.close();
    await b?.close();
    for (const d of [dirA, dirB, pki]) removeDir(d);
  });

  test('encrypt and decrypt go through both Arcas; B audits every proxy call with A\'s requestMetadata', async () => {
    const plaintext = Buffer.from('held by two key managers');
    const enc = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext, EncryptionContext: { purpose: 'two-arca' } }));
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { purpose: 'two-arca' } }));
    assert.deepEqual(Buffer.from(dec.Plaintext ?? new Uint8Array()), plaintext);
    const dk = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }));
    const back = await kms.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob }));
    assert.deepEqual(Buffer.from(back.Plaintext ?? new Uint8Array()), Buffer.from(dk.Plaintext ?? new Uint8Array()));
    const events = sqliteOf(b.app).prepare<[], { event_name: string; body: string }>("SELECT event_name, body FROM audit_events WHERE event_name IN ('XksEncrypt', 'XksDecrypt')").all();
    assert.ok(events.filter((e) => e.event_name === 'XksEncrypt').length >= 2, 'B audited the encrypts');
    assert.ok(events.filter((e) => e.event_name === 'XksDecrypt').length >= 2, 'B audited the decrypts');
    const meta = (JSON.parse(events[0]?.body ?? '{}') as { requestParameters?: { requestMetadata?: Record<string, unknown> } }).requestParameters?.requestMetadata;
    assert.match(String(meta?.['kmsKeyArn']), new RegExp(`:key/${keyId}$`));
  });

  test('B\'s key disabled: A cannot decrypt (fail closed); enabled again: it can', async () => {
    const enc = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));
    await callOperation(adminB, 'TrentService.DisableKey', { KeyId: bKeyId });
    await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })), 'KMSInvalidStateException');
    await expectKmsError(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })), 'KMSInvalidStateException');
    await callOperation(adminB, 'TrentService.EnableKey', { KeyId: bKeyId });
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
    assert.equal(Buffer.from(dec.Plaintext ?? new Uint8Array()).toString(), 'x');
  });

  test('B sealed: A fails closed; B unsealed: A decrypts again', async () => {
    const enc = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('sealed?') }));
    await callOperation(adminB, 'ArcaService.Seal', {});
    await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })), 'KMSInvalidStateException');
    await unsealWith(bOverTls, sharesB.slice(0, 3));
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
    assert.equal(Buffer.from(dec.Plaintext ?? new Uint8Array()).toString(), 'sealed?');
  });
});
