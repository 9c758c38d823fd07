import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CustomKeyStoreRecord } from '../../core/custom-key-stores.js';
import { at, KEY, keyId, keyRecord, keyVersion, REGION, T0, withStore, type StoreFactory } from './fixture.js';

function xksStore(id: string, over: Partial<CustomKeyStoreRecord> = {}): CustomKeyStoreRecord {
  return {
    id,
    region: REGION,
    name: `store-${id}`,
    type: 'EXTERNAL_KEY_STORE',
    createdAt: T0,
    connect: false,
    xks: { uriEndpoint: 'https://xks.example.com', uriPath: '/example/kms/xks/v1', connectivity: 'PUBLIC_ENDPOINT', accessKeyId: 'ABCDEFGHIJKLMNOPQRST' },
    secret: { domainKeyVersion: 1, wrapped: Buffer.from(`secret-${id}`) },
    ...over,
  };
}

const HSM: CustomKeyStoreRecord = {
  id: 'cks-00000000000000002',
  region: REGION,
  name: 'hsm-store',
  type: 'AWS_CLOUDHSM',
  createdAt: at(1),
  connect: true,
  hsm: { clusterId: 'cluster-1a23b4cdefg', trustAnchorCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' },
  secret: { domainKeyVersion: 1, wrapped: Buffer.from('password') },
};

const A = 'cks-00000000000000001';

/** The CustomKeyStoreStore port (core/custom-key-stores.ts, ADR 0024): stores, unique names per region, key links. */
export function customKeyStoreStoreContract(factory: StoreFactory): void {
  describe('CustomKeyStoreStore', () => {
    it('stores both kinds as given; names are unique per region', withStore(factory, async (s) => {
      const a = xksStore(A);
      assert.equal(await s.customKeyStores.createStore(a), true);
      assert.equal(await s.customKeyStores.createStore(HSM), true);
      assert.deepEqual(await s.customKeyStores.getStore(A), a);
      assert.deepEqual(await s.customKeyStores.getStore(HSM.id), HSM);
      assert.equal(await s.customKeyStores.createStore(xksStore('cks-00000000000000003', { name: a.name })), false, 'the name is taken in the region');
      assert.equal(await s.customKeyStores.createStore(xksStore('cks-00000000000000003', { name: a.name, region: 'eu-west-1' })), true, 'another region may use it');
      assert.deepEqual((await s.customKeyStores.listStores(REGION)).map((r) => r.id), [A, HSM.id]);
      assert.equal((await s.customKeyStores.listAllStores()).length, 3);
      assert.deepEqual(await s.customKeyStores.findStoreByName(REGION, 'hsm-store'), HSM);
      assert.equal(await s.customKeyStores.findStoreByName('eu-west-1', 'hsm-store'), undefined);
    }));

    it('updates settings, the secret and the desired connection; refuses a taken name', withStore(factory, async (s) => {
      await s.customKeyStores.createStore(xksStore(A));
      await s.customKeyStores.createStore(HSM);
      const changed = xksStore(A, { name: 'renamed', connect: true, secret: { domainKeyVersion: 1, wrapped: Buffer.from('new-secret') } });
      assert.equal(await s.customKeyStores.updateStore(changed), true);
      assert.deepEqual(await s.customKeyStores.getStore(A), changed);
      assert.equal(await s.customKeyStores.updateStore({ ...changed, name: 'hsm-store' }), false);
      assert.equal((await s.customKeyStores.getStore(A))?.name, 'renamed');
      assert.equal(await s.customKeyStores.updateStore(xksStore('cks-0000000000000000f')), false, 'no such store');
    }));

    it('links keys; a store with live keys is not deleted; a destroyed key no longer counts', withStore(factory, async (s) => {
      await s.customKeyStores.createStore(xksStore(A));
      await s.keys.createKey(keyRecord({ origin: 'EXTERNAL_KEY_STORE' }), keyVersion(KEY, 1), []);
      await s.customKeyStores.linkKey({ keyId: KEY, storeId: A, externalKeyId: 'ext-1' });
      assert.deepEqual(await s.customKeyStores.keyLink(KEY), { keyId: KEY, storeId: A, externalKeyId: 'ext-1' });
      assert.equal(await s.customKeyStores.keyLink(keyId(9)), undefined);
      assert.equal(await s.customKeyStores.countKeys(A), 1);
      assert.equal(await s.customKeyStores.keyWithExternalId(A, 'ext-1'), KEY);
      assert.equal(await s.customKeyStores.keyWithExternalId(A, 'ext-2'), undefined);
      assert.equal(await s.customKeyStores.deleteStore(A), false, 'the store still has a key');
      assert.notEqual(await s.customKeyStores.getStore(A), undefined);
      await s.lifecycle.scheduleDeletion(KEY, at(7));
      assert.notEqual(await s.lifecycle.destroyKey(KEY, at(7)), undefined);
      assert.equal(await s.customKeyStores.countKeys(A), 0);
      assert.equal(await s.customKeyStores.keyWithExternalId(A, 'ext-1'), undefined);
      assert.equal(await s.customKeyStores.deleteStore(A), true);
      assert.equal(await s.customKeyStores.getStore(A), undefined);
      assert.equal(await s.customKeyStores.deleteStore(A), false);
    }));

    it('puts a store secret under an older domain key on the rewrap list', withStore(factory, async (s) => {
      await s.customKeyStores.createStore(xksStore(A));
      await s.keys.addDomainKey(2, Buffer.from('domain-key-2'));
      const stale = (await s.rewrap.listStale(2, 100)).filter((r) => r.kind === 'custom-key-store');
      assert.deepEqual(stale.map((r) => r.id), [A]);
      const row = stale[0];
      assert.ok(row);
      assert.equal(await s.rewrap.replaceWrapping(row, { domainKeyVersion: 2, wrapped: Buffer.from('rewrapped') }), true);
      assert.deepEqual((await s.customKeyStores.getStore(A))?.secret, { domainKeyVersion: 2, wrapped: Buffer.from('rewrapped') });
      assert.equal((await s.rewrap.listStale(2, 100)).filter((r) => r.kind === 'custom-key-store').length, 0);
    }));
  });
}
