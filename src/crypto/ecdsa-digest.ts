import { createECDH, randomBytes, type KeyObject } from 'node:crypto';
import type { CurveName } from './asymmetric-keys.js';

/**
 * ECDSA over a caller-supplied digest (AWS's MessageType DIGEST). node:crypto always hashes what it
 * signs, so the signature equation is done here: the secret-dependent scalar multiplication k·G runs
 * inside OpenSSL (as an ECDH with the generator as peer, which returns x(k·G)), and only the cheap
 * modular arithmetic runs in BigInt, with the nonce inverse blinded by a random factor. Verification
 * handles only public values, so it runs entirely in BigInt (Jacobian coordinates, Shamir's trick).
 */

interface Curve {
  readonly openssl: string;
  readonly p: bigint;
  readonly a: bigint;
  readonly n: bigint;
  readonly bytes: number;
}

const P256_P = BigInt('0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff');
const P384_P = BigInt('0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff');
const P521_P = (1n << 521n) - 1n;
const K256_P = BigInt('0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f');

const CURVES: Record<CurveName, Curve> = {
  'P-256': { openssl: 'prime256v1', p: P256_P, a: P256_P - 3n, n: BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'), bytes: 32 },
  'P-384': { openssl: 'secp384r1', p: P384_P, a: P384_P - 3n, n: BigInt('0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973'), bytes: 48 },
  'P-521': {
    openssl: 'secp521r1',
    p: P521_P,
    a: P521_P - 3n,
    n: BigInt('0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409'),
    bytes: 66,
  },
  secp256k1: { openssl: 'secp256k1', p: K256_P, a: 0n, n: BigInt('0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141'), bytes: 32 },
};

const toBig = (b: Uint8Array): bigint => (b.length === 0 ? 0n : BigInt(`0x${Buffer.from(b).toString('hex')}`));
const toBytes = (x: bigint, len: number): Buffer => Buffer.from(x.toString(16).padStart(len * 2, '0'), 'hex');
const mod = (x: bigint, m: bigint): bigint => ((x % m) + m) % m;

function inverse(x: bigint, m: bigint): bigint {
  let [a, b, u, v] = [mod(x, m), m, 1n, 0n];
  while (a !== 0n) {
    const q = b / a;
    [a, b] = [b - q * a, a];
    [u, v] = [v - q * u, u];
  }
  return mod(v, m);
}

/** The digest as an integer, truncated to the bit length of the group order (SEC 1 §4.1.3 step 5). */
function digestInteger(curve: Curve, digest: Uint8Array): bigint {
  const nBits = curve.n.toString(2).length;
  const e = toBig(digest);
  const excess = digest.length * 8 - nBits;
  return excess > 0 ? e >> BigInt(excess) : e;
}

/** A uniformly random scalar in [1, n-1] (64 extra bits make the modular bias negligible). */
function randomScalar(curve: Curve): bigint {
  return (toBig(randomBytes(curve.bytes + 8)) % (curve.n - 1n)) + 1n;
}

/** x(k·G), computed by OpenSSL (an ECDH between the scalar k and the generator). */
function xOfMultipleOfG(curve: Curve, k: bigint): bigint {
  const [gx, gy] = generator(curve);
  const ecdh = createECDH(curve.openssl);
  ecdh.setPrivateKey(toBytes(k, curve.bytes));
  return toBig(ecdh.computeSecret(Buffer.concat([Buffer.from([4]), toBytes(gx, curve.bytes), toBytes(gy, curve.bytes)])));
}

/** DER `ECDSA-Sig-Value`: SEQUENCE { r INTEGER, s INTEGER }. */
export function encodeEcdsaDer(r: bigint, s: bigint): Buffer {
  const int = (x: bigint): Buffer => {
    let h = x.toString(16);
    if (h.length % 2 === 1) h = `0${h}`;
    let b = Buffer.from(h, 'hex');
    if ((b[0] ?? 0) & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
    return Buffer.concat([Buffer.from([0x02, b.length]), b]);
  };
  const body = Buffer.concat([int(r), int(s)]);
  const len = body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length]);
  return Buffer.concat([Buffer.from([0x30]), len, body]);
}

/** Strict DER decoding of `ECDSA-Sig-Value`: minimal lengths and integers, positive, nothing trailing. */
export function decodeEcdsaDer(sig: Uint8Array): { r: bigint; s: bigint } | undefined {
  let pos = 0;
  const byte = (): number | undefined => (pos < sig.length ? sig[pos++] : undefined);
  const length = (): number | undefined => {
    const first = byte();
    if (first === undefined) return undefined;
    if (first < 0x80) return first;
    if (first !== 0x81) return undefined;
    const l = byte();
    return l !== undefined && l >= 0x80 ? l : undefined;
  };
  const integer = (): bigint | undefined => {
    if (byte() !== 0x02) return undefined;
    const len = length();
    if (len === undefined || len === 0 || pos + len > sig.length) return undefined;
    const content = sig.subarray(pos, pos + len);
    pos += len;
    const [c0 = 0, c1 = 0] = content;
    if (c0 & 0x80) return undefined;
    if (c0 === 0 && (content.length === 1 || !(c1 & 0x80))) return undefined;
    return toBig(content);
  };
  if (byte() !== 0x30) return undefined;
  const total = length();
  if (total === undefined || pos + total !== sig.length) return undefined;
  const r = integer();
  const s = integer();
  if (r === undefined || s === undefined || pos !== sig.length) return undefined;
  return { r, s };
}

