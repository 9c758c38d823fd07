/**
 * RFC 9162 (Certificate Transparency 2.0, §2.1) Merkle hashing and proof verification in the browser, with
 * WebCrypto's SHA-256: a port of the server's src/crypto/merkle.ts (web/ imports nothing from src/), checked
 * against it by web/test/audit-merkle.test.ts. Everything is async because `crypto.subtle` is.
 */

export const HASH_LENGTH = 32;

export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>));
}

/** SHA-256(0x00 || leaf bytes). */
export async function leafHash(data: Uint8Array): Promise<Uint8Array> {
  const input = new Uint8Array(data.length + 1);
  input.set(data, 1);
  return sha256(input);
}

/** SHA-256(0x01 || left || right). */
export async function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  const input = new Uint8Array(1 + left.length + right.length);
  input[0] = 1;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return sha256(input);
}

export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** Hex to bytes; undefined unless it is an even number of hex digits. */
export function fromHex(s: string): Uint8Array | undefined {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(s)) return undefined;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toBase64(b: Uint8Array): string {
  let bin = '';
  for (const x of b) bin += String.fromCharCode(x);
  return btoa(bin);
}

/** Strict base64 to bytes (it must re-encode to the same text), or undefined. */
export function fromBase64(s: string): Uint8Array | undefined {
  let bin: string;
  try {
    bin = atob(s);
  } catch {
    return undefined;
  }
  const out = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return toBase64(out) === s ? out : undefined;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number);
  return d === 0;
}

const isHash = (h: Uint8Array): boolean => h.length === HASH_LENGTH;
const odd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}

/**
 * The right edge of a growing tree (the roots of its perfect subtrees, largest first): appending a leaf
 * and reading the root cost O(log n), so a verifier never holds the leaves.
 */
export class MerkleFrontier {
  #size = 0;
  #stack: { hash: Uint8Array; size: number }[] = [];

  get size(): number {
    return this.#size;
  }

  async append(leaf: Uint8Array): Promise<void> {
    if (!isHash(leaf)) throw new TypeError('a leaf hash must be 32 bytes');
    let node = { hash: leaf, size: 1 };
    for (let top = this.#stack.at(-1); top !== undefined && top.size === node.size; top = this.#stack.at(-1)) {
      this.#stack.pop();
      node = { hash: await nodeHash(top.hash, node.hash), size: top.size * 2 };
    }
    this.#stack.push(node);
    this.#size += 1;
  }

  async root(): Promise<Uint8Array> {
    const last = this.#stack.at(-1);
    if (last === undefined) return sha256(new Uint8Array(0));
    let r = last.hash;
    for (let i = this.#stack.length - 2; i >= 0; i--) r = await nodeHash((this.#stack[i] as { hash: Uint8Array }).hash, r);
    return r;
  }
}

/** MTH(D[n]) over these leaf hashes (through the frontier: the same root, by construction of RFC 9162). */
export async function rootOf(leaves: readonly Uint8Array[]): Promise<Uint8Array> {
  const f = new MerkleFrontier();
  for (const l of leaves) await f.append(l);
  return f.root();
}

/** RFC 9162 §2.1.3.2: whether `proof` proves `leaf` is at `index` in the tree of `size` leaves with `root`. */
export async function verifyInclusion(leaf: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): Promise<boolean> {
  if (!isHash(leaf) || !isHash(root) || !proof.every(isHash)) return false;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = await nodeHash(p, r);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && sameBytes(r, root);
}

/**
 * RFC 9162 §2.1.4.2: whether `proof` shows the tree of `second` leaves with `secondRoot` extends the tree
 * of `first` leaves with `firstRoot`.
 */
export async function verifyConsistency(first: number, second: number, firstRoot: Uint8Array, secondRoot: Uint8Array, proof: readonly Uint8Array[]): Promise<boolean> {
  if (!isHash(firstRoot) || !isHash(secondRoot) || !proof.every(isHash)) return false;
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0 || first > second) return false;
  if (first === second) return proof.length === 0 && sameBytes(firstRoot, secondRoot);
  if (first === 0) return proof.length === 0 && sameBytes(firstRoot, await sha256(new Uint8Array(0)));
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && sameBytes(fr, firstRoot) && sameBytes(sr, secondRoot);
}
