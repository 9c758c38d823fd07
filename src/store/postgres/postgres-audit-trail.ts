import { checkpointOrigin, checkpointText, type AuditEvent, type AuditPosition, type TreeHead } from '../../core/audit.js';
import type { AuditEntry, AuditQuery, AuditTrail, Page } from '../../core/ports.js';
import { signedNote } from '../../crypto/signed-note.js';
import type { PostgresDatabase } from './database.js';
import { PostgresMerkleNodes } from './postgres-merkle-nodes.js';

/** A row of `audit_tree_heads` (`bigint` sizes come back as strings). */
export interface PostgresHeadRow {
  readonly tree_size: string;
  readonly root_hash: Buffer;
  readonly timestamp: string;
  readonly signature: Buffer;
  readonly checkpoint_signature: Buffer;
}

/** The tree head a stored row holds, on chain `chainId`. */
export function treeHeadOf(chainId: string, r: Omit<PostgresHeadRow, 'checkpoint_signature'>): TreeHead {
  return { chainId, treeSize: Number(r.tree_size), rootHash: r.root_hash.toString('hex'), timestamp: r.timestamp, signature: r.signature.toString('base64') };
}

const HEAD_COLUMNS = 'tree_size, root_hash, timestamp, signature, checkpoint_signature';

/**
 * The read side of one node's audit trail on PostgreSQL (see {@link AuditTrail}; SqliteAuditTrail's
 * behaviour). Several nodes write their own chains into one database (PostgresAuditRows): every query
 * here is restricted to the chain `chainId` names, so a node's trail, proofs and tree heads never include
 * another node's events. Sequences are `bigint` and come back as strings; they are numbers here (safe up
 * to 2^53 events).
 */
export class PostgresAuditTrail implements AuditTrail {
  readonly #pg: PostgresDatabase;
  readonly #chainId: () => string;
  readonly #publicKey: () => Buffer;
  readonly #sign: (message: Uint8Array) => Buffer | undefined;
  readonly #checkpoint: () => unknown;
  readonly #nodes: PostgresMerkleNodes;
  readonly #keyUseEvents: readonly string[];

  /**
   * `chainId`: the chain this node writes (its AuditWriter's). `checkpoint` asks the writer to sign a tree
   * head over everything committed. `keyUseEvents`: the event names that count as a use of a key for
   * {@link lastUsage}, derived from the operation registry by the composition (the store knows no operation).
   */
  constructor(
    pg: PostgresDatabase,
    chainId: () => string,
    publicKey: () => Buffer,
    checkpoint: () => unknown,
    sign: (message: Uint8Array) => Buffer | undefined,
    keyUseEvents: readonly string[],
  ) {
    this.#pg = pg;
    this.#chainId = chainId;
    this.#publicKey = publicKey;
    this.#checkpoint = checkpoint;
    this.#sign = sign;
    this.#keyUseEvents = [...keyUseEvents];
    this.#nodes = new PostgresMerkleNodes(pg, chainId);
  }

