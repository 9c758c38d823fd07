import { Counter, Gauge, type Registry } from 'prom-client';
import { MATERIAL_EXPIRING_SOON_MS, type KeyWatch, type KeyWatchQuery, type PoolStats } from '../core/observability.js';
import type { ReadCacheStats } from '../store/sqlite/read-cache.js';

/** How long the key-health counts are reused between scrapes (one store query per this at most). */
export const KEY_WATCH_CACHE_MS = 5_000;

/** What the health metrics read when scraped. */
export interface HealthSources {
  /** Per audit sink, the events committed and not yet delivered (none listed before a sink read its cursor). */
  readonly auditSinkLag: () => readonly { readonly sink: string; readonly lag: number }[];
  readonly keyWatch: KeyWatchQuery;
  /** undefined: no read cache (PostgreSQL), no series. */
  readonly readCache: (() => ReadCacheStats) | undefined;
  /** undefined: no pool (SQLite), no series. */
  readonly pool: (() => PoolStats) | undefined;
  /** Whether the storage works (false from a storage failure until a write succeeds again; `/readyz`). */
  readonly storageHealthy: () => boolean;
  /** Whether this node holds the scheduler's lease (runs the lifecycle jobs). */
  readonly leader: () => boolean;
  readonly now: () => number;
}

/**
 * The metrics of what needs an operator (docs/monitoring.md): audit sink lag, overdue rotations,
 * expiring imported material, the read cache, the PostgreSQL pool and the scheduler's leadership. All
 * read at scrape time; none is per key (the sink label is bounded by the configuration).
 */
export function registerHealthMetrics(registry: Registry, sources: HealthSources): void {
  const registers = [registry];
  new Gauge({
    name: 'arca_audit_sink_lag_events', help: 'Audit events committed and not yet delivered to each sink.', labelNames: ['sink'], registers,
    collect() {
      this.reset();
      for (const s of sources.auditSinkLag()) this.set({ sink: s.sink }, s.lag);
    },
  });
  // One query serves the three gauges of a scrape (collected concurrently): the promise is what is cached.
  let cached: { at: number; watch: Promise<KeyWatch | undefined> } | undefined;
  const watch = (): Promise<KeyWatch | undefined> => {
    const now = sources.now();
    if (cached === undefined || now - cached.at >= KEY_WATCH_CACHE_MS) {
      const previous = cached?.watch ?? Promise.resolve(undefined);
      // A store that cannot answer keeps the last counts: a scrape never fails on it.
      const w = Promise.resolve()
        .then(() => sources.keyWatch(new Date(now), new Date(now + MATERIAL_EXPIRING_SOON_MS)))
        .catch(() => previous);
      cached = { at: now, watch: w };
    }
    return cached.watch;
  };
  new Gauge({
    name: 'arca_keys_rotation_overdue', help: `Enabled keys with automatic rotation whose rotation time has passed (counted at most every ${KEY_WATCH_CACHE_MS / 1000} s).`, registers,
    async collect() {
      this.set((await watch())?.rotationOverdue ?? 0);
    },
  });
  new Gauge({
    name: 'arca_key_material_expiring_soon', help: 'Keys whose imported key material expires within 7 days (expired and not yet deleted included).', registers,
    async collect() {
      this.set((await watch())?.materialExpiringSoon ?? 0);
    },
  });
  new Gauge({
    name: 'arca_key_material_expiration_min_seconds',
    help: "Seconds until the soonest expiration of imported key material (AWS's SecondsUntilKeyMaterialExpiration, minimum over keys; +Inf when none expires).",
    registers,
    async collect() {
      // +Inf, not 0 or no sample, when nothing expires: an unlabelled gauge always has a sample, and 0 would read "expiring now".
      const next = (await watch())?.nextMaterialExpiration;
      this.set(next === undefined ? Infinity : (next.getTime() - sources.now()) / 1000);
    },
  });
  const readCache = sources.readCache;
  if (readCache !== undefined) {
    new Counter({ name: 'arca_read_cache_hits_total', help: 'Request reads served from the read cache (SQLite).', registers, collect() { this.reset(); this.inc(readCache().hits); } });
    new Counter({ name: 'arca_read_cache_misses_total', help: 'Request reads that went to the database (SQLite; not cached, or the cache bypassed).', registers, collect() { this.reset(); this.inc(readCache().misses); } });
  }
  const pool = sources.pool;
  if (pool !== undefined) {
    new Gauge({ name: 'arca_postgres_pool_clients', help: 'PostgreSQL clients in the pool (in use and idle).', registers, collect() { this.set(pool().total); } });
    new Gauge({ name: 'arca_postgres_pool_idle_clients', help: 'PostgreSQL clients idle in the pool.', registers, collect() { this.set(pool().idle); } });
    new Gauge({ name: 'arca_postgres_pool_waiting_requests', help: 'Queries waiting for a PostgreSQL client (the pool is exhausted while above 0).', registers, collect() { this.set(pool().waiting); } });
  }
  new Gauge({ name: 'arca_storage_failing', help: '1 while the storage is failing (from a failed write until one succeeds again; /readyz answers 503), else 0.', registers, collect() { this.set(sources.storageHealthy() ? 0 : 1); } });
  new Gauge({ name: 'arca_scheduler_leader', help: '1 while this node holds the scheduler lease (runs rotations, deletions and expirations), else 0.', registers, collect() { this.set(sources.leader() ? 1 : 0); } });
}
