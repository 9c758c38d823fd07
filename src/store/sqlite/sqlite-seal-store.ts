import type { SealRecord, SealStore } from '../../core/ports.js';
import type { SqliteDatabase } from './database.js';

interface SealRow {
  kind: SealRecord['kind'];
  shares: number;
  threshold: number;
  share_set_id: Buffer;
  wrapped_root: Buffer;
  initialized_at: number;
}

/** The seal record in SQLite: one row (`id = 1`), replaced atomically by initialize and rekey. */
export class SqliteSealStore implements SealStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async getSealRecord(): Promise<SealRecord | undefined> {
    const r = this.#db.prepare<[], SealRow>('SELECT kind, shares, threshold, share_set_id, wrapped_root, initialized_at FROM seal_config WHERE id = 1').get();
    if (r === undefined) return undefined;
    return { kind: r.kind, shares: r.shares, threshold: r.threshold, shareSetId: r.share_set_id, wrappedRoot: r.wrapped_root, initializedAt: new Date(r.initialized_at) };
  }

  async putSealRecord(record: SealRecord, replacing: Buffer | undefined): Promise<boolean> {
    const values = [record.kind, record.shares, record.threshold, record.shareSetId, record.wrappedRoot, record.initializedAt.getTime()] as const;
    const changed =
      replacing === undefined
        ? this.#db.prepare('INSERT INTO seal_config (id, kind, shares, threshold, share_set_id, wrapped_root, initialized_at) VALUES (1, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING').run(...values)
        : this.#db.prepare('UPDATE seal_config SET kind = ?, shares = ?, threshold = ?, share_set_id = ?, wrapped_root = ?, initialized_at = ? WHERE id = 1 AND share_set_id = ?').run(...values, replacing);
    return changed.changes === 1;
  }
}
