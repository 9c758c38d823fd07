import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { describeWithPostgres } from '../../../test/helpers/postgres.js';
import { AuditWriter } from '../../audit/audit-writer.js';
import type { AuditEvent } from '../../core/audit.js';
import { ed25519Sign, generateEd25519 } from '../../crypto/ed25519.js';
import { verifyInclusion } from '../../crypto/merkle.js';
import { sampleEvent } from '../contract/audit-fixture.js';
import { keyRecord, keyVersion } from '../contract/fixture.js';
import { openDatabase } from '../sqlite/database.js';
import { sqliteKeyInventory, sqliteKeyWatch } from '../sqlite/sqlite-key-inventory.js';
import { SqliteKeyLifecycleStore } from '../sqlite/sqlite-key-lifecycle-store.js';
import { addKeyWatchFixture, WATCH_IMPORTS, WATCH_NOW, WATCH_SOON } from '../contract/key-watch-fixture.js';
import { SqliteKeyStore } from '../sqlite/sqlite-key-store.js';
import { PostgresDatabase } from './database.js';
import { PostgresAuditChains } from './postgres-audit-chains.js';
import { PostgresAuditRows } from './postgres-audit-rows.js';
import { PostgresAuditTrail } from './postgres-audit-trail.js';
import { postgresKeyInventory, postgresKeyWatch } from './postgres-key-inventory.js';
import { PostgresKeyLifecycleStore } from './postgres-key-lifecycle-store.js';
import { PostgresKeyStore } from './postgres-key-store.js';
import { PostgresRewrapStore } from './postgres-rewrap-store.js';
import { PostgresUnitOfWork } from './postgres-unit-of-work.js';

const clock = { now: () => new Date(Date.UTC(2026, 0, 2)) };
const pair = generateEd25519();
const signer = { publicKey: pair.publicKey, sign: (m: Uint8Array) => ed25519Sign(pair.privateKeyDer, m) };

/** Event `n` of a node, naming `keyArn` (the same event ids on every node: they are unique per chain only). */
function event(n: number, keyArn: string): AuditEvent {
  const e = sampleEvent(n);
  return { ...e, resources: [{ ARN: keyArn, type: 'AWS::KMS::Key' }] };
}

