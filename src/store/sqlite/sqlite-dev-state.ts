import type { DevStateStore, WipeCounts } from '../../core/dev-state.js';
import { WIPE_PLAN, wipeSql } from '../dev-wipe.js';
import type { SqliteDatabase } from './database.js';

/** Dev mode's reset on SQLite: the wipe plan's statements, in the caller's unit of work. */
export class SqliteDevState implements DevStateStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async wipe(keepPrincipalIds: readonly string[]): Promise<WipeCounts> {
    const kept = [...keepPrincipalIds];
    const count = (table: string, by: string) =>
      this.#db.prepare<string[], number>(`SELECT count(*) FROM ${table}${kept.length === 0 ? '' : ` WHERE ${by} NOT IN (${kept.map(() => '?').join(', ')})`}`).pluck().get(...kept) ?? 0;
    const counts = { keys: this.#db.prepare<[], number>('SELECT count(*) FROM keys').pluck().get() ?? 0, principals: count('principals', 'id') };
    for (const s of WIPE_PLAN) {
      const sql = wipeSql(s, kept.length, () => '?');
      this.#db.prepare<string[]>(sql).run(...(s.by === 'all' ? [] : kept));
    }
    return counts;
  }
}
