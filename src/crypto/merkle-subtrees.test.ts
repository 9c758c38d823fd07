import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { consistencyProof, inclusionProof, MerkleFrontier, rootOf } from './merkle.js';
import { consistencyProofFromSubtrees, inclusionProofFromSubtrees, rangeRoot, type SubtreeHashes } from './merkle-subtrees.js';

const leafOf = (i: number): Buffer => createHash('sha256').update(`leaf ${i}`).digest();

/** Builds the stored nodes as a writer would (MerkleFrontier's onNode), counting the reads of a proof. */
function build(n: number): { leaves: Buffer[]; get: SubtreeHashes; reads: () => number; nodes: number } {
  const leaves = Array.from({ length: n }, (_, i) => leafOf(i));
  const stored = new Map<string, Buffer>();
  const f = new MerkleFrontier();
  for (const l of leaves) f.append(l, (level, index, hash) => stored.set(`${level}/${index}`, hash));
  let reads = 0;
  const get: SubtreeHashes = (level, index) => {
    reads++;
    const h = level === 0 ? leaves[index] : stored.get(`${level}/${index}`);
    if (h === undefined) throw new Error(`no stored node ${level}/${index}`);
    return h;
  };
  return { leaves, get, reads: () => reads, nodes: stored.size };
}

describe('proofs from stored subtree hashes', () => {
  it('equal the RFC 9162 proofs over all leaves, for random sizes, indexes and first sizes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 1, max: n }), fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n }))),
        ([n, size, rawIndex, rawFirst]) => {
          const { leaves, get } = build(n);
          const index = rawIndex % size;
          const first = rawFirst % (size + 1);
          assert.deepEqual(inclusionProofFromSubtrees(get, index, size), inclusionProof(leaves, index, size));
          assert.deepEqual(consistencyProofFromSubtrees(get, first, size), consistencyProof(leaves, first, size));
          assert.deepEqual(rangeRoot(get, 0, size), rootOf(leaves.slice(0, size)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a writer stores one interior node per leaf on average, and a frontier restores from log n of them', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), (n) => {
        const { leaves, get, nodes } = build(n);
        assert.ok(nodes < n || n === 0);
        const restored = MerkleFrontier.restore(n, get);
        assert.equal(restored.size, n);
        assert.deepEqual(restored.root(), rootOf(leaves));
        const next = leafOf(n);
        restored.append(next);
        assert.deepEqual(restored.root(), rootOf([...leaves, next]));
      }),
      { numRuns: 100 },
    );
  });

  it('a proof reads O(log n) hashes, not n', () => {
    const n = 100_003;
    const { get, reads } = build(n);
    const before = reads();
    inclusionProofFromSubtrees(get, 77_777, n);
    consistencyProofFromSubtrees(get, 65_537, n);
    assert.ok(reads() - before <= 4 * Math.ceil(Math.log2(n)), `read ${reads() - before} hashes`);
  });
});
