import { EMPTY_ROOT, nodeHash, splitPoint } from './merkle.js';

/**
 * RFC 9162 proofs computed from stored perfect-subtree hashes instead of every leaf, so that a proof in a
 * tree of n leaves reads O(log n) hashes.
 *
 * `SubtreeHashes(level, index)` returns the root of the perfect subtree over leaves
 * [index·2^level, (index+1)·2^level) — level 0 is a leaf hash. These are exactly the hashes of the
 * C2SP tlog-tiles layout (a tile at tile level t holds the level-8t hashes), stored one row per node.
 *
 * Every subtree an RFC 9162 proof names is either perfect and aligned (one read) or the right edge of the
 * tree, [start, size), which splits into one perfect subtree per set bit of its size: an inclusion or
 * consistency proof reads at most about 2·log2(n) hashes. Results equal merkle.ts's `inclusionProof` and
 * `consistencyProof` over the same leaves (property-tested in merkle-subtrees.test.ts).
 */
export type SubtreeHashes = (level: number, index: number) => Uint8Array;

function isPerfect(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** MTH of leaves [start, end): one read for an aligned perfect subtree, else split as RFC 9162 does. */
export function rangeRoot(get: SubtreeHashes, start: number, end: number): Buffer {
  const n = end - start;
  if (n === 0) return EMPTY_ROOT;
  if (isPerfect(n) && start % n === 0) return Buffer.from(get(Math.log2(n), start / n));
  const k = splitPoint(n);
  return nodeHash(rangeRoot(get, start, start + k), rangeRoot(get, start + k, end));
}

function checkSize(size: number, what: string): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`${what} out of range`);
}

/** PATH(index, D[size]) from stored subtree hashes. */
export function inclusionProofFromSubtrees(get: SubtreeHashes, index: number, size: number): Buffer[] {
  checkSize(size, 'tree size');
  if (size < 1) throw new RangeError('tree size out of range');
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw new RangeError('leaf index out of range');
  const proof: Buffer[] = [];
  let start = 0;
  let end = size;
  let m = index;
  // Top-down; RFC 9162 lists the siblings bottom-up.
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (m < k) {
      proof.push(rangeRoot(get, start + k, end));
      end = start + k;
    } else {
      proof.push(rangeRoot(get, start, start + k));
      start += k;
      m -= k;
    }
  }
  return proof.reverse();
}

/** PROOF(first, D[second]) from stored subtree hashes. */
export function consistencyProofFromSubtrees(get: SubtreeHashes, first: number, second: number): Buffer[] {
  checkSize(second, 'tree size');
  if (!Number.isSafeInteger(first) || first < 0 || first > second) throw new RangeError('first size out of range');
  if (first === 0 || first === second) return [];
  const proof: Buffer[] = [];
  let start = 0;
  let end = second;
  let m = first;
  let b = true;
  for (;;) {
    const n = end - start;
    if (m === n) {
      if (!b) proof.push(rangeRoot(get, start, end));
      break;
    }
    const k = splitPoint(n);
    if (m <= k) {
      proof.push(rangeRoot(get, start + k, end));
      end = start + k;
    } else {
      proof.push(rangeRoot(get, start, start + k));
      start += k;
      m -= k;
      b = false;
    }
  }
  return proof.reverse();
}
