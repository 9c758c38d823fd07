import { createHash, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';

/**
 * Ed25519ph (RFC 8032 §5.1, HashEdDSA with SHA-512 and an empty context; FIPS 186-5 §7.8), over a
 * SHA-512 digest the caller computed: PH(M) is that digest. node:crypto signs only pure Ed25519 (OpenSSL
 * has Ed25519ph, but node:crypto does not expose its `instance` parameter), so the curve arithmetic is
 * here, in BigInt, pinned by RFC 8032 §7.3's test vector.
 *
 * Side channels: BigInt arithmetic is not constant-time. Signing runs the secret scalar multiplication
 * as a Montgomery ladder with arithmetic swaps over a fixed number of bits, on a scalar blinded by a
 * random multiple of the group order, so that neither the branch pattern nor the number of steps depends
 * on the nonce; the time of each BigInt operation may still depend on its operands. Verification handles
 * public values only.
 */

const P = 2n ** 255n - 19n;
/** The order of the base point. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const D = 37095705934669439343138083508754565189542113879843219016388785533085940283555n;
const SQRT_M1 = 19681161376707505956807079304988542015446066515923890162744021073123829784752n;

/** A point in extended coordinates (x = X/Z, y = Y/Z, x·y = T/Z). */
interface Point {
  readonly X: bigint;
  readonly Y: bigint;
  readonly Z: bigint;
  readonly T: bigint;
}

const mod = (a: bigint): bigint => ((a % P) + P) % P;

function pow(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

const inv = (a: bigint): bigint => pow(a, P - 2n);

const BX = 15112221349535400772501151409588531511454012693041857206046113283949847762202n;
const BY = 46316835694926478169428394003475163141307993866256225615783033603165251855960n;
const BASE: Point = { X: BX, Y: BY, Z: 1n, T: mod(BX * BY) };
const IDENTITY: Point = { X: 0n, Y: 1n, Z: 1n, T: 0n };

/** Point addition (RFC 8032 §5.1.4); the formula is complete, so it also doubles. */
function add(p: Point, q: Point): Point {
  const a = mod((p.Y - p.X) * (q.Y - q.X));
  const b = mod((p.Y + p.X) * (q.Y + q.X));
  const c = mod(2n * D * p.T * q.T);
  const d = mod(2n * p.Z * q.Z);
  const e = b - a;
  const f = d - c;
  const g = d + c;
  const h = b + a;
  return { X: mod(e * f), Y: mod(g * h), Z: mod(f * g), T: mod(e * h) };
}

/** Swaps `p` and `q` when `mask` is all ones (-1n), without a branch on it. */
function swap(mask: bigint, p: Point, q: Point): [Point, Point] {
  const t = (a: bigint, b: bigint): bigint => mask & (a ^ b);
  const [x, y, z, w] = [t(p.X, q.X), t(p.Y, q.Y), t(p.Z, q.Z), t(p.T, q.T)];
  return [
    { X: p.X ^ x, Y: p.Y ^ y, Z: p.Z ^ z, T: p.T ^ w },
    { X: q.X ^ x, Y: q.Y ^ y, Z: q.Z ^ z, T: q.T ^ w },
  ];
}

/** [k]B for a secret k: a Montgomery ladder over 320 bits of k + t·L (t random), with arithmetic swaps. */
function secretMultiple(k: bigint): Point {
  const blinded = k + (BigInt(`0x${randomBytes(8).toString('hex')}`) + 1n) * L; // < 2^253 · 2^64 < 2^320
  let [r0, r1] = [IDENTITY, BASE];
  for (let i = 319n; i >= 0n; i--) {
    const mask = -((blinded >> i) & 1n);
    [r0, r1] = swap(mask, r0, r1);
    r1 = add(r0, r1);
    r0 = add(r0, r0);
    [r0, r1] = swap(mask, r0, r1);
  }
  return r0;
}

/** [k]P for public values (double and add). */
function publicMultiple(k: bigint, p: Point): Point {
  let result = IDENTITY;
  for (let q = p, e = k; e > 0n; e >>= 1n, q = add(q, q)) if (e & 1n) result = add(result, q);
  return result;
}

const littleEndian = (bytes: Uint8Array): bigint => BigInt(`0x${Buffer.from(bytes).reverse().toString('hex') || '0'}`);
const toLittleEndian = (n: bigint): Buffer => Buffer.from(n.toString(16).padStart(64, '0'), 'hex').reverse();

function encode(p: Point): Buffer {
  const zi = inv(p.Z);
  const x = mod(p.X * zi);
  const out = toLittleEndian(mod(p.Y * zi));
  out[31] = (out[31] ?? 0) | (Number(x & 1n) << 7);
  return out;
}

/** The point a 32-byte encoding names (RFC 8032 §5.1.3), or `undefined` for a non-canonical or off-curve one. */
function decode(bytes: Uint8Array): Point | undefined {
  if (bytes.length !== 32) return undefined;
  const sign = ((bytes[31] ?? 0) >> 7) & 1;
  const copy = Buffer.from(bytes);
  copy[31] = (copy[31] ?? 0) & 0x7f;
  const y = littleEndian(copy);
  if (y >= P) return undefined;
  const u = mod(y * y - 1n);
  const v = mod(D * y * y + 1n);
  let x = mod(u * pow(v, 3n) * pow(u * pow(v, 7n), (P - 5n) / 8n));
  if (mod(v * x * x) !== u) {
    if (mod(v * x * x) !== mod(-u)) return undefined;
    x = mod(x * SQRT_M1);
  }
  if (x === 0n && sign === 1) return undefined;
  if (Number(x & 1n) !== sign) x = P - x;
  return { X: x, Y: y, Z: 1n, T: mod(x * y) };
}

/** dom2(1, "") (RFC 8032 §2): the prefix that separates Ed25519ph from pure Ed25519. */
const DOM2_PH = Buffer.concat([Buffer.from('SigEd25519 no Ed25519 collisions', 'latin1'), Buffer.from([1, 0])]);

const sha512 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** The PKCS#8 header OpenSSL writes before a 32-byte Ed25519 private key (RFC 8410). */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function rawPublicKey(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }).subarray(12);
}

/** The Ed25519ph signature of a 64-byte SHA-512 `digest` with an Ed25519 private key (RFC 8032 §5.1.6). */
export function ed25519phSign(privateKey: KeyObject, digest: Uint8Array): Buffer {
  if (digest.length !== 64) throw new Error('Ed25519ph signs a 64-byte SHA-512 digest');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  try {
    if (der.length !== 48 || !der.subarray(0, 16).equals(PKCS8_PREFIX)) throw new Error('not an Ed25519 private key');
    const h = sha512(der.subarray(16));
    const scalar = Buffer.from(h.subarray(0, 32));
    scalar[0] = (scalar[0] ?? 0) & 248;
    scalar[31] = ((scalar[31] ?? 0) & 127) | 64;
    const s = littleEndian(scalar);
    scalar.fill(0);
    const publicKey = rawPublicKey(createPublicKey(privateKey));
    const r = littleEndian(sha512(DOM2_PH, h.subarray(32), digest)) % L;
    h.fill(0);
    const R = encode(secretMultiple(r));
    const k = littleEndian(sha512(DOM2_PH, R, publicKey, digest)) % L;
    return Buffer.concat([R, toLittleEndian((r + k * s) % L)]);
  } finally {
    der.fill(0);
  }
}

/** Whether `signature` is an Ed25519ph signature of the SHA-512 `digest` under an Ed25519 public key; never throws. */
export function ed25519phVerify(publicKey: KeyObject, digest: Uint8Array, signature: Uint8Array): boolean {
  if (digest.length !== 64 || signature.length !== 64) return false;
  try {
    const a = rawPublicKey(publicKey);
    const A = decode(a);
    const R = decode(signature.subarray(0, 32));
    const S = littleEndian(signature.subarray(32));
    if (A === undefined || R === undefined || S >= L) return false;
    const k = littleEndian(sha512(DOM2_PH, signature.subarray(0, 32), a, digest)) % L;
    // [S]B = R + [k]A, compared as encodings (RFC 8032 §5.1.7 allows the cofactorless equation).
    return encode(publicMultiple(S, BASE)).equals(encode(add(R, publicMultiple(k, A))));
  } catch {
    return false;
  }
}
