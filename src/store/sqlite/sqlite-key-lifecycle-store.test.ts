import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KeyRecord } from '../../core/key.js';
import { openDatabase } from './database.js';
import { SqliteKeyLifecycleStore } from './sqlite-key-lifecycle-store.js';
import { SqliteKeyStore } from './sqlite-key-store.js';

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const T0 = new Date('2026-01-01T00:00:00Z');

async function setup() {
  const db = openDatabase(':memory:');
  db.prepare('INSERT INTO domain_keys (version, wrapped) VALUES (1, ?)').run(Buffer.alloc(8));
  const keys = new SqliteKeyStore(db);
  const store = new SqliteKeyLifecycleStore(db);
  const key: KeyRecord = {
    id: KEY,
    region: 'us-east-1',
    createdAt: T0,
    description: '',
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    origin: 'AWS_KMS',
    state: 'Enabled',
    primaryVersion: 1,
    policy: '{}',
  };
  await keys.createKey(key, { keyId: KEY, version: 1, domainKeyVersion: 1, wrappedMaterial: Buffer.from('wrapped-1'), createdAt: T0 }, []);
  const version = (n: number) => ({ keyId: KEY, version: n, domainKeyVersion: 1, wrappedMaterial: Buffer.from(`wrapped-${n}`), createdAt: T0 });
  return { db, keys, store, version };
}

describe('SqliteKeyLifecycleStore', () => {
  it('adds a version only over the primary version the caller saw, so a repeated rotation changes nothing', async () => {
    const { keys, store, version } = await setup();
    await store.setRotation(KEY, { enabled: true, periodDays: 1, nextRotationAt: T0 });
    const next = new Date(T0.getTime() + 86_400_000);
    assert.equal(await store.addVersion(version(2), 'AUTOMATIC', 1, next), true);
    assert.equal(await store.addVersion(version(2), 'AUTOMATIC', 1, next), false, 'the same rotation run twice');
    assert.equal((await keys.getKey(KEY))?.primaryVersion, 2);
    assert.deepEqual((await store.listVersions(KEY)).map((v) => [v.version, v.rotationType]), [[1, undefined], [2, 'AUTOMATIC']]);
    assert.deepEqual((await store.getRotation(KEY))?.nextRotationAt, next, 'the due date moved in the same transaction');
    assert.deepEqual(await store.dueRotations(T0), []);
  });

  it('lists due rotations only for Enabled keys with rotation enabled', async () => {
    const { keys, store } = await setup();
    await store.setRotation(KEY, { enabled: true, periodDays: 1, nextRotationAt: T0 });
    assert.deepEqual(await store.dueRotations(T0), [KEY]);
    await keys.updateKey(KEY, { state: 'Disabled' });
    assert.deepEqual(await store.dueRotations(T0), []);
    await keys.updateKey(KEY, { state: 'Enabled' });
    await store.setRotation(KEY, { enabled: false, periodDays: 1 });
    assert.deepEqual(await store.dueRotations(T0), []);
  });

  it('destroys a key only when its deletion is due, once, leaving a tombstone and a destruction record', async () => {
    const { db, keys, store, version } = await setup();
    await store.addVersion(version(2), 'ON_DEMAND', 1);
    const due = new Date(T0.getTime() + 7 * 86_400_000);
    assert.equal(await store.destroyKey(KEY, due), undefined, 'not pending deletion');
    await store.scheduleDeletion(KEY, due);
    assert.equal(await store.destroyKey(KEY, new Date(due.getTime() - 1)), undefined, 'not yet due');
    assert.deepEqual(await store.dueDeletions(due), [KEY]);
    const record = await store.destroyKey(KEY, due);
    assert.deepEqual(record, { keyId: KEY, versions: [1, 2], destroyedAt: due });
    assert.equal(await store.destroyKey(KEY, due), undefined, 'a second run does nothing');
    assert.deepEqual(await store.getDestruction(KEY), record);
    assert.equal(await keys.getKey(KEY), undefined, 'a destroyed key no longer exists for operations');
    assert.deepEqual((await keys.listKeys('us-east-1', undefined, 10)).items, []);
    assert.equal(db.prepare('SELECT COUNT(*) AS n FROM key_versions').pluck().get(), 0);
    assert.equal(db.prepare('SELECT COUNT(*) AS n FROM keys').pluck().get(), 1, 'the tombstone stays');
    assert.deepEqual(await store.dueDeletions(due), []);
  });

  it('CancelKeyDeletion leaves the key Disabled with no deletion date', async () => {
    const { keys, store } = await setup();
    await store.scheduleDeletion(KEY, T0);
    await store.cancelDeletion(KEY);
    const key = await keys.getKey(KEY);
    assert.equal(key?.state, 'Disabled');
    assert.equal(key?.deletionDate, undefined);
    assert.equal(await store.destroyKey(KEY, T0), undefined);
  });
});
