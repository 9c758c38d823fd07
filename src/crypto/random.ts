import { randomBytes, randomFillSync, randomUUID } from 'node:crypto';
import { SecretBytes } from './secret-bytes.js';

/** `length` bytes from the OS CSPRNG, as a secret. */
export function randomSecret(length: number): SecretBytes {
  return SecretBytes.adopt(randomBytes(length));
}

/** Public random bytes are cut from a pool this large, refilled whole when used up. */
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let used = 0;

/**
 * `length` bytes from the OS CSPRNG that are not secret (salts, nonces, ids). Small requests are served
 * from a pool filled in one call (each byte handed out once), since every Encrypt asks for 44 bytes and
 * a CSPRNG call costs more than the bytes. The returned view is the caller's alone.
 */
export function randomPublicBytes(length: number): Buffer {
  if (length > POOL_SIZE / 8) return randomBytes(length);
  if (used + length > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafeSlow(POOL_SIZE));
    used = 0;
  }
  const out = pool.subarray(used, used + length);
  used += length;
  return out;
}

export function randomId(): string {
  return randomUUID();
}

/**
 * A random UUID version 7 (RFC 9562) for the Unix time `millis`: ids made later sort later, so an index
 * on them grows at its right edge instead of touching a random page per insert (audit event ids).
 */
export function timeOrderedId(millis: number): string {
  const time = Math.max(0, Math.floor(millis)).toString(16).padStart(12, '0').slice(-12);
  // randomUUID(): xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx; keep its random bits after the version digit.
  return `${time.slice(0, 8)}-${time.slice(8)}-7${randomUUID().slice(15)}`;
}
