/**
 * The store's unit of work (ADR 0012): the one write transaction a mutation and its audit event share.
 * The store owns it, so the audit writer (src/audit/) and the service never see an engine's SQL or its
 * error codes.
 */

/** What {@link UnitOfWork.tryNow} answers when another writer (a unit, or another process) holds the write lock. */
export const BUSY: unique symbol = Symbol('unit of work busy');
/** The type of {@link BUSY}. */
export type Busy = typeof BUSY;

/** The open transaction of a running unit. */
export interface UnitTx {
  /**
   * Runs `work` in a savepoint: its changes are undone when it answers `keep: false` or throws, and the
   * unit goes on (a refused mutation's audit event is still recorded in the same unit).
   */
  savepoint<R extends { readonly keep: boolean }>(work: () => Promise<R>): Promise<R>;
}

/** One store transaction at a time, in this process, around async work. */
export interface UnitOfWork {
  /**
   * Runs `work` in one write transaction, after every earlier unit ended (serialized): committed if it
   * resolves, rolled back if it rejects. `afterCommit` runs after the commit, before the next unit
   * starts (the audit writer waits for durability there). `work` must not wait for anything that itself
   * waits for a unit to end (it would wait for itself).
   */
  run<T>(work: (tx: UnitTx) => Promise<T>, afterCommit?: (result: T) => Promise<void>): Promise<T>;
  /**
   * Runs `work` in its own write transaction, now: rejects at once while a unit is running (it never
   * queues behind one). Async because a pooled store (PostgreSQL) answers over the network; `work` must
   * only touch this store (an embedded store may run it inside the same event-loop turn).
   */
  runNow<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Like {@link runNow}, but answers {@link BUSY} (nothing done) when the write lock is held, here or by
   * another process.
   */
  tryNow<T>(work: () => Promise<T>): Promise<T | Busy>;
  /** Whether a unit started by {@link run} has not ended yet. */
  readonly running: boolean;
  /** False once the store is closed (maintenance timers then do nothing). */
  readonly available: boolean;
  /**
   * Whether commits are durable only after {@link sync} (else each commit is durable by itself and
   * `sync` does nothing).
   */
  readonly syncsAfterCommit: boolean;
  /** Makes every commit so far durable, off the event loop. */
  sync(): Promise<void>;
  /** {@link sync} on the event loop (cheaper for one lone commit); throws if it fails. */
  syncNow(): void;
  /** Releases what the unit of work holds besides the store (file handles), once no sync uses it. */
  close(): void;
}
