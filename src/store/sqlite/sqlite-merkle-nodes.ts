import { MerkleFrontier } from '../../crypto/merkle.js';
import { consistencyProofFromSubtrees, inclusionProofFromSubtrees, rangeRoot, type SubtreeHashes } from '../../crypto/merkle-subtrees.js';
import type { SqliteDatabase } from './database.js';

/** At most this many upper nodes are kept in memory per reader (about 5 MiB with the map's overhead). */
const UPPER_NODES_CACHED = 65_536;

/**
 * The audit trail's Merkle tree as stored in SQLite: leaf hashes in `audit_events.leaf_hash` (level 0,
 * index = sequence − 1) and every complete subtree hash at level ≥ 1 in `audit_tree_nodes(level, idx,
 * hash)`, one row per node — the hashes of the C2SP tlog-tiles layout (the tile at tile level t, index i
 * is the rows `level = 8t AND idx BETWEEN 256i AND 256i + 255`, level 0 read from the leaves), kept per
 * node so that any proof reads single rows by primary key. The writer inserts the nodes a leaf completes
 * (one on average, at most log2 n) in the transaction that inserts the event, so the tree and the events
 * never disagree.
 */
export class SqliteMerkleNodes {
  readonly #db: SqliteDatabase;
  readonly #insert;
  readonly #node;
  readonly #leaf;
  /**
   * Nodes at level ≥ 8 (one per 256 leaves: the tile rows above the first) once read. A stored node never
   * changes, so the upper half of every proof comes from memory; bounded (cleared when full).
   */
  readonly #upper = new Map<number, Uint8Array>();

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#insert = db.prepare<[number, number, Buffer]>('INSERT INTO audit_tree_nodes (level, idx, hash) VALUES (?, ?, ?)');
    this.#node = db.prepare<[number, number], { hash: Buffer }>('SELECT hash FROM audit_tree_nodes WHERE level = ? AND idx = ?');
    this.#leaf = db.prepare<[number], { leaf_hash: Buffer | null }>('SELECT leaf_hash FROM audit_events WHERE seq = ?');
  }

  /** For {@link MerkleFrontier.append}: stores a completed subtree (inside the caller's transaction). */
  readonly store = (level: number, index: number, hash: Buffer): void => {
    this.#insert.run(level, index, hash);
  };

  /** The root of the perfect subtree `index` at `level` (0: a leaf); throws if it is not stored. */
  readonly get: SubtreeHashes = (level, index) => {
    const key = index * 64 + level;
    const cached = level >= 8 ? this.#upper.get(key) : undefined;
    if (cached !== undefined) return cached;
    const hash = level === 0 ? this.#leaf.get(index + 1)?.leaf_hash : this.#node.get(level, index)?.hash;
    if (hash === undefined || hash === null) throw new Error(`the audit tree has no stored hash at level ${level}, index ${index}`);
    if (level >= 8) {
      if (this.#upper.size >= UPPER_NODES_CACHED) this.#upper.clear();
      this.#upper.set(key, hash);
    }
    return hash;
  };

  /** Events stored (the tree size). */
  size(): number {
    return this.#db.prepare<[], { n: number | null }>('SELECT MAX(seq) AS n FROM audit_events').get()?.n ?? 0;
  }

  /**
   * The frontier of the stored tree, from log n stored hashes. A trail stored before the nodes existed
   * (or whose nodes are incomplete) gets them built first, streaming over the leaves once (migration
   * 0009-audit-tiles; about a second per million events).
   */
  frontier(): MerkleFrontier {
    const size = this.size();
    try {
      // The last level-1 node too: a partly built table (nodes for the right edge only) is rebuilt.
      if (size >= 2) this.get(1, Math.floor(size / 2) - 1);
      return MerkleFrontier.restore(size, this.get);
    } catch {
      return this.rebuild();
    }
  }

  /** Recomputes every interior node from the leaves (in one transaction). */
  rebuild(): MerkleFrontier {
    return this.#db.transaction(() => {
      this.#db.exec('DELETE FROM audit_tree_nodes');
      const f = new MerkleFrontier();
      // In pages: better-sqlite3 allows no write while a statement iterates.
      const page = this.#db.prepare<[number], { seq: number; leaf_hash: Buffer }>('SELECT seq, leaf_hash FROM audit_events WHERE seq > ? ORDER BY seq LIMIT 10000');
      for (let rows = page.all(0); rows.length > 0; rows = page.all(f.size)) {
        for (const r of rows) {
          if (r.seq !== f.size + 1) throw new Error(`the audit trail has a gap before sequence ${r.seq}`);
          f.append(r.leaf_hash, this.store);
        }
      }
      return f;
    }).immediate();
  }

  // Proofs need no read transaction: a stored node never changes once written, and a proof names only
  // sizes whose events (and so nodes) are committed.

  /** RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves (O(log n) reads). */
  inclusionProof(index: number, size: number): Buffer[] {
    return inclusionProofFromSubtrees(this.get, index, size);
  }

  /** RFC 9162 consistency proof between the trees of `first` and `second` leaves (O(log n) reads). */
  consistencyProof(first: number, second: number): Buffer[] {
    return consistencyProofFromSubtrees(this.get, first, second);
  }

  /** The root of the tree of the first `size` leaves. */
  root(size: number): Buffer {
    return rangeRoot(this.get, 0, size);
  }
}
