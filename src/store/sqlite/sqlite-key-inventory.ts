import type { KeyCount } from '../../core/observability.js';
import type { SqliteDatabase } from './database.js';

/**
 * Counts the keys by state and key spec (the `arca_keys` gauge): one aggregate query over the keys
 * table, so a scrape costs the same however often requests arrive. Destroyed keys have no row.
 */
export function sqliteKeyInventory(db: SqliteDatabase): () => KeyCount[] {
  const counts = db.prepare<[], KeyCount>('SELECT state, key_spec AS spec, COUNT(*) AS count FROM keys GROUP BY state, key_spec ORDER BY state, key_spec');
  return () => counts.all();
}
