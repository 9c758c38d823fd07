import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { at, createKey, KEY, keyId, keyVersion, T0, withStore, type StoreFactory, REGION } from './fixture.js';

/** The KeyLifecycleStore port (core/ports.ts): rotation, versions, deletion schedules, crypto-shredding. */
export function keyLifecycleStoreContract(factory: StoreFactory): void {
  describe('KeyLifecycleStore: rotation and versions', () => {
    it('keeps rotation settings; undefined until set; disabling clears the next rotation date', withStore(factory, async (s) => {
      await createKey(s);
      assert.equal(await s.lifecycle.getRotation(KEY), undefined);
      await s.lifecycle.setRotation(KEY, { enabled: true, periodDays: 90, nextRotationAt: at(90) });
      assert.deepEqual(await s.lifecycle.getRotation(KEY), { enabled: true, periodDays: 90, nextRotationAt: at(90) });
      await s.lifecycle.setRotation(KEY, { enabled: false, periodDays: 90, nextRotationAt: at(90) });
      assert.deepEqual(await s.lifecycle.getRotation(KEY), { enabled: false, periodDays: 90, nextRotationAt: undefined });
    }));

    it('adds a version only over the primary version the caller saw, moving the next rotation in the same step', withStore(factory, async (s) => {
      await createKey(s);
      await s.lifecycle.setRotation(KEY, { enabled: true, periodDays: 1, nextRotationAt: T0 });
      assert.equal(await s.lifecycle.addVersion(keyVersion(KEY, 2), 'AUTOMATIC', 1, at(1)), true);
      assert.equal(await s.lifecycle.addVersion(keyVersion(KEY, 2), 'AUTOMATIC', 1, at(1)), false, 'the same rotation run twice');
      assert.equal((await s.keys.getKey(KEY))?.primaryVersion, 2);
      assert.deepEqual(await s.keys.getKeyVersion(KEY, 2), keyVersion(KEY, 2));
      assert.deepEqual(await s.lifecycle.listVersions(KEY), [
        { version: 1, createdAt: at(0), rotationType: undefined },
        { version: 2, createdAt: at(1), rotationType: 'AUTOMATIC' },
      ]);
      assert.deepEqual((await s.lifecycle.getRotation(KEY))?.nextRotationAt, at(1));
    }));

    it('an on-demand rotation of a key without automatic rotation sets no rotation date', withStore(factory, async (s) => {
      await createKey(s);
      assert.equal(await s.lifecycle.addVersion(keyVersion(KEY, 2), 'ON_DEMAND', 1, at(5)), true);
      assert.equal(await s.lifecycle.getRotation(KEY), undefined);
      await s.lifecycle.setRotation(KEY, { enabled: false, periodDays: 30 });
      assert.equal(await s.lifecycle.addVersion(keyVersion(KEY, 3), 'ON_DEMAND', 2, at(5)), true);
      assert.equal((await s.lifecycle.getRotation(KEY))?.nextRotationAt, undefined);
    }));

    it('refuses a version that does not follow the expected primary; answers false for an unknown key', withStore(factory, async (s) => {
      await createKey(s);
      await assert.rejects(s.lifecycle.addVersion(keyVersion(KEY, 3), 'ON_DEMAND', 1));
      assert.equal(await s.lifecycle.addVersion(keyVersion(keyId(9), 2), 'ON_DEMAND', 1), false);
      assert.deepEqual((await s.lifecycle.listVersions(KEY)).map((v) => v.version), [1]);
      assert.deepEqual(await s.lifecycle.listVersions(keyId(9)), []);
    }));

    it('lists due rotations of Enabled keys with rotation enabled, earliest first', withStore(factory, async (s) => {
      for (const n of [1, 2, 3, 4]) await createKey(s, keyId(n));
      await s.lifecycle.setRotation(keyId(1), { enabled: true, periodDays: 1, nextRotationAt: at(2) });
      await s.lifecycle.setRotation(keyId(2), { enabled: true, periodDays: 1, nextRotationAt: at(1) });
      await s.lifecycle.setRotation(keyId(3), { enabled: true, periodDays: 1, nextRotationAt: at(3) });
      await s.lifecycle.setRotation(keyId(4), { enabled: false, periodDays: 1 });
      assert.deepEqual(await s.lifecycle.dueRotations(at(2)), [keyId(2), keyId(1)]);
      await s.keys.updateKey(keyId(2), { state: 'Disabled' });
      assert.deepEqual(await s.lifecycle.dueRotations(at(2)), [keyId(1)]);
      assert.deepEqual(await s.lifecycle.dueRotations(at(0)), []);
    }));
  });

  describe('KeyLifecycleStore: deletion and destruction', () => {
    it('schedules and cancels a deletion: PendingDeletion with a date, then Disabled without one', withStore(factory, async (s) => {
      await createKey(s);
      await s.lifecycle.scheduleDeletion(KEY, at(7));
      assert.deepEqual([(await s.keys.getKey(KEY))?.state, (await s.keys.getKey(KEY))?.deletionDate], ['PendingDeletion', at(7)]);
      await s.lifecycle.cancelDeletion(KEY);
      const key = await s.keys.getKey(KEY);
      assert.equal(key?.state, 'Disabled');
      assert.equal(key?.deletionDate, undefined);
      assert.deepEqual(await s.lifecycle.dueDeletions(at(7)), []);
    }));

    it('lists due deletions earliest first, only pending ones whose date has come', withStore(factory, async (s) => {
      for (const n of [1, 2, 3]) await createKey(s, keyId(n));
      await s.lifecycle.scheduleDeletion(keyId(1), at(9));
      await s.lifecycle.scheduleDeletion(keyId(2), at(8));
      await s.lifecycle.scheduleDeletion(keyId(3), at(20));
      assert.deepEqual(await s.lifecycle.dueDeletions(at(10)), [keyId(2), keyId(1)]);
      assert.deepEqual(await s.lifecycle.dueDeletions(at(7)), []);
    }));

    it('destroys a key only when due, once: material, aliases and rotation go, a tombstone and a record stay', withStore(factory, async (s) => {
      await createKey(s, KEY, {}, [{ key: 't', value: 'v' }]);
      await createKey(s, keyId(2));
      await s.lifecycle.addVersion(keyVersion(KEY, 2), 'ON_DEMAND', 1);
      await s.lifecycle.setRotation(KEY, { enabled: true, periodDays: 1, nextRotationAt: T0 });
      await s.keys.createAlias({ region: REGION, name: 'alias/doomed', keyId: KEY, createdAt: T0, updatedAt: T0 });
      await s.keys.createAlias({ region: REGION, name: 'alias/other', keyId: keyId(2), createdAt: T0, updatedAt: T0 });
      assert.equal(await s.lifecycle.destroyKey(KEY, at(7)), undefined, 'not pending deletion');
      await s.lifecycle.scheduleDeletion(KEY, at(7));
      assert.equal(await s.lifecycle.destroyKey(KEY, new Date(at(7).getTime() - 1)), undefined, 'not yet due');
      const record = await s.lifecycle.destroyKey(KEY, at(7));
      assert.deepEqual(record, { keyId: KEY, versions: [1, 2], destroyedAt: at(7) });
      assert.equal(await s.lifecycle.destroyKey(KEY, at(8)), undefined, 'a second run does nothing');
      assert.deepEqual(await s.lifecycle.getDestruction(KEY), record);
      assert.equal(await s.keys.getKey(KEY), undefined, 'a destroyed key no longer exists for operations');
      assert.equal(await s.keys.getKeyVersion(KEY, 1), undefined);
      assert.deepEqual(await s.lifecycle.listVersions(KEY), []);
      assert.equal(await s.keys.getAlias(REGION, 'alias/doomed'), undefined);
      assert.equal((await s.keys.getAlias(REGION, 'alias/other'))?.keyId, keyId(2), 'other keys keep their aliases');
      assert.equal(await s.lifecycle.getRotation(KEY), undefined);
      assert.deepEqual(await s.lifecycle.dueDeletions(at(30)), []);
      assert.deepEqual(await s.lifecycle.dueRotations(at(30)), []);
      assert.deepEqual(await s.keys.listTags(KEY), [{ key: 't', value: 'v' }], 'tags are metadata: they stay with the tombstone');
      await s.lifecycle.scrub();
    }));

    it('a destroyed key leaves the key list but its id stays a valid marker', withStore(factory, async (s) => {
      for (const n of [1, 2, 3]) await createKey(s, keyId(n));
      await s.lifecycle.scheduleDeletion(keyId(2), T0);
      await s.lifecycle.destroyKey(keyId(2), T0);
      assert.deepEqual((await s.keys.listKeys(REGION, undefined, 10)).items.map((k) => k.id), [keyId(1), keyId(3)]);
      assert.deepEqual((await s.keys.listKeys(REGION, keyId(2), 10)).items.map((k) => k.id), [keyId(3)]);
    }));

    it('a destroyed key cannot be rescheduled, cancelled or rotated back to life', withStore(factory, async (s) => {
      await createKey(s);
      await s.lifecycle.scheduleDeletion(KEY, T0);
      await s.lifecycle.destroyKey(KEY, T0);
      await s.lifecycle.cancelDeletion(KEY);
      await s.lifecycle.scheduleDeletion(KEY, at(1));
      assert.equal(await s.lifecycle.addVersion(keyVersion(KEY, 2), 'ON_DEMAND', 1), false);
      assert.equal(await s.keys.getKey(KEY), undefined);
      assert.deepEqual(await s.lifecycle.dueDeletions(at(2)), []);
      assert.equal(await s.lifecycle.getDestruction(keyId(9)), undefined);
    }));

    it('a failed unit of work undoes a rotation and a destruction', withStore(factory, async (s) => {
      await createKey(s);
      await s.keys.createAlias({ region: REGION, name: 'alias/a', keyId: KEY, createdAt: T0, updatedAt: T0 });
      await assert.rejects(
        s.withTransaction(async () => {
          await s.lifecycle.addVersion(keyVersion(KEY, 2), 'ON_DEMAND', 1);
          await s.lifecycle.scheduleDeletion(KEY, T0);
          assert.ok(await s.lifecycle.destroyKey(KEY, T0));
          await s.lifecycle.scrub();
          throw new Error('rolled back');
        }),
        /rolled back/,
      );
      const key = await s.keys.getKey(KEY);
      assert.deepEqual([key?.state, key?.primaryVersion, key?.deletionDate], ['Enabled', 1, undefined]);
      assert.deepEqual((await s.lifecycle.listVersions(KEY)).map((v) => v.version), [1]);
      assert.equal((await s.keys.getAlias(REGION, 'alias/a'))?.keyId, KEY);
      assert.equal(await s.lifecycle.getDestruction(KEY), undefined);
    }));
  });
}
