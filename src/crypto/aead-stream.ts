import { createCipheriv, createDecipheriv } from 'node:crypto';
import { GCM_NONCE_LENGTH, GCM_TAG_LENGTH } from './aead.js';
import type { SecretBytes } from './secret-bytes.js';

/**
 * AES-256-GCM over data that is never whole in memory (a backup payload): `update` per chunk, the tag at
 * the end. Same construction as aesGcmEncrypt, so a streamed ciphertext decrypts with aesGcmDecrypt and
 * back. The caller keeps the key alive until `final` and disposes it after.
 */
export interface GcmEncryptStream {
  update(chunk: Uint8Array): Buffer;
  /** The 16-byte tag; no update after. */
  final(): Buffer;
}

/**
 * The decrypting side. `update` hands out plaintext BEFORE it is authenticated: whatever the caller does
 * with it must be undone unless `final` returns true (backup restore writes in one transaction and
 * commits only after). `final` checks the tag and answers false on any mismatch, never throws.
 */
export interface GcmDecryptStream {
  update(chunk: Uint8Array): Buffer;
  final(): boolean;
}

function checkParameters(key: SecretBytes, nonce: Buffer): void {
  if (key.length !== 32) throw new RangeError(`AES-256-GCM key must be 32 bytes, got ${key.length}`);
  if (nonce.length !== GCM_NONCE_LENGTH) throw new RangeError('AES-GCM nonce must be 12 bytes');
}

export function aes256GcmEncryptStream(key: SecretBytes, nonce: Buffer, aad: Uint8Array): GcmEncryptStream {
  checkParameters(key, nonce);
  const cipher = createCipheriv('aes-256-gcm', key.expose(), nonce, { authTagLength: GCM_TAG_LENGTH });
  cipher.setAAD(aad);
  return {
    update: (chunk) => cipher.update(chunk),
    final() {
      cipher.final(); // empty for GCM
      return cipher.getAuthTag();
    },
  };
}

export function aes256GcmDecryptStream(key: SecretBytes, nonce: Buffer, tag: Buffer, aad: Uint8Array): GcmDecryptStream {
  checkParameters(key, nonce);
  const decipher = createDecipheriv('aes-256-gcm', key.expose(), nonce, { authTagLength: GCM_TAG_LENGTH });
  decipher.setAAD(aad);
  // A short tag is refused here (setAuthTag would accept 4..16 bytes with authTagLength unset; it is set).
  const tagOk = tag.length === GCM_TAG_LENGTH;
  if (tagOk) decipher.setAuthTag(tag);
  return {
    update: (chunk) => decipher.update(chunk),
    final() {
      if (!tagOk) return false;
      try {
        decipher.final();
        return true;
      } catch {
        return false;
      }
    },
  };
}
