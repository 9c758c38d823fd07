import type { DevStateStore, WipeCounts } from '../../core/dev-state.js';
import { WIPE_PLAN, wipeSql } from '../dev-wipe.js';
import type { PostgresDatabase } from './database.js';

/** Dev mode's reset on PostgreSQL (`arca dev --storage postgres://…`): the wipe plan, in the caller's transaction. */
export class PostgresDevState implements DevStateStore {
  readonly #pg: PostgresDatabase;

  constructor(pg: PostgresDatabase) {
    this.#pg = pg;
  }

  async wipe(keepPrincipalIds: readonly string[]): Promise<WipeCounts> {
    const kept = [...keepPrincipalIds];
    const keys = Number((await this.#pg.db.query<{ n: string }>('SELECT count(*) AS n FROM keys')).rows[0]?.n ?? 0);
    const principals = Number((await this.#pg.db.query<{ n: string }>('SELECT count(*) AS n FROM principals WHERE NOT (id = ANY($1::text[]))', [kept])).rows[0]?.n ?? 0);
    for (const s of WIPE_PLAN) await this.#pg.db.query(wipeSql(s, kept.length, (i) => `$${i}`), s.by === 'all' ? [] : kept);
    return { keys, principals };
  }
}
