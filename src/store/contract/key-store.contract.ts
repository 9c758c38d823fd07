import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KmsError } from '../../core/errors.js';
import { at, createKey, KEY, keyId, keyRecord, keyVersion, T0, userArn, withStore, type StoreFactory, REGION } from './fixture.js';

/** The KeyStore port (core/ports.ts): keys, versions, policy principals, tags, domain keys. Aliases: alias-store.contract.ts. */
export function keyStoreContract(factory: StoreFactory): void {
  describe('KeyStore: keys and versions', () => {
    it('returns a created key, its first version and its tags as stored', withStore(factory, async (s) => {
      const k = keyRecord({ deletionDate: at(30), state: 'PendingDeletion' });
      await s.keys.createKey(k, keyVersion(KEY, 1), [{ key: 'b', value: '2' }, { key: 'a', value: '1' }]);
      assert.deepEqual(await s.keys.getKey(KEY), k);
      assert.deepEqual(await s.keys.getKeyVersion(KEY, 1), keyVersion(KEY, 1));
      assert.deepEqual(await s.keys.listTags(KEY), [{ key: 'a', value: '1' }, { key: 'b', value: '2' }], 'tags ordered by tag key');
    }));

    it('stores a key without material (EXTERNAL, awaiting import): no version', withStore(factory, async (s) => {
      await s.keys.createKey(keyRecord({ origin: 'EXTERNAL', state: 'PendingImport' }), undefined, []);
      assert.equal((await s.keys.getKey(KEY))?.state, 'PendingImport');
      assert.equal(await s.keys.getKeyVersion(KEY, 1), undefined);
    }));

    it('answers undefined for an unknown key or version', withStore(factory, async (s) => {
      await createKey(s);
      assert.equal(await s.keys.getKey(keyId(9)), undefined);
      assert.equal(await s.keys.getKeyVersion(KEY, 2), undefined);
      assert.equal(await s.keys.getKeyVersion(keyId(9), 1), undefined);
    }));

    it('rejects a second key with the same id and keeps the first, with none of the second\'s tags', withStore(factory, async (s) => {
      await createKey(s, KEY, { description: 'first' });
      await assert.rejects(s.keys.createKey(keyRecord({ description: 'second' }), undefined, [{ key: 't', value: 'v' }]));
      assert.equal((await s.keys.getKey(KEY))?.description, 'first');
      assert.deepEqual(await s.keys.listTags(KEY), []);
    }));

    it('createKey is atomic: a failure part way (a repeated tag key) stores nothing', withStore(factory, async (s) => {
      await assert.rejects(s.keys.createKey(keyRecord(), keyVersion(KEY, 1), [{ key: 't', value: '1' }, { key: 't', value: '2' }]));
      assert.equal(await s.keys.getKey(KEY), undefined);
      assert.equal(await s.keys.getKeyVersion(KEY, 1), undefined);
      assert.deepEqual(await s.keys.listTags(KEY), []);
      assert.deepEqual((await s.keys.listKeys(REGION, undefined, 10)).items, []);
    }));

    it('refuses rows that name a key or domain key that does not exist, changing nothing', withStore(factory, async (s) => {
      await assert.rejects(s.keys.createKey(keyRecord(), keyVersion(KEY, 1, { domainKeyVersion: 9 }), []));
      assert.equal(await s.keys.getKey(KEY), undefined);
      await assert.rejects(s.keys.createAlias({ region: REGION, name: 'alias/x', keyId: keyId(9), createdAt: T0, updatedAt: T0 }));
      await assert.rejects(s.keys.putTags(keyId(9), [{ key: 't', value: 'v' }]));
      await assert.rejects(s.keys.putPolicyPrincipals(keyId(9), { [userArn('alice')]: null }));
      await assert.rejects(s.lifecycle.setRotation(keyId(9), { enabled: true, periodDays: 1, nextRotationAt: T0 }));
      assert.equal(await s.keys.getAlias(REGION, 'alias/x'), undefined);
      assert.deepEqual(await s.keys.listTags(keyId(9)), []);
      assert.deepEqual(await s.keys.getPolicyPrincipals(keyId(9)), {});
    }));

    it('hands out copies: changing a returned record or buffer does not change the stored one', withStore(factory, async (s) => {
      await createKey(s);
      const v = await s.keys.getKeyVersion(KEY, 1);
      v?.wrappedMaterial.fill(0);
      const k = await s.keys.getKey(KEY);
      k?.createdAt.setTime(0);
      assert.deepEqual(await s.keys.getKeyVersion(KEY, 1), keyVersion(KEY, 1));
      assert.deepEqual((await s.keys.getKey(KEY))?.createdAt, T0);
    }));

    it('lists keys in creation order, a page at a time, with the last key of a page as the marker', withStore(factory, async (s) => {
      for (const n of [3, 1, 2]) await createKey(s, keyId(n));
      const first = await s.keys.listKeys(REGION, undefined, 2);
      assert.deepEqual(first.items.map((k) => k.id), [keyId(3), keyId(1)]);
      assert.equal(first.next, keyId(1));
      const second = await s.keys.listKeys(REGION, first.next, 2);
      assert.deepEqual(second.items.map((k) => k.id), [keyId(2)]);
      assert.equal(second.next, undefined);
      const exact = await s.keys.listKeys(REGION, undefined, 3);
      assert.equal(exact.items.length, 3);
      assert.equal(exact.next, undefined, 'no marker when the page holds the last key');
    }));

    it('lists the keys of one region; a key of another region is no marker here (ADR 0022)', withStore(factory, async (s) => {
      await createKey(s, keyId(1));
      await createKey(s, keyId(2), { region: 'eu-central-1' });
      await createKey(s, keyId(3));
      assert.deepEqual((await s.keys.listKeys(REGION, undefined, 10)).items.map((k) => k.id), [keyId(1), keyId(3)]);
      const eu = await s.keys.listKeys('eu-central-1', undefined, 10);
      assert.deepEqual(eu.items.map((k) => [k.id, k.region]), [[keyId(2), 'eu-central-1']]);
      assert.equal((await s.keys.getKey(keyId(2)))?.region, 'eu-central-1');
      await assert.rejects(s.keys.listKeys(REGION, keyId(2), 10), (e: unknown) => e instanceof KmsError && e.code === 'InvalidMarker');
    }));

    it('rejects an unknown marker with InvalidMarker', withStore(factory, async (s) => {
      await createKey(s);
      await assert.rejects(s.keys.listKeys(REGION, keyId(9), 10), (e: unknown) => e instanceof KmsError && e.code === 'InvalidMarker');
    }));

    it('updates only the members given; an empty change or an unknown key changes nothing', withStore(factory, async (s) => {
      const k = await createKey(s);
      await s.keys.updateKey(KEY, { state: 'Disabled' });
      assert.deepEqual(await s.keys.getKey(KEY), { ...k, state: 'Disabled' });
      await s.keys.updateKey(KEY, { description: 'new', policy: '{"p":1}' });
      assert.deepEqual(await s.keys.getKey(KEY), { ...k, state: 'Disabled', description: 'new', policy: '{"p":1}' });
      await s.keys.updateKey(KEY, {});
      await s.keys.updateKey(keyId(9), { state: 'Enabled' });
      assert.equal((await s.keys.getKey(KEY))?.state, 'Disabled');
      assert.equal(await s.keys.getKey(keyId(9)), undefined);
    }));
  });

  describe('KeyStore: policy principals, tags, domain keys', () => {
    it('keeps the policy\'s resolved principals, {} when none, replaced whole by put', withStore(factory, async (s) => {
      await createKey(s);
      assert.deepEqual(await s.keys.getPolicyPrincipals(KEY), {});
      await s.keys.putPolicyPrincipals(KEY, { [userArn('alice')]: 'AIDAALICE', [userArn('bob')]: null });
      assert.deepEqual(await s.keys.getPolicyPrincipals(KEY), { [userArn('alice')]: 'AIDAALICE', [userArn('bob')]: null });
      await s.keys.putPolicyPrincipals(KEY, { [userArn('carol')]: 'AIDACAROL' });
      assert.deepEqual(await s.keys.getPolicyPrincipals(KEY), { [userArn('carol')]: 'AIDACAROL' });
      await s.keys.putPolicyPrincipals(KEY, {});
      assert.deepEqual(await s.keys.getPolicyPrincipals(KEY), {});
    }));

    it('putTags replaces the values of existing tag keys and adds the others; removeTags ignores unknown keys', withStore(factory, async (s) => {
      await createKey(s, KEY, {}, [{ key: 'env', value: 'dev' }, { key: 'team', value: 'a' }]);
      await s.keys.putTags(KEY, [{ key: 'env', value: 'prod' }, { key: 'cost', value: '42' }]);
      assert.deepEqual(await s.keys.listTags(KEY), [{ key: 'cost', value: '42' }, { key: 'env', value: 'prod' }, { key: 'team', value: 'a' }]);
      await s.keys.removeTags(KEY, ['team', 'absent']);
      assert.deepEqual(await s.keys.listTags(KEY), [{ key: 'cost', value: '42' }, { key: 'env', value: 'prod' }]);
      assert.deepEqual(await s.keys.listTags(keyId(9)), []);
    }));

    it('tags belong to one key', withStore(factory, async (s) => {
      await createKey(s, keyId(1), {}, [{ key: 'k', value: '1' }]);
      await createKey(s, keyId(2), {}, [{ key: 'k', value: '2' }]);
      await s.keys.removeTags(keyId(1), ['k']);
      assert.deepEqual(await s.keys.listTags(keyId(2)), [{ key: 'k', value: '2' }]);
    }));

    it('lists domain keys oldest first and rejects a version that exists', withStore(factory, async (s) => {
      await s.keys.addDomainKey(3, Buffer.from('d3'));
      await s.keys.addDomainKey(2, Buffer.from('d2'));
      await assert.rejects(s.keys.addDomainKey(2, Buffer.from('again')));
      assert.deepEqual(await s.keys.listDomainKeys(), [
        { version: 1, wrapped: Buffer.from('domain-key-1') },
        { version: 2, wrapped: Buffer.from('d2') },
        { version: 3, wrapped: Buffer.from('d3') },
      ]);
    }));

    it('the key facts of authorization read what the KeyStore wrote; no key, no aliases', withStore(factory, async (s) => {
      await createKey(s, KEY, {}, [{ key: 'b', value: '2' }, { key: 'a', value: '1' }]);
      await s.keys.createAlias({ region: REGION, name: 'alias/x', keyId: KEY, createdAt: T0, updatedAt: T0 });
      await s.keys.putPolicyPrincipals(KEY, { [userArn('alice')]: 'AIDAALICE' });
      assert.deepEqual(await s.keyFacts.listTags(KEY), await s.keys.listTags(KEY));
      assert.deepEqual(await s.keyFacts.listAliases(REGION, KEY, undefined, 10), await s.keys.listAliases(REGION, KEY, undefined, 10));
      assert.deepEqual(await s.keyFacts.getPolicyPrincipals(KEY), { [userArn('alice')]: 'AIDAALICE' });
      assert.deepEqual(await s.keyFacts.listAliases(REGION, undefined, undefined, 10), { items: [] });
    }));

    it('a failed unit of work leaves no key, version, tag, alias or policy principal', withStore(factory, async (s) => {
      await assert.rejects(
        s.withTransaction(async () => {
          await createKey(s, KEY, {}, [{ key: 't', value: 'v' }]);
          await s.keys.createAlias({ region: REGION, name: 'alias/x', keyId: KEY, createdAt: T0, updatedAt: T0 });
          await s.keys.putPolicyPrincipals(KEY, { [userArn('alice')]: null });
          throw new Error('the unit of work fails');
        }),
        /the unit of work fails/,
      );
      assert.equal(await s.keys.getKey(KEY), undefined);
      assert.equal(await s.keys.getKeyVersion(KEY, 1), undefined);
      assert.deepEqual(await s.keys.listTags(KEY), []);
      assert.equal(await s.keys.getAlias(REGION, 'alias/x'), undefined);
      assert.deepEqual(await s.keys.getPolicyPrincipals(KEY), {});
      await createKey(s);
      assert.deepEqual((await s.keys.listKeys(REGION, undefined, 10)).items.map((k) => k.id), [KEY], 'the store works after the rollback');
    }));

    it('a unit of work that succeeds keeps every change', withStore(factory, async (s) => {
      await s.withTransaction(async () => {
        await createKey(s);
        await s.keys.putTags(KEY, [{ key: 't', value: 'v' }]);
      });
      assert.equal((await s.keys.getKey(KEY))?.id, KEY);
      assert.deepEqual(await s.keys.listTags(KEY), [{ key: 't', value: 'v' }]);
    }));
  });
}
