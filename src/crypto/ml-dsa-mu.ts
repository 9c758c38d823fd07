import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import type { MlDsaParameterSet } from './post-quantum.js';

/**
 * ML-DSA over an external message representative μ (FIPS 204 §6.2, "external mu"; AWS's MessageType
 * EXTERNAL_MU). The caller computes μ = SHAKE256(tr ‖ M′, 64) with tr = SHAKE256(pk, 64) and
 * M′ = 0x00 ‖ 0x00 ‖ M (pure ML-DSA, empty context; FIPS 204 Algorithm 2 line 6 / Algorithm 7 line 6),
 * so a signature of μ is the ML-DSA signature of M: node:crypto's `verify(null, M, publicKey, sig)`
 * accepts it. node:crypto always computes μ itself (OpenSSL 3.5's `mu` parameter is not exposed), so
 * this module signs and verifies with @noble/post-quantum's ML-DSA (`internal.sign`/`internal.verify`
 * with `externalMu`); messages (RAW) keep going through node:crypto.
 *
 * Private keys arrive as node:crypto KeyObjects over Arca's PKCS#8 material (RFC 9881 `ML-DSA-PrivateKey`):
 * node:crypto writes the 32-byte seed form when the key has a seed, the expanded form otherwise (an
 * imported expanded-only key). The seed is expanded with `keygen(seed)`; the DER export and the expanded
 * key are zeroed after each signature. The expanded key's tr must be SHAKE256 of the key's own public
 * key, so a key that does not match its public half never signs.
 */

/** The length of μ (FIPS 204: 512 bits). */
export const ML_DSA_MU_LENGTH = 64;

/** The length of tr (FIPS 204: tr = H(pk, 64)), at offset 64 of the expanded private key (ρ ‖ K ‖ tr ‖ …). */
const TR_LENGTH = 64;
const TR_OFFSET = 64;

/** The SPKI header before the raw public key: SEQUENCE, AlgorithmIdentifier (no parameters), BIT STRING with 0 unused bits. */
const SPKI_HEADER_LENGTH = 22;

const ML_DSA = { 'ml-dsa-44': ml_dsa44, 'ml-dsa-65': ml_dsa65, 'ml-dsa-87': ml_dsa87 } as const;

/** FIPS 204 Table 2: the lengths of the public key, the expanded private key and the signature. */
const LENGTHS: Record<MlDsaParameterSet, { readonly publicKey: number; readonly secretKey: number; readonly signature: number }> = {
  'ml-dsa-44': { publicKey: 1312, secretKey: 2560, signature: 2420 },
  'ml-dsa-65': { publicKey: 1952, secretKey: 4032, signature: 3309 },
  'ml-dsa-87': { publicKey: 2592, secretKey: 4896, signature: 4627 },
};

function isParameterSet(type: string): type is MlDsaParameterSet {
  return type === 'ml-dsa-44' || type === 'ml-dsa-65' || type === 'ml-dsa-87';
}

function parameterSet(key: KeyObject): MlDsaParameterSet {
  const type = String(key.asymmetricKeyType); // @types/node 20 does not list the post-quantum key types
  if (!isParameterSet(type)) throw new Error('not an ML-DSA key');
  return type;
}

/** The raw public key (FIPS 204 pkEncode) inside a key's DER SubjectPublicKeyInfo. */
function rawPublicKey(set: MlDsaParameterSet, publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const length = LENGTHS[set].publicKey;
  if (spki.length !== SPKI_HEADER_LENGTH + length || spki[SPKI_HEADER_LENGTH - 1] !== 0) throw new Error('unexpected ML-DSA SubjectPublicKeyInfo');
  return spki.subarray(SPKI_HEADER_LENGTH);
}

