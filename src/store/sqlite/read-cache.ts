import type { ReadFreshness } from '../../core/ports.js';
import type { SqliteDatabase } from './database.js';

/** Rows of one kind kept at most; reaching it empties that kind (rows are read again on demand). */
export const READ_CACHE_LIMIT = 10_000;

/** What a store reads through: the cache, or {@link DIRECT_READS} (every read goes to the database). */
export interface ReadThrough {
  read<T>(kind: string, id: string, load: () => T): T;
}

/** What {@link SqliteReadCache.stats} counts. */
export interface ReadCacheStats {
  readonly hits: number;
  readonly misses: number;
}

export const DIRECT_READS: ReadThrough = { read: (_kind, _id, load) => load() };

/**
 * In-memory copies of the rows every request reads (access keys, principals and their policies and tags,
 * keys, aliases, tags, grants), so that a request reads one counter instead of eight rows.
 *
 * Every write to those tables, by any connection or process, bumps `read_generation` (triggers of
 * migration 0007). {@link refresh}, called as each request starts, reads it and empties the cache when it
 * moved: a request sees every change committed before it started, as with direct reads, also across the
 * worker processes of `arca dev --workers` (ADR 0008).
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
  readonly #kinds = new Map<string, Map<string, unknown>>();
  #hits = 0;
  #misses = 0;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#generation = db.prepare<[], number>('SELECT n FROM read_generation WHERE id = 1').pluck();
  }

  refresh(): void {
    const n = this.#generation.get() ?? -1;
    if (n === this.#seen) return;
    this.clear();
    if (!this.#db.inTransaction) this.#seen = n;
  }

  read<T>(kind: string, id: string, load: () => T): T {
    if (this.#seen < 0 || this.#db.inTransaction) {
      this.#misses += 1;
      return load();
    }
    let rows = this.#kinds.get(kind);
    if (rows === undefined) this.#kinds.set(kind, (rows = new Map()));
    if (rows.has(id)) {
      this.#hits += 1;
      return rows.get(id) as T;
    }
    this.#misses += 1;
    const value = load();
    if (rows.size >= READ_CACHE_LIMIT) rows.clear();
    rows.set(id, value);
    return value;
  }

  /** Empties the cache (until the next refresh). */
  clear(): void {
    this.#seen = -1;
    for (const rows of this.#kinds.values()) rows.clear();
  }

  /**
   * Reads served from the cache (hits) and from the database (misses: not cached yet, or the cache was
   * bypassed inside a transaction or after a change), since the start; the metrics' hit ratio.
   */
  get stats(): ReadCacheStats {
    return { hits: this.#hits, misses: this.#misses };
  }

  /** Rows cached now, for tests. */
  get size(): number {
    let n = 0;
    for (const rows of this.#kinds.values()) n += rows.size;
    return n;
  }
}
