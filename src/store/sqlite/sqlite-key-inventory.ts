import type { KeyCount, KeyWatchQuery } from '../../core/observability.js';
import type { SqliteDatabase } from './database.js';

/**
 * Counts the keys by state and key spec (the `arca_keys` gauge): one aggregate query over the keys
 * table, so a scrape costs the same however often requests arrive. Destroyed keys have no row.
 */
export function sqliteKeyInventory(db: SqliteDatabase): () => KeyCount[] {
  const counts = db.prepare<[], KeyCount>('SELECT state, key_spec AS spec, COUNT(*) AS count FROM keys GROUP BY state, key_spec ORDER BY state, key_spec');
  return () => counts.all();
}

/**
 * The key-health gauges' counts (KeyWatch) in one statement: overdue rotations as the scheduler selects
 * due ones (dueRotations), imported material as expiredMaterial selects it.
 */
export function sqliteKeyWatch(db: SqliteDatabase): KeyWatchQuery {
  const watch = db.prepare<[number, number], { overdue: number; soon: number | null; next: number | null }>(
    `SELECT
       (SELECT COUNT(*) FROM key_rotation r JOIN keys k ON k.id = r.key_id
         WHERE r.enabled = 1 AND r.next_rotation_at < ? AND k.state = 'Enabled' AND k.destroyed_at IS NULL) AS overdue,
       SUM(CASE WHEN i.valid_to < ? THEN 1 ELSE 0 END) AS soon,
       MIN(i.valid_to) AS next
     FROM key_imports i JOIN keys k ON k.id = i.key_id
     WHERE i.expiration_model = 'KEY_MATERIAL_EXPIRES' AND i.valid_to IS NOT NULL AND k.destroyed_at IS NULL
         AND EXISTS (SELECT 1 FROM key_versions v WHERE v.key_id = i.key_id AND v.version = i.version)`,
  );
  return (now, soon) => {
    const r = watch.get(now.getTime(), soon.getTime());
    return { rotationOverdue: r?.overdue ?? 0, materialExpiringSoon: r?.soon ?? 0, nextMaterialExpiration: r?.next == null ? undefined : new Date(r.next) };
  };
}
