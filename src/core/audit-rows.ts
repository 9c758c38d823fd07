import type { MerkleFrontier } from '../crypto/merkle.js';
import type { AuditEvent } from './audit.js';
import type { AuditSigningKeyStore } from './ports.js';

/** One recorded event as the writer stores it: its position, leaf hash and stored (canonical) text. */
export interface AuditEventRow {
  readonly sequence: number;
  /** The event with its `arca` fields. */
  readonly event: AuditEvent;
  readonly leafHash: Buffer;
  /** The text kept for the event (its canonical text with the leaf hash: verifiers hash it as it is). */
  readonly body: string;
}

/** A completed Merkle subtree hash: its level (≥ 1), index at that level, and hash. */
export type MerkleNodeRow = readonly [level: number, index: number, hash: Buffer];

/** A signed tree head as stored. */
export interface TreeHeadRow {
  readonly treeSize: number;
  readonly rootHash: Buffer;
  readonly timestamp: string;
  readonly signature: Buffer;
  readonly checkpointSignature: Buffer;
}

/**
 * The rows of the audit trail, as the audit writer (src/audit/audit-writer.ts) needs them and no more:
 * the writer decides sequences, hashes and signatures; the store only keeps rows. Writes run inside the
 * caller's unit of work (the same store's {@link UnitOfWork}). Every method is async: a pooled store
 * (PostgreSQL) answers over the network; the embedded ones answer at once.
 */
export interface AuditRows extends AuditSigningKeyStore {
  /** The trail's id, created (and stored) on first use. */
  chainId(): Promise<string>;
  /** The frontier of the stored tree, read back at start (interior nodes rebuilt when missing). */
  frontier(): Promise<MerkleFrontier>;
  /** Leaf hashes of the events after `size`, in sequence order (another process may have appended them). */
  leavesAfter(size: number): Promise<readonly { readonly sequence: number; readonly leafHash: Buffer }[]>;
  /**
   * Stores events (in sequence order) and the Merkle subtree hashes they completed (level ≥ 1; from
   * {@link MerkleFrontier.append}); a store over the network does it in one round trip.
   */
  insertEvents(events: readonly AuditEventRow[], nodes: readonly MerkleNodeRow[]): Promise<void>;
  /** The size of the newest stored tree head (0: none). */
  latestTreeHeadSize(): Promise<number>;
  insertTreeHead(head: TreeHeadRow): Promise<void>;
  /** Retention: drops the bodies of events older than `before` (ISO time), keeping sequence and leaf hash. */
  prune(before: string): Promise<number>;
  /** Unpruned events, oldest first (tests and tools). */
  list(limit: number): Promise<AuditEvent[]>;
  /** Every stored event when some predate the verifiable trail (no leaf hash), else undefined. */
  legacyEvents(): Promise<AuditEvent[] | undefined>;
  /** Removes every event, event-key row and interior node (before the legacy events are written again). */
  clearEvents(): Promise<void>;
}
