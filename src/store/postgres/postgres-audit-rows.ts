import type { AuditEvent } from '../../core/audit.js';
import type { AuditEventRow, MerkleNodeRow, AuditRows, TreeHeadRow } from '../../core/audit-rows.js';
import type { WrappedSecret } from '../../core/ports.js';
import { MerkleFrontier } from '../../crypto/merkle.js';
import { randomId } from '../../crypto/random.js';
import type { PostgresDatabase } from './database.js';

/** Rows read back in pages when the interior nodes are rebuilt. */
const REBUILD_PAGE = 10_000;

/**
 * The AuditRows port on PostgreSQL. Several nodes share one database and each writes its own trail: the
 * node's name maps to a chain id (`audit_chains`, created on first use), and every audit row is keyed by
 * (chain id, …), so nodes never contend for a sequence number or a tree head. `bigint` sequences come
 * back from node-postgres as strings and are turned into numbers here (safe up to 2^53 events).
 */
export class PostgresAuditRows implements AuditRows {
  readonly #pg: PostgresDatabase;
  readonly #node: string;
  #chainId: string | undefined;

  /** `node`: this node's stable name (its trail survives restarts under the same name). */
  constructor(pg: PostgresDatabase, node: string) {
    this.#pg = pg;
    this.#node = node;
  }

  async chainId(): Promise<string> {
    if (this.#chainId !== undefined) return this.#chainId;
    // Its own transaction, committed at once: the id is cached, so it must not roll back with the caller's.
    const row = await this.#pg.transactions.runOwn(async () => {
      await this.#pg.db.query('INSERT INTO audit_chains (node, chain_id) VALUES ($1, $2) ON CONFLICT (node) DO NOTHING', [this.#node, randomId()]);
      return (await this.#pg.db.query<{ chain_id: string }>('SELECT chain_id FROM audit_chains WHERE node = $1', [this.#node])).rows[0];
    });
    if (row === undefined) throw new Error('audit chain not recorded');
    this.#chainId = row.chain_id;
    return row.chain_id;
  }