describeWithPostgres('PostgreSQL audit trail: one chain per node in one database', (cluster) => {
  const opened: PostgresDatabase[] = [];
  after(() => Promise.all(opened.map((d) => d.close())));

  async function database(): Promise<PostgresDatabase> {
    const pg = await PostgresDatabase.open({ url: cluster().url(await cluster().createDatabase()), pool: { max: 4 } });
    opened.push(pg);
    return pg;
  }

  /** One node on `pg`: its writer (signer attached) and its trail. */
  async function node(pg: PostgresDatabase, name: string) {
    const writer = await AuditWriter.open(new PostgresUnitOfWork(pg), new PostgresAuditRows(pg, name), { clock, checkpointEvery: 1_000_000 });
    writer.attachSigner(signer);
    const trail = new PostgresAuditTrail(pg, () => writer.chainId, () => signer.publicKey, () => writer.checkpoint(), signer.sign, ['Encrypt']);
    return { writer, trail };
  }

  it("a node's trail, proofs and tree heads hold only its own chain's events", async () => {
    const pg = await database();
    const [a, b] = [await node(pg, 'alpha'), await node(pg, 'beta')];
    const keyA = 'arn:aws:kms:us-east-1:111122223333:key/a';
    const keyB = 'arn:aws:kms:us-east-1:111122223333:key/b';
    const ea = await Promise.all([1, 2, 3, 4, 5].map((i) => a.writer.appendEvent(event(i, keyA))));
    const eb = await Promise.all([1, 2].map((i) => b.writer.appendEvent(event(i, keyB))));
    const [ha, hb] = [await a.trail.checkpoint(), await b.trail.checkpoint()];
    assert.deepEqual([ha?.treeSize, ha?.chainId, hb?.treeSize, hb?.chainId], [5, a.writer.chainId, 2, b.writer.chainId]);

    const page = await a.trail.queryEvents({}, undefined, 100);
    assert.deepEqual(page.items.map((e) => [e.eventID, e.arca?.chainId]), [5, 4, 3, 2, 1].map((i) => [`event-${i}`, a.writer.chainId]));
    assert.deepEqual((await a.trail.queryEvents({ keyArn: keyB }, undefined, 100)).items, []);
    assert.deepEqual((await b.trail.queryEvents({ keyArn: keyB }, undefined, 100)).items.map((e) => e.eventID), ['event-2', 'event-1']);
    assert.deepEqual(await a.trail.getEvent('event-1'), ea[0]);
    assert.deepEqual(await b.trail.getEvent('event-1'), eb[0]);
    assert.equal(await b.trail.getEvent('event-3'), undefined);
    assert.deepEqual((await b.trail.entriesInRange(1, 100)).map((e) => e.leafHash), eb.map((e) => e.arca?.leafHash));
    assert.equal(await b.trail.leafHash(3), undefined);
    assert.deepEqual((await a.trail.treeHeads()).map((h) => h.treeSize), [5]);
    assert.deepEqual(await b.trail.latestTreeHead(), hb);
    assert.equal(await b.trail.treeHead(5), undefined);
    assert.equal((await a.trail.lastUsage(keyA))?.eventId, 'event-5');
    assert.equal(await a.trail.lastUsage(keyB), undefined);
    assert.equal((await b.trail.lastUsage(keyB))?.eventId, 'event-2');

    const leafB = Buffer.from(eb[1]?.arca?.leafHash ?? '', 'hex');
    assert.equal(verifyInclusion(leafB, 1, 2, await b.trail.inclusionProof(2, 2), Buffer.from(hb?.rootHash ?? '', 'hex')), true);
    await assert.rejects(b.trail.inclusionProof(3, 5), /no stored hash/);
    await assert.rejects(b.trail.consistencyProof(2, 5), /no stored hash/);

    // Pruning one node's trail leaves the other's.
    assert.equal(await a.writer.prune('2027-01-01T00:00:00.000Z'), 5);
    assert.deepEqual((await a.trail.queryEvents({}, undefined, 100)).items, []);
    assert.equal((await b.trail.queryEvents({}, undefined, 100)).items.length, 2);
    a.writer.close();
    b.writer.close();
  });

  it('listChains: every node with its chain id, event count and latest signed tree head', async () => {
    const pg = await database();
    const chains = new PostgresAuditChains(pg);
    assert.deepEqual(await chains.listChains(), []);
    const [a, b] = [await node(pg, 'alpha'), await node(pg, 'beta')];
    const gamma = new PostgresAuditRows(pg, 'gamma');
    await gamma.chainId(); // a node that started and wrote nothing
    await Promise.all([1, 2, 3].map((i) => a.writer.appendEvent(sampleEvent(i))));
    const head = await a.writer.checkpoint();
    await a.writer.appendEvent(sampleEvent(4)); // after the head: counted, not covered
    await Promise.all([1, 2].map((i) => b.writer.appendEvent(sampleEvent(i))));
    await new PostgresAuditRows(pg, 'alpha').putSigningKey(signer.publicKey, { domainKeyVersion: 1, wrapped: Buffer.from('wrapped') });
    const listed = await chains.listChains();
    assert.deepEqual(
      listed.map(({ createdAt, ...rest }) => (assert.ok(createdAt instanceof Date), rest)),
      [
        { node: 'alpha', chainId: a.writer.chainId, events: 4, latestTreeHead: head, publicKey: signer.publicKey },
        { node: 'beta', chainId: b.writer.chainId, events: 2, latestTreeHead: undefined, publicKey: Buffer.alloc(0) },
        { node: 'gamma', chainId: await gamma.chainId(), events: 0, latestTreeHead: undefined, publicKey: Buffer.alloc(0) },
      ],
    );
    a.writer.close();
    b.writer.close();
  });

  it("trailOf: a read-only trail over another node's chain, with its stored key; it signs nothing", async () => {
    const pg = await database();
    const chains = new PostgresAuditChains(pg);
    const [a, b] = [await node(pg, 'alpha'), await node(pg, 'beta')];
    await new PostgresAuditRows(pg, 'alpha').putSigningKey(signer.publicKey, { domainKeyVersion: 1, wrapped: Buffer.from('wrapped') });
    await Promise.all([1, 2, 3].map((i) => a.writer.appendEvent(sampleEvent(i))));
    const head = await a.writer.checkpoint();
    await a.writer.appendEvent(sampleEvent(4));
    await b.writer.appendEvent(sampleEvent(1));
    const foreign = await chains.trailOf(a.writer.chainId, ['Encrypt']);
    assert.ok(foreign !== undefined);
    assert.equal(foreign.chainId(), a.writer.chainId);
    assert.deepEqual(foreign.publicKey(), signer.publicKey);
    assert.equal(foreign.signStatement(Buffer.from('x')), undefined);
    assert.deepEqual(await foreign.checkpoint(), head, 'the latest stored head: event 4 stays unsigned');
    assert.equal((await foreign.checkpointNote())?.treeHead.treeSize, 3);
    assert.deepEqual((await foreign.queryEvents({}, undefined, 10)).items.map((e) => e.eventID), ['event-4', 'event-3', 'event-2', 'event-1']);
    assert.equal((await foreign.entriesInRange(1, 10)).length, 4);
    assert.deepEqual((await chains.trailOf(b.writer.chainId, []))?.publicKey(), Buffer.alloc(0), 'a chain without a stored key');
    assert.equal(await chains.trailOf('no-such-chain', []), undefined);
    a.writer.close();
    b.writer.close();
  });

  it("the rewrap store lists and rewraps every node's audit signing key, each by its chain id", async () => {
    const pg = await database();
    const [a, b] = [new PostgresAuditRows(pg, 'alpha'), new PostgresAuditRows(pg, 'beta')];
    await a.putSigningKey(Buffer.from('pub-a'), { domainKeyVersion: 1, wrapped: Buffer.from('priv-a') });
    await b.putSigningKey(Buffer.from('pub-b'), { domainKeyVersion: 2, wrapped: Buffer.from('priv-b') });
    const rewrap = new PostgresRewrapStore(pg);
    const stale = await rewrap.listStale(3, 100);
    assert.deepEqual(
      stale.map((r) => [r.kind, r.id, r.domainKeyVersion, r.wrapped.toString()]).sort(),
      [['audit-signing-key', await a.chainId(), 1, 'priv-a'], ['audit-signing-key', await b.chainId(), 2, 'priv-b']].sort(),
    );
    for (const row of stale) assert.equal(await rewrap.replaceWrapping(row, { domainKeyVersion: 3, wrapped: Buffer.from(`new-${row.wrapped.toString()}`) }), true);
    assert.deepEqual((await a.getSigningKey())?.wrapped, { domainKeyVersion: 3, wrapped: Buffer.from('new-priv-a') });
    assert.deepEqual((await b.getSigningKey())?.wrapped, { domainKeyVersion: 3, wrapped: Buffer.from('new-priv-b') });
    assert.equal(await rewrap.countStale(3), 0);
  });

  it('postgresKeyInventory counts keys by state and key spec, as SQLite does', async () => {
    const pg = await database();
    const sqlite = openDatabase(':memory:');
    const stores = [new PostgresKeyStore(pg), new SqliteKeyStore(sqlite)];
    const keys = [
      keyRecord({ id: 'k1' }),
      keyRecord({ id: 'k2' }),
      keyRecord({ id: 'k3', state: 'Disabled' }),
      keyRecord({ id: 'k4', keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' }),
      keyRecord({ id: 'k5', state: 'PendingDeletion', deletionDate: new Date(Date.UTC(2026, 1, 1)) }),
    ];
    for (const s of stores) {
      await s.addDomainKey(1, Buffer.from('domain-key-1'));
      for (const k of keys) await s.createKey(k, keyVersion(k.id, 1), []);
    }
    const counts = await postgresKeyInventory(pg)();
    assert.deepEqual(counts, [
      { state: 'Disabled', spec: 'SYMMETRIC_DEFAULT', count: 1 },
      { state: 'Enabled', spec: 'ECC_NIST_P256', count: 1 },
      { state: 'Enabled', spec: 'SYMMETRIC_DEFAULT', count: 2 },
      { state: 'PendingDeletion', spec: 'SYMMETRIC_DEFAULT', count: 1 },
    ]);
    assert.deepEqual(counts, sqliteKeyInventory(sqlite)());
    sqlite.close();
  });

  it('postgresKeyWatch counts overdue rotations and expiring imported material, as SQLite does', async () => {
    const pg = await database();
    const sqlite = openDatabase(':memory:');
    await addKeyWatchFixture(new PostgresKeyStore(pg), new PostgresKeyLifecycleStore(pg));
    await addKeyWatchFixture(new SqliteKeyStore(sqlite), new SqliteKeyLifecycleStore(sqlite));
    const add = sqlite.prepare('INSERT INTO key_imports (key_id, version, fingerprint, expiration_model, valid_to, imported_at) VALUES (?, 1, ?, ?, ?, ?)');
    for (const [id, model, to] of WATCH_IMPORTS) {
      add.run(id, Buffer.alloc(4), model, to?.getTime() ?? null, 0);
      await pg.db.query('INSERT INTO key_imports (key_id, version, fingerprint, expiration_model, valid_to, imported_at) VALUES ($1, 1, $2, $3, $4, $5)', [id, Buffer.alloc(4), model, to, new Date(0)]);
    }
    const watch = await postgresKeyWatch(pg)(WATCH_NOW, WATCH_SOON);
    assert.deepEqual(watch, { rotationOverdue: 2, materialExpiringSoon: 1, nextMaterialExpiration: new Date(WATCH_NOW.getTime() + 3 * 86_400_000) });
    assert.deepEqual(watch, sqliteKeyWatch(sqlite)(WATCH_NOW, WATCH_SOON));
    sqlite.close();
  });
});
