import type { AuditEvent } from '../../core/audit.js';
import type { AuditEventRow, MerkleNodeRow, AuditRows, TreeHeadRow } from '../../core/audit-rows.js';
import type { WrappedSecret } from '../../core/ports.js';
import { MerkleFrontier } from '../../crypto/merkle.js';
import { randomId } from '../../crypto/random.js';
import type { MemoryDatabase } from './memory-database.js';
import { copy, pk, put, requireUnique } from './tables.js';

interface EventRow {
  readonly sequence: number;
  readonly eventId: string;
  readonly eventTime: string;
  readonly leafHash: Buffer;
  readonly body: string;
  readonly pruned: boolean;
}

/** The AuditRows port on a MemoryDatabase (the audit tables of SQLite, as rows keyed by their primary keys). */
export class MemoryAuditRows implements AuditRows {
  readonly #events;
  readonly #eventIds;
  readonly #eventKeys;
  readonly #nodes;
  readonly #heads;
  readonly #meta;
  readonly #signingKeys;

  constructor(db: MemoryDatabase) {
    this.#events = db.table<EventRow>('audit_events');
    this.#eventIds = db.table<{ readonly sequence: number }>('audit_event_ids');
    this.#eventKeys = db.table<{ readonly ok: boolean }>('audit_event_keys');
    this.#nodes = db.table<{ readonly hash: Buffer }>('audit_tree_nodes');
    this.#heads = db.table<TreeHeadRow>('audit_tree_heads');
    this.#meta = db.table<{ readonly value: string }>('audit_meta');
    this.#signingKeys = db.table<{ readonly publicKey: Buffer; readonly domainKeyVersion: number; readonly wrapped: Buffer }>('audit_signing_keys');
  }

  async chainId(): Promise<string> {
    const row = this.#meta.get('chain_id');
    if (row !== undefined) return row.value;
    const id = randomId();
    put(this.#meta, 'chain_id', { value: id });
    return id;
  }

  async frontier(): Promise<MerkleFrontier> {
    const size = this.#events.size;
    try {
      return MerkleFrontier.restore(size, (level, index) => {
        const hash = level === 0 ? this.#events.get(String(index + 1))?.leafHash : this.#nodes.get(pk(level, index))?.hash;
        if (hash === undefined) throw new Error(`no stored hash at level ${level}, index ${index}`);
        return hash;
      });
    } catch {
      this.#nodes.clear();
      const f = new MerkleFrontier();
      for (const r of this.#leaves(0)) f.append(r.leafHash, (level, index, hash) => this.#putNode(level, index, hash));
      return f;
    }
  }

  async leavesAfter(size: number): Promise<{ readonly sequence: number; readonly leafHash: Buffer }[]> {
    return [...this.#leaves(size)];
  }

  *#leaves(size: number): Iterable<{ readonly sequence: number; readonly leafHash: Buffer }> {
    for (let s = size + 1, r = this.#events.get(String(s)); r !== undefined; r = this.#events.get(String(++s))) yield { sequence: s, leafHash: copy(r.leafHash) };
  }

  async insertEvents(events: readonly AuditEventRow[], nodes: readonly MerkleNodeRow[]): Promise<void> {
    for (const row of events) this.#insertEvent(row);
    for (const [level, index, hash] of nodes) this.#putNode(level, index, hash);
  }

  #insertEvent(row: AuditEventRow): void {
    const e = row.event;
    requireUnique(this.#events.has(String(row.sequence)), 'audit_events.seq');
    requireUnique(this.#eventIds.has(e.eventID), 'audit_events.event_id');
    put(this.#events, String(row.sequence), { sequence: row.sequence, eventId: e.eventID, eventTime: e.eventTime, leafHash: copy(row.leafHash), body: row.body, pruned: false });
    put(this.#eventIds, e.eventID, { sequence: row.sequence });
    for (const r of e.resources) {
      const key = pk(r.ARN, row.sequence);
      if (!this.#eventKeys.has(key)) put(this.#eventKeys, key, { ok: e.errorCode === undefined });
    }
  }

  #putNode(level: number, index: number, hash: Buffer): void {
    requireUnique(this.#nodes.has(pk(level, index)), 'audit_tree_nodes');
    put(this.#nodes, pk(level, index), { hash: copy(hash) });
  }

  async latestTreeHeadSize(): Promise<number> {
    let n = 0;
    for (const h of this.#heads.values()) n = Math.max(n, h.treeSize);
    return n;
  }

  async insertTreeHead(h: TreeHeadRow): Promise<void> {
    requireUnique(this.#heads.has(String(h.treeSize)), 'audit_tree_heads.tree_size');
    put(this.#heads, String(h.treeSize), { ...h, rootHash: copy(h.rootHash), signature: copy(h.signature), checkpointSignature: copy(h.checkpointSignature) });
  }

  async prune(before: string): Promise<number> {
    let n = 0;
    for (const [k, r] of this.#events) {
      if (r.pruned || !(r.eventTime < before)) continue;
      put(this.#events, k, { ...r, body: '', pruned: true });
      n++;
    }
    return n;
  }

  async list(limit: number): Promise<AuditEvent[]> {
    const out: AuditEvent[] = [];
    for (let s = 1, r = this.#events.get('1'); r !== undefined && out.length < limit; r = this.#events.get(String(++s))) {
      if (!r.pruned) out.push(JSON.parse(r.body) as AuditEvent);
    }
    return out;
  }

  /** Every memory event has its leaf hash: the memory store never held a trail older than the hashes. */
  async legacyEvents(): Promise<AuditEvent[] | undefined> {
    return undefined;
  }

  async clearEvents(): Promise<void> {
    this.#events.clear();
    this.#eventIds.clear();
    this.#eventKeys.clear();
    this.#nodes.clear();
  }

  async getSigningKey(): Promise<{ publicKey: Buffer; wrapped: WrappedSecret } | undefined> {
    const r = this.#signingKeys.get('1');
    return r && { publicKey: copy(r.publicKey), wrapped: { domainKeyVersion: r.domainKeyVersion, wrapped: copy(r.wrapped) } };
  }

  async putSigningKey(publicKey: Buffer, wrapped: WrappedSecret): Promise<void> {
    requireUnique(this.#signingKeys.has('1'), 'audit_signing_keys.id');
    put(this.#signingKeys, '1', { publicKey: copy(publicKey), domainKeyVersion: wrapped.domainKeyVersion, wrapped: copy(wrapped.wrapped) });
  }
}
