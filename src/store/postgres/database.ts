import pg from 'pg';
import { migrate } from './migrations.js';
import { PostgresTransactions } from './transactions.js';

/** Pool settings of `storage.pool` (node-postgres names); defaults suit one Arca node. */
export interface PostgresPoolOptions {
  /** Connections at most (default 10). */
  readonly max?: number;
  /** How long an idle connection is kept, ms (default 30 s). */
  readonly idleTimeoutMillis?: number;
  /** How long a request waits for a free connection before failing, ms (default 5 s): fail closed, never hang. */
  readonly connectionTimeoutMillis?: number;
  /**
   * How long a statement waits for the server's answer before it fails and its connection is destroyed,
   * ms (node-postgres `query_timeout`; default: the connection timeout; 0: no bound). Without it a
   * database that accepts connections but stops answering (frozen, partitioned after connect) hangs every
   * request on a pooled connection until the server comes back. Client-side: a timed-out COMMIT may still
   * have committed, which the audit writer's catch-up handles (it re-reads its chain at every commit).
   */
  readonly queryTimeoutMillis?: number;
}

/** What `storage: { type: postgres, … }` will configure (issue 14); TLS options come with the configuration. */
export interface PostgresOptions {
  /** `postgres://user:password@host:port/db?...`; it holds a secret, so it is never logged or put in an error. */
  readonly url: string;
  readonly pool?: PostgresPoolOptions;
  /** TLS to the server (node-postgres `ssl`); absent: as the URL's `sslmode` says. */
  readonly ssl?: pg.ConnectionConfig['ssl'];
  /** Apply missing migrations at open (default true); a read-only tool may pass false. */
  readonly migrate?: boolean;
  /** Errors of idle pooled connections (server restart, network): the pool drops them; the caller may log. */
  readonly onIdleError?: (e: Error) => void;
}

/**
 * The connection settings every connection to the store's database shares: the pool's, and the
 * dedicated session of the scheduler's leader lease (postgres-leader-lease.ts), so both reach the same
 * server with the same URL and fail within the same connection timeout.
 */
export function connectionConfig(options: Pick<PostgresOptions, 'url' | 'pool' | 'ssl'>): { connectionString: string; connectionTimeoutMillis: number; ssl?: pg.ConnectionConfig['ssl'] } {
  return { connectionString: options.url, connectionTimeoutMillis: options.pool?.connectionTimeoutMillis ?? 5_000, ...(options.ssl !== undefined && { ssl: options.ssl }) };
}

/**
 * One PostgreSQL database for the store: a node-postgres pool, the transactions bound to it, and the
 * migrated schema. Every adapter takes this and asks `transactions.db` for the Queryable of each statement.
 */
export class PostgresDatabase {
  readonly pool: pg.Pool;
  readonly transactions: PostgresTransactions;
  #closed: Promise<void> | undefined;

  private constructor(pool: pg.Pool) {
    this.pool = pool;
    this.transactions = new PostgresTransactions(pool);
  }

  /** Opens the pool and (unless `migrate: false`) migrates under the cluster-wide advisory lock. */
  static async open(options: PostgresOptions): Promise<PostgresDatabase> {
    const connection = connectionConfig(options);
    const pool = new pg.Pool({
      ...connection,
      max: options.pool?.max ?? 10,
      idleTimeoutMillis: options.pool?.idleTimeoutMillis ?? 30_000,
      query_timeout: options.pool?.queryTimeoutMillis ?? connection.connectionTimeoutMillis,
    });
    // Without a listener an idle connection's error (e.g. the server restarting) would crash the process;
    // the pool has already discarded that connection, and the next query reports any lasting outage.
    const onIdleError = options.onIdleError ?? (() => undefined);
    pool.on('error', (e) => onIdleError(e));
    const db = new PostgresDatabase(pool);
    try {
      if (options.migrate !== false) {
        // Migrations wait for the cluster-wide lock and may run long DDL: their own connection, without the statement bound.
        const migrations = new pg.Pool({ ...connection, max: 1 });
        migrations.on('error', () => undefined);
        try {
          await migrate(migrations);
        } finally {
          await migrations.end();
        }
      }
    } catch (e) {
      await db.close();
      throw e;
    }
    return db;
  }

  /** The Queryable for a statement now (see PostgresTransactions.db). */
  get db() {
    return this.transactions.db;
  }

  /** Ends the pool once; later calls wait for the same end. */
  close(): Promise<void> {
    this.#closed ??= this.pool.end();
    return this.#closed;
  }
}
