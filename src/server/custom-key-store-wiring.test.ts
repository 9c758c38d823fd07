import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { customKeyStoreSecretBinding } from '../core/bindings.js';
import type { CustomKeyStoreRecord, CustomKeyStoreStore } from '../core/custom-key-stores.js';
import { SecretBytes } from '../crypto/secret-bytes.js';
import { openDatabase } from '../store/sqlite/database.js';
import { MemoryHsmClusters } from '../../test/helpers/memory-hsm-clusters.js';
import { startXksProxyFixture, type XksProxyFixture } from '../../test/helpers/xks-proxy-fixture.js';
import { CustomKeyStoreWiring } from './custom-key-store-wiring.js';
import { sqliteStoreBundle } from './store-bundle.js';
import { prefixKeyring } from '../../test/helpers/prefix-keyring.js';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('CustomKeyStoreWiring: two nodes sharing one store', () => {
  let proxy: XksProxyFixture;
  let store: CustomKeyStoreStore;
  const hsm = new MemoryHsmClusters().addCluster('cluster-wiringabcdef', 'kmsuser-pass');
  let open = true;
  const node = () => new CustomKeyStoreWiring({ hsmClusters: hsm, customKeyStores: { xks: { timeoutMs: 500 } } }, { store, keyring: prefixKeyring, logger: silent, isOpen: () => open });
  const record = async (id: string, over: Partial<CustomKeyStoreRecord>, secret: string): Promise<CustomKeyStoreRecord> => ({
    id, region: 'us-east-1', name: id, type: over.hsm ? 'AWS_CLOUDHSM' : 'EXTERNAL_KEY_STORE', createdAt: new Date(0), connect: false,
    secret: await prefixKeyring.wrap(SecretBytes.copyOf(Buffer.from(secret, 'utf8')), customKeyStoreSecretBinding(id)),
    ...over,
  });

  before(async () => {
    proxy = await startXksProxyFixture();
    store = sqliteStoreBundle(openDatabase(':memory:'), { now: () => new Date() }).customKeyStores;
  });
  after(() => proxy.stop());

  it("follows another node's Connect and Disconnect at each sync, never undoes its own Connect, and seals every region", async () => {
    const a = node();
    const b = node();
    const s = await record('cks-0000000000000000a', { hsm: { clusterId: 'cluster-wiringabcdef', trustAnchorCertificate: 'x' } }, 'kmsuser-pass');
    assert.ok(await store.createStore(s));
    await a.sync();
    await b.sync();
    // Node A serves ConnectCustomKeyStore: it connects first (prepare), then the flag commits.
    await a.forRegion('us-east-1').connections.connect(s, 'r1');
    await a.sync();
    assert.equal(a.forRegion('us-east-1').connections.state(s.id).state, 'CONNECTED', 'its own connect is not undone before the flag commits');
    assert.ok(await store.updateStore({ ...s, connect: true }));
    assert.equal(b.forRegion('us-east-1').connections.state(s.id).state, 'DISCONNECTED');
    await b.sync();
    assert.equal(b.forRegion('us-east-1').connections.state(s.id).state, 'CONNECTED', 'B followed A');
    assert.equal(hsm.openSessions, 2);
    // Node A serves DisconnectCustomKeyStore: B drops its session at its next sync.
    assert.ok(await store.updateStore({ ...s, connect: false }));
    await a.forRegion('us-east-1').connections.disconnect(s.id);
    await b.sync();
    assert.equal(b.forRegion('us-east-1').connections.state(s.id).state, 'DISCONNECTED');
    assert.equal(hsm.openSessions, 0);
    assert.ok(await store.deleteStore(s.id));
  });

  it('a node that first sees a store with its flag set connects it; a sealed node does nothing; a new credential reconnects', async () => {
    const x = await record('cks-0000000000000000b', { xks: { uriEndpoint: proxy.endpoint, uriPath: proxy.uriPath, connectivity: 'PUBLIC_ENDPOINT', accessKeyId: proxy.accessKeyId } }, proxy.secret);
    assert.ok(await store.createStore({ ...x, connect: true }));
    const c = node();
    open = false;
    await c.sync();
    assert.equal(c.forRegion('us-east-1').connections.state(x.id).state, 'DISCONNECTED', 'nothing connects while sealed');
    open = true;
    await c.sync();
    assert.equal(c.forRegion('us-east-1').connections.state(x.id).state, 'CONNECTED');
    // Another node stores a wrong secret (as an UpdateCustomKeyStore would): this node connects again, and fails.
    const wrong = await prefixKeyring.wrap(SecretBytes.copyOf(Buffer.from('W'.repeat(44))), customKeyStoreSecretBinding(x.id));
    assert.ok(await store.updateStore({ ...x, connect: true, secret: wrong }));
    await c.sync();
    assert.deepEqual(c.forRegion('us-east-1').connections.state(x.id), { state: 'FAILED', errorCode: 'INVALID_CREDENTIALS' });
    await c.seal();
    assert.equal(c.forRegion('us-east-1').connections.state(x.id).state, 'DISCONNECTED');
  });

  it('a store wiped from the database (a dev-mode reset) is dropped at the next sync', async () => {
    const n = node();
    const s = await record('cks-0000000000000000c', { hsm: { clusterId: 'cluster-wiringabcdef', trustAnchorCertificate: 'x' } }, 'kmsuser-pass');
    assert.ok(await store.createStore({ ...s, connect: true }));
    await n.sync();
    assert.equal(n.forRegion('us-east-1').connections.state(s.id).state, 'CONNECTED');
    assert.equal(hsm.openSessions, 1);
    assert.ok(await store.deleteStore(s.id));
    await n.sync();
    assert.equal(n.forRegion('us-east-1').connections.state(s.id).state, 'DISCONNECTED');
    assert.equal(hsm.openSessions, 0);
  });
});
