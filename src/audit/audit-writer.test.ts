import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { AuditRows } from '../core/audit-rows.js';
import type { UnitOfWork } from '../core/unit-of-work.js';
import { ed25519Sign, generateEd25519 } from '../crypto/ed25519.js';
import { leafHash, rootOf } from '../crypto/merkle.js';
import { sampleEvent } from '../store/contract/audit-fixture.js';
import { MemoryAuditRows } from '../store/memory/memory-audit-rows.js';
import { MemoryDatabase } from '../store/memory/memory-database.js';
import { MemoryUnitOfWork } from '../store/memory/memory-unit-of-work.js';
import { openDatabase } from '../store/sqlite/database.js';
import { SqliteAuditRows } from '../store/sqlite/sqlite-audit-rows.js';
import { SqliteUnitOfWork } from '../store/sqlite/sqlite-unit-of-work.js';
import { AuditWriter, type AuditWriterOptions } from './audit-writer.js';

const clock = { now: () => new Date(Date.UTC(2026, 0, 2)) };
const dir = mkdtempSync(join(tmpdir(), 'arca-audit-writer-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Store {
  readonly uow: UnitOfWork;
  readonly rows: AuditRows;
  close(): void;
}

let files = 0;
const stores: Record<string, () => Store> = {
  memory: () => {
    const db = new MemoryDatabase();
    return { uow: new MemoryUnitOfWork(db), rows: new MemoryAuditRows(db), close: () => undefined };
  },
  'SQLite file (wal-fdatasync)': () => {
    const db = openDatabase(join(dir, `t${++files}.db`));
    const uow = new SqliteUnitOfWork(db);
    assert.equal(uow.syncsAfterCommit, true);
    return { uow, rows: new SqliteAuditRows(db), close: () => (uow.close(), db.close()) };
  },
};

/** Fails instead of hanging: a deadlock shows as a failed test, not a stuck suite. */
function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms (deadlock?)`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

for (const [name, open] of Object.entries(stores)) {
  for (const sharedWriters of [false, true]) {
    describe(`AuditWriter over ${name}${sharedWriters ? ', shared writers' : ''}`, () => {
      const writer = (s: Store, o: Partial<AuditWriterOptions> = {}) => AuditWriter.open(s.uow, s.rows, { clock, sharedWriters, ...o });

      it('appends from inside and outside a running unit at the same time all finish, gap-free', async () => {
        const s = open();
        try {
          const w = await writer(s);
          const pending: Promise<unknown>[] = [];
          const unit = w.runAudited(async () => {
            pending.push(w.appendEvent(sampleEvent(1)));
            await new Promise((r) => setTimeout(r, 5));
            pending.push(w.appendEvent(sampleEvent(2)));
            return { event: sampleEvent(3), keep: true };
          });
          pending.push(w.appendEvent(sampleEvent(4)));
          await new Promise((r) => setImmediate(r));
          pending.push(w.appendEvent(sampleEvent(5)), w.runAudited(async () => ({ event: sampleEvent(6), keep: false })));
          await within(5000, Promise.all([unit, ...pending]), 'appends and units');
          assert.equal(w.size, 6);
          const listed = (await w.list());
          assert.deepEqual(listed.map((e) => e.arca?.sequence), [1, 2, 3, 4, 5, 6]);
          assert.deepEqual(new Set(listed.map((e) => e.eventID)), new Set([1, 2, 3, 4, 5, 6].map((n) => `event-${n}`)));
        } finally {
          s.close();
        }
      });

      it('runAudited: keep:false undoes the work but records the event; a failed work records nothing', async () => {
        const s = open();
        try {
          const w = await writer(s);
          const probe = (n: number) => s.rows.insertTreeHead({ treeSize: n, rootHash: Buffer.alloc(32), timestamp: 't', signature: Buffer.alloc(1), checkpointSignature: Buffer.alloc(1) });
          await w.runAudited(async () => (await probe(100), { event: sampleEvent(1), keep: false }));
          assert.equal(await s.rows.latestTreeHeadSize(), 0);
          await w.runAudited(async () => (await probe(200), { event: sampleEvent(2), keep: true }));
          assert.equal(await s.rows.latestTreeHeadSize(), 200);
          await assert.rejects(w.runAudited(async () => (await probe(300), assert.fail('work failed'))));
          assert.equal(await s.rows.latestTreeHeadSize(), 200);
          assert.deepEqual((await w.list()).map((e) => e.eventID), ['event-1', 'event-2']);
        } finally {
          s.close();
        }
      });

      it('group commit: many appends get consecutive sequences; a checkpoint signs the root of all of them', async () => {
        const s = open();
        try {
          const w = await writer(s, { checkpointEvery: 1_000_000 });
          const { privateKeyDer, publicKey } = generateEd25519();
          w.attachSigner({ publicKey, sign: (m) => ed25519Sign(privateKeyDer, m) });
          const recorded = await within(5000, Promise.all(Array.from({ length: 40 }, (_, i) => w.appendEvent(sampleEvent(i + 1)))), 'appends');
          assert.deepEqual(recorded.map((e) => e.arca?.sequence), Array.from({ length: 40 }, (_, i) => i + 1));
          const head = await w.checkpoint();
          assert.equal(head?.treeSize, 40);
          const leaves = recorded.map((e) => Buffer.from(e.arca?.leafHash ?? '', 'hex'));
          assert.equal(head?.rootHash, rootOf(leaves).toString('hex'));
          assert.ok(leaves.every((l) => l.length === 32 && !l.equals(leafHash(Buffer.alloc(0)))));
          assert.equal(await w.checkpoint(), undefined, 'nothing new to cover');
          privateKeyDer.dispose();
        } finally {
          s.close();
        }
      });
    });
  }
}
