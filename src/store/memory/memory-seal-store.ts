import type { SealRecord, SealStore } from '../../core/ports.js';
import type { MemoryDatabase } from './memory-database.js';
import { copy, put, tables, type Tables } from './tables.js';

/** The seal record in memory: one row, replaced whole by initialize and rekey. */
export class MemorySealStore implements SealStore {
  readonly #t: Tables;

  constructor(db: MemoryDatabase) {
    this.#t = tables(db);
  }

  async getSealRecord(): Promise<SealRecord | undefined> {
    const r = this.#t.seal.get('1');
    return r && { kind: r.kind, shares: r.shares, threshold: r.threshold, shareSetId: copy(r.shareSetId), wrappedRoot: copy(r.wrappedRoot), initializedAt: new Date(r.initializedAt) };
  }

  async putSealRecord(record: SealRecord, replacing: Buffer | undefined): Promise<boolean> {
    const current = this.#t.seal.get('1');
    if (replacing === undefined ? current !== undefined : current === undefined || !current.shareSetId.equals(replacing)) return false;
    put(this.#t.seal, '1', {
      kind: record.kind,
      shares: record.shares,
      threshold: record.threshold,
      shareSetId: copy(record.shareSetId),
      wrappedRoot: copy(record.wrappedRoot),
      initializedAt: record.initializedAt.getTime(),
    });
    return true;
  }
}