  async frontier(): Promise<MerkleFrontier> {
    const chain = await this.chainId();
    const size = Number((await this.#pg.db.query<{ n: string | null }>('SELECT MAX(seq) AS n FROM audit_events WHERE chain_id = $1', [chain])).rows[0]?.n ?? 0);
    // The hashes `restore` reads (one per set bit of size), plus the last level-1 node: a partly built
    // node table (the right edge only) is rebuilt, as on SQLite.
    const wanted: [number, number][] = size >= 2 ? [[1, Math.floor(size / 2) - 1]] : [];
    MerkleFrontier.restore(size, (level, index) => (wanted.push([level, index]), Buffer.alloc(32)));
    const found = new Map<string, Buffer>();
    for (const [level, index] of wanted) {
      const hash = await this.#hash(chain, level, index);
      if (hash === undefined) return this.#rebuild(chain);
      found.set(`${level}/${index}`, hash);
    }
    return MerkleFrontier.restore(size, (level, index) => found.get(`${level}/${index}`) ?? Buffer.alloc(0));
  }

  async #hash(chain: string, level: number, index: number): Promise<Buffer | undefined> {
    const r =
      level === 0
        ? await this.#pg.db.query<{ hash: Buffer }>('SELECT leaf_hash AS hash FROM audit_events WHERE chain_id = $1 AND seq = $2', [chain, index + 1])
        : await this.#pg.db.query<{ hash: Buffer }>('SELECT hash FROM audit_tree_nodes WHERE chain_id = $1 AND level = $2 AND idx = $3', [chain, level, index]);
    return r.rows[0]?.hash;
  }

  /** Recomputes every interior node of the chain from its leaves, in one transaction. */
  #rebuild(chain: string): Promise<MerkleFrontier> {
    return this.#pg.transactions.run(async () => {
      await this.#pg.db.query('DELETE FROM audit_tree_nodes WHERE chain_id = $1', [chain]);
      const f = new MerkleFrontier();
      for (let rows = await this.leavesAfter(0, REBUILD_PAGE); rows.length > 0; rows = await this.leavesAfter(f.size, REBUILD_PAGE)) {
        const completed: MerkleNodeRow[] = [];
        for (const r of rows) {
          if (r.sequence !== f.size + 1) throw new Error(`the audit trail has a gap before sequence ${r.sequence}`);
          f.append(r.leafHash, (level, index, hash) => void completed.push([level, index, hash]));
        }
        await this.insertEvents([], completed);
      }
      return f;
    });
  }

  async leavesAfter(size: number, limit?: number): Promise<{ readonly sequence: number; readonly leafHash: Buffer }[]> {
    const chain = await this.chainId();
    const rows = (
      await this.#pg.db.query<{ seq: string; leaf_hash: Buffer }>(
        `SELECT seq, leaf_hash FROM audit_events WHERE chain_id = $1 AND seq > $2 ORDER BY seq${limit === undefined ? '' : ' LIMIT $3'}`,
        limit === undefined ? [chain, size] : [chain, size, limit],
      )
    ).rows;
    return rows.map((r) => ({ sequence: Number(r.seq), leafHash: r.leaf_hash }));
  }

  /**
   * One statement for the whole batch (a group commit's events, their key rows and completed nodes):
   * data-modifying CTEs over `unnest`ed arrays, so a batch costs one round trip however many events it
   * holds. The foreign key from event keys to events is checked at the end of the statement.
   */
  async insertEvents(events: readonly AuditEventRow[], nodes: readonly MerkleNodeRow[]): Promise<void> {
    if (events.length === 0 && nodes.length === 0) return;
    const chain = await this.chainId();
    const col = <T>(f: (row: AuditEventRow) => T): T[] => events.map(f);
    const keys = events.flatMap((row) => row.event.resources.map((r) => [r.ARN, row.sequence, row.event.errorCode === undefined] as const));
    await this.#pg.db.query(
      `WITH ev AS (
         INSERT INTO audit_events (chain_id, seq, event_id, event_time, event_name, request_id, error_code, body, leaf_hash, principal_arn, source_ip)
         SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bytea[], $10::text[], $11::text[])
       ), ks AS (
         INSERT INTO audit_event_keys (chain_id, key_arn, seq, ok) SELECT DISTINCT ON (k, s) $1, k, s, o FROM unnest($12::text[], $13::bigint[], $14::bool[]) AS t(k, s, o) ON CONFLICT DO NOTHING
       )
       INSERT INTO audit_tree_nodes (chain_id, level, idx, hash) SELECT $1, * FROM unnest($15::int[], $16::bigint[], $17::bytea[])`,
      [
        chain,
        col((r) => r.sequence), col((r) => r.event.eventID), col((r) => r.event.eventTime), col((r) => r.event.eventName), col((r) => r.event.requestID),
        col((r) => r.event.errorCode ?? null), col((r) => r.body), col((r) => r.leafHash), col((r) => r.event.userIdentity.arn ?? null), col((r) => r.event.sourceIPAddress),
        keys.map((k) => k[0]), keys.map((k) => k[1]), keys.map((k) => k[2]),
        nodes.map((n) => n[0]), nodes.map((n) => n[1]), nodes.map((n) => n[2]),
      ],
    );
  }

  async latestTreeHeadSize(): Promise<number> {
    const r = await this.#pg.db.query<{ n: string | null }>('SELECT MAX(tree_size) AS n FROM audit_tree_heads WHERE chain_id = $1', [await this.chainId()]);
    return Number(r.rows[0]?.n ?? 0);
  }

  async insertTreeHead(h: TreeHeadRow): Promise<void> {
    await this.#pg.db.query(
      'INSERT INTO audit_tree_heads (chain_id, tree_size, root_hash, timestamp, signature, checkpoint_signature) VALUES ($1, $2, $3, $4, $5, $6)',
      [await this.chainId(), h.treeSize, h.rootHash, h.timestamp, h.signature, h.checkpointSignature],
    );
  }

  async prune(before: string): Promise<number> {
    const r = await this.#pg.db.query("UPDATE audit_events SET body = '', pruned = true WHERE chain_id = $1 AND event_time < $2 AND NOT pruned", [await this.chainId(), before]);
    return r.rowCount ?? 0;
  }

  async list(limit: number): Promise<AuditEvent[]> {
    const r = await this.#pg.db.query<{ body: string }>('SELECT body FROM audit_events WHERE chain_id = $1 AND NOT pruned ORDER BY seq LIMIT $2', [await this.chainId(), limit]);
    return r.rows.map((row) => JSON.parse(row.body) as AuditEvent);
  }

  /** Every PostgreSQL event has its leaf hash (the column is NOT NULL): this store never held an older trail. */
  async legacyEvents(): Promise<AuditEvent[] | undefined> {
    return undefined;
  }

  async clearEvents(): Promise<void> {
    const chain = await this.chainId();
    await this.#pg.transactions.run(async () => {
      for (const table of ['audit_event_keys', 'audit_events', 'audit_tree_nodes']) await this.#pg.db.query(`DELETE FROM ${table} WHERE chain_id = $1`, [chain]);
    });
  }

  async getSigningKey(): Promise<{ publicKey: Buffer; wrapped: WrappedSecret } | undefined> {
    const r = (
      await this.#pg.db.query<{ public_key: Buffer; domain_key_version: number; wrapped_private: Buffer }>(
        'SELECT public_key, domain_key_version, wrapped_private FROM audit_signing_keys WHERE chain_id = $1',
        [await this.chainId()],
      )
    ).rows[0];
    return r && { publicKey: r.public_key, wrapped: { domainKeyVersion: r.domain_key_version, wrapped: r.wrapped_private } };
  }

  async putSigningKey(publicKey: Buffer, wrapped: WrappedSecret): Promise<void> {
    await this.#pg.db.query('INSERT INTO audit_signing_keys (chain_id, public_key, domain_key_version, wrapped_private) VALUES ($1, $2, $3, $4)', [
      await this.chainId(),
      publicKey,
      wrapped.domainKeyVersion,
      wrapped.wrapped,
    ]);
  }
}
