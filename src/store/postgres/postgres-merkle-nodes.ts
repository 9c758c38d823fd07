import { consistencyProofFromSubtrees, inclusionProofFromSubtrees, type SubtreeHashes } from '../../crypto/merkle-subtrees.js';
import type { PostgresDatabase } from './database.js';

/** What a dry run answers for every hash it asks for: the proof's shape depends on sizes only, never on hash values. */
const PLACEHOLDER = new Uint8Array(32);

const keyOf = (level: number, index: number): string => `${level}/${index}`;

/**
 * One chain's Merkle tree as PostgresAuditRows stores it: leaf hashes in `audit_events.leaf_hash` (level 0,
 * index = sequence − 1) and every complete subtree at level ≥ 1 in `audit_tree_nodes(chain_id, level, idx)`
 * — SqliteMerkleNodes's layout, keyed by chain. The proof functions of merkle-subtrees.ts read hashes
 * synchronously, and a query is asynchronous, so a proof runs twice: a dry run over placeholder hashes
 * names the O(log n) hashes it needs, two queries (leaves, interior nodes) fetch them all, and the real run
 * reads them from memory. The reads need no transaction: a stored node never changes once written, and a
 * proof names only sizes whose events (and so nodes) are committed.
 */
export class PostgresMerkleNodes {
  readonly #pg: PostgresDatabase;
  readonly #chainId: () => string;

  constructor(pg: PostgresDatabase, chainId: () => string) {
    this.#pg = pg;
    this.#chainId = chainId;
  }

  /** RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves. */
  inclusionProof(index: number, size: number): Promise<Buffer[]> {
    return this.#withHashes((get) => inclusionProofFromSubtrees(get, index, size));
  }

  /** RFC 9162 consistency proof between the trees of `first` and `second` leaves. */
  consistencyProof(first: number, second: number): Promise<Buffer[]> {
    return this.#withHashes((get) => consistencyProofFromSubtrees(get, first, second));
  }

  /** Runs `compute` over the stored hashes it reads; throws (as SQLite does) if one is not stored. */
  async #withHashes<T>(compute: (get: SubtreeHashes) => T): Promise<T> {
    const wanted = new Map<string, readonly [number, number]>();
    compute((level, index) => {
      wanted.set(keyOf(level, index), [level, index]);
      return PLACEHOLDER;
    });
    const found = await this.#fetch([...wanted.values()]);
    return compute((level, index) => {
      const hash = found.get(keyOf(level, index));
      if (hash === undefined) throw new Error(`the audit tree has no stored hash at level ${level}, index ${index}`);
      return hash;
    });
  }

  async #fetch(wanted: readonly (readonly [number, number])[]): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    if (wanted.length === 0) return found;
    const chain = this.#chainId();
    const leaves = wanted.filter(([level]) => level === 0).map(([, index]) => index + 1);
    const nodes = wanted.filter(([level]) => level > 0);
    if (leaves.length > 0) {
      const r = await this.#pg.db.query<{ seq: string; leaf_hash: Buffer }>('SELECT seq, leaf_hash FROM audit_events WHERE chain_id = $1 AND seq = ANY($2::bigint[])', [chain, leaves]);
      for (const row of r.rows) found.set(keyOf(0, Number(row.seq) - 1), row.leaf_hash);
    }
    if (nodes.length > 0) {
      const r = await this.#pg.db.query<{ level: number; idx: string; hash: Buffer }>(
        'SELECT n.level, n.idx, n.hash FROM audit_tree_nodes n JOIN unnest($2::int[], $3::bigint[]) AS w(level, idx) ON n.level = w.level AND n.idx = w.idx WHERE n.chain_id = $1',
        [chain, nodes.map(([level]) => level), nodes.map(([, index]) => index)],
      );
      for (const row of r.rows) found.set(keyOf(row.level, Number(row.idx)), row.hash);
    }
    return found;
  }
}
