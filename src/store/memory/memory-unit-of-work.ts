import { BUSY, type Busy, type UnitOfWork, type UnitTx } from '../../core/unit-of-work.js';
import type { MemoryDatabase } from './memory-database.js';

/**
 * The UnitOfWork port on a MemoryDatabase: a unit is one snapshot (rolled back by putting it back),
 * a savepoint a nested one. Nothing is durable, so `sync` has nothing to do.
 */
export class MemoryUnitOfWork implements UnitOfWork {
  readonly #db: MemoryDatabase;
  #lock: Promise<void> = Promise.resolve();
  #running = false;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  get running(): boolean {
    return this.#running;
  }

  readonly available = true;
  readonly syncsAfterCommit = false;

  async run<T>(work: (tx: UnitTx) => Promise<T>, afterCommit?: (result: T) => Promise<void>): Promise<T> {
    const release = await this.#acquire();
    this.#running = true;
    try {
      const db = this.#db;
      db.begin();
      let result: T;
      try {
        result = await work(this.#tx);
        db.commit();
      } catch (e) {
        db.rollback();
        throw e;
      }
      await afterCommit?.(result);
      return result;
    } finally {
      this.#running = false;
      release();
    }
  }

  readonly #tx: UnitTx = {
    savepoint: async (work) => {
      const db = this.#db;
      db.begin();
      let out;
      try {
        out = await work();
      } catch (e) {
        db.rollback();
        throw e;
      }
      if (out.keep) db.commit();
      else db.rollback();
      return out;
    },
  };

  async runNow<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running) throw new Error('a unit of work is running on this store');
    const release = await this.#acquire();
    const db = this.#db;
    try {
      db.begin();
      try {
        const result = await work();
        db.commit();
        return result;
      } catch (e) {
        db.rollback();
        throw e;
      }
    } finally {
      release();
    }
  }

  tryNow<T>(work: () => Promise<T>): Promise<T | Busy> {
    return this.#running ? Promise.resolve(BUSY) : this.runNow(work);
  }

  /** Waits for every earlier unit and `runNow` to end; answers the release of the store. */
  async #acquire(): Promise<() => void> {
    const previous = this.#lock;
    let release = (): void => undefined;
    this.#lock = new Promise<void>((r) => (release = r));
    await previous;
    return release;
  }

  sync(): Promise<void> {
    return Promise.resolve();
  }

  syncNow(): void {}

  close(): void {}
}
