import type { AuditChainInfo } from '../../core/audit-chains.js';
import type { AuditTrail } from '../../core/ports.js';
import type { PostgresDatabase } from './database.js';
import { PostgresAuditTrail, treeHeadOf } from './postgres-audit-trail.js';

/** One node's audit chain in a shared database, as a cluster-wide verification reports it. */
export interface AuditChainSummary extends AuditChainInfo {
  /** When the node first wrote to the database. */
  readonly createdAt: Date;
}

/**
 * Every audit chain in one PostgreSQL database (one per node that ever wrote, ADR 0013): what `arca audit
 * verify` on a cluster walks, node by node. Read-only; each chain is then read and verified through a
 * PostgresAuditTrail over its chain id.
 */
export class PostgresAuditChains {
  readonly #pg: PostgresDatabase;

  constructor(pg: PostgresDatabase) {
    this.#pg = pg;
  }

  /**
   * Every chain, ordered by node name. The event count is `MAX(seq)` (one index probe per chain, not a
   * scan); the head is the one with the largest tree size; the public key is the chain's signing key row
   * (empty if the node never stored one).
   */
  async listChains(): Promise<AuditChainSummary[]> {
    const r = await this.#pg.db.query<{
      node: string;
      chain_id: string;
      created_at: Date;
      events: string | null;
      tree_size: string | null;
      root_hash: Buffer | null;
      timestamp: string | null;
      signature: Buffer | null;
      public_key: Buffer | null;
    }>(
      `SELECT c.node, c.chain_id, c.created_at,
              (SELECT MAX(e.seq) FROM audit_events e WHERE e.chain_id = c.chain_id) AS events,
              h.tree_size, h.root_hash, h.timestamp, h.signature, k.public_key
       FROM audit_chains c
       LEFT JOIN audit_signing_keys k ON k.chain_id = c.chain_id
       LEFT JOIN LATERAL (SELECT tree_size, root_hash, timestamp, signature FROM audit_tree_heads t WHERE t.chain_id = c.chain_id ORDER BY tree_size DESC LIMIT 1) h ON true
       ORDER BY c.node`,
    );
    return r.rows.map((row) => ({
      node: row.node,
      chainId: row.chain_id,
      createdAt: row.created_at,
      events: Number(row.events ?? 0),
      publicKey: row.public_key ?? Buffer.alloc(0),
      latestTreeHead:
        row.tree_size === null || row.root_hash === null || row.timestamp === null || row.signature === null
          ? undefined
          : treeHeadOf(row.chain_id, { tree_size: row.tree_size, root_hash: row.root_hash, timestamp: row.timestamp, signature: row.signature }),
    }));
  }

  /**
   * A read-only trail over chain `chainId` (another node's): its stored public key, `checkpoint` signs
   * nothing (only the writing node can) and answers the latest stored head, `signStatement` answers
   * undefined. Undefined: no such chain. `keyUseEvents` as for PostgresAuditTrail.
   */
  async trailOf(chainId: string, keyUseEvents: readonly string[]): Promise<AuditTrail | undefined> {
    const r = (
      await this.#pg.db.query<{ public_key: Buffer | null }>(
        'SELECT k.public_key FROM audit_chains c LEFT JOIN audit_signing_keys k ON k.chain_id = c.chain_id WHERE c.chain_id = $1',
        [chainId],
      )
    ).rows[0];
    if (r === undefined) return undefined;
    const publicKey = r.public_key ?? Buffer.alloc(0);
    return new PostgresAuditTrail(this.#pg, () => chainId, () => publicKey, () => undefined, () => undefined, keyUseEvents);
  }
}
