import { checkpointOrigin, checkpointText, type AuditEvent, type AuditPosition, type TreeHead } from '../../core/audit.js';
import type { AuditEntry, AuditQuery, AuditTrail, Page } from '../../core/ports.js';
import { signedNote } from '../../crypto/signed-note.js';
import type { SqliteDatabase } from './database.js';
import { SqliteMerkleNodes } from './sqlite-merkle-nodes.js';

interface HeadRow {
  tree_size: number;
  root_hash: Buffer;
  timestamp: string;
  signature: Buffer;
  checkpoint_signature: Buffer | null;
}

/** The WHERE clauses of `q` (fixed text only) and their parameters, in order. */
function filters(q: AuditQuery): { where: string[]; args: (string | number)[] } {
  const where = ['e.pruned = 0'];
  const args: (string | number)[] = [];
  const add = (clause: string, value: string | number | undefined): void => {
    if (value === undefined) return;
    where.push(clause);
    args.push(value);
  };
  add('e.event_time >= ?', q.from);
  add('e.event_time <= ?', q.to);
  add('e.principal_arn = ?', q.principalArn);
  add('e.event_name = ?', q.eventName);
  add('e.error_code = ?', q.errorCode);
  add('e.source_ip = ?', q.sourceIp);
  add('e.seq IN (SELECT seq FROM audit_event_keys WHERE key_arn = ?)', q.keyArn);
  if (q.outcome === 'success') where.push('e.error_code IS NULL');
  if (q.outcome === 'failure') where.push('e.error_code IS NOT NULL');
  return { where, args };
}

/** The read side of the SQLite audit trail (see {@link AuditTrail}). */
export class SqliteAuditTrail implements AuditTrail {
  readonly #db: SqliteDatabase;
  readonly #chainId: () => string;
  readonly #publicKey: () => Buffer;
  readonly #sign: (message: Uint8Array) => Buffer | undefined;
  readonly #checkpoint: () => unknown;
  readonly #nodes: SqliteMerkleNodes;
  readonly #keyUseEvents: readonly string[];

  /**
   * `checkpoint` asks the writer to sign a tree head over everything committed. `keyUseEvents`: the event
   * names that count as a use of a key for {@link lastUsage}, derived from the operation registry by the
   * composition (the store knows no operation).
   */
  constructor(
    db: SqliteDatabase,
    chainId: () => string,
    publicKey: () => Buffer,
    checkpoint: () => unknown,
    sign: (message: Uint8Array) => Buffer | undefined,
    keyUseEvents: readonly string[],
  ) {
    this.#keyUseEvents = [...keyUseEvents];
    this.#sign = sign;
    this.#db = db;
    this.#checkpoint = checkpoint;
    this.#chainId = chainId;
    this.#publicKey = publicKey;
    this.#nodes = new SqliteMerkleNodes(db);
  }

  async queryEvents(q: AuditQuery, before: number | undefined, limit: number): Promise<Page<AuditEvent>> {
    const { where, args } = filters(q);
    if (before !== undefined) {
      where.push('e.seq < ?');
      args.push(before);
    }
    const rows = this.#db
      .prepare<(string | number)[], { seq: number; body: string }>(`SELECT e.seq, e.body FROM audit_events e WHERE ${where.join(' AND ')} ORDER BY e.seq DESC LIMIT ?`)
      .all(...args, limit + 1);
    const items = rows.slice(0, limit).map((r) => JSON.parse(r.body) as AuditEvent);
    const last = rows[limit - 1];
    return { items, next: rows.length > limit && last !== undefined ? String(last.seq) : undefined };
  }

  async eventsBefore(q: AuditQuery, before: AuditPosition | undefined, limit: number): Promise<readonly AuditEvent[]> {
    const { where, args } = filters(q);
    if (before !== undefined) {
      where.push('(e.event_time, e.seq) < (?, ?)');
      args.push(before.time, before.sequence);
    }
    return this.#db
      .prepare<(string | number)[], { body: string }>(`SELECT e.body FROM audit_events e WHERE ${where.join(' AND ')} ORDER BY e.event_time DESC, e.seq DESC LIMIT ?`)
      .all(...args, limit)
      .map((r) => JSON.parse(r.body) as AuditEvent);
  }

