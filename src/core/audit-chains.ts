import type { TreeHead } from './audit.js';
import type { AuditTrail } from './ports.js';

/**
 * The audit chains of a store (issue 14): on PostgreSQL every node writes its own chain (its own
 * sequence, Merkle tree, signed tree heads and signing key); SQLite has one. Read-only.
 */
export interface AuditChainInfo {
  /** The name of the node that writes the chain. */
  readonly node: string;
  readonly chainId: string;
  /** Events in the chain (its tree size; pruned events included). */
  readonly events: number;
  /** The newest signed tree head, if the node signed one. */
  readonly latestTreeHead?: TreeHead | undefined;
  /** The chain's Ed25519 tree-head public key (raw 32 bytes); empty if the node never stored one. */
  readonly publicKey: Buffer;
}

/** Every audit chain of the store, and a trail over each. */
export interface AuditChains {
  /** Every chain, ordered by node name. */
  list(): Promise<readonly AuditChainInfo[]>;
  /**
   * The trail over chain `chainId`: this node's own trail for its chain; for another node's, a read-only
   * trail (that chain's stored public key, `checkpoint` signs nothing and answers the latest stored head,
   * `signStatement` answers undefined). Undefined: no such chain.
   */
  trailOf(chainId: string): Promise<AuditTrail | undefined>;
}
