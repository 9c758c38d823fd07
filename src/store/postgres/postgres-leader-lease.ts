import pg from 'pg';
import type { LeaderLease, LeaseLostListener } from '../../core/leadership.js';
import type { Logger } from '../../core/ports.js';
import { connectionConfig, type PostgresOptions } from './database.js';

/** The session advisory lock (two-int form) whose holder leads the scheduler: class 'ARCA', object 2 (ADR 0013, ADR 0015). */
export const LEADER_LOCK = [0x41524341, 2] as const;

/**
 * Dead-peer detection that PostgreSQL applies to the lease's session, set on it at connect (`SET`, no
 * server configuration needed). A leader whose process dies frees the lock at once (its OS closes the
 * socket); these bound the case where its host vanishes without closing it (ADR 0015).
 */
export interface LeaseSessionTimeouts {
  /** `tcp_keepalives_idle`, `_interval`, `_count` (seconds, seconds, probes): an idle dead peer is found after idle + interval × count (default 10 + 5 × 3 s). */
  readonly keepalive?: { readonly idleSeconds: number; readonly intervalSeconds: number; readonly count: number };
  /** `tcp_user_timeout` (ms, PostgreSQL 12+): the bound while data sent to the peer stays unacknowledged (default 25 s). */
  readonly userTimeoutMillis?: number;
  /**
   * `idle_session_timeout` (ms, PostgreSQL 14+; unset by default): the server ends the session after this
   * long without a statement, whatever the network does. The holder confirms its lock at every tick, so
   * this must be well above the scheduler's interval (say 3 ×), or the leader loses its lease between ticks.
   */
  readonly idleSessionTimeoutMillis?: number;
}

/** Where the database is (the store's own URL and connection timeout) and how the lease reports. */
export interface PostgresLeaderLeaseOptions extends LeaseSessionTimeouts {
  readonly database: Pick<PostgresOptions, 'url' | 'pool' | 'ssl'>;
  readonly logger: Logger;
}

const TRY_LOCK = 'SELECT pg_try_advisory_lock($1, $2) AS locked';
// Confirms that this very session still holds the lock (pg_advisory_unlock_all, a pooler or a restart would not tell us otherwise).
const CONFIRM = "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND objsubid = 2 AND pid = pg_backend_pid() AND granted";

/**
 * The scheduler's leader lease on PostgreSQL: `pg_try_advisory_lock(LEADER_LOCK)` on a DEDICATED
 * connection (a session lock belongs to one session, so never a pooled one, which the pool may close or
 * hand to other work). The lock lives exactly as long as that session: when the client reports an error or
 * its end, the lease is lost (`held` false, logged once, listeners called) and the next acquire()
 * reconnects and tries again. While held, every acquire() confirms the lock on the session, each statement
 * bounded by the connection timeout, so a leader cut off from the database steps down within one tick.
 * acquire() never throws: an unreachable database answers false, logged once per outage.
 *
 * Session poolers in transaction mode (PgBouncer `pool_mode=transaction`) break session locks: the URL
 * must reach PostgreSQL directly or through a session-mode pool.
 */
export class PostgresLeaderLease implements LeaderLease {
  readonly #config: pg.ClientConfig;
  readonly #logger: Logger;
  readonly #settings: readonly (readonly [string, string])[];
  readonly #listeners = new Set<LeaseLostListener>();
  #client: pg.Client | undefined;
  #held = false;
  #attempt: Promise<boolean> | undefined;
  #unreachable = false;

  constructor(options: PostgresLeaderLeaseOptions) {
    const base = connectionConfig(options.database);
    const keepalive = options.keepalive ?? { idleSeconds: 10, intervalSeconds: 5, count: 3 };
    // Client-side keepalive: this node notices a vanished server; query_timeout bounds every statement.
    this.#config = { ...base, keepAlive: true, keepAliveInitialDelayMillis: keepalive.idleSeconds * 1000, query_timeout: base.connectionTimeoutMillis };
    this.#logger = options.logger;
    this.#settings = [
      ['tcp_keepalives_idle', String(keepalive.idleSeconds)],
      ['tcp_keepalives_interval', String(keepalive.intervalSeconds)],
      ['tcp_keepalives_count', String(keepalive.count)],
      ['tcp_user_timeout', String(options.userTimeoutMillis ?? 25_000)],
      ...(options.idleSessionTimeoutMillis === undefined ? [] : [['idle_session_timeout', String(options.idleSessionTimeoutMillis)] as const]),
    ];
  }

  get held(): boolean {
    return this.#held;
  }

  acquire(): Promise<boolean> {
    this.#attempt ??= this.#try().finally(() => {
      this.#attempt = undefined;
    });
    return this.#attempt;
  }

  onLost(listener: LeaseLostListener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Unlocks and closes the session (ending it would free the lock anyway); the next acquire() reconnects. */
  async release(): Promise<void> {
    await this.#attempt;
    const client = this.#client;
    const held = this.#held;
    this.#client = undefined;
    this.#held = false;
    if (client === undefined) return;
    if (held) {
      await client.query('SELECT pg_advisory_unlock($1, $2)', [...LEADER_LOCK]).catch(() => undefined);
      this.#logger.info('released the scheduler leader lease');
    }
    await client.end().catch(() => undefined);
  }

  async #try(): Promise<boolean> {
    let client: pg.Client | undefined;
    try {
      client = this.#client ?? (await this.#connect());
      if (this.#held) {
        if ((await client.query(CONFIRM, [...LEADER_LOCK])).rowCount === 1) return true;
        this.#drop(client, 'the lock is no longer held by this session');
        return false;
      }
      const { rows } = await client.query<{ locked: boolean }>(TRY_LOCK, [...LEADER_LOCK]);
      // The session may have broken while the answer was on its way: a lock on a dead session is no lock.
      if (client !== this.#client) return false;
      this.#held = rows[0]?.locked === true;
      if (this.#unreachable) this.#logger.info('the scheduler leader lease reaches PostgreSQL again');
      this.#unreachable = false;
      if (this.#held) this.#logger.info('took the scheduler leader lease: this node runs the lifecycle jobs');
      return this.#held;
    } catch (e) {
      if (client !== undefined) this.#drop(client, messageOf(e));
      if (!this.#unreachable) this.#logger.warn('the scheduler leader lease cannot reach PostgreSQL; retrying at the next tick', { error: messageOf(e) });
      this.#unreachable = true;
      return false;
    }
  }

  async #connect(): Promise<pg.Client> {
    const client = new pg.Client(this.#config);
    // Without an error listener a dropped connection would crash the process.
    client.on('error', (e) => this.#drop(client, e.message));
    client.on('end', () => this.#drop(client, 'connection closed'));
    this.#client = client;
    try {
      await client.connect();
      for (const [name, value] of this.#settings) await client.query('SELECT set_config($1, $2, false)', [name, value]);
    } catch (e) {
      this.#drop(client, messageOf(e));
      throw e;
    }
    return client;
  }

  /** Forgets a broken session (once: 'error' is followed by 'end'); if it held the lock, the lease is lost. */
  #drop(client: pg.Client, reason: string): void {
    if (client !== this.#client) return;
    this.#client = undefined;
    const wasHeld = this.#held;
    this.#held = false;
    void client.end().catch(() => undefined);
    if (!wasHeld) return;
    this.#logger.warn('lost the scheduler leader lease; another node may take it', { reason });
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch (e) {
        this.#logger.error('a leader lease listener failed', { error: messageOf(e) });
      }
    }
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
