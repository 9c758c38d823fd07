import type { AuditEvent } from '../../core/audit.js';
import type { AuditEventRow, MerkleNodeRow, AuditRows, TreeHeadRow } from '../../core/audit-rows.js';
import type { WrappedSecret } from '../../core/ports.js';
import type { MerkleFrontier } from '../../crypto/merkle.js';
import { randomId } from '../../crypto/random.js';
import type { SqliteDatabase } from './database.js';
import { SqliteMerkleNodes } from './sqlite-merkle-nodes.js';

/** The AuditRows port on SQLite: `audit_events`, `audit_event_keys`, `audit_tree_nodes`, `audit_tree_heads`, `audit_meta`, `audit_signing_keys`. */
export class SqliteAuditRows implements AuditRows {
  readonly #db: SqliteDatabase;
  readonly #insert;
  readonly #insertKey;
  readonly #newer;
  readonly #nodes: SqliteMerkleNodes;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#insert = db.prepare(
      'INSERT INTO audit_events (seq, event_id, event_time, event_name, request_id, error_code, body, leaf_hash, principal_arn, source_ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#insertKey = db.prepare('INSERT OR IGNORE INTO audit_event_keys (key_arn, seq, ok) VALUES (?, ?, ?)');
    this.#newer = db.prepare<[number], { seq: number; leaf_hash: Buffer }>('SELECT seq, leaf_hash FROM audit_events WHERE seq > ? ORDER BY seq');
    this.#nodes = new SqliteMerkleNodes(db);
  }

  async chainId(): Promise<string> {
    const row = this.#db.prepare<[], { value: string }>("SELECT value FROM audit_meta WHERE name = 'chain_id'").get();
    if (row !== undefined) return row.value;
    const id = randomId();
    this.#db.prepare("INSERT INTO audit_meta (name, value) VALUES ('chain_id', ?)").run(id);
    return id;
  }

  async frontier(): Promise<MerkleFrontier> {
    return this.#nodes.frontier();
  }

  async leavesAfter(size: number): Promise<{ readonly sequence: number; readonly leafHash: Buffer }[]> {
    return this.#newer.all(size).map((r) => ({ sequence: r.seq, leafHash: r.leaf_hash }));
  }

  async insertEvents(events: readonly AuditEventRow[], nodes: readonly MerkleNodeRow[]): Promise<void> {
    for (const row of events) {
      const e = row.event;
      this.#insert.run(row.sequence, e.eventID, e.eventTime, e.eventName, e.requestID, e.errorCode ?? null, row.body, row.leafHash, e.userIdentity.arn ?? null, e.sourceIPAddress);
      for (const r of e.resources) this.#insertKey.run(r.ARN, row.sequence, e.errorCode === undefined ? 1 : 0);
    }
    for (const [level, index, hash] of nodes) this.#nodes.store(level, index, hash);
  }

  async latestTreeHeadSize(): Promise<number> {
    return this.#db.prepare<[], { n: number | null }>('SELECT MAX(tree_size) AS n FROM audit_tree_heads').get()?.n ?? 0;
  }

  async insertTreeHead(h: TreeHeadRow): Promise<void> {
    this.#db
      .prepare('INSERT INTO audit_tree_heads (tree_size, root_hash, timestamp, signature, checkpoint_signature) VALUES (?, ?, ?, ?, ?)')
      .run(h.treeSize, h.rootHash, h.timestamp, h.signature, h.checkpointSignature);
  }

  async prune(before: string): Promise<number> {
    return this.#db.prepare("UPDATE audit_events SET body = '', pruned = 1 WHERE event_time < ? AND pruned = 0").run(before).changes;
  }

  async list(limit: number): Promise<AuditEvent[]> {
    return this.#db
      .prepare<[number], { body: string }>('SELECT body FROM audit_events WHERE pruned = 0 ORDER BY seq LIMIT ?')
      .all(limit)
      .map((r) => JSON.parse(r.body) as AuditEvent);
  }

  async legacyEvents(): Promise<AuditEvent[] | undefined> {
    const legacy = this.#db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM audit_events WHERE leaf_hash IS NULL').get()?.n ?? 0;
    if (legacy === 0) return undefined;
    return this.#db.prepare<[], { body: string }>('SELECT body FROM audit_events ORDER BY seq').all().map((r) => JSON.parse(r.body) as AuditEvent);
  }

  async clearEvents(): Promise<void> {
    this.#db.exec('DELETE FROM audit_event_keys; DELETE FROM audit_events; DELETE FROM audit_tree_nodes');
  }

  async getSigningKey(): Promise<{ publicKey: Buffer; wrapped: WrappedSecret } | undefined> {
    const r = this.#db
      .prepare<[], { public_key: Buffer; domain_key_version: number; wrapped_private: Buffer }>('SELECT public_key, domain_key_version, wrapped_private FROM audit_signing_keys WHERE id = 1')
      .get();
    return r && { publicKey: r.public_key, wrapped: { domainKeyVersion: r.domain_key_version, wrapped: r.wrapped_private } };
  }

  async putSigningKey(publicKey: Buffer, wrapped: WrappedSecret): Promise<void> {
    this.#db.prepare('INSERT INTO audit_signing_keys (id, public_key, domain_key_version, wrapped_private) VALUES (1, ?, ?, ?)').run(publicKey, wrapped.domainKeyVersion, wrapped.wrapped);
  }
}
