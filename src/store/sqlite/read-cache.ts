import type { ReadFreshness } from '../../core/ports.js';
import { CACHED_TABLES, type SqliteDatabase } from './database.js';

/** Rows of one kind kept at most; reaching it empties that kind (rows are read again on demand). */
export const READ_CACHE_LIMIT = 10_000;

/** What a store reads through: the cache, or {@link DIRECT_READS} (every read goes to the database). */
export interface ReadThrough {
  read<T>(kind: string, id: string, load: () => T): T;
}

export const DIRECT_READS: ReadThrough = { read: (_kind, _id, load) => load() };

/** The caches on each connection, told of every write it makes to a cached table (temp triggers). */
const CACHES = new WeakMap<SqliteDatabase, Set<SqliteReadCache>>();

/** Tells `cache` whenever `db` itself writes a cached table, committed or not. */
function watchLocalWrites(db: SqliteDatabase, cache: SqliteReadCache): void {
  let caches = CACHES.get(db);
  if (caches === undefined) {
    const watching = new Set<SqliteReadCache>();
    caches = watching;
    CACHES.set(db, watching);
    db.function('arca_read_cache_write', () => {
      for (const c of watching) c.clear();
      return null;
    });
    for (const table of CACHED_TABLES) {
      for (const w of ['INSERT', 'UPDATE', 'DELETE']) {
        db.exec(`CREATE TEMP TRIGGER IF NOT EXISTS ${table}_${w.toLowerCase()}_read_cache AFTER ${w} ON main.${table} BEGIN SELECT arca_read_cache_write(); END`);
      }
    }
  }
  caches.add(cache);
}

/**
 * In-memory copies of the rows every request reads (access keys, principals and their policies and tags,
 * keys, aliases, tags, grants), so that a request reads at most one counter instead of eight rows.
 *
 * Two signals keep it exact:
 * - this connection's own writes to those tables, committed or not, empty it at once (temporary
 *   triggers calling a function of this process);
 * - every write by any connection or process bumps `read_generation` (triggers of migration 0007).
 *   {@link refresh}, called as each request starts, reads it at most once per turn of the event loop
 *   and empties the cache when it changed. Requests start from the I/O callbacks of a turn, after the
 *   poll that delivered their bytes, so a change another process committed before a client sent its
 *   request is seen by that request (the worker processes of `arca dev --workers`).
 *
 * Inside a transaction (a mutation holds the audit transaction across its awaits, ADR 0005) the
 * connection sees uncommitted rows: they are neither served from nor stored into the cache, because a
 * rollback would leave the cache holding rows that never existed. A counter read inside a transaction
 * may include its own uncommitted bumps, so a change seen there disables the cache until a refresh
 * outside a transaction reads the committed counter again.
 */
export class SqliteReadCache implements ReadThrough, ReadFreshness {
  readonly #db: SqliteDatabase;
  readonly #generation;
  /** The counter the cached rows are current for; -1: unknown, read directly. */
  #seen = -1;
  /** Whether the counter was read in this turn of the event loop. */
  #checked = false;
  readonly #endTurn = (): void => {
    this.#checked = false;
  };
  readonly #kinds = new Map<string, Map<string, unknown>>();

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#generation = db.prepare<[], number>('SELECT n FROM read_generation WHERE id = 1').pluck();
    watchLocalWrites(db, this);
  }

  refresh(): void {
    if (this.#checked) return;
    const n = this.#generation.get() ?? -1;
    this.#checked = true;
    setImmediate(this.#endTurn);
    if (n === this.#seen) return;
    this.clear();
    this.#checked = true;
    if (!this.#db.inTransaction) this.#seen = n;
  }

  read<T>(kind: string, id: string, load: () => T): T {
    if (this.#seen < 0 || this.#db.inTransaction) return load();
    let rows = this.#kinds.get(kind);
    if (rows === undefined) this.#kinds.set(kind, (rows = new Map()));
    if (rows.has(id)) return rows.get(id) as T;
    const value = load();
    if (rows.size >= READ_CACHE_LIMIT) rows.clear();
    rows.set(id, value);
    return value;
  }

  /** Empties the cache; the next refresh reads the counter again. */
  clear(): void {
    this.#seen = -1;
    this.#checked = false;
    for (const rows of this.#kinds.values()) rows.clear();
  }

  /** Rows cached now, for tests. */
  get size(): number {
    let n = 0;
    for (const rows of this.#kinds.values()) n += rows.size;
    return n;
  }
}
