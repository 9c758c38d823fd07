import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { KeyRecord } from '../../core/key.js';
import { CACHED_TABLES, openDatabase } from './database.js';
import { READ_CACHE_LIMIT, SqliteReadCache } from './read-cache.js';
import { SqliteGrantStore } from './sqlite-grant-store.js';
import { SqlitePrincipalStore } from './sqlite-principal-store.js';
import { SqliteKeyFacts } from './sqlite-key-facts.js';
import { SqliteKeyStore } from './sqlite-key-store.js';

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const T0 = new Date('2026-01-01T00:00:00Z');
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function key(state: KeyRecord['state'] = 'Enabled'): KeyRecord {
  return { id: KEY, region: 'us-east-1', createdAt: T0, description: '', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS', state, primaryVersion: 1, policy: '{}' };
}

/** Two connections on one database file, as two worker processes have; a cached store on the first. */
async function twoConnections() {
  const dir = mkdtempSync(join(tmpdir(), 'arca-read-cache-'));
  dirs.push(dir);
  const file = join(dir, 'arca.db');
  const db = openDatabase(file);
  const other = openDatabase(file);
  db.prepare('INSERT INTO domain_keys (version, wrapped) VALUES (1, ?)').run(Buffer.alloc(8));
  const cache = new SqliteReadCache(db);
  const keys = new SqliteKeyStore(db, cache);
  await new SqliteKeyStore(other).createKey(key(), undefined, []);
  return { db, other, cache, keys, otherKeys: new SqliteKeyStore(other) };
}

describe('SqliteReadCache', () => {
  it('counts hits and misses: a first read misses, a repeat hits, a read after a change misses again', async () => {
    const { cache, keys, otherKeys } = await twoConnections();
    cache.refresh();
    await keys.getKey(KEY);
    await keys.getKey(KEY);
    await keys.getKey(KEY);
    assert.deepEqual(cache.stats, { hits: 2, misses: 1 });
    await otherKeys.updateKey(KEY, { state: 'Disabled' });
    cache.refresh();
    await keys.getKey(KEY);
    assert.deepEqual(cache.stats, { hits: 2, misses: 2 });
  });

  it('every write to a cached table bumps the generation', () => {
    const db = openDatabase(':memory:');
    const generation = () => db.prepare('SELECT n FROM read_generation').pluck().get() as number;
    const triggers = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_generation'").pluck().all();
    assert.equal(triggers.length, CACHED_TABLES.length * 3);
    const before = generation();
    db.prepare("INSERT INTO principals (id, type, name, arn, created_at) VALUES ('p', 'user', 'alice', 'arn', 0)").run();
    db.prepare("UPDATE principals SET name = 'bob' WHERE id = 'p'").run();
    db.prepare("DELETE FROM principals WHERE id = 'p'").run();
    assert.equal(generation(), before + 3);
    db.prepare("INSERT INTO audit_meta (name, value) VALUES ('x', 'y')").run();
    assert.equal(generation(), before + 3, 'other tables do not');
  });

  it('serves the cached row until another connection commits a change, then reads it again', async () => {
    const { cache, keys, otherKeys } = await twoConnections();
    cache.refresh();
    const first = await keys.getKey(KEY);
    assert.equal(await keys.getKey(KEY), first, 'the same object: served from the cache');
    await otherKeys.updateKey(KEY, { state: 'Disabled' });
    assert.equal((await keys.getKey(KEY))?.state, 'Enabled', 'until the next refresh (a request start)');
    cache.refresh();
    assert.equal((await keys.getKey(KEY))?.state, 'Disabled');
  });

  it("sees this connection's own writes from the next refresh (through a store that does not read through the cache)", async () => {
    const { db, cache, keys } = await twoConnections();
    cache.refresh();
    assert.equal((await keys.getKey(KEY))?.state, 'Enabled');
    await new SqliteKeyStore(db).updateKey(KEY, { state: 'Disabled' }); // a store that does not read through the cache
    cache.refresh();
    assert.equal((await keys.getKey(KEY))?.state, 'Disabled');
  });

  it('caches missing rows too, until one is created', async () => {
    const { cache, keys, otherKeys } = await twoConnections();
    cache.refresh();
    assert.equal(await keys.getAlias('us-east-1', 'alias/x'), undefined);
    await otherKeys.createAlias({ region: 'us-east-1', name: 'alias/x', keyId: KEY, createdAt: T0, updatedAt: T0 });
    assert.equal(await keys.getAlias('us-east-1', 'alias/x'), undefined, 'until the next refresh');
    cache.refresh();
    assert.equal((await keys.getAlias('us-east-1', 'alias/x'))?.keyId, KEY);
  });

  it('neither serves nor keeps rows while the connection is inside a transaction, and survives a rollback', async () => {
    const { db, cache, keys } = await twoConnections();
    cache.refresh();
    assert.equal((await keys.getKey(KEY))?.state, 'Enabled');
    db.exec('BEGIN IMMEDIATE');
    await keys.updateKey(KEY, { state: 'Disabled' });
    cache.refresh(); // a request starting while a mutation holds the transaction
    assert.equal((await keys.getKey(KEY))?.state, 'Disabled', 'the transaction reads its own write');
    db.exec('ROLLBACK');
    assert.equal((await keys.getKey(KEY))?.state, 'Enabled', 'the uncommitted row was not kept');
    cache.refresh();
    assert.equal((await keys.getKey(KEY))?.state, 'Enabled');
    assert.equal(cache.size, 1);
  });

  it('a generation seen inside a transaction is not trusted after it (no stale row after rollback then commit)', async () => {
    const { db, cache, keys, otherKeys } = await twoConnections();
    cache.refresh();
    await keys.getKey(KEY);
    db.exec('BEGIN IMMEDIATE');
    await keys.updateKey(KEY, { description: 'rolled back' });
    cache.refresh(); // sees its own uncommitted bump
    db.exec('ROLLBACK');
    await otherKeys.updateKey(KEY, { state: 'Disabled' }); // the counter returns to where the rollback left it, plus one
    cache.refresh();
    assert.equal((await keys.getKey(KEY))?.state, 'Disabled');
  });

  it('reads through for tags, aliases, grants, principals, access keys and identity policies, all invalidated by a write', async () => {
    const { db, other, cache } = await twoConnections();
    const facts = new SqliteKeyFacts(db, cache);
    const grants = new SqliteGrantStore(db, cache);
    const identities = new SqlitePrincipalStore(db, cache);
    const otherIdentities = new SqlitePrincipalStore(other);
    await otherIdentities.createPrincipal({ id: 'p1', type: 'user', name: 'alice', arn: 'arn:aws:iam::111122223333:user/alice', createdAt: T0 });
    await otherIdentities.createAccessKey({ accessKeyId: 'AKIA1', principalId: 'p1', status: 'Active', wrappedSecret: Buffer.alloc(4), domainKeyVersion: 1, createdAt: T0 });
    cache.refresh();
    const reads = async () => [
      await facts.listTags(KEY),
      await facts.listAliases('us-east-1', KEY, undefined, 100),
      await grants.grantsForKey(KEY),
      await identities.getPrincipal('p1'),
      await identities.getAccessKey('AKIA1'),
      await identities.listPrincipalPolicies('p1'),
      await identities.listPrincipalTags('p1'),
    ];
    const first = await reads();
    const second = await reads();
    first.forEach((v, i) => assert.equal(second[i], v, `read ${i} served from the cache`));
    await otherIdentities.updateAccessKeyStatus('AKIA1', 'Inactive');
    cache.refresh();
    assert.equal((await identities.getAccessKey('AKIA1'))?.status, 'Inactive');
    const third = await reads();
    third.forEach((v, i) => (typeof v === 'object' && v !== null ? assert.notEqual(v, first[i], `read ${i} read again`) : undefined));
  });

  it('stays bounded', async () => {
    const { cache, keys } = await twoConnections();
    cache.refresh();
    for (let i = 0; i <= READ_CACHE_LIMIT; i++) await keys.getAlias('us-east-1', `alias/${i}`);
    assert.ok(cache.size <= READ_CACHE_LIMIT);
  });

  it('clear empties it until the next refresh', async () => {
    const { cache, keys } = await twoConnections();
    cache.refresh();
    await keys.getKey(KEY);
    cache.clear();
    assert.equal(cache.size, 0);
    await keys.getKey(KEY);
    assert.equal(cache.size, 0, 'not kept before a refresh');
  });
});
