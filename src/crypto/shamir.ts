import { randomBytes } from 'node:crypto';
import { SecretBytes } from './secret-bytes.js';

/**
 * Shamir secret sharing over GF(2^8) (the AES field, polynomial x^8 + x^4 + x^3 + x + 1), byte by byte.
 *
 * A share is encoded as `0x01 | share-set id (8) | index (1, 1..255) | y (one byte per secret byte)`.
 * The share-set id is random per split, so shares from two splits (a rekey, another cluster) are told
 * apart before combining. Combining fewer than the threshold, or a tampered share, silently yields wrong
 * bytes: that is the nature of the scheme, so callers must verify the result (Arca unwraps an
 * AES-GCM-wrapped root key with it) and never trust the combine alone.
 *
 * Field arithmetic is branch-free and table-free (no secret-dependent memory access).
 */
export const SHARE_FORMAT_V1 = 0x01;
export const SHARE_SET_ID_LENGTH = 8;
export const MAX_SHARES = 16;
const HEADER = 1 + SHARE_SET_ID_LENGTH + 1;

/** Why a set of shares was refused before combining. */
export type ShareProblem = 'malformed' | 'zero-index' | 'duplicate' | 'mixed-set' | 'length-mismatch' | 'empty';

export class ShareError extends Error {
  constructor(readonly problem: ShareProblem, message: string) {
    super(message);
    this.name = 'ShareError';
  }
}

/** Multiplication in GF(2^8), constant time. */
export function gfMul(a: number, b: number): number {
  let p = 0;
  for (let i = 0; i < 8; i++) {
    p ^= -(b & 1) & a;
    const hi = -((a >> 7) & 1) & 0x1b;
    a = ((a << 1) ^ hi) & 0xff;
    b >>= 1;
  }
  return p & 0xff;
}

/** Multiplicative inverse in GF(2^8) (a^254); the inverse of 0 is 0. */
export function gfInv(a: number): number {
  let result = 1;
  let base = a;
  for (let e = 254; e > 0; e >>= 1) {
    if (e & 1) result = gfMul(result, base);
    base = gfMul(base, base);
  }
  return result;
}

/** The fields of one encoded share. `y` aliases the share's buffer. */
export interface ParsedShare {
  readonly setId: Buffer;
  readonly index: number;
  readonly y: Buffer;
}

/** Parses an encoded share, or throws a {@link ShareError} (`malformed`, `zero-index`). */
export function parseShare(share: Uint8Array): ParsedShare {
  const b = Buffer.from(share.buffer, share.byteOffset, share.length);
  if (b.length < HEADER + 1 || b[0] !== SHARE_FORMAT_V1) throw new ShareError('malformed', 'the share is not an Arca unseal share');
  const index = b[1 + SHARE_SET_ID_LENGTH] ?? 0;
  if (index === 0) throw new ShareError('zero-index', 'the share has index 0, which would be the secret itself');
  return { setId: b.subarray(1, 1 + SHARE_SET_ID_LENGTH), index, y: b.subarray(HEADER) };
}

/** A fresh random share-set id. */
export function newShareSetId(): Buffer {
  return randomBytes(SHARE_SET_ID_LENGTH);
}

/**
 * Splits `secret` into `shares` encoded shares (indexes 1..n), any `threshold` of which reconstruct it.
 * Requires 1 ≤ threshold ≤ shares ≤ {@link MAX_SHARES}. The random polynomial coefficients are zeroed.
 */
export function splitSecret(secret: SecretBytes, shares: number, threshold: number, setId: Uint8Array = newShareSetId()): SecretBytes[] {
  if (!Number.isInteger(shares) || !Number.isInteger(threshold) || threshold < 1 || threshold > shares || shares > MAX_SHARES) {
    throw new RangeError(`Shamir parameters must satisfy 1 ≤ threshold ≤ shares ≤ ${MAX_SHARES} (got ${threshold} of ${shares})`);
  }
  if (setId.length !== SHARE_SET_ID_LENGTH) throw new RangeError(`a share-set id is ${SHARE_SET_ID_LENGTH} bytes`);
  const s = secret.expose();
  const coefficients = randomBytes(s.length * (threshold - 1));
  const out: SecretBytes[] = [];
  for (let x = 1; x <= shares; x++) {
    const share = Buffer.alloc(HEADER + s.length);
    share[0] = SHARE_FORMAT_V1;
    share.set(setId, 1);
    share[HEADER - 1] = x;
    for (let i = 0; i < s.length; i++) {
      // Horner: a_{t-1} x^{t-1} + ... + a_1 x + secret.
      let y = 0;
      for (let k = threshold - 2; k >= 0; k--) y = gfMul(y, x) ^ (coefficients[i * (threshold - 1) + k] ?? 0);
      share[HEADER + i] = gfMul(y, x) ^ (s[i] ?? 0);
    }
    out.push(SecretBytes.adopt(share));
  }
  coefficients.fill(0);
  return out;
}

/**
 * Checks that `shares` can be combined: well formed, non-zero and distinct indexes, one share set, one
 * length. Returns the parsed shares; throws a {@link ShareError} naming the first problem.
 */
export function checkShares(shares: readonly Uint8Array[]): ParsedShare[] {
  if (shares.length === 0) throw new ShareError('empty', 'no shares');
  const parsed = shares.map(parseShare);
  const first = parsed[0] as ParsedShare;
  const seen = new Set<number>();
  for (const p of parsed) {
    if (!p.setId.equals(first.setId)) throw new ShareError('mixed-set', 'the shares come from different share sets');
    if (p.y.length !== first.y.length) throw new ShareError('length-mismatch', 'the shares have different lengths');
    if (seen.has(p.index)) throw new ShareError('duplicate', `share ${p.index} was given twice`);
    seen.add(p.index);
  }
  return parsed;
}

/**
 * Lagrange interpolation at x = 0 over the given shares. With fewer shares than the threshold, or a
 * tampered share, the result is wrong bytes and no error: verify it before use.
 */
export function combineShares(shares: readonly Uint8Array[]): SecretBytes {
  const parsed = checkShares(shares);
  const length = (parsed[0] as ParsedShare).y.length;
  const out = Buffer.alloc(length);
  for (let i = 0; i < parsed.length; i++) {
    const xi = (parsed[i] as ParsedShare).index;
    // basis_i(0) = Π_{j≠i} x_j / (x_j ⊕ x_i)
    let num = 1;
    let den = 1;
    for (let j = 0; j < parsed.length; j++) {
      if (j === i) continue;
      const xj = (parsed[j] as ParsedShare).index;
      num = gfMul(num, xj);
      den = gfMul(den, xj ^ xi);
    }
    const basis = gfMul(num, gfInv(den));
    const y = (parsed[i] as ParsedShare).y;
    for (let b = 0; b < length; b++) out[b] = (out[b] ?? 0) ^ gfMul(y[b] ?? 0, basis);
  }
  return SecretBytes.adopt(out);
}

/** The share-set id of an encoded share (public: it is printed in status and error messages). */
export function shareSetIdOf(share: Uint8Array): Buffer {
  return Buffer.from(parseShare(share).setId);
}
