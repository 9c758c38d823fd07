import * as nodeCrypto from 'node:crypto';
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * RFC 9162 (Certificate Transparency 2.0, §2.1) Merkle tree hashing, proofs and proof verification,
 * with SHA-256. Pure functions over leaf hashes; every verifier returns `false` (never throws) for a
 * malformed proof, size or hash.
 */

export const HASH_LENGTH = 32;

/** The hash of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/**
 * One-shot SHA-256 (`crypto.hash`, Node ≥ 20.12): about twice as fast as a Hash object for the small
 * inputs of a Merkle tree, which every audited request and every verified event pays. Older Node: a Hash.
 */
const sha256: (data: Uint8Array) => Buffer =
  typeof nodeCrypto.hash === 'function' ? (data) => nodeCrypto.hash('sha256', data, 'buffer') : (data) => createHash('sha256').update(data).digest();

/** SHA-256(0x00 || leaf bytes). */
export function leafHash(data: Uint8Array): Buffer {
  const input = Buffer.allocUnsafe(data.length + 1);
  input[0] = 0;
  input.set(data, 1);
  return sha256(input);
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  const input = Buffer.allocUnsafe(1 + left.length + right.length);
  input[0] = 1;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return sha256(input);
}

/** The largest power of two strictly smaller than `n` (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function checkLeaves(leaves: readonly Uint8Array[]): void {
  for (const l of leaves) if (l.length !== HASH_LENGTH) throw new TypeError('a leaf hash must be 32 bytes');
}

function mth(leaves: readonly Uint8Array[], start: number, end: number): Buffer {
  const n = end - start;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return Buffer.from(leaves[start] as Uint8Array);
  const k = splitPoint(n);
  return nodeHash(mth(leaves, start, start + k), mth(leaves, start + k, end));
}

/** MTH(D[n]): the root hash of the tree over these leaf hashes. */
export function rootOf(leaves: readonly Uint8Array[]): Buffer {
  checkLeaves(leaves);
  return mth(leaves, 0, leaves.length);
}

function path(m: number, leaves: readonly Uint8Array[], start: number, end: number): Buffer[] {
  const n = end - start;
  if (n <= 1) return [];
  const k = splitPoint(n);
  if (m < k) return [...path(m, leaves, start, start + k), mth(leaves, start + k, end)];
  return [...path(m - k, leaves, start + k, end), mth(leaves, start, start + k)];
}

/** PATH(index, D[size]): the inclusion proof of leaf `index` in the tree of the first `size` leaves. */
export function inclusionProof(leaves: readonly Uint8Array[], index: number, size = leaves.length): Buffer[] {
  checkLeaves(leaves);
  if (!Number.isSafeInteger(size) || size < 1 || size > leaves.length) throw new RangeError('tree size out of range');
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw new RangeError('leaf index out of range');
  return path(index, leaves, 0, size);
}

function subproof(m: number, leaves: readonly Uint8Array[], start: number, end: number, b: boolean): Buffer[] {
  const n = end - start;
  if (m === n) return b ? [] : [mth(leaves, start, end)];
  const k = splitPoint(n);
  if (m <= k) return [...subproof(m, leaves, start, start + k, b), mth(leaves, start + k, end)];
  return [...subproof(m - k, leaves, start + k, end, false), mth(leaves, start, start + k)];
}

/** PROOF(first, D[second]): the consistency proof between the trees of the first `first` and `second` leaves. */
export function consistencyProof(leaves: readonly Uint8Array[], first: number, second = leaves.length): Buffer[] {
  checkLeaves(leaves);
  if (!Number.isSafeInteger(second) || second < 0 || second > leaves.length) throw new RangeError('tree size out of range');
  if (!Number.isSafeInteger(first) || first < 0 || first > second) throw new RangeError('first size out of range');
  if (first === 0 || first === second) return [];
  return subproof(first, leaves, 0, second, true);
}

function isHash(h: unknown): h is Uint8Array {
  return h instanceof Uint8Array && h.length === HASH_LENGTH;
}

function isProof(p: unknown): p is readonly Uint8Array[] {
  return Array.isArray(p) && p.every(isHash);
}

