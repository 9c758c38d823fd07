import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { customKeyStoreSecretBinding } from '../../src/core/bindings.js';
import { XksProxyError, type CustomKeyStoreRecord, type ExternalKeyStores } from '../../src/core/custom-key-stores.js';
import { KeyStoreConnections } from '../../src/custody/key-store-connections.js';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import { XksClient } from '../../src/server/xks-client.js';
import { MemoryHsmClusters } from '../helpers/memory-hsm-clusters.js';
import { startXksProxyFixture, type XksProxyFixture } from '../helpers/xks-proxy-fixture.js';
import { prefixKeyring } from '../helpers/prefix-keyring.js';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

async function record(id: string, over: Partial<CustomKeyStoreRecord>, secret: string): Promise<CustomKeyStoreRecord> {
  return {
    id, region: 'us-east-1', name: id, type: over.hsm ? 'AWS_CLOUDHSM' : 'EXTERNAL_KEY_STORE', createdAt: new Date(0), connect: true,
    secret: await prefixKeyring.wrap(SecretBytes.copyOf(Buffer.from(secret, 'utf8')), customKeyStoreSecretBinding(id)),
    ...over,
  };
}

describe('KeyStoreConnections: per-node connection state of custom key stores', () => {
  let proxy: XksProxyFixture;
  before(async () => {
    proxy = await startXksProxyFixture();
  });
  after(() => proxy.stop());

  it('an external key store connects through the proxy health check, fails with AWS codes, and is forgotten at seal', async () => {
    const hsm = new MemoryHsmClusters().addCluster('cluster-1a23b4cdefg', 'kmsuser-pass');
    const stores: CustomKeyStoreRecord[] = [];
    const c = new KeyStoreConnections({ stores: { listAllStores: async () => stores }, keyring: prefixKeyring, xks: new XksClient({ timeoutMs: 300, region: 'us-east-1' }), hsm, logger: silent });
    const xks = { uriEndpoint: proxy.endpoint, uriPath: proxy.uriPath, connectivity: 'PUBLIC_ENDPOINT' as const, accessKeyId: proxy.accessKeyId };
    const good = await record('cks-00000000000000001', { xks }, proxy.secret);
    const badSecret = await record('cks-00000000000000002', { xks }, 'wrong secret');
    const badPath = await record('cks-00000000000000003', { xks: { ...xks, uriPath: '/nope/kms/xks/v1' } }, proxy.secret);
    const down = await record('cks-00000000000000004', { xks: { ...xks, uriEndpoint: 'http://127.0.0.1:1' } }, proxy.secret);
    const hsmStore = await record('cks-00000000000000005', { hsm: { clusterId: 'cluster-1a23b4cdefg', trustAnchorCertificate: '' } }, 'kmsuser-pass');
    const hsmWrong = await record('cks-00000000000000006', { hsm: { clusterId: 'cluster-1a23b4cdefg', trustAnchorCertificate: '' } }, 'bad');
    const hsmMissing = await record('cks-00000000000000007', { hsm: { clusterId: 'cluster-0000000000x', trustAnchorCertificate: '' } }, 'kmsuser-pass');
    assert.deepEqual(c.state(good.id), { state: 'DISCONNECTED' });
    assert.deepEqual(await c.connect(good, 'r1'), { state: 'CONNECTED' });
    assert.equal(proxy.requests.at(-1)?.metadata['kmsOperation'], 'ConnectCustomKeyStore');
    assert.ok(c.xksTarget(good.id));
    assert.deepEqual(await c.connect(badSecret, 'r2'), { state: 'FAILED', errorCode: 'INVALID_CREDENTIALS' });
    assert.deepEqual(await c.connect(badPath, 'r3'), { state: 'FAILED', errorCode: 'XKS_PROXY_INVALID_CONFIGURATION' });
    assert.deepEqual(await c.connect(down, 'r4'), { state: 'FAILED', errorCode: 'XKS_PROXY_NOT_REACHABLE' });
    assert.equal(c.xksTarget(down.id), undefined, 'a failed store gives no target: requests fail closed');
    assert.deepEqual(await c.connect(hsmStore, 'r5'), { state: 'CONNECTED' });
    assert.ok(c.hsmSession(hsmStore.id));
    assert.deepEqual(await c.connect(hsmWrong, 'r6'), { state: 'FAILED', errorCode: 'INVALID_CREDENTIALS' });
    assert.deepEqual(await c.connect(hsmMissing, 'r7'), { state: 'FAILED', errorCode: 'CLUSTER_NOT_FOUND' });
    assert.equal(hsm.openSessions, 1);
    await c.seal();
    assert.equal(hsm.openSessions, 0, 'sealing closes HSM sessions');
    assert.deepEqual(c.state(good.id), { state: 'DISCONNECTED' });
    assert.equal(c.xksTarget(good.id), undefined, 'sealing forgets XKS secrets');
    stores.push(good, { ...hsmStore, connect: false });
    await c.reconnectAll('startup');
    assert.deepEqual(c.state(good.id), { state: 'CONNECTED' }, 'a store meant to be connected reconnects');
    assert.deepEqual(c.state(hsmStore.id), { state: 'DISCONNECTED' }, 'one meant to be disconnected stays so');
    await c.disconnect(good.id);
    assert.deepEqual(c.state(good.id), { state: 'DISCONNECTED' });
  });

  it('reconnectAll checks the stores at once: one slow proxy does not delay the others', async () => {
    // Each health check answers only once all three have been asked (a barrier): done one after another,
    // the first would wait for the others and time out (XKS_PROXY_TIMED_OUT after a second).
    const asked: string[] = [];
    let release = (): void => undefined;
    const all = new Promise<void>((ok) => (release = ok));
    const barrier: ExternalKeyStores = {
      health: async (target) => {
        asked.push(target.settings.uriEndpoint);
        if (asked.length === 3) release();
        const timedOut = new Promise<never>((_, no) => setTimeout(() => no(new XksProxyError('TimedOut', 'no answer')), 1000).unref());
        await Promise.race([all, timedOut]);
      },
      keyMetadata: () => Promise.reject(new Error('unused')),
      encrypt: () => Promise.reject(new Error('unused')),
      decrypt: () => Promise.reject(new Error('unused')),
    };
    const xks = (n: number) => ({ uriEndpoint: `https://proxy-${n}.example`, uriPath: '/kms/xks/v1', connectivity: 'PUBLIC_ENDPOINT' as const, accessKeyId: 'AKIAIOSFODNN7EXAMPLE' });
    const stores = await Promise.all([1, 2, 3].map(async (n) => record(`cks-0000000000000001${n}`, { xks: xks(n) }, 'secret')));
    const c = new KeyStoreConnections({ stores: { listAllStores: async () => stores }, keyring: prefixKeyring, xks: barrier, hsm: undefined, logger: silent });
    await c.reconnectAll('unseal');
    assert.equal(asked.length, 3);
    for (const store of stores) assert.deepEqual(c.state(store.id), { state: 'CONNECTED' });
  });
});
