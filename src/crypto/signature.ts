import { constants, createHash, privateEncrypt, publicDecrypt, randomBytes, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import type { CurveName } from './asymmetric-keys.js';
import { ecdsaSignDigest, ecdsaVerifyDigest } from './ecdsa-digest.js';
import { ed25519phSign, ed25519phVerify } from './ed25519ph.js';
import { constantTimeEqual } from './kdf.js';
import { mlDsaSignMu, mlDsaVerifyMu } from './ml-dsa-mu.js';

/** The hashes AWS's signing algorithms use. */
export type SignatureHash = 'sha256' | 'sha384' | 'sha512';

export const DIGEST_LENGTH: Record<SignatureHash, number> = { sha256: 32, sha384: 48, sha512: 64 };

/**
 * A signature scheme with its parameters. RSA-PSS always uses MGF1 with the same hash and a salt as long
 * as the digest (what AWS produces and every verifier expects); ECDSA signatures are DER-encoded.
 * Ed25519 signs messages only and Ed25519ph (RFC 8032 HashEdDSA, empty context) a 64-byte SHA-512
 * digest only; ML-DSA (FIPS 204, pure, empty context, hedged) signs a message, or the 64-byte μ of one
 * (FIPS 204 §6.2 external mu, signed outside node:crypto: see ml-dsa-mu.ts).
 */
export type SignatureScheme =
  | { readonly kind: 'rsa-pss'; readonly hash: SignatureHash }
  | { readonly kind: 'rsa-pkcs1'; readonly hash: SignatureHash }
  | { readonly kind: 'ecdsa'; readonly hash: SignatureHash; readonly curve: CurveName }
  | { readonly kind: 'ed25519' }
  | { readonly kind: 'ed25519ph' }
  | { readonly kind: 'ml-dsa' };

/**
 * What is signed: the message itself, its digest under the scheme's hash, or (ML-DSA only) its message
 * representative μ, both computed by the caller.
 */
export interface SignatureInput {
  readonly type: 'message' | 'digest' | 'mu';
  readonly bytes: Uint8Array;
}

/** DER `DigestInfo` prefixes (RFC 8017 §9.2 note 1). */
const DIGEST_INFO: Record<SignatureHash, Buffer> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

function mgf1(hash: SignatureHash, seed: Uint8Array, length: number): Buffer {
  const out: Buffer[] = [];
  for (let counter = 0; out.length * DIGEST_LENGTH[hash] < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    out.push(createHash(hash).update(seed).update(c).digest());
  }
  return Buffer.concat(out).subarray(0, length);
}

function modulusBits(key: KeyObject): number {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (bits === undefined) throw new Error('not an RSA key');
  return bits;
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with sLen = hLen, left-padded to the modulus length. */
function pssEncode(hash: SignatureHash, digest: Uint8Array, bits: number): Buffer {
  const hLen = DIGEST_LENGTH[hash];
  const emBits = bits - 1;
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(hLen);
  const h = createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();
  const db = Buffer.concat([Buffer.alloc(emLen - 2 * hLen - 2), Buffer.from([1]), salt]);
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] ?? 0) ^ (mask[i] ?? 0);
  db[0] = (db[0] ?? 0) & (0xff >> (8 * emLen - emBits));
  const em = Buffer.concat([db, h, Buffer.from([0xbc])]);
  return Buffer.concat([Buffer.alloc(Math.ceil(bits / 8) - emLen), em]);
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with sLen = hLen; `m` is the raw RSA public operation's output. */
function pssVerify(hash: SignatureHash, digest: Uint8Array, m: Buffer, bits: number): boolean {
  const hLen = DIGEST_LENGTH[hash];
  const emBits = bits - 1;
  const emLen = Math.ceil(emBits / 8);
  if (m.length < emLen || m.subarray(0, m.length - emLen).some((b) => b !== 0)) return false;
  const em = m.subarray(m.length - emLen);
  if (emLen < 2 * hLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const masked = Buffer.from(em.subarray(0, emLen - hLen - 1));
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  if (((masked[0] ?? 0) & ~(0xff >> (8 * emLen - emBits)) & 0xff) !== 0) return false;
  const mask = mgf1(hash, h, masked.length);
  for (let i = 0; i < masked.length; i++) masked[i] = (masked[i] ?? 0) ^ (mask[i] ?? 0);
  masked[0] = (masked[0] ?? 0) & (0xff >> (8 * emLen - emBits));
  const psLen = emLen - 2 * hLen - 2;
  if (masked.subarray(0, psLen).some((b) => b !== 0) || masked[psLen] !== 1) return false;
  const salt = masked.subarray(masked.length - hLen);
  const h2 = createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();
  return constantTimeEqual(h, h2);
}

function requireDigestLength(scheme: { hash: SignatureHash }, input: SignatureInput): void {
  if (input.type === 'mu') throw new Error('only ML-DSA signs a mu');
  if (input.type === 'digest' && input.bytes.length !== DIGEST_LENGTH[scheme.hash]) throw new Error('digest length does not match the hash');
}

/** Signs with a private key of the scheme's type. Throws on a digest of the wrong length, or an input type the scheme does not sign. */
export function sign(scheme: SignatureScheme, privateKey: KeyObject, input: SignatureInput): Buffer {
  switch (scheme.kind) {
    case 'ed25519':
      if (input.type !== 'message') throw new Error('Ed25519 signs messages only');
      return nodeSign(null, input.bytes, privateKey);
    case 'ml-dsa':
      if (input.type === 'digest') throw new Error('ML-DSA signs a message or a mu, never a digest');
      return input.type === 'mu' ? mlDsaSignMu(privateKey, input.bytes) : nodeSign(null, input.bytes, privateKey);
    case 'ed25519ph':
      if (input.type !== 'digest') throw new Error('Ed25519ph signs a SHA-512 digest only');
      return ed25519phSign(privateKey, input.bytes);
    case 'rsa-pss':
      requireDigestLength(scheme, input);
      if (input.type === 'message') {
        return nodeSign(scheme.hash, input.bytes, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
      }
      return privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, pssEncode(scheme.hash, input.bytes, modulusBits(privateKey)));
    case 'rsa-pkcs1':
      requireDigestLength(scheme, input);
      if (input.type === 'message') return nodeSign(scheme.hash, input.bytes, { key: privateKey, padding: constants.RSA_PKCS1_PADDING });
      return privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([DIGEST_INFO[scheme.hash], input.bytes]));
    case 'ecdsa':
      requireDigestLength(scheme, input);
      if (input.type === 'message') return nodeSign(scheme.hash, input.bytes, { key: privateKey, dsaEncoding: 'der' });
      return ecdsaSignDigest(scheme.curve, privateKey, input.bytes);
  }
}

/** Whether `signature` is valid for the input under a public key of the scheme's type. Never throws on bad input. */
export function verify(scheme: SignatureScheme, publicKey: KeyObject, input: SignatureInput, signature: Uint8Array): boolean {
  try {
    switch (scheme.kind) {
      case 'ed25519':
        return input.type === 'message' && nodeVerify(null, input.bytes, publicKey, signature);
      case 'ml-dsa':
        if (input.type === 'mu') return mlDsaVerifyMu(publicKey, input.bytes, signature);
        return input.type === 'message' && nodeVerify(null, input.bytes, publicKey, signature);
      case 'ed25519ph':
        return input.type === 'digest' && ed25519phVerify(publicKey, input.bytes, signature);
      case 'rsa-pss':
      case 'rsa-pkcs1': {
        if (input.type === 'mu') return false;
        if (input.type === 'digest' && input.bytes.length !== DIGEST_LENGTH[scheme.hash]) return false;
        const bits = modulusBits(publicKey);
        if (signature.length !== Math.ceil(bits / 8)) return false;
        if (input.type === 'message') {
          const padding = scheme.kind === 'rsa-pss' ? constants.RSA_PKCS1_PSS_PADDING : constants.RSA_PKCS1_PADDING;
          return nodeVerify(scheme.hash, input.bytes, { key: publicKey, padding, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature);
        }
        if (scheme.kind === 'rsa-pkcs1') {
          const recovered = publicDecrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
          return constantTimeEqual(recovered, Buffer.concat([DIGEST_INFO[scheme.hash], input.bytes]));
        }
        return pssVerify(scheme.hash, input.bytes, publicDecrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, signature), bits);
      }
      case 'ecdsa':
        if (input.type === 'message') return nodeVerify(scheme.hash, input.bytes, { key: publicKey, dsaEncoding: 'der' }, signature);
        return input.type === 'digest' && input.bytes.length === DIGEST_LENGTH[scheme.hash] && ecdsaVerifyDigest(scheme.curve, publicKey, input.bytes, signature);
    }
  } catch {
    return false;
  }
}

/** The digest of a message under a signature hash (for DIGEST-mode tests and tools). */
export function digestOf(hash: SignatureHash, message: Uint8Array): Buffer {
  return createHash(hash).update(message).digest();
}