  async entriesInRange(from: number, to: number): Promise<readonly AuditEntry[]> {
    return this.#db
      .prepare<[number, number], { seq: number; leaf_hash: Buffer; body: string; pruned: number }>('SELECT seq, leaf_hash, body, pruned FROM audit_events WHERE seq >= ? AND seq <= ? ORDER BY seq')
      .all(from, to)
      .map((r) => ({ sequence: r.seq, leafHash: r.leaf_hash.toString('hex'), event: r.pruned === 1 ? undefined : (JSON.parse(r.body) as AuditEvent) }));
  }

  async checkpoint(): Promise<TreeHead | undefined> {
    await this.#checkpoint();
    return this.latestTreeHead();
  }

  async latestTreeHead(): Promise<TreeHead | undefined> {
    const r = this.#db.prepare<[], HeadRow>('SELECT * FROM audit_tree_heads ORDER BY tree_size DESC LIMIT 1').get();
    return r && this.#head(r);
  }

  async getEvent(eventId: string): Promise<AuditEvent | undefined> {
    const r = this.#db.prepare<[string], { body: string; pruned: number }>('SELECT body, pruned FROM audit_events WHERE event_id = ?').get(eventId);
    return r === undefined || r.pruned === 1 ? undefined : (JSON.parse(r.body) as AuditEvent);
  }

  async leafHash(sequence: number): Promise<Buffer | undefined> {
    return this.#db.prepare<[number], { leaf_hash: Buffer | null }>('SELECT leaf_hash FROM audit_events WHERE seq = ?').get(sequence)?.leaf_hash ?? undefined;
  }

  async inclusionProof(sequence: number, treeSize: number): Promise<readonly Buffer[]> {
    return this.#nodes.inclusionProof(sequence - 1, treeSize);
  }

  async consistencyProof(first: number, second: number): Promise<readonly Buffer[]> {
    return this.#nodes.consistencyProof(first, second);
  }

  async checkpointNote(): Promise<{ treeHead: TreeHead; note: string } | undefined> {
    await this.#checkpoint();
    const r = this.#db.prepare<[], HeadRow>('SELECT * FROM audit_tree_heads ORDER BY tree_size DESC LIMIT 1').get();
    if (r === undefined) return undefined;
    const treeHead = this.#head(r);
    const text = checkpointText(treeHead);
    let signature = r.checkpoint_signature;
    if (signature === null) {
      // A head signed before checkpoint signatures existed: sign its checkpoint now (Ed25519 is
      // deterministic: the same note every time). Not stored: a read never writes, so it can never land
      // in (or wait for) a mutation's transaction on this connection.
      signature = this.#sign(Buffer.from(text, 'utf8')) ?? null;
      if (signature === null) return undefined;
    }
    return { treeHead, note: signedNote(text, checkpointOrigin(treeHead.chainId), this.#publicKey(), signature) };
  }

  async treeHeads(): Promise<readonly TreeHead[]> {
    return this.#db.prepare<[], HeadRow>('SELECT * FROM audit_tree_heads ORDER BY tree_size').all().map((r) => this.#head(r));
  }

  async treeHead(treeSize: number): Promise<TreeHead | undefined> {
    const r = this.#db.prepare<[number], HeadRow>('SELECT * FROM audit_tree_heads WHERE tree_size = ?').get(treeSize);
    return r && this.#head(r);
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
    const r = this.#db
      .prepare<string[], { event_time: string; event_name: string; event_id: string; request_id: string }>(
        `SELECT e.event_time, e.event_name, e.event_id, e.request_id FROM audit_event_keys k JOIN audit_events e ON e.seq = k.seq
         WHERE k.key_arn = ? AND k.ok = 1 AND e.event_name IN (${this.#keyUseEvents.map(() => '?').join(',')}) ORDER BY k.seq DESC LIMIT 1`,
      )
      .get(keyArn, ...this.#keyUseEvents);
    if (r === undefined) return undefined;
    return { eventTime: r.event_time, eventName: r.event_name, eventId: r.event_id, requestId: r.request_id };
  }

  async trackingStart(): Promise<string | undefined> {
    return this.#db.prepare<[], { t: string }>('SELECT event_time AS t FROM audit_events ORDER BY seq LIMIT 1').get()?.t;
  }

  #head(r: HeadRow): TreeHead {
    return { chainId: this.#chainId(), treeSize: r.tree_size, rootHash: r.root_hash.toString('hex'), timestamp: r.timestamp, signature: r.signature.toString('base64') };
  }
}

