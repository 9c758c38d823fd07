import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BUSY } from '../../core/unit-of-work.js';
import { openDatabase } from './database.js';
import { SqliteUnitOfWork } from './sqlite-unit-of-work.js';

describe('SqliteUnitOfWork', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arca-uow-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('tryNow answers BUSY while another connection (process) holds the write lock, and keeps the busy timeout', async () => {
    const path = join(dir, 'shared.db');
    const other = openDatabase(path);
    const db = openDatabase(path);
    const uow = new SqliteUnitOfWork(db);
    try {
      other.exec('BEGIN IMMEDIATE');
      const started = Date.now();
      assert.equal(await uow.tryNow(async () => db.prepare("INSERT INTO audit_meta (name, value) VALUES ('x', '1')").run()), BUSY);
      assert.ok(Date.now() - started < 1000, 'answered at once, not after the busy timeout');
      assert.equal(db.pragma('busy_timeout', { simple: true }), 5000);
      other.exec('COMMIT');
      assert.notEqual(await uow.tryNow(async () => db.prepare("INSERT INTO audit_meta (name, value) VALUES ('x', '1')").run()), BUSY);
      assert.equal(other.prepare<[], { value: string }>("SELECT value FROM audit_meta WHERE name = 'x'").get()?.value, '1');
    } finally {
      uow.close();
      db.close();
      other.close();
    }
  });

  it('wal-fdatasync commits with synchronous=NORMAL and leaves the connection at FULL; sqlite-full never syncs after commit', async () => {
    const db = openDatabase(join(dir, 'durable.db'));
    const uow = new SqliteUnitOfWork(db);
    const full = new SqliteUnitOfWork(db, { durability: 'sqlite-full' });
    try {
      assert.equal(uow.syncsAfterCommit, true);
      assert.equal(full.syncsAfterCommit, false);
      const during = await uow.run(async () => db.pragma('synchronous', { simple: true }));
      assert.equal(during, 1, 'NORMAL inside the unit');
      assert.equal(db.pragma('synchronous', { simple: true }), 2, 'FULL again after it');
      await uow.sync();
      uow.syncNow();
    } finally {
      uow.close();
      full.close();
      db.close();
    }
    assert.equal(uow.syncsAfterCommit, false, 'closed: nothing left to sync');
  });
});
