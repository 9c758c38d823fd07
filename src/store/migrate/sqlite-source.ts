import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, type SqliteDatabase } from '../sqlite/database.js';
import type { TableSpec } from './tables.js';

/** Why a data directory cannot be copied; the command reports it and exits 2, having written nothing. */
export class MigrationRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationRefused';
  }
}

/** The database file of a data directory (what `arca dev` and `arca server` open). */
export const SQLITE_FILE = 'arca.db';

/**
 * A SQLite data directory opened for copying, with the whole file to itself: `locking_mode=EXCLUSIVE`
 * and `BEGIN EXCLUSIVE`, which in WAL mode fails at once (SQLITE_BUSY) while any other connection has the
 * database open, so a running server (even idle) makes the migration refuse, and no server can open it
 * until {@link close}. Nothing is written: the transaction is rolled back and the file's schema is not
 * migrated (a data directory from an older Arca must be opened once by the current one first).
 */
export class SqliteSource implements Disposable {
  readonly db: SqliteDatabase;
  readonly path: string;

  private constructor(db: SqliteDatabase, path: string) {
    this.db = db;
    this.path = path;
  }

  /** Opens `dataDir/arca.db` exclusively; refuses a missing file, a served one or an outdated schema. */
  static open(dataDir: string): SqliteSource {
    const path = join(dataDir, SQLITE_FILE);
    if (!existsSync(path)) throw new MigrationRefused(`${path} does not exist: --from must be an Arca data directory`);
    const db = new Database(path, { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 0');
      db.pragma('locking_mode = EXCLUSIVE');
      try {
        db.exec('BEGIN EXCLUSIVE');
        // The first read in exclusive mode takes the lock on the shared-memory index too.
        db.prepare('SELECT COUNT(*) FROM sqlite_master').get();
      } catch (e) {
        if (isBusy(e)) throw new MigrationRefused(`${path} is in use (a running arca dev or arca server?): stop the server before migrating`);
        throw e;
      }
      const source = new SqliteSource(db, path);
      source.#checkSchema();
      return source;
    } catch (e) {
      db.close();
      throw e;
    }
  }

  #checkSchema(): void {
    const hasTable = this.db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    if (hasTable?.n !== 1) throw new MigrationRefused(`${this.path} is not an Arca database (no schema_migrations table)`);
    const applied = new Set(this.db.prepare<[], { id: string }>('SELECT id FROM schema_migrations').all().map((r) => r.id));
    const missing = MIGRATIONS.map((m) => m.id).filter((id) => !applied.has(id));
    if (missing.length > 0) throw new MigrationRefused(`${this.path} lacks schema migrations ${missing.join(', ')}: start this Arca version on it once (arca dev/server), stop it, then migrate`);
    const unknown = [...applied].filter((id) => !MIGRATIONS.some((m) => m.id === id));
    if (unknown.length > 0) throw new MigrationRefused(`${this.path} has schema migrations this Arca does not know (${unknown.join(', ')}): migrate with the Arca version that wrote it`);
    const legacy = this.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM audit_events WHERE leaf_hash IS NULL').get()?.n ?? 0;
    if (legacy > 0) throw new MigrationRefused(`${this.path} has ${legacy} audit events without leaf hashes: start this Arca version on it once to upgrade its trail, stop it, then migrate`);
    // PostgreSQL serves the latest head's stored checkpoint signature and never signs one on demand (ADR 0013).
    const latest = this.db.prepare<[], { missing: number }>('SELECT checkpoint_signature IS NULL AS missing FROM audit_tree_heads ORDER BY tree_size DESC LIMIT 1').get();
    if (latest?.missing === 1) {
      throw new MigrationRefused(`${this.path}: the latest audit tree head predates checkpoint signatures: start this Arca version on it, make one request (a new head is signed at the next checkpoint), stop it, then migrate`);
    }
  }

  /** The trail's chain id (`audit_meta`), or undefined when the store never wrote an audit event. */
  chainId(): string | undefined {
    return this.db.prepare<[], { value: string }>("SELECT value FROM audit_meta WHERE name = 'chain_id'").get()?.value;
  }

  /** The trail's Ed25519 signing public key, or undefined when none was made yet. */
  signingPublicKey(): Buffer | undefined {
    return this.db.prepare<[], { public_key: Buffer }>('SELECT public_key FROM audit_signing_keys WHERE id = 1').get()?.public_key;
  }

  /** The sealed root's kind when the store has a seal record (a production server's), else undefined. */
  sealKind(): string | undefined {
    return this.db.prepare<[], { kind: string }>('SELECT kind FROM seal_config WHERE id = 1').get()?.kind;
  }

  /** Rows of a copied table. */
  count(spec: TableSpec): number {
    return this.db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM ${spec.table}`).get()?.n ?? 0;
  }

  /** A table's rows in pages of `size`, the spec's columns in the spec's order (constant SQL: names from TableSpec only). */
  *pages(spec: TableSpec, size: number): Generator<Record<string, unknown>[]> {
    const columns = Object.keys(spec.columns);
    const statement = this.db.prepare<[], Record<string, unknown>>(`SELECT ${columns.join(', ')} FROM ${spec.table} ORDER BY ${spec.orderBy}`);
    let page: Record<string, unknown>[] = [];
    for (const row of statement.iterate()) {
      page.push(row);
      if (page.length === size) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  }

  /** Rolls back the read transaction and closes the file, releasing the exclusive lock. */
  close(): void {
    if (!this.db.open) return;
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.db.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

function isBusy(e: unknown): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' && e.code.startsWith('SQLITE_BUSY');
}