function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}

const odd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

/** RFC 9162 §2.1.3.2: whether `proof` proves `leaf` is at `index` in the tree of `size` leaves with `root`. */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!isHash(leaf) || !isHash(root) || !isProof(proof)) return false;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && sameHash(r, root);
}

/**
 * RFC 9162 §2.1.4.2: whether `proof` shows the tree of `second` leaves with `secondRoot` extends the tree
 * of `first` leaves with `firstRoot`. Equal sizes need an empty proof and equal roots; a first size of 0
 * needs an empty proof and the empty root.
 */
export function verifyConsistency(first: number, second: number, firstRoot: Uint8Array, secondRoot: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!isHash(firstRoot) || !isHash(secondRoot) || !isProof(proof)) return false;
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0 || first > second) return false;
  if (first === second) return proof.length === 0 && sameHash(firstRoot, secondRoot);
  if (first === 0) return proof.length === 0 && sameHash(firstRoot, EMPTY_ROOT);
  if (proof.length === 0) return false;
  const path: Uint8Array[] = [...proof];
  if (isPowerOfTwo(first)) path.unshift(firstRoot);
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Uint8Array = path[0] as Uint8Array;
  let sr: Uint8Array = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && sameHash(fr, firstRoot) && sameHash(sr, secondRoot);
}

/**
 * The right edge of a growing tree (the roots of its perfect subtrees, largest first), so that appending
 * a leaf and reading the root cost O(log n) instead of rehashing every leaf.
 */
export class MerkleFrontier {
  #size = 0;
  #stack: { hash: Buffer; size: number }[] = [];

  get size(): number {
    return this.#size;
  }

  /**
   * Appends a leaf hash. `onNode` is told about every perfect subtree this leaf completes (level ≥ 1:
   * 2^level leaves, the `index`-th of that size from the left), smallest first — at most log2(n) of them,
   * one on average — so a store can keep the tree's interior hashes (merkle-subtrees.ts).
   */
  append(leaf: Uint8Array, onNode?: (level: number, index: number, hash: Buffer) => void): void {
    if (!isHash(leaf)) throw new TypeError('a leaf hash must be 32 bytes');
    let node: { hash: Buffer; size: number } = { hash: Buffer.from(leaf), size: 1 };
    let level = 0;
    for (let top = this.#stack.at(-1); top !== undefined && top.size === node.size; top = this.#stack.at(-1)) {
      this.#stack.pop();
      node = { hash: nodeHash(top.hash, node.hash), size: top.size * 2 };
      level++;
      onNode?.(level, (this.#size + 1) / node.size - 1, node.hash);
    }
    this.#stack.push(node);
    this.#size += 1;
  }

  /**
   * The frontier of a tree of `size` leaves, from the hashes of its right-edge perfect subtrees:
   * `subtree(level, index)` is the root of leaves [index·2^level, (index+1)·2^level) (level 0: a leaf).
   * Reads one hash per set bit of `size`.
   */
  static restore(size: number, subtree: (level: number, index: number) => Uint8Array): MerkleFrontier {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError('tree size out of range');
    const f = new MerkleFrontier();
    let offset = 0;
    for (let level = Math.floor(Math.log2(Math.max(size, 1))) + 1; level >= 0; level--) {
      const span = 2 ** level;
      if (offset + span > size) continue;
      const hash = subtree(level, offset / span);
      if (!isHash(hash)) throw new TypeError('a subtree hash must be 32 bytes');
      f.#stack.push({ hash: Buffer.from(hash), size: span });
      offset += span;
    }
    f.#size = size;
    return f;
  }

  root(): Buffer {
    if (this.#stack.length === 0) return EMPTY_ROOT;
    let r: Buffer = (this.#stack.at(-1) as { hash: Buffer }).hash;
    for (let i = this.#stack.length - 2; i >= 0; i--) r = nodeHash((this.#stack[i] as { hash: Buffer }).hash, r);
    return r;
  }

  clone(): MerkleFrontier {
    const c = new MerkleFrontier();
    c.#size = this.#size;
    c.#stack = this.#stack.map((n) => ({ ...n }));
    return c;
  }
}
