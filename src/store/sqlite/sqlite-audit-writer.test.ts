import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { exportLines, verifyExport } from '../../audit/verify-log.js';
import type { AuditEvent } from '../../core/audit.js';
import { ed25519Sign, generateEd25519 } from '../../crypto/ed25519.js';
import { openDatabase } from './database.js';
import { sqliteAuditWriter } from '../../server/audit-wiring.js';
import { SqliteAuditTrail } from './sqlite-audit-trail.js';
import { testAuditEvent } from '../../../test/helpers/audit-events.js';

const clock = { now: () => new Date('2026-01-01T00:00:00Z') };

/** Runs `test` with the path of a database file in a fresh directory, removed afterwards. */
async function withDatabaseFile(test: (file: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'arca-audit-'));
  try {
    await test(join(dir, 'a.db'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function legacyEvent(i: number): AuditEvent {
  return testAuditEvent(i, { eventTime: `2025-12-31T00:00:0${i}.000Z`, eventName: 'ListKeys', userAgent: 'old', requestParameters: null });
}

describe('AuditWriter on SQLite', () => {
  it('gives events recorded before the verifiable trail existed their place in it', async () => {
    const db = openDatabase(':memory:');
    const insert = db.prepare('INSERT INTO audit_events (event_id, event_time, event_name, request_id, error_code, body) VALUES (?, ?, ?, ?, ?, ?)');
    for (const i of [1, 2, 3]) {
      const e = legacyEvent(i);
      insert.run(e.eventID, e.eventTime, e.eventName, e.requestID, null, JSON.stringify(e));
    }
    const log = await sqliteAuditWriter(db, { clock, checkpointEvery: 1000 });
    const pair = generateEd25519();
    log.attachSigner({ publicKey: pair.publicKey, sign: (m) => ed25519Sign(pair.privateKeyDer, m) });
    assert.equal(log.size, 3);
    await log.append({ ...legacyEvent(4), userAgent: 'new' });
    await log.checkpoint();
    assert.deepEqual((await log.list()).map((e) => [e.eventID, e.arca?.sequence]), [['e1', 1], ['e2', 2], ['e3', 3], ['e4', 4]]);
    const trail = new SqliteAuditTrail(db, () => log.chainId, () => pair.publicKey, () => undefined, () => undefined, []);
    const lines = exportLines({ arcaAuditExport: 1, chainId: log.chainId, publicKey: pair.publicKey.toString('base64') }, await trail.entriesInRange(1, 10), await trail.treeHeads());
    assert.equal(verifyExport(lines, pair.publicKey).ok, true);
  });

  it('a failed group commit rejects its appends and leaves no gap in the sequence', async () => {
    const db = openDatabase(':memory:');
    const log = await sqliteAuditWriter(db, { clock });
    await log.append(legacyEvent(1));
    db.exec(`CREATE TRIGGER boom BEFORE INSERT ON audit_events BEGIN SELECT RAISE(FAIL, 'disk full'); END`);
    await assert.rejects(Promise.all([log.append(legacyEvent(2)), log.append(legacyEvent(3))]), /disk full/);
    db.exec('DROP TRIGGER boom');
    await log.append(legacyEvent(4));
    assert.deepEqual((await log.list()).map((e) => e.arca?.sequence), [1, 2]);
    assert.equal(log.size, 2);
  });

  it('runAudited: a failed operation is rolled back but recorded; a failed event write rolls back the change', async () => {
    const db = openDatabase(':memory:');
    db.exec('CREATE TABLE t (v TEXT)');
    const log = await sqliteAuditWriter(db, { clock });
    await log.runAudited(async () => {
      db.prepare("INSERT INTO t VALUES ('failed-op')").run();
      return { event: legacyEvent(1), keep: false };
    });
    await log.runAudited(async () => {
      db.prepare("INSERT INTO t VALUES ('ok')").run();
      return { event: legacyEvent(2), keep: true };
    });
    db.exec(`CREATE TRIGGER boom BEFORE INSERT ON audit_events BEGIN SELECT RAISE(FAIL, 'disk full'); END`);
    await assert.rejects(
      log.runAudited(async () => {
        db.prepare("INSERT INTO t VALUES ('unaudited')").run();
        return { event: legacyEvent(3), keep: true };
      }),
      /disk full/,
    );
    assert.deepEqual(db.prepare<[], { v: string }>('SELECT v FROM t').all().map((r) => r.v), ['ok']);
    assert.equal(log.size, 2);
  });

  for (const durability of ['wal-fdatasync', 'sqlite-full'] as const) {
    it(`${durability}: concurrent appends and a mutation are on disk after a reopen`, async () => {
      await withDatabaseFile(async (file) => {
        let db = openDatabase(file);
        db.exec('CREATE TABLE t (v TEXT)');
        const log = await sqliteAuditWriter(db, { clock, durability });
        await Promise.all([1, 2, 3, 4, 5].map((i) => log.append(legacyEvent(i))));
        await log.runAudited(async () => {
          db.prepare("INSERT INTO t VALUES ('changed')").run();
          return { event: legacyEvent(6), keep: true };
        });
        await Promise.all([7, 8].map((i) => log.append(legacyEvent(i))));
        log.close();
        db.close();
        db = openDatabase(file);
        const reopened = await sqliteAuditWriter(db, { clock, durability });
        assert.deepEqual((await reopened.list()).map((e) => e.arca?.sequence), [1, 2, 3, 4, 5, 6, 7, 8]);
        assert.equal(db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM t').get()?.n, 1);
        assert.equal(db.pragma('synchronous', { simple: true }), 2, 'the connection is left at synchronous=FULL');
        reopened.close();
        db.close();
      });
    });
  }

  it('a failed fdatasync rejects the appends it was to make durable, alone or in a batch, and nothing crashes', async () => {
    await withDatabaseFile(async (file) => {
      const db = openDatabase(file);
      const log = await sqliteAuditWriter(db, { clock });
      await log.append(legacyEvent(1)); // a lone event: synced on the event loop
      // Close the writer's own read-only handle on the WAL (SQLite's handle is read-write): its syncs fail.
      const ours = readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === `${file}-wal` && (Number.parseInt(/flags:\s+(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1] ?? '2', 8) & 3) === 0;
        } catch {
          return false;
        }
      });
      assert.equal(ours.length, 1, 'the writer holds one read-only handle on the WAL');
      closeSync(Number(ours[0]));
      await assert.rejects(log.append(legacyEvent(2)), /EBADF/, 'a lone event');
      const batch = await Promise.allSettled([3, 4, 5].map((i) => log.append(legacyEvent(i))));
      assert.ok(batch.every((r) => r.status === 'rejected'), 'a batch');
      db.close();
    });
  });

  it('shared writers: a write lock held by another process does not block the event loop; the batch commits once it is free', async () => {
    await withDatabaseFile(async (file) => {
      const db = openDatabase(file);
      const log = await sqliteAuditWriter(db, { clock, sharedWriters: true });
      const other = openDatabase(file);
      other.exec('BEGIN IMMEDIATE'); // another worker process committing
      let settled = false;
      const appended = log.append(legacyEvent(1)).finally(() => (settled = true));
      const started = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 50)); // a blocked event loop would not come back for 5 s
      assert.ok(Date.now() - started < 1000, 'the event loop kept turning');
      assert.equal(settled, false, 'the event waits for the lock');
      other.exec('COMMIT');
      await appended;
      assert.equal(log.size, 1);
      assert.equal(db.pragma('busy_timeout', { simple: true }), 5000, 'other statements still wait for the lock');
      other.close();
      db.close();
    });
  });

  it('several writers sharing one database (arca dev --workers) keep one gap-free, verifiable trail', async () => {
    await withDatabaseFile(async (file) => {
      const pair = generateEd25519();
      const signer = { publicKey: pair.publicKey, sign: (m: Uint8Array) => ed25519Sign(pair.privateKeyDer, m) };
      const dbs = [openDatabase(file), openDatabase(file)];
      const logs = await Promise.all(dbs.map((db) => sqliteAuditWriter(db, { clock, checkpointEvery: 4 })));
      logs.forEach((l) => l.attachSigner(signer));
      for (let round = 0; round < 5; round++) {
        await Promise.all(logs.flatMap((l, w) => [1, 2, 3].map((i) => l.append(legacyEvent(round * 10 + w * 3 + i)))));
        await logs[round % 2]?.checkpoint();
      }
      await logs[1]?.checkpoint();
      const db = dbs[0];
      assert.ok(db);
      const seqs = db.prepare<[], { seq: number }>('SELECT seq FROM audit_events ORDER BY seq').all().map((r) => r.seq);
      assert.deepEqual(seqs, Array.from({ length: 30 }, (_, i) => i + 1));
      const trail = new SqliteAuditTrail(db, () => logs[0]?.chainId ?? '', () => pair.publicKey, () => undefined, () => undefined, []);
      const heads = await trail.treeHeads();
      assert.ok(heads.length >= 3);
      assert.equal(heads.at(-1)?.treeSize, 30);
      const lines = exportLines({ arcaAuditExport: 1, chainId: logs[0]?.chainId ?? '', publicKey: pair.publicKey.toString('base64') }, await trail.entriesInRange(1, 100), heads);
      const report = verifyExport(lines, pair.publicKey);
      assert.equal(report.ok, true, JSON.stringify(report.divergence));
      logs.forEach((l) => l.close());
      dbs.forEach((d) => d.close());
    });
  });
});
