import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { SecretBytes } from './secret-bytes.js';

export type HashName = 'sha224' | 'sha256' | 'sha384' | 'sha512';

/** HKDF (RFC 5869) over `hash`; returns `length` bytes of output keying material. */
export function hkdf(hash: HashName, ikm: SecretBytes, salt: Uint8Array, info: Uint8Array, length: number): SecretBytes {
  return SecretBytes.adopt(Buffer.from(hkdfSync(hash, ikm.expose(), salt, info, length)));
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
