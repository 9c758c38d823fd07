import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ConnectCustomKeyStoreCommand,
  CreateCustomKeyStoreCommand,
  DeleteCustomKeyStoreCommand,
  DescribeCustomKeyStoresCommand,
  DisconnectCustomKeyStoreCommand,
  GenerateRandomCommand,
  UpdateCustomKeyStoreCommand,
  type CreateCustomKeyStoreCommandInput,
  type CustomKeyStoresListEntry,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { expectKmsError, kmsClient } from '../helpers/kms-client.js';
import { removeDir, tempDataDir } from '../helpers/server.js';
import { startXksProxyFixture, type XksProxyFixture } from '../helpers/xks-proxy-fixture.js';
import { MemoryHsmClusters } from '../helpers/memory-hsm-clusters.js';
import { hasOpenssl, makeCa } from '../helpers/pki.js';

/**
 * External key stores through the AWS SDK against the dev app (issue 21 part 2, docs/custom-key-stores.md):
 * a real XKS proxy (test/helpers/xks-proxy-fixture.ts) on loopback, SigV4-signed health checks, AWS's
 * connection states and error codes as DescribeCustomKeyStores reports them.
 */
describe('external key stores through the AWS SDK', () => {
  let dataDir: string;
  let server: InProcessServer;
  let kms: KMSClient;
  let proxy: XksProxyFixture;

  const start = async () => {
    server = await startInProcess({ dataDir, customKeyStores: { xks: { timeoutMs: 1000 } } });
    kms = kmsClient(server);
  };
  const stop = async () => {
    kms.destroy();
    await server.close();
  };
  const input = (name: string, p: XksProxyFixture, over: Partial<CreateCustomKeyStoreCommandInput> = {}): CreateCustomKeyStoreCommandInput => ({
    CustomKeyStoreName: name,
    CustomKeyStoreType: 'EXTERNAL_KEY_STORE',
    XksProxyConnectivity: 'PUBLIC_ENDPOINT',
    XksProxyUriEndpoint: p.endpoint,
    XksProxyUriPath: p.uriPath,
    XksProxyAuthenticationCredential: { AccessKeyId: p.accessKeyId, RawSecretAccessKey: p.secret },
    ...over,
  });
  const create = async (name: string, p: XksProxyFixture = proxy) => (await kms.send(new CreateCustomKeyStoreCommand(input(name, p)))).CustomKeyStoreId ?? assert.fail('no id');
  const describeStore = async (id: string): Promise<CustomKeyStoresListEntry> => (await kms.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: id }))).CustomKeyStores?.[0] ?? assert.fail('no entry');

  before(async () => {
    dataDir = tempDataDir('arca-cks-e2e-');
    proxy = await startXksProxyFixture();
    await start();
  });
  after(async () => {
    await stop();
    await proxy.stop();
    removeDir(dataDir);
  });

  it('create → DISCONNECTED → connect → CONNECTED → disconnect → delete', async () => {
    const id = await create('lifecycle');
    assert.match(id, /^cks-[0-9a-f]{17}$/);
    const created = await describeStore(id);
    assert.equal(created.ConnectionState, 'DISCONNECTED');
    assert.equal(created.CustomKeyStoreType, 'EXTERNAL_KEY_STORE');
    assert.equal(created.CustomKeyStoreName, 'lifecycle');
    assert.ok(created.CreationDate instanceof Date);
    assert.deepEqual(created.XksProxyConfiguration, { Connectivity: 'PUBLIC_ENDPOINT', AccessKeyId: proxy.accessKeyId, UriEndpoint: proxy.endpoint, UriPath: proxy.uriPath });
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    assert.equal((await describeStore(id)).ConnectionState, 'CONNECTED');
    assert.equal(proxy.requests.at(-1)?.metadata['kmsOperation'], 'ConnectCustomKeyStore');
    await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    assert.equal((await describeStore(id)).ConnectionState, 'DISCONNECTED');
    await kms.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    await expectKmsError(kms.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: id })), 'CustomKeyStoreNotFoundException', 400);
  });

  it('a connected store stays connected across a restart (the connect flag is persisted) and cannot be deleted until disconnected', async () => {
    const id = await create('restart');
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    await stop();
    await start();
    assert.equal((await describeStore(id)).ConnectionState, 'CONNECTED', 'reconnected at start');
    assert.equal(proxy.requests.at(-1)?.metadata['kmsOperation'], 'KmsHealthCheck');
    await expectKmsError(kms.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id })), 'CustomKeyStoreInvalidStateException', 400);
    await expectKmsError(kms.send(new GenerateRandomCommand({ NumberOfBytes: 8, CustomKeyStoreId: id })), 'UnsupportedOperationException', 400);
    await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    await kms.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id }));
  });

  it('bad credentials: refused at creation and at update; a proxy that denies access reads FAILED XKS_PROXY_ACCESS_DENIED', async () => {
    const wrong = { AccessKeyId: proxy.accessKeyId, RawSecretAccessKey: 'B'.repeat(44) };
    await expectKmsError(kms.send(new CreateCustomKeyStoreCommand(input('bad-credentials', proxy, { XksProxyAuthenticationCredential: wrong }))), 'XksProxyIncorrectAuthenticationCredentialException', 400);
    const id = await create('denied');
    await expectKmsError(kms.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, XksProxyAuthenticationCredential: wrong })), 'XksProxyIncorrectAuthenticationCredentialException', 400);
    proxy.mode = 'deny';
    try {
      await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    } finally {
      proxy.mode = 'ok';
    }
    const failed = await describeStore(id);
    assert.equal(failed.ConnectionState, 'FAILED');
    assert.equal(failed.ConnectionErrorCode, 'XKS_PROXY_ACCESS_DENIED');
    // AWS: a FAILED store is disconnected before it is connected again.
    await expectKmsError(kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id })), 'CustomKeyStoreInvalidStateException', 400);
    await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    await kms.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id }));
  });

  it('a stopped proxy reads FAILED XKS_PROXY_NOT_REACHABLE; creating against it is XksProxyUriUnreachableException', async () => {
    const other = await startXksProxyFixture({ uriPath: '/other/kms/xks/v1' });
    const id = await create('unreachable', other);
    await other.stop();
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    const failed = await describeStore(id);
    assert.equal(failed.ConnectionState, 'FAILED');
    assert.equal(failed.ConnectionErrorCode, 'XKS_PROXY_NOT_REACHABLE');
    await expectKmsError(kms.send(new CreateCustomKeyStoreCommand(input('unreachable-2', other, { XksProxyUriPath: '/third/kms/xks/v1' }))), 'XksProxyUriUnreachableException', 400);
    await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    await kms.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id }));
  });

  it('name in use, URI in use, not found, VPC endpoint service refused', async () => {
    const id = await create('taken');
    await expectKmsError(kms.send(new CreateCustomKeyStoreCommand(input('taken', proxy, { XksProxyUriPath: '/x/kms/xks/v1' }))), 'CustomKeyStoreNameInUseException', 400);
    await expectKmsError(kms.send(new CreateCustomKeyStoreCommand(input('same-uri', proxy))), 'XksProxyUriInUseException', 400);
    const vpc = await expectKmsError(kms.send(new CreateCustomKeyStoreCommand(input('vpc', proxy, { XksProxyConnectivity: 'VPC_ENDPOINT_SERVICE', XksProxyVpcEndpointServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-example' }))), 'UnsupportedOperationException', 400);
    assert.match(vpc.message, /VPC_ENDPOINT_SERVICE/);
    for (const send of [
      () => kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: 'cks-1234567890abcdef0' })),
      () => kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: 'cks-1234567890abcdef0' })),
      () => kms.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: 'cks-1234567890abcdef0' })),
      () => kms.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: 'cks-1234567890abcdef0', NewCustomKeyStoreName: 'x' })),
      () => kms.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreName: 'no-such-store' })),
      () => kms.send(new GenerateRandomCommand({ NumberOfBytes: 8, CustomKeyStoreId: 'cks-1234567890abcdef0' })),
    ]) {
      await expectKmsError(send(), 'CustomKeyStoreNotFoundException', 400);
    }
    await kms.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id }));
  });

  it('shutting the app down closes the HSM sessions of connected stores', { skip: hasOpenssl ? false : 'openssl is not installed' }, async () => {
    const hsm = new MemoryHsmClusters().addCluster('cluster-shutdownabcd', 'kmsuser-pass');
    const dir = tempDataDir('arca-cks-anchor-');
    makeCa(dir, 'anchor');
    const other = await startInProcess({ hsmClusters: hsm });
    const client = kmsClient(other);
    try {
      const anchor = readFileSync(join(dir, 'anchor.crt'), 'utf8');
      const { CustomKeyStoreId } = await client.send(new CreateCustomKeyStoreCommand({ CustomKeyStoreName: 'h', CloudHsmClusterId: 'cluster-shutdownabcd', TrustAnchorCertificate: anchor, KeyStorePassword: 'kmsuser-pass' }));
      await client.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId }));
      assert.equal(hsm.openSessions, 1);
    } finally {
      client.destroy();
      await other.close();
      removeDir(dir);
    }
    assert.equal(hsm.openSessions, 0, 'closed at shutdown');
  });
});
