import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';

/**
 * A better-sqlite3 handle, opened durable: WAL with `synchronous=FULL`, so a commit survives power loss.
 * Write transactions must be `.immediate()`: with several processes on one file (`arca dev --workers`), a
 * deferred transaction that reads and then writes fails with SQLITE_BUSY instead of waiting its turn.
 */
export type SqliteDatabase = Database.Database;

/** The migration list and the read-cached tables, kept in migrations.ts; re-exported for existing importers. */
export { CACHED_TABLES, MIGRATIONS } from './migrations.js';

const afterCommit = new WeakMap<SqliteDatabase, (() => void)[]>();

/**
 * Runs `step` now, or, when the connection is inside a transaction (a mutation running in the audit
 * transaction, ADR 0005), once that transaction has committed; dropped if it rolls back. For steps that
 * cannot run inside a transaction, such as `wal_checkpoint`.
 */
export function whenCommitted(db: SqliteDatabase, step: () => void): void {
  if (!db.inTransaction) return step();
  const steps = afterCommit.get(db) ?? [];
  steps.push(step);
  afterCommit.set(db, steps);
}

/** Runs the steps deferred by {@link whenCommitted} (`committed: true`) or drops them (rollback). */
export function transactionEnded(db: SqliteDatabase, committed: boolean): void {
  const steps = afterCommit.get(db) ?? [];
  afterCommit.delete(db);
  if (committed) for (const step of steps) step();
}

/** Opens (creating if needed) and migrates the database at `path` (`:memory:` for tests). */
export function openDatabase(path: string): SqliteDatabase {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // Deleted rows (shredded key material) are overwritten with zeros, not left in free pages.
  db.pragma('secure_delete = ON');
  db.pragma('busy_timeout = 5000');
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)');
  const applied = new Set(db.prepare<[], { id: string }>('SELECT id FROM schema_migrations').all().map((r) => r.id));
  for (const m of [...MIGRATIONS].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    if (applied.has(m.id)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (id) VALUES (?)').run(m.id);
    }).immediate();
  }
  return db;
}
