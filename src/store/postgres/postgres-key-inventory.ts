import type { KeyCount, KeyWatchQuery } from '../../core/observability.js';
import type { PostgresDatabase } from './database.js';

/**
 * Counts the keys by state and key spec (the `arca_keys` gauge), as sqliteKeyInventory does: one aggregate
 * query over the keys table, in byte order (SQLite's). Asynchronous, like every PostgreSQL read; destroyed keys have no row.
 */
export function postgresKeyInventory(pg: PostgresDatabase): () => Promise<KeyCount[]> {
  return async () =>
    (await pg.db.query<KeyCount>('SELECT state, key_spec AS spec, COUNT(*)::int AS count FROM keys GROUP BY state, key_spec ORDER BY state COLLATE "C", key_spec COLLATE "C"')).rows.map((r) => ({ state: r.state, spec: r.spec, count: r.count }));
}

/** The key-health gauges' counts (KeyWatch) in one statement, as sqliteKeyWatch counts them. */
export function postgresKeyWatch(pg: PostgresDatabase): KeyWatchQuery {
  return async (now, soon) => {
    const r = await pg.db.query<{ overdue: number; soon: number; next: Date | null }>(
      `SELECT
         (SELECT COUNT(*)::int FROM key_rotation r JOIN keys k ON k.id = r.key_id
           WHERE r.enabled AND r.next_rotation_at < $1 AND k.state = 'Enabled' AND k.destroyed_at IS NULL) AS overdue,
         COUNT(*) FILTER (WHERE i.valid_to < $2)::int AS soon,
         MIN(i.valid_to) AS next
       FROM key_imports i JOIN keys k ON k.id = i.key_id
       WHERE i.expiration_model = 'KEY_MATERIAL_EXPIRES' AND i.valid_to IS NOT NULL AND k.destroyed_at IS NULL
         AND EXISTS (SELECT 1 FROM key_versions v WHERE v.key_id = i.key_id AND v.version = i.version)`,
      [now, soon],
    );
    const row = r.rows[0];
    return { rotationOverdue: row?.overdue ?? 0, materialExpiringSoon: row?.soon ?? 0, nextMaterialExpiration: row?.next ?? undefined };
  };
}
