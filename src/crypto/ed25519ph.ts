import { createHash, type KeyObject } from 'node:crypto';
import { eddsa } from '@noble/curves/abstract/edwards.js';
import { ed25519 } from '@noble/curves/ed25519.js';

/**
 * Ed25519ph (RFC 8032 §5.1, HashEdDSA with SHA-512 and an empty context; FIPS 186-5 §7.8), over a
 * SHA-512 digest the caller computed: PH(M) is that digest. node:crypto signs only pure Ed25519 (OpenSSL
 * has Ed25519ph, but node:crypto does not expose its `instance` parameter), so the curve arithmetic is
 * @noble/curves' (audited): its `eddsa` over the Ed25519 group with RFC 8032's Ed25519ph parameters,
 * except that PH is the identity on a 64-byte digest, since `ed25519ph` itself hashes a whole message.
 * The tests pin it to RFC 8032 §7.3's vector and to noble's `ed25519ph` of the message.
 *
 * Side channels: noble's secret scalar multiplication runs a fixed sequence of point operations
 * whatever the scalar, but over JavaScript BigInts, whose operations may take operand-dependent time;
 * the hashed secret key and the scalar are BigInts or noble's own buffers, which cannot be zeroed from
 * here (the PKCS#8 export is). Verification handles public values only and is strict (RFC 8032 /
 * FIPS 186-5: canonical encodings, S < L, no small-order public key, the cofactored equation).
 */

/** The length of the SHA-512 digest Ed25519ph signs. */
const DIGEST_LENGTH = 64;

/** dom2(phflag, ctx) (RFC 8032 §2): the prefix that separates Ed25519ph (phflag 1) from pure Ed25519. */
const DOM2 = Buffer.from('SigEd25519 no Ed25519 collisions', 'latin1');

const sha512 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash('sha512').update(data).digest());

const ED25519PH_OVER_DIGEST = eddsa(ed25519.Point, sha512, {
  /** RFC 8032 §5.1.5 step 2: prune the low three bits and the top bit, set the second-highest bit. */
  adjustScalarBytes: (bytes: Uint8Array): Uint8Array => {
    bytes[0] = (bytes[0] ?? 0) & 248;
    bytes[31] = ((bytes[31] ?? 0) & 127) | 64;
    return bytes;
  },
  domain: (data: Uint8Array, context: Uint8Array, phflag: boolean): Uint8Array => {
    if (context.length > 255) throw new Error('Ed25519 context over 255 bytes');
    return new Uint8Array(Buffer.concat([DOM2, Buffer.from([phflag ? 1 : 0, context.length]), context, data]));
  },
  /** PH(M): the caller's SHA-512 digest, as it is (the hashing happened before Arca). */
  prehash: (digest: Uint8Array): Uint8Array => {
    if (digest.length !== DIGEST_LENGTH) throw new Error('Ed25519ph signs a 64-byte SHA-512 digest');
    return digest;
  },
  zip215: false,
});

/** The PKCS#8 header OpenSSL writes before a 32-byte Ed25519 private key (RFC 8410). */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function rawPublicKey(key: KeyObject): Buffer {
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
  return key.export({ format: 'der', type: 'spki' }).subarray(12);
}

/** The Ed25519ph signature of a 64-byte SHA-512 `digest` with an Ed25519 private key (RFC 8032 §5.1.6). */
export function ed25519phSign(privateKey: KeyObject, digest: Uint8Array): Buffer {
  if (digest.length !== DIGEST_LENGTH) throw new Error('Ed25519ph signs a 64-byte SHA-512 digest');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  try {
    if (der.length !== 48 || !der.subarray(0, 16).equals(PKCS8_PREFIX)) throw new Error('not an Ed25519 private key');
    return Buffer.from(ED25519PH_OVER_DIGEST.sign(digest, der.subarray(16)));
  } finally {
    der.fill(0);
  }
}

/** Whether `signature` is an Ed25519ph signature of the SHA-512 `digest` under an Ed25519 public key; never throws. */
export function ed25519phVerify(publicKey: KeyObject, digest: Uint8Array, signature: Uint8Array): boolean {
  if (digest.length !== DIGEST_LENGTH || signature.length !== 64) return false;
  try {
    return ED25519PH_OVER_DIGEST.verify(signature, digest, rawPublicKey(publicKey));
  } catch {
    return false;
  }
}
