import { randomBytes, randomUUID } from 'node:crypto';
import { SecretBytes } from './secret-bytes.js';

/** `length` bytes from the OS CSPRNG, as a secret. */
export function randomSecret(length: number): SecretBytes {
  return SecretBytes.adopt(randomBytes(length));
}

/** `length` bytes from the OS CSPRNG that are not secret (salts, nonces, ids). */
export function randomPublicBytes(length: number): Buffer {
  return randomBytes(length);
}

export function randomId(): string {
  return randomUUID();
}
