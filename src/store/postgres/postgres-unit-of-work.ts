import { BUSY, type Busy, type UnitOfWork, type UnitTx } from '../../core/unit-of-work.js';
import type { PostgresDatabase } from './database.js';
import { isPostgresOutage } from './storage-health.js';

/** Thrown inside a savepoint whose work answered `keep: false`, to roll the savepoint back. */
const DISCARD = new Error('savepoint discarded (keep: false)');

/**
 * The UnitOfWork port on PostgreSQL: a unit is one READ COMMITTED transaction on one pooled client
 * (PostgresTransactions binds it to the async context, so every store call inside joins it), savepoints
 * are SAVEPOINTs on that client. Units and `runNow` of this process run one at a time, as on SQLite.
 *
 * Honest adaptations of a port shaped by SQLite: there is no database-wide write lock to be BUSY on — each
 * node writes only its own audit chain (PostgresAuditRows), and other rows are guarded by conditional
 * updates and row locks (ADR 0013) — so `tryNow` answers BUSY only while this process's own unit or
 * `runNow` holds the store. A commit is durable by itself (`synchronous_commit = on`, the server's
 * default): `syncsAfterCommit` is false and `sync` has nothing to do.
 */
export class PostgresUnitOfWork implements UnitOfWork {
  readonly #pg: PostgresDatabase;
  #lock: Promise<void> = Promise.resolve();
  #running = false;
  #holders = 0;
  #closed = false;
  /** Units that ran to their end (for the outage rule of #exclusive). */
  #finished = 0;
  /** The last unit's failure when it was an outage: which unit it was, and its error. */
  #outage: { readonly at: number; readonly error: unknown } | undefined;

  constructor(pg: PostgresDatabase) {
    this.#pg = pg;
  }

  get running(): boolean {
    return this.#running;
  }

  get available(): boolean {
    return !this.#closed;
  }

  readonly syncsAfterCommit = false;

  async run<T>(work: (tx: UnitTx) => Promise<T>, afterCommit?: (result: T) => Promise<void>): Promise<T> {
    return this.#exclusive(async () => {
      this.#running = true;
      try {
        const result = await this.#pg.transactions.runOwn(() => work(this.#tx));
        await afterCommit?.(result);
        return result;
      } finally {
        this.#running = false;
      }
    });
  }

  readonly #tx: UnitTx = {
    savepoint: async <R extends { readonly keep: boolean }>(work: () => Promise<R>): Promise<R> => {
      let discarded: R | undefined;
      try {
        // Nested in the unit's transaction, `run` is a SAVEPOINT: a rejection rolls back to it only.
        return await this.#pg.transactions.run(async () => {
          const out = await work();
          if (!out.keep) {
            discarded = out;
            throw DISCARD;
          }
          return out;
        });
      } catch (e) {
        if (e === DISCARD && discarded !== undefined) return discarded;
        throw e;
      }
    },
  };

  async runNow<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running) throw new Error('a unit of work is running on this store');
    return this.#exclusive(() => this.#pg.transactions.runOwn(work));
  }

  /**
   * Runs `fn` alone (after every earlier unit and `runNow`). Units that were queued behind one that failed
   * because PostgreSQL is unreachable fail at once with its error: waiting out a timeout each, in turn, a
   * queue of N units would take N timeouts (requests hanging far beyond the pool's bounds). The first unit
   * queued after that failure tries the database again.
   */
  async #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const queuedAt = this.#finished;
    const release = await this.#acquire();
    try {
      const outage = this.#outage;
      if (outage !== undefined && outage.at > queuedAt) throw outage.error;
      try {
        const result = await fn();
        this.#outage = undefined;
        return result;
      } catch (e) {
        if (isPostgresOutage(e)) this.#outage = { at: this.#finished + 1, error: e };
        throw e;
      } finally {
        this.#finished++;
      }
    } finally {
      release();
    }
  }

  tryNow<T>(work: () => Promise<T>): Promise<T | Busy> {
    return this.#running || this.#holders > 0 ? Promise.resolve(BUSY) : this.runNow(work);
  }

  /** Waits for every earlier unit and `runNow` of this process to end; answers the release. */
  async #acquire(): Promise<() => void> {
    const previous = this.#lock;
    let release = (): void => undefined;
    this.#lock = new Promise<void>((r) => (release = r));
    this.#holders++;
    await previous;
    return () => {
      this.#holders--;
      release();
    };
  }

  sync(): Promise<void> {
    return Promise.resolve();
  }

  syncNow(): void {}

  /** Marks the unit of work closed (maintenance timers then do nothing); the pool is the database's to end. */
  close(): void {
    this.#closed = true;
  }
}