/** One DER element: its tag and the bounds of its contents. */
interface Element {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

/** The DER element at `offset` of `der`, bounded by `limit` (definite lengths of up to 2 bytes, which ML-DSA keys need). */
function element(der: Buffer, offset: number, limit: number): Element {
  const tag = der[offset];
  const first = der[offset + 1];
  if (tag === undefined || first === undefined) throw new Error('truncated DER');
  let length = first;
  let start = offset + 2;
  if (first === 0x81 || first === 0x82) {
    const bytes = first - 0x80;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + (der[start + i] ?? 0);
    start += bytes;
  } else if (first > 0x7f) {
    throw new Error('unsupported DER length');
  }
  const end = start + length;
  if (end > limit) throw new Error('truncated DER');
  return { tag, start, end };
}

/**
 * The private key inside ML-DSA PKCS#8: `seed [0] IMPLICIT OCTET STRING (32)`, `expandedKey OCTET STRING`,
 * or `both SEQUENCE { seed, expandedKey }` (RFC 9881 §6), as views into `der` (which the caller zeroes).
 */
function privateKeyField(der: Buffer): { readonly seed: Buffer } | { readonly expanded: Buffer } {
  const info = element(der, 0, der.length); // PrivateKeyInfo SEQUENCE
  const version = element(der, info.start, info.end); // INTEGER 0
  const algorithm = element(der, version.end, info.end); // AlgorithmIdentifier
  const octets = element(der, algorithm.end, info.end); // privateKey OCTET STRING
  if (info.tag !== 0x30 || version.tag !== 0x02 || algorithm.tag !== 0x30 || octets.tag !== 0x04) throw new Error('not a PKCS#8 private key');
  const choice = element(der, octets.start, octets.end);
  switch (choice.tag) {
    case 0x80:
      return { seed: der.subarray(choice.start, choice.end) };
    case 0x04:
      return { expanded: der.subarray(choice.start, choice.end) };
    case 0x30: {
      const seed = element(der, choice.start, choice.end);
      if (seed.tag !== 0x04) throw new Error('unexpected ML-DSA private key');
      return { seed: der.subarray(seed.start, seed.end) };
    }
    default:
      throw new Error('unexpected ML-DSA private key');
  }
}

const shake256 = (data: Uint8Array, length: number): Buffer => createHash('shake256', { outputLength: length }).update(data).digest();

/**
 * The ML-DSA signature (FIPS 204 Algorithm 7, hedged) of a 64-byte μ with an ML-DSA private key: the
 * same signature, in distribution, that node:crypto makes of the message μ stands for. Throws on a μ of
 * another length or a key that is not ML-DSA.
 */
export function mlDsaSignMu(privateKey: KeyObject, mu: Uint8Array): Buffer {
  if (mu.length !== ML_DSA_MU_LENGTH) throw new Error(`ML-DSA signs a ${ML_DSA_MU_LENGTH}-byte mu`);
  const set = parameterSet(privateKey);
  const dsa = ML_DSA[set];
  const tr = shake256(rawPublicKey(set, createPublicKey(privateKey)), TR_LENGTH);
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  let expanded: Uint8Array | undefined;
  try {
    const field = privateKeyField(der);
    // keygen(seed) also makes the public key; only the expanded private key is kept (and zeroed below).
    expanded = 'seed' in field ? dsa.keygen(field.seed).secretKey : field.expanded;
    if (expanded.length !== LENGTHS[set].secretKey || !tr.equals(expanded.subarray(TR_OFFSET, TR_OFFSET + TR_LENGTH))) {
      throw new Error('the ML-DSA private key does not match its public key');
    }
    return Buffer.from(dsa.internal.sign(mu, expanded, { externalMu: true }));
  } finally {
    expanded?.fill(0);
    der.fill(0);
  }
}

/**
 * Whether `signature` is the ML-DSA signature (FIPS 204 Algorithm 8) of the 64-byte μ under an ML-DSA
 * public key, that is, of the message μ stands for. Never throws: a μ or signature of the wrong length,
 * or a key that is not ML-DSA, is `false`.
 */
export function mlDsaVerifyMu(publicKey: KeyObject, mu: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (mu.length !== ML_DSA_MU_LENGTH) return false;
    const set = parameterSet(publicKey);
    if (signature.length !== LENGTHS[set].signature) return false;
    return ML_DSA[set].internal.verify(signature, mu, rawPublicKey(set, publicKey), { externalMu: true });
  } catch {
    return false;
  }
}
