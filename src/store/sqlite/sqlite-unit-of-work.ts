import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';
import { BUSY, type Busy, type UnitOfWork, type UnitTx } from '../../core/unit-of-work.js';
import { transactionEnded, type SqliteDatabase } from './database.js';

/** How a SQLite commit is made durable (ADR 0005). */
export interface SqliteUnitOfWorkOptions {
  /**
   * `wal-fdatasync` (default): commit with `synchronous=NORMAL`, then `fdatasync` the WAL file ({@link
   * SqliteUnitOfWork.sync}, on the libuv thread pool, off the event loop); `sqlite-full`:
   * `synchronous=FULL`, SQLite fsyncs inside the commit, on the event loop.
   */
  readonly durability?: 'wal-fdatasync' | 'sqlite-full' | undefined;
}

/**
 * The UnitOfWork port on one SQLite connection: a unit is `BEGIN IMMEDIATE` ... `COMMIT` around async
 * work (other processes sharing the file wait for the write lock, never fail half-way), savepoints for
 * the work's own changes, and the WAL's fdatasync as the unit's `sync`. `tryNow` turns SQLITE_BUSY into
 * {@link BUSY}, so no caller sees SQLite's error codes.
 */
export class SqliteUnitOfWork implements UnitOfWork {
  readonly #db: SqliteDatabase;
  readonly #busyTimeout: number;
  #lock: Promise<void> = Promise.resolve();
  #running = false;
  /** The WAL file, for `wal-fdatasync` (undefined: SQLite syncs itself, an in-memory database, or closed). */
  #walFd: number | undefined;
  #syncsInFlight = 0;
  #closeWhenIdle: number | undefined;

  constructor(db: SqliteDatabase, options: SqliteUnitOfWorkOptions = {}) {
    this.#db = db;
    const wal = !db.memory && String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal';
    if (wal && (options.durability ?? 'wal-fdatasync') === 'wal-fdatasync') {
      // A write makes sure the WAL file exists; IF EXISTS: worker processes starting together run this at once.
      db.exec('CREATE TABLE IF NOT EXISTS audit_wal_probe (x); DROP TABLE IF EXISTS audit_wal_probe');
      this.#walFd = openSync(`${db.name}-wal`, 'r');
    }
    this.#busyTimeout = Number(db.pragma('busy_timeout', { simple: true }));
  }

  get running(): boolean {
    return this.#running;
  }

  get available(): boolean {
    return this.#db.open;
  }

  get syncsAfterCommit(): boolean {
    return this.#walFd !== undefined;
  }

  async run<T>(work: (tx: UnitTx) => Promise<T>, afterCommit?: (result: T) => Promise<void>): Promise<T> {
    const release = await this.#acquire();
    this.#running = true;
    try {
      const db = this.#db;
      let result: T;
      this.#relaxSync(true);
      try {
        db.exec('BEGIN IMMEDIATE');
        result = await work(this.#tx);
        db.exec('COMMIT');
      } catch (e) {
        if (db.inTransaction) db.exec('ROLLBACK');
        transactionEnded(db, false);
        throw e;
      } finally {
        this.#relaxSync(false);
      }
      try {
        await afterCommit?.(result);
      } finally {
        transactionEnded(db, true);
      }
      return result;
    } finally {
      this.#running = false;
      release();
    }
  }

  /** Waits for every earlier unit and `runNow` to end; answers the release of the connection. */
  async #acquire(): Promise<() => void> {
    const previous = this.#lock;
    let release = (): void => undefined;
    this.#lock = new Promise<void>((r) => (release = r));
    await previous;
    return release;
  }

  readonly #tx: UnitTx = {
    savepoint: async (work) => {
      const db = this.#db;
      db.exec('SAVEPOINT unit_work');
      let out;
      try {
        out = await work();
      } catch (e) {
        if (db.inTransaction) db.exec('ROLLBACK TO unit_work; RELEASE unit_work');
        throw e;
      }
      db.exec(out.keep ? 'RELEASE unit_work' : 'ROLLBACK TO unit_work; RELEASE unit_work');
      return out;
    },
  };

  async runNow<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running) throw new Error('a unit of work is running on this connection');
    const release = await this.#acquire();
    try {
      const result = await this.#now(work, false);
      if (result === BUSY) throw new Error('unreachable: BUSY from a waiting transaction');
      return result;
    } finally {
      release();
    }
  }

  async tryNow<T>(work: () => Promise<T>): Promise<T | Busy> {
    if (this.#running) return BUSY;
    const release = await this.#acquire();
    try {
      return await this.#now(work, true);
    } finally {
      release();
    }
  }

  /**
   * One `BEGIN IMMEDIATE` ... `COMMIT` around `work` (which only touches this connection, so it ends
   * within microtasks). `orBusy`: take the write lock without waiting, answering BUSY if another
   * process holds it.
   */
  async #now<T>(work: () => Promise<T>, orBusy: boolean): Promise<T | Busy> {
    const db = this.#db;
    this.#relaxSync(true);
    try {
      if (orBusy) {
        db.pragma('busy_timeout = 0');
        try {
          db.exec('BEGIN IMMEDIATE');
        } catch (err) {
          if ((err as { code?: unknown }).code === 'SQLITE_BUSY') return BUSY;
          throw err;
        } finally {
          db.pragma(`busy_timeout = ${this.#busyTimeout}`);
        }
      } else {
        db.exec('BEGIN IMMEDIATE');
      }
      try {
        const result = await work();
        db.exec('COMMIT');
        return result;
      } catch (e) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw e;
      }
    } finally {
      this.#relaxSync(false);
    }
  }

  sync(): Promise<void> {
    const fd = this.#walFd;
    if (fd === undefined) return Promise.resolve();
    this.#syncsInFlight++;
    return new Promise((resolve, reject) => {
      fdatasync(fd, (err) => {
        this.#syncsInFlight--;
        if (this.#syncsInFlight === 0 && this.#closeWhenIdle !== undefined) {
          closeSync(this.#closeWhenIdle);
          this.#closeWhenIdle = undefined;
        }
        if (err) reject(err);
        else resolve();
      });
    });
  }

  syncNow(): void {
    if (this.#walFd !== undefined) fdatasyncSync(this.#walFd);
  }

  /** Releases the WAL file handle (before closing the database, after the last commit), once no sync uses it. */
  close(): void {
    const fd = this.#walFd;
    this.#walFd = undefined;
    if (fd === undefined) return;
    if (this.#syncsInFlight === 0) closeSync(fd);
    else this.#closeWhenIdle = fd;
  }

  /** Around a commit made durable by `sync`: SQLite skips its own fsync (the WAL is synced after). */
  #relaxSync(relax: boolean): void {
    // Not a statement prepared once: SQLite applies `PRAGMA synchronous` when it compiles the statement.
    if (this.#walFd !== undefined) this.#db.pragma(relax ? 'synchronous = NORMAL' : 'synchronous = FULL');
  }
}
