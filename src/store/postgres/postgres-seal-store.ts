import type { SealRecord, SealStore } from '../../core/ports.js';
import type { PostgresDatabase } from './database.js';

interface SealRow {
  kind: SealRecord['kind'];
  shares: number;
  threshold: number;
  share_set_id: Buffer;
  wrapped_root: Buffer;
  initialized_at: Date;
}

/**
 * The seal record in PostgreSQL: one row (`id = 1`), created by initialize and replaced whole by rekey,
 * each a compare-and-set. Every node of a cluster reads it and unseals on its own (seal state is per node).
 */
export class PostgresSealStore implements SealStore {
  readonly #pg: PostgresDatabase;

  constructor(pg: PostgresDatabase) {
    this.#pg = pg;
  }

  async getSealRecord(): Promise<SealRecord | undefined> {
    const r = (await this.#pg.db.query<SealRow>('SELECT kind, shares, threshold, share_set_id, wrapped_root, initialized_at FROM seal_config WHERE id = 1')).rows[0];
    if (r === undefined) return undefined;
    return { kind: r.kind, shares: r.shares, threshold: r.threshold, shareSetId: r.share_set_id, wrappedRoot: r.wrapped_root, initializedAt: r.initialized_at };
  }

  async putSealRecord(record: SealRecord, replacing: Buffer | undefined): Promise<boolean> {
    const values = [record.kind, record.shares, record.threshold, record.shareSetId, record.wrappedRoot, record.initializedAt];
    // Compare-and-set: two nodes initializing (or rekeying) at once cannot both win.
    const r =
      replacing === undefined
        ? await this.#pg.db.query('INSERT INTO seal_config (id, kind, shares, threshold, share_set_id, wrapped_root, initialized_at) VALUES (1, $1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING', values)
        : await this.#pg.db.query('UPDATE seal_config SET kind = $1, shares = $2, threshold = $3, share_set_id = $4, wrapped_root = $5, initialized_at = $6 WHERE id = 1 AND share_set_id = $7', [...values, replacing]);
    return r.rowCount === 1;
  }
}
