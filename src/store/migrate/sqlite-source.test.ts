import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openDatabase } from '../sqlite/database.js';
import { MigrationRefused, SqliteSource } from './sqlite-source.js';
import { convert } from './tables.js';

describe('SqliteSource: what a migration reads from', () => {
  const dirs: string[] = [];
  const dataDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'arca-source-'));
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const refused = (pattern: RegExp) => (e: unknown) => e instanceof MigrationRefused && pattern.test(e.message);

  it('refuses a directory without arca.db', () => {
    assert.throws(() => SqliteSource.open(dataDir()), refused(/does not exist/));
  });

  it('refuses a database another connection has open (a running server), and locks out servers while open', () => {
    const dir = dataDir();
    const served = openDatabase(join(dir, 'arca.db'));
    assert.throws(() => SqliteSource.open(dir), refused(/is in use/));
    served.close();
    const source = SqliteSource.open(dir);
    assert.throws(() => new Database(join(dir, 'arca.db'), { timeout: 50 }).prepare('SELECT COUNT(*) FROM keys').get(), /locked/);
    source.close();
    openDatabase(join(dir, 'arca.db')).close();
  });

  it('refuses a schema from an older Arca (a migration not applied), without migrating it', () => {
    const dir = dataDir();
    const db = openDatabase(join(dir, 'arca.db'));
    db.prepare("DELETE FROM schema_migrations WHERE id = '0009-audit-tiles'").run();
    db.close();
    assert.throws(() => SqliteSource.open(dir), refused(/lacks schema migrations 0009-audit-tiles/));
  });

  it('refuses a trail whose latest tree head has no checkpoint signature (PostgreSQL never signs one on demand)', () => {
    const dir = dataDir();
    const db = openDatabase(join(dir, 'arca.db'));
    const head = db.prepare('INSERT INTO audit_tree_heads (tree_size, root_hash, timestamp, signature, checkpoint_signature) VALUES (?, ?, ?, ?, ?)');
    head.run(1, Buffer.alloc(32), '2026-01-01T00:00:00.000Z', Buffer.alloc(64), null);
    db.close();
    assert.throws(() => SqliteSource.open(dir), refused(/latest audit tree head predates checkpoint signatures/));
    const again = openDatabase(join(dir, 'arca.db'));
    again.prepare('INSERT INTO audit_tree_heads (tree_size, root_hash, timestamp, signature, checkpoint_signature) VALUES (?, ?, ?, ?, ?)').run(2, Buffer.alloc(32), '2026-01-01T00:00:01.000Z', Buffer.alloc(64), Buffer.alloc(64));
    again.close();
    SqliteSource.open(dir).close();
  });

  it('converts SQLite values to PostgreSQL parameters, and rejects values of the wrong type', () => {
    assert.deepEqual(convert('time', 1_700_000_000_123, 't.c'), new Date(1_700_000_000_123));
    assert.equal(convert('time', null, 't.c'), null);
    assert.equal(convert('bool', 1, 't.c'), true);
    assert.equal(convert('bool', 0, 't.c'), false);
    assert.deepEqual(convert('intArray', '[1,3]', 't.c'), [1, 3]);
    assert.deepEqual(convert('bytesOrEmpty', null, 't.c'), Buffer.alloc(0));
    assert.throws(() => convert('time', 'soon', 'keys.created_at'), /keys\.created_at: not an epoch-millisecond time/);
    assert.throws(() => convert('intArray', '{"a":1}', 'key_destructions.versions'), /not a JSON array of integers/);
  });
});