  async queryEvents(q: AuditQuery, before: number | undefined, limit: number): Promise<Page<AuditEvent>> {
    const { where, args, add } = this.#filters(q);
    add((p) => `e.seq < ${p}`, before);
    args.push(limit + 1);
    const rows = (await this.#pg.db.query<{ seq: string; body: string }>(`SELECT e.seq, e.body FROM audit_events e WHERE ${where.join(' AND ')} ORDER BY e.seq DESC LIMIT $${args.length}`, args)).rows;
    const items = rows.slice(0, limit).map((r) => JSON.parse(r.body) as AuditEvent);
    const last = rows[limit - 1];
    return { items, next: rows.length > limit && last !== undefined ? String(Number(last.seq)) : undefined };
  }

  async eventsBefore(q: AuditQuery, before: AuditPosition | undefined, limit: number): Promise<readonly AuditEvent[]> {
    const { where, args } = this.#filters(q);
    if (before !== undefined) {
      args.push(before.time, before.sequence);
      where.push(`(e.event_time, e.seq) < ($${args.length - 1}, $${args.length})`);
    }
    args.push(limit);
    const rows = (await this.#pg.db.query<{ body: string }>(`SELECT e.body FROM audit_events e WHERE ${where.join(' AND ')} ORDER BY e.event_time DESC, e.seq DESC LIMIT $${args.length}`, args)).rows;
    return rows.map((r) => JSON.parse(r.body) as AuditEvent);
  }

  /** The WHERE clauses and parameters of `q` on this chain; `add` appends a clause naming its parameter by position. */
  #filters(q: AuditQuery): { where: string[]; args: (string | number)[]; add: (clause: (p: string) => string, value: string | number | undefined) => void } {
    const args: (string | number)[] = [this.#chainId()];
    const where = ['e.chain_id = $1', 'NOT e.pruned'];
    // Each clause names its parameter by position; only these fixed clauses reach the SQL.
    const add = (clause: (p: string) => string, value: string | number | undefined): void => {
      if (value === undefined) return;
      args.push(value);
      where.push(clause(`$${args.length}`));
    };
    add((p) => `e.event_time >= ${p}`, q.from);
    add((p) => `e.event_time <= ${p}`, q.to);
    add((p) => `e.principal_arn = ${p}`, q.principalArn);
    add((p) => `e.event_name = ${p}`, q.eventName);
    add((p) => `e.error_code = ${p}`, q.errorCode);
    add((p) => `e.source_ip = ${p}`, q.sourceIp);
    add((p) => `e.seq IN (SELECT k.seq FROM audit_event_keys k WHERE k.chain_id = $1 AND k.key_arn = ${p})`, q.keyArn);
    if (q.outcome === 'success') where.push('e.error_code IS NULL');
    if (q.outcome === 'failure') where.push('e.error_code IS NOT NULL');
    return { where, args, add };
  }

  async entriesInRange(from: number, to: number): Promise<readonly AuditEntry[]> {
    const r = await this.#pg.db.query<{ seq: string; leaf_hash: Buffer; body: string; pruned: boolean }>(
      'SELECT seq, leaf_hash, body, pruned FROM audit_events WHERE chain_id = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq',
      [this.#chainId(), from, to],
    );
    return r.rows.map((row) => ({ sequence: Number(row.seq), leafHash: row.leaf_hash.toString('hex'), event: row.pruned ? undefined : (JSON.parse(row.body) as AuditEvent) }));
  }

  async checkpoint(): Promise<TreeHead | undefined> {
    await this.#checkpoint();
    return this.latestTreeHead();
  }

  async latestTreeHead(): Promise<TreeHead | undefined> {
    const r = await this.#latestHeadRow();
    return r && treeHeadOf(this.#chainId(), r);
  }

  async getEvent(eventId: string): Promise<AuditEvent | undefined> {
    const r = (await this.#pg.db.query<{ body: string; pruned: boolean }>('SELECT body, pruned FROM audit_events WHERE chain_id = $1 AND event_id = $2', [this.#chainId(), eventId])).rows[0];
    return r === undefined || r.pruned ? undefined : (JSON.parse(r.body) as AuditEvent);
  }

  async leafHash(sequence: number): Promise<Buffer | undefined> {
    return (await this.#pg.db.query<{ leaf_hash: Buffer }>('SELECT leaf_hash FROM audit_events WHERE chain_id = $1 AND seq = $2', [this.#chainId(), sequence])).rows[0]?.leaf_hash;
  }

  async inclusionProof(sequence: number, treeSize: number): Promise<readonly Buffer[]> {
    return this.#nodes.inclusionProof(sequence - 1, treeSize);
  }

  async consistencyProof(first: number, second: number): Promise<readonly Buffer[]> {
    return this.#nodes.consistencyProof(first, second);
  }

  async checkpointNote(): Promise<{ treeHead: TreeHead; note: string } | undefined> {
    await this.#checkpoint();
    const r = await this.#latestHeadRow();
    if (r === undefined) return undefined;
    // Every PostgreSQL head has its checkpoint signature (the column is NOT NULL): no head predates it.
    const treeHead = treeHeadOf(this.#chainId(), r);
    return { treeHead, note: signedNote(checkpointText(treeHead), checkpointOrigin(treeHead.chainId), this.#publicKey(), r.checkpoint_signature) };
  }

  async treeHeads(): Promise<readonly TreeHead[]> {
    const r = await this.#pg.db.query<PostgresHeadRow>(`SELECT ${HEAD_COLUMNS} FROM audit_tree_heads WHERE chain_id = $1 ORDER BY tree_size`, [this.#chainId()]);
    return r.rows.map((row) => treeHeadOf(this.#chainId(), row));
  }

  async treeHead(treeSize: number): Promise<TreeHead | undefined> {
    const r = (await this.#pg.db.query<PostgresHeadRow>(`SELECT ${HEAD_COLUMNS} FROM audit_tree_heads WHERE chain_id = $1 AND tree_size = $2`, [this.#chainId(), treeSize])).rows[0];
    return r && treeHeadOf(this.#chainId(), r);
  }

  chainId(): string {
    return this.#chainId();
  }

  publicKey(): Buffer {
    return this.#publicKey();
  }

  signStatement(message: Uint8Array): Buffer | undefined {
    return this.#sign(message);
  }

  async lastUsage(keyArn: string): Promise<{ eventTime: string; eventName: string; eventId: string; requestId: string } | undefined> {
    const r = (
      await this.#pg.db.query<{ event_time: string; event_name: string; event_id: string; request_id: string }>(
        `SELECT e.event_time, e.event_name, e.event_id, e.request_id FROM audit_event_keys k JOIN audit_events e ON e.chain_id = k.chain_id AND e.seq = k.seq
         WHERE k.chain_id = $1 AND k.key_arn = $2 AND k.ok AND e.event_name = ANY($3::text[]) ORDER BY k.seq DESC LIMIT 1`,
        [this.#chainId(), keyArn, this.#keyUseEvents],
      )
    ).rows[0];
    if (r === undefined) return undefined;
    return { eventTime: r.event_time, eventName: r.event_name, eventId: r.event_id, requestId: r.request_id };
  }

  async trackingStart(): Promise<string | undefined> {
    return (await this.#pg.db.query<{ t: string }>('SELECT event_time AS t FROM audit_events WHERE chain_id = $1 ORDER BY seq LIMIT 1', [this.#chainId()])).rows[0]?.t;
  }

  async #latestHeadRow(): Promise<PostgresHeadRow | undefined> {
    return (await this.#pg.db.query<PostgresHeadRow>(`SELECT ${HEAD_COLUMNS} FROM audit_tree_heads WHERE chain_id = $1 ORDER BY tree_size DESC LIMIT 1`, [this.#chainId()])).rows[0];
  }
}
