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
 * The seal record in PostgreSQL: one row (`id = 1`), replaced whole by initialize and rekey. Issue 14 makes
 * seal state per node; this first step keeps SQLite's single record so the contract suite holds.
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

  async putSealRecord(record: SealRecord): Promise<void> {
    await this.#pg.db.query(
      `INSERT INTO seal_config (id, kind, shares, threshold, share_set_id, wrapped_root, initialized_at) VALUES (1, $1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, shares = excluded.shares, threshold = excluded.threshold,
         share_set_id = excluded.share_set_id, wrapped_root = excluded.wrapped_root, initialized_at = excluded.initialized_at`,
      [record.kind, record.shares, record.threshold, record.shareSetId, record.wrappedRoot, record.initializedAt],
    );
  }
}