/** Signs a digest with an EC private key of `curveName`; DER-encoded signature. */
export function ecdsaSignDigest(curveName: CurveName, privateKey: KeyObject, digest: Uint8Array): Buffer {
  const curve = CURVES[curveName];
  const jwk = privateKey.export({ format: 'jwk' });
  if (jwk.d === undefined) throw new Error('not an EC private key');
  const d = toBig(Buffer.from(jwk.d, 'base64url'));
  const e = digestInteger(curve, digest);
  for (;;) {
    const k = randomScalar(curve);
    const r = mod(xOfMultipleOfG(curve, k), curve.n);
    if (r === 0n) continue;
    const blind = randomScalar(curve);
    const kInverse = mod(inverse(mod(k * blind, curve.n), curve.n) * blind, curve.n);
    const s = mod(kInverse * mod(e + r * d, curve.n), curve.n);
    if (s === 0n) continue;
    return encodeEcdsaDer(r, s);
  }
}

type Jacobian = readonly [bigint, bigint, bigint];
const INFINITY: Jacobian = [1n, 1n, 0n];

function double(c: Curve, [x, y, z]: Jacobian): Jacobian {
  if (z === 0n || y === 0n) return INFINITY;
  const { p } = c;
  const yy = mod(y * y, p);
  const zz = mod(z * z, p);
  const s = mod(4n * x * yy, p);
  const m = mod(3n * x * x + c.a * zz * zz, p);
  const x3 = mod(m * m - 2n * s, p);
  return [x3, mod(m * (s - x3) - 8n * yy * yy, p), mod(2n * y * z, p)];
}

function add(c: Curve, a: Jacobian, b: Jacobian): Jacobian {
  if (a[2] === 0n) return b;
  if (b[2] === 0n) return a;
  const { p } = c;
  const z1z1 = mod(a[2] * a[2], p);
  const z2z2 = mod(b[2] * b[2], p);
  const u1 = mod(a[0] * z2z2, p);
  const u2 = mod(b[0] * z1z1, p);
  const s1 = mod(a[1] * b[2] * z2z2, p);
  const s2 = mod(b[1] * a[2] * z1z1, p);
  const h = mod(u2 - u1, p);
  const r = mod(s2 - s1, p);
  if (h === 0n) return r === 0n ? double(c, a) : INFINITY;
  const hh = mod(h * h, p);
  const hhh = mod(h * hh, p);
  const v = mod(u1 * hh, p);
  const x3 = mod(r * r - hhh - 2n * v, p);
  return [x3, mod(r * (v - x3) - s1 * hhh, p), mod(a[2] * b[2] * h, p)];
}

const generators = new Map<string, Jacobian>();

/** The curve's base point, as OpenSSL knows it (the public key of the scalar 1), cached per curve. */
function generator(curve: Curve): Jacobian {
  const cached = generators.get(curve.openssl);
  if (cached !== undefined) return cached;
  const one = createECDH(curve.openssl);
  one.setPrivateKey(Buffer.from([1]));
  const g = one.getPublicKey();
  const point: Jacobian = [toBig(g.subarray(1, 1 + curve.bytes)), toBig(g.subarray(1 + curve.bytes)), 1n];
  generators.set(curve.openssl, point);
  return point;
}

/** Verifies a DER ECDSA signature over a digest against an EC public key of `curveName`. */
export function ecdsaVerifyDigest(curveName: CurveName, publicKey: KeyObject, digest: Uint8Array, signature: Uint8Array): boolean {
  const curve = CURVES[curveName];
  const rs = decodeEcdsaDer(signature);
  if (rs === undefined) return false;
  const { r, s } = rs;
  const { n, p } = curve;
  if (r <= 0n || r >= n || s <= 0n || s >= n) return false;
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.x === undefined || jwk.y === undefined) return false;
  const q: Jacobian = [toBig(Buffer.from(jwk.x, 'base64url')), toBig(Buffer.from(jwk.y, 'base64url')), 1n];
  const g = generator(curve);
  const w = inverse(s, n);
  const u1 = mod(digestInteger(curve, digest) * w, n);
  const u2 = mod(r * w, n);
  const gq = add(curve, g, q);
  let acc = INFINITY;
  for (let i = BigInt(Math.max(u1.toString(2).length, u2.toString(2).length) - 1); i >= 0n; i--) {
    acc = double(curve, acc);
    const b1 = (u1 >> i) & 1n;
    const b2 = (u2 >> i) & 1n;
    if (b1 === 1n && b2 === 1n) acc = add(curve, acc, gq);
    else if (b1 === 1n) acc = add(curve, acc, g);
    else if (b2 === 1n) acc = add(curve, acc, q);
  }
  if (acc[2] === 0n) return false;
  const zInverse = inverse(acc[2], p);
  const x = mod(acc[0] * zInverse * zInverse, p);
  return mod(x, n) === r;
}
