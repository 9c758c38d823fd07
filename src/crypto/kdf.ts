import { createHmac, timingSafeEqual } from 'node:crypto';
import { SecretBytes } from './secret-bytes.js';

export type HashName = 'sha224' | 'sha256' | 'sha384' | 'sha512';

const HASH_LENGTH: Readonly<Record<HashName, number>> = { sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

/**
 * HKDF (RFC 5869) over `hash`; returns `length` bytes of output keying material. Written out over HMAC
 * rather than `hkdfSync`, which costs twice as much per call (it builds key objects): this runs once per
 * Encrypt and Decrypt. The Wycheproof HKDF vectors pin it (crypto/wycheproof.test.ts).
 */
export function hkdf(hash: HashName, ikm: SecretBytes, salt: Uint8Array, info: Uint8Array, length: number): SecretBytes {
  const hashLength = HASH_LENGTH[hash];
  if (!Number.isInteger(length) || length < 1 || length > 255 * hashLength) throw new RangeError(`HKDF output length must be 1..${255 * hashLength}`);
  // Extract. An empty salt is HashLen zero bytes; HMAC pads any key with zeros, so the empty key is the same.
  const prk = createHmac(hash, salt).update(ikm.expose()).digest();
  const okm = Buffer.alloc(length);
  let block = Buffer.alloc(0);
  try {
    // Expand: T(i) = HMAC(PRK, T(i-1) | info | i).
    for (let i = 1, filled = 0; filled < length; i++) {
      const next = createHmac(hash, prk).update(block).update(info).update(Uint8Array.of(i)).digest();
      block.fill(0);
      block = next;
      filled += block.copy(okm, filled);
    }
    return SecretBytes.adopt(okm);
  } finally {
    prk.fill(0);
    block.fill(0);
  }
}

export function hmac(hash: HashName, key: SecretBytes | Buffer, data: Uint8Array): Buffer {
  const raw = key instanceof SecretBytes ? key.expose() : key;
  return createHmac(hash, raw).update(data).digest();
}

/** Constant-time equality; unequal lengths compare false without leaking where they differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}
