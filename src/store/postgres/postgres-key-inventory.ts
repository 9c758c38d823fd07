import type { KeyCount } from '../../core/observability.js';
import type { PostgresDatabase } from './database.js';

/**
 * Counts the keys by state and key spec (the `arca_keys` gauge), as sqliteKeyInventory does: one aggregate
 * query over the keys table, in byte order (SQLite's). Asynchronous, like every PostgreSQL read; destroyed keys have no row.
 */
export function postgresKeyInventory(pg: PostgresDatabase): () => Promise<KeyCount[]> {
  return async () =>
    (await pg.db.query<KeyCount>('SELECT state, key_spec AS spec, COUNT(*)::int AS count FROM keys GROUP BY state, key_spec ORDER BY state COLLATE "C", key_spec COLLATE "C"')).rows.map((r) => ({ state: r.state, spec: r.spec, count: r.count }));
}
