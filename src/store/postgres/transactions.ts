import { AsyncLocalStorage } from 'node:async_hooks';
import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';

/** What an adapter runs its statements on: the open transaction's client, or the pool (one statement, autocommit). */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>>;
}

/** The transaction bound to an async context; `open` turns false when it ends so late callbacks cannot reuse its client. */
interface Binding {
  readonly client: PoolClient;
  open: boolean;
  savepoints: number;
}

/**
 * Transactions on one pool, bound to the async context with AsyncLocalStorage (ADR 0013): every adapter
 * asks {@link PostgresTransactions.db} for its Queryable, so the statements of any store method called
 * inside `run(work)` join that transaction on its one client, and outside it run on the pool. This is
 * what the store-owned unit of work builds on: it opens `run`, and the adapters need no tx parameter.
 *
 * Isolation: READ COMMITTED, with every read-then-write guarded by a conditional UPDATE or a row lock
 * (`FOR UPDATE`), so a transaction never fails with a serialization error that the caller would have to
 * retry (ADR 0013 says why SERIALIZABLE was not chosen).
 */
export class PostgresTransactions {
  readonly #pool: Pool;
  readonly #current = new AsyncLocalStorage<Binding>();

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  /** The Queryable for a statement now: the current transaction's client, else the pool. */
  get db(): Queryable {
    const b = this.#current.getStore();
    if (b === undefined) return this.#pool;
    // A callback scheduled inside a transaction that runs after it ended must not write outside it unnoticed.
    if (!b.open) throw new Error('PostgreSQL transaction already ended: a statement meant for it ran after COMMIT/ROLLBACK');
    return b.client;
  }

  /** True while the calling async context is inside `run`. */
  get inTransaction(): boolean {
    return this.#current.getStore()?.open === true;
  }

  /**
   * Runs `work` in one transaction: COMMIT if it resolves, ROLLBACK (every change undone) if it rejects.
   * Nested inside an open transaction it becomes a SAVEPOINT, so a failed inner step undoes only its own
   * changes and the outer transaction goes on, as SQLite's nested transactions do. Statements inside one
   * transaction run one after another on one client: do not start nested `run`s concurrently.
   */
  async run<T>(work: () => Promise<T>): Promise<T> {
    const outer = this.#current.getStore();
    if (outer?.open === true) return this.#savepoint(outer, work);
    const client = await this.#pool.connect();
    const binding: Binding = { client, open: true, savepoints: 0 };
    let broken: Error | undefined;
    // A checked-out client has no listener of the pool's: a connection that fails between two statements
    // (PostgreSQL shutting down sends an error to every session) would emit an unhandled 'error' and
    // crash the process. The next statement fails anyway; the connection is destroyed at release.
    const onError = (e: Error): void => {
      broken ??= e;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      const result = await this.#current.run(binding, work);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      if (connectionUnusable(e)) {
        // A statement that timed out is still queued on this connection, so a ROLLBACK would wait behind
        // it (another full timeout); destroying the connection ends the session, which rolls back.
        broken = e instanceof Error ? e : new Error(String(e));
        throw e;
      }
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection is unusable (server gone): destroy it instead of returning it to the pool.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw e;
    } finally {
      binding.open = false;
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  /**
   * Runs `work` in a new top-level transaction even when called from inside another one's async context
   * (a timer or callback scheduled in it): the unit of work's own transactions never nest by accident.
   */
  runOwn<T>(work: () => Promise<T>): Promise<T> {
    return this.#current.exit(() => this.run(work));
  }

  async #savepoint<T>(b: Binding, work: () => Promise<T>): Promise<T> {
    const name = `arca_sp_${++b.savepoints}`;
    await b.client.query(`SAVEPOINT ${name}`);
    try {
      const result = await work();
      await b.client.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (e) {
      try {
        await b.client.query(`ROLLBACK TO SAVEPOINT ${name}`);
        await b.client.query(`RELEASE SAVEPOINT ${name}`);
      } catch {
        // The connection failed: the outer transaction cannot commit and will roll back; report the first error.
      }
      throw e;
    }
  }
}

/** node-postgres's errors after which a connection cannot take another statement: a read timeout, a broken or ended connection. */
function connectionUnusable(e: unknown): boolean {
  const message = e instanceof Error ? e.message : '';
  return /^(Query read timeout|Connection terminated|Client has encountered a connection error|Connection ended unexpectedly)/.test(message);
}
