import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { harness, type Harness } from '../../../test/helpers/operation-harness.js';
import { assertAudited, expectFailure, outsider } from '../../../test/helpers/operation-spec.js';
import { MemoryHsmClusters } from '../../../test/helpers/memory-hsm-clusters.js';
import { hasOpenssl, makeCa } from '../../../test/helpers/pki.js';
import { removeDir, tempDataDir } from '../../../test/helpers/server.js';
import { startXksProxyFixture, type XksProxyFixture } from '../../../test/helpers/xks-proxy-fixture.js';

if (!hasOpenssl && process.env['CI'] === 'true') throw new Error('openssl is required in CI (trust anchor certificates)');
if (!hasOpenssl) process.stdout.write('# skipping the custom key store operation specs: openssl is not installed\n');

const CLUSTER = 'cluster-abcdefghijk';
const PASSWORD = 'kmsuser-pass';

describe('custom key store operations (operation spec)', { skip: hasOpenssl ? false : 'openssl is not installed' }, () => {
  let h: Harness;
  let proxy: XksProxyFixture;
  let hsm: MemoryHsmClusters;
  let anchor: string;
  let dir: string;
  const xksInput = (name: string, over: Record<string, unknown> = {}) => ({
    CustomKeyStoreName: name,
    CustomKeyStoreType: 'EXTERNAL_KEY_STORE',
    XksProxyConnectivity: 'PUBLIC_ENDPOINT',
    XksProxyUriEndpoint: proxy.endpoint,
    XksProxyUriPath: proxy.uriPath,
    XksProxyAuthenticationCredential: { AccessKeyId: proxy.accessKeyId, RawSecretAccessKey: proxy.secret },
    ...over,
  });
  const describeOne = async (id: string) => ((await h.ok('DescribeCustomKeyStores', { CustomKeyStoreId: id }))['CustomKeyStores'] as Record<string, unknown>[])[0] ?? assert.fail('no entry');

  before(async () => {
    dir = tempDataDir('arca-cks-spec-');
    makeCa(dir, 'anchor');
    anchor = readFileSync(join(dir, 'anchor.crt'), 'utf8');
    proxy = await startXksProxyFixture();
    hsm = new MemoryHsmClusters().addCluster(CLUSTER, PASSWORD).addCluster('cluster-lmnopqrstuv', PASSWORD);
    h = await harness({ hsmClusters: hsm, customKeyStores: { xks: { timeoutMs: 500 } } });
  });
  after(async () => {
    await h?.close();
    await proxy?.stop();
    removeDir(dir);
  });

  it('an external key store: created DISCONNECTED after a health check, connected, disconnected, deleted; audited without its secret', async () => {
    const before = proxy.requests.length;
    const id = String((await h.ok('CreateCustomKeyStore', xksInput('ext-1')))['CustomKeyStoreId']);
    assert.match(id, /^cks-[0-9a-f]{17}$/);
    assertAudited(h, { eventName: 'CreateCustomKeyStore', keyArn: null, principal: h.admin, secrets: [Buffer.from(proxy.secret)] });
    assert.equal(proxy.requests.at(-1)?.path, '/health');
    assert.equal(proxy.requests.at(-1)?.metadata['kmsOperation'], 'CreateCustomKeyStore');
    assert.ok(proxy.requests.length > before);
    const entry = await describeOne(id);
    assert.equal(entry['ConnectionState'], 'DISCONNECTED');
    assert.equal(entry['CustomKeyStoreType'], 'EXTERNAL_KEY_STORE');
    assert.deepEqual(entry['XksProxyConfiguration'], { Connectivity: 'PUBLIC_ENDPOINT', AccessKeyId: proxy.accessKeyId, UriEndpoint: proxy.endpoint, UriPath: proxy.uriPath });
    assert.ok(!JSON.stringify(entry).includes(proxy.secret), 'Describe never shows the secret');
    assert.deepEqual(await h.ok('ConnectCustomKeyStore', { CustomKeyStoreId: id }), {});
    assert.equal((await describeOne(id))['ConnectionState'], 'CONNECTED');
    await expectFailure(h, 'DeleteCustomKeyStore', { CustomKeyStoreId: id }, 'CustomKeyStoreInvalidState');
    await expectFailure(h, 'UpdateCustomKeyStore', { CustomKeyStoreId: id, XksProxyUriEndpoint: 'https://other.example.com' }, 'CustomKeyStoreInvalidState');
    await h.ok('UpdateCustomKeyStore', { CustomKeyStoreId: id, NewCustomKeyStoreName: 'ext-1-renamed' });
    assert.equal((await describeOne(id))['CustomKeyStoreName'], 'ext-1-renamed');
    await h.ok('DisconnectCustomKeyStore', { CustomKeyStoreId: id });
    assert.equal((await describeOne(id))['ConnectionState'], 'DISCONNECTED');
    await expectFailure(h, 'DisconnectCustomKeyStore', { CustomKeyStoreId: id }, 'CustomKeyStoreInvalidState');
    await h.ok('DeleteCustomKeyStore', { CustomKeyStoreId: id });
    await expectFailure(h, 'DescribeCustomKeyStores', { CustomKeyStoreId: id }, 'CustomKeyStoreNotFound');
  });

  it('a proxy failure at creation is the XksProxy… exception of XKS_FAILURES; a failed connection is reported by Describe, not by Connect', async () => {
    await expectFailure(h, 'CreateCustomKeyStore', xksInput('bad-secret', { XksProxyAuthenticationCredential: { AccessKeyId: proxy.accessKeyId, RawSecretAccessKey: 'A'.repeat(44) } }), 'XksProxyIncorrectAuthenticationCredential');
    await expectFailure(h, 'CreateCustomKeyStore', xksInput('bad-path', { XksProxyUriPath: '/wrong/kms/xks/v1' }), 'XksProxyInvalidConfiguration');
    await expectFailure(h, 'CreateCustomKeyStore', xksInput('vpc', { XksProxyConnectivity: 'VPC_ENDPOINT_SERVICE' }), 'UnsupportedOperation');
    await expectFailure(h, 'CreateCustomKeyStore', xksInput('not-https', { XksProxyUriEndpoint: 'http://proxy.example.com' }), 'ValidationFailed');
    const id = String((await h.ok('CreateCustomKeyStore', xksInput('ext-2')))['CustomKeyStoreId']);
    await expectFailure(h, 'CreateCustomKeyStore', xksInput('ext-2'), 'CustomKeyStoreNameInUse');
    await expectFailure(h, 'CreateCustomKeyStore', xksInput('ext-2-same-uri'), 'XksProxyUriInUse');
    proxy.mode = 'deny';
    try {
      assert.deepEqual(await h.ok('ConnectCustomKeyStore', { CustomKeyStoreId: id }), {});
    } finally {
      proxy.mode = 'ok';
    }
    const failed = await describeOne(id);
    assert.equal(failed['ConnectionState'], 'FAILED');
    assert.equal(failed['ConnectionErrorCode'], 'XKS_PROXY_ACCESS_DENIED');
    await expectFailure(h, 'ConnectCustomKeyStore', { CustomKeyStoreId: id }, 'CustomKeyStoreInvalidState');
    await h.ok('DisconnectCustomKeyStore', { CustomKeyStoreId: id });
    await h.ok('ConnectCustomKeyStore', { CustomKeyStoreId: id });
    assert.equal((await describeOne(id))['ConnectionState'], 'CONNECTED');
    await h.ok('DisconnectCustomKeyStore', { CustomKeyStoreId: id });
    await h.ok('DeleteCustomKeyStore', { CustomKeyStoreId: id });
  });

  it('an HSM key store: the cluster must be configured and free, the trust anchor a certificate; a wrong password reads FAILED INVALID_CREDENTIALS', async () => {
    const hsmInput = (name: string, over: Record<string, unknown> = {}) => ({ CustomKeyStoreName: name, CloudHsmClusterId: CLUSTER, TrustAnchorCertificate: anchor, KeyStorePassword: PASSWORD, ...over });
    await expectFailure(h, 'CreateCustomKeyStore', hsmInput('h0', { CloudHsmClusterId: 'cluster-zzzzzzzzzzz' }), 'CloudHsmClusterNotFound');
    await expectFailure(h, 'CreateCustomKeyStore', hsmInput('h0', { TrustAnchorCertificate: 'not a certificate' }), 'IncorrectTrustAnchor');
    await expectFailure(h, 'CreateCustomKeyStore', hsmInput('h0', { XksProxyUriPath: '/kms/xks/v1' }), 'ValidationFailed');
    const id = String((await h.ok('CreateCustomKeyStore', hsmInput('hsm-1')))['CustomKeyStoreId']);
    assertAudited(h, { eventName: 'CreateCustomKeyStore', secrets: [Buffer.from(PASSWORD)] });
    await expectFailure(h, 'CreateCustomKeyStore', hsmInput('hsm-1-again'), 'CloudHsmClusterInUse');
    const entry = await describeOne(id);
    assert.equal(entry['CloudHsmClusterId'], CLUSTER);
    assert.equal(entry['TrustAnchorCertificate'], anchor);
    await expectFailure(h, 'GenerateRandom', { NumberOfBytes: 16, CustomKeyStoreId: id }, 'CustomKeyStoreInvalidState');
    await h.ok('ConnectCustomKeyStore', { CustomKeyStoreId: id });
    assert.equal((await describeOne(id))['ConnectionState'], 'CONNECTED');
    assert.equal(hsm.openSessions, 1);
    assert.equal(((await h.ok('GenerateRandom', { NumberOfBytes: 16, CustomKeyStoreId: id }))['Plaintext'] as { length: number }).length, 16);
    await expectFailure(h, 'UpdateCustomKeyStore', { CustomKeyStoreId: id, KeyStorePassword: 'another-pass' }, 'CustomKeyStoreInvalidState');
    await h.ok('DisconnectCustomKeyStore', { CustomKeyStoreId: id });
    assert.equal(hsm.openSessions, 0, 'disconnecting closes the HSM session');
    await h.ok('UpdateCustomKeyStore', { CustomKeyStoreId: id, KeyStorePassword: 'wrong-pass' });
    await h.ok('ConnectCustomKeyStore', { CustomKeyStoreId: id });
    const failed = await describeOne(id);
    assert.deepEqual([failed['ConnectionState'], failed['ConnectionErrorCode']], ['FAILED', 'INVALID_CREDENTIALS']);
    await h.ok('DisconnectCustomKeyStore', { CustomKeyStoreId: id });
    await h.ok('UpdateCustomKeyStore', { CustomKeyStoreId: id, KeyStorePassword: PASSWORD, CloudHsmClusterId: 'cluster-lmnopqrstuv' });
    await h.ok('ConnectCustomKeyStore', { CustomKeyStoreId: id });
    assert.equal((await describeOne(id))['ConnectionState'], 'CONNECTED');
    // Sealing closes every HSM session; unsealing connects again the stores whose connect flag is set.
    h.seal();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(hsm.openSessions, 0);
    await h.unseal();
    assert.equal((await describeOne(id))['ConnectionState'], 'CONNECTED');
    await h.ok('DisconnectCustomKeyStore', { CustomKeyStoreId: id });
    await h.ok('DeleteCustomKeyStore', { CustomKeyStoreId: id });
  });

  it('GenerateRandom refuses an external key store and an unknown store, as AWS does', async () => {
    const id = String((await h.ok('CreateCustomKeyStore', xksInput('ext-random')))['CustomKeyStoreId']);
    await expectFailure(h, 'GenerateRandom', { NumberOfBytes: 8, CustomKeyStoreId: 'cks-00000000000000000' }, 'CustomKeyStoreNotFound');
    await expectFailure(h, 'GenerateRandom', { NumberOfBytes: 8, CustomKeyStoreId: id }, 'UnsupportedOperation');
    await h.ok('DeleteCustomKeyStore', { CustomKeyStoreId: id });
  });

  it('Describe lists the region’s stores oldest first, pages with Limit and Marker, and filters by name', async () => {
    hsm.addCluster('cluster-pagesstorea', PASSWORD).addCluster('cluster-pagesstoreb', PASSWORD);
    for (const [n, c] of [['pa', 'cluster-pagesstorea'], ['pb', 'cluster-pagesstoreb']] as const) {
      h.advance(1000); // the harness clock stands still: each store gets its own creation time
      await h.ok('CreateCustomKeyStore', { CustomKeyStoreName: n, CloudHsmClusterId: c, TrustAnchorCertificate: anchor, KeyStorePassword: PASSWORD });
    }
    const all = (await h.ok('DescribeCustomKeyStores', {}))['CustomKeyStores'] as Record<string, unknown>[];
    assert.deepEqual(all.map((s) => s['CustomKeyStoreName']), ['pa', 'pb']);
    const first = await h.ok('DescribeCustomKeyStores', { Limit: 1 });
    assert.equal(first['Truncated'], true);
    const second = await h.ok('DescribeCustomKeyStores', { Limit: 1000, Marker: first['NextMarker'] });
    assert.equal(second['Truncated'], false);
    assert.deepEqual([...(first['CustomKeyStores'] as unknown[]), ...(second['CustomKeyStores'] as unknown[])], all);
    const byName = (await h.ok('DescribeCustomKeyStores', { CustomKeyStoreName: 'pb' }))['CustomKeyStores'] as Record<string, unknown>[];
    assert.deepEqual(byName.map((s) => s['CloudHsmClusterId']), ['cluster-pagesstoreb']);
    await expectFailure(h, 'DescribeCustomKeyStores', { CustomKeyStoreName: 'nope' }, 'CustomKeyStoreNotFound');
    await expectFailure(h, 'DescribeCustomKeyStores', { Marker: 'bogus' }, 'InvalidMarker');
  });

  it('are IAM-only account operations: a caller without a policy is AccessDenied', async () => {
    const mallory = await outsider(h);
    await expectFailure(h, 'DescribeCustomKeyStores', {}, 'AccessDenied', { as: mallory });
    await expectFailure(h, 'CreateCustomKeyStore', xksInput('denied'), 'AccessDenied', { as: mallory });
  });
});
