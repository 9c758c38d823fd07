import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KmsError } from '../../core/errors.js';
import type { AliasRecord } from '../../core/key.js';
import { at, createKey, KEY, keyId, keyRecord, REGION, T0, withStore, type StoreFactory } from './fixture.js';

const alias = (name: string, id = KEY): AliasRecord => ({ region: REGION, name, keyId: id, createdAt: T0, updatedAt: T0 });

/** The alias methods of the KeyStore port (core/ports.ts). */
export function aliasStoreContract(factory: StoreFactory): void {
  describe('KeyStore: aliases', () => {
    it('returns a created alias; undefined for an unknown name', withStore(factory, async (s) => {
      await createKey(s);
      await s.keys.createAlias(alias('alias/app'));
      assert.deepEqual(await s.keys.getAlias(REGION, 'alias/app'), alias('alias/app'));
      assert.equal(await s.keys.getAlias(REGION, 'alias/other'), undefined);
    }));

    it('rejects a taken name with AlreadyExists, as AWS words it, and keeps the first alias', withStore(factory, async (s) => {
      await createKey(s, keyId(1));
      await createKey(s, keyId(2));
      await s.keys.createAlias(alias('alias/app', keyId(1)));
      await assert.rejects(s.keys.createAlias(alias('alias/app', keyId(2))), (e: unknown) => {
        assert.ok(e instanceof KmsError);
        assert.equal(e.code, 'AlreadyExists');
        assert.equal(e.message, 'An alias with the name alias/app already exists');
        return true;
      });
      assert.equal((await s.keys.getAlias(REGION, 'alias/app'))?.keyId, keyId(1));
    }));

    it('updateAlias points the alias at another key and keeps its creation date; unknown names are ignored', withStore(factory, async (s) => {
      await createKey(s, keyId(1));
      await createKey(s, keyId(2));
      await s.keys.createAlias(alias('alias/app', keyId(1)));
      await s.keys.updateAlias(REGION, 'alias/app', keyId(2), at(1));
      assert.deepEqual(await s.keys.getAlias(REGION, 'alias/app'), { region: REGION, name: 'alias/app', keyId: keyId(2), createdAt: T0, updatedAt: at(1) });
      await s.keys.updateAlias(REGION, 'alias/none', keyId(2), at(1));
      assert.equal(await s.keys.getAlias(REGION, 'alias/none'), undefined);
    }));

    it('deleteAlias frees the name; deleting an unknown name does nothing', withStore(factory, async (s) => {
      await createKey(s);
      await s.keys.createAlias(alias('alias/app'));
      await s.keys.deleteAlias(REGION, 'alias/app');
      await s.keys.deleteAlias(REGION, 'alias/none');
      assert.equal(await s.keys.getAlias(REGION, 'alias/app'), undefined);
      await s.keys.createAlias(alias('alias/app'));
      assert.equal((await s.keys.getAlias(REGION, 'alias/app'))?.keyId, KEY);
    }));

    it('lists aliases by name, of every key or of one, a page at a time after the marker name', withStore(factory, async (s) => {
      await createKey(s, keyId(1));
      await createKey(s, keyId(2));
      for (const [name, id] of [['alias/c', keyId(1)], ['alias/a', keyId(2)], ['alias/b', keyId(1)], ['alias/d', keyId(1)]] as const) await s.keys.createAlias(alias(name, id));
      const all = await s.keys.listAliases(REGION, undefined, undefined, 10);
      assert.deepEqual(all.items.map((a) => a.name), ['alias/a', 'alias/b', 'alias/c', 'alias/d']);
      assert.equal(all.next, undefined);
      const first = await s.keys.listAliases(REGION, keyId(1), undefined, 2);
      assert.deepEqual(first.items.map((a) => a.name), ['alias/b', 'alias/c']);
      assert.equal(first.next, 'alias/c');
      const second = await s.keys.listAliases(REGION, keyId(1), first.next, 2);
      assert.deepEqual(second.items.map((a) => a.name), ['alias/d']);
      assert.equal(second.next, undefined);
      // The marker is a position, not a row: a name that is not an alias starts the page after it.
      assert.deepEqual((await s.keys.listAliases(REGION, undefined, 'alias/bb', 10)).items.map((a) => a.name), ['alias/c', 'alias/d']);
      assert.deepEqual((await s.keys.listAliases(REGION, keyId(9), undefined, 10)).items, []);
    }));

    it('orders names by their bytes, as SQLite compares text (upper case before lower case)', withStore(factory, async (s) => {
      await createKey(s);
      for (const name of ['alias/b', 'alias/B', 'alias/a-1', 'alias/a_1']) await s.keys.createAlias(alias(name));
      assert.deepEqual((await s.keys.listAliases(REGION, KEY, undefined, 10)).items.map((a) => a.name), ['alias/B', 'alias/a-1', 'alias/a_1', 'alias/b']);
    }));

    it('enforces no quota: the 50-aliases-per-key limit belongs to CreateAlias, and pages go past it', withStore(factory, async (s) => {
      await createKey(s);
      const names = Array.from({ length: 51 }, (_, i) => `alias/a${String(i).padStart(2, '0')}`);
      for (const name of names) await s.keys.createAlias(alias(name));
      const first = await s.keys.listAliases(REGION, KEY, undefined, 50);
      assert.equal(first.items.length, 50);
      assert.equal(first.next, names[49]);
      assert.deepEqual((await s.keys.listAliases(REGION, KEY, first.next, 50)).items.map((a) => a.name), [names[50]]);
    }));

    it('a failed unit of work undoes alias changes, leaving the aliases as they were', withStore(factory, async (s) => {
      await createKey(s, keyId(1));
      await createKey(s, keyId(2));
      await s.keys.createAlias(alias('alias/keep', keyId(1)));
      await assert.rejects(
        s.withTransaction(async () => {
          await s.keys.updateAlias(REGION, 'alias/keep', keyId(2), at(1));
          await s.keys.createAlias(alias('alias/new', keyId(2)));
          await s.keys.deleteAlias(REGION, 'alias/keep');
          throw new Error('rolled back');
        }),
      );
      assert.deepEqual(await s.keys.getAlias(REGION, 'alias/keep'), alias('alias/keep', keyId(1)));
      assert.equal(await s.keys.getAlias(REGION, 'alias/new'), undefined);
    }));

    it('alias names are unique per region: the same name in two regions, each listed and changed in its own (ADR 0022)', withStore(factory, async (s) => {
      await createKey(s, keyId(1));
      await createKey(s, keyId(2), { region: 'eu-central-1' });
      await s.keys.createAlias(alias('alias/app', keyId(1)));
      await s.keys.createAlias({ ...alias('alias/app', keyId(2)), region: 'eu-central-1' });
      assert.equal((await s.keys.getAlias(REGION, 'alias/app'))?.keyId, keyId(1));
      assert.equal((await s.keys.getAlias('eu-central-1', 'alias/app'))?.keyId, keyId(2));
      assert.equal(await s.keys.getAlias('ap-south-1', 'alias/app'), undefined);
      assert.deepEqual((await s.keys.listAliases('eu-central-1', undefined, undefined, 10)).items.map((a) => [a.region, a.keyId]), [['eu-central-1', keyId(2)]]);
      await s.keys.deleteAlias('eu-central-1', 'alias/app');
      assert.equal((await s.keys.getAlias(REGION, 'alias/app'))?.keyId, keyId(1), 'deleting in one region leaves the other');
      assert.equal(await s.keys.getAlias('eu-central-1', 'alias/app'), undefined);
      void keyRecord;
    }));
  });
}
