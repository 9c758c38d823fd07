import { createCipheriv, createDecipheriv } from 'node:crypto';
import { SecretBytes } from './secret-bytes.js';

/** AES-GCM with a 96-bit nonce and a 128-bit tag; keys of 16, 24 or 32 bytes. */
export const GCM_NONCE_LENGTH = 12;
export const GCM_TAG_LENGTH = 16;

const CIPHERS: Record<number, 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm'> = {
  16: 'aes-128-gcm',
  24: 'aes-192-gcm',
  32: 'aes-256-gcm',
};

function cipherFor(key: SecretBytes): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  const name = CIPHERS[key.length];
  if (name === undefined) throw new RangeError(`AES-GCM key must be 16, 24 or 32 bytes, got ${key.length}`);
  return name;
}

export interface GcmSealed {
  ciphertext: Buffer;
  tag: Buffer;
}

export function aesGcmEncrypt(key: SecretBytes, nonce: Buffer, plaintext: Uint8Array, aad: Uint8Array): GcmSealed {
  if (nonce.length !== GCM_NONCE_LENGTH) throw new RangeError('AES-GCM nonce must be 12 bytes');
  const cipher = createCipheriv(cipherFor(key), key.expose(), nonce, { authTagLength: GCM_TAG_LENGTH });
  cipher.setAAD(aad);
  const head = cipher.update(plaintext);
  const tail = cipher.final(); // empty for GCM (a stream mode); kept for the API's contract
  return { ciphertext: tail.length === 0 ? head : Buffer.concat([head, tail]), tag: cipher.getAuthTag() };
}

/**
 * Decrypts and authenticates. Returns `undefined` on any failure (wrong key, nonce, AAD or tag): callers
 * turn that into one opaque error. The tag must be exactly 16 bytes; Node otherwise accepts truncated tags
 * when `authTagLength` is not given, which is why it is always given here.
 */
export function aesGcmDecrypt(
  key: SecretBytes,
  nonce: Buffer,
  ciphertext: Uint8Array,
  tag: Buffer,
  aad: Uint8Array,
): SecretBytes | undefined {
  if (nonce.length !== GCM_NONCE_LENGTH || tag.length !== GCM_TAG_LENGTH) return undefined;
  const decipher = createDecipheriv(cipherFor(key), key.expose(), nonce, { authTagLength: GCM_TAG_LENGTH });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const head = decipher.update(ciphertext);
  try {
    const tail = decipher.final();
    return SecretBytes.adopt(tail.length === 0 ? head : Buffer.concat([head, tail]));
  } catch {
    head.fill(0);
    return undefined;
  }
}
