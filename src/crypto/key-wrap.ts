import { aesGcmDecrypt, aesGcmEncrypt, GCM_NONCE_LENGTH, GCM_TAG_LENGTH } from './aead.js';
import { randomPublicBytes } from './random.js';
import { SecretBytes } from './secret-bytes.js';

/**
 * Wraps key material (or any secret) under a 256-bit wrapping key with AES-256-GCM:
 * `0x01 | nonce (12) | ciphertext | tag (16)`. `binding` is the AAD: callers encode in it where the value
 * belongs (key id, version, purpose), so a wrapped value copied to another row does not unwrap.
 */
const WRAP_FORMAT_V1 = 0x01;

export function wrapSecret(wrappingKey: SecretBytes, secret: SecretBytes, binding: Uint8Array): Buffer {
  const nonce = randomPublicBytes(GCM_NONCE_LENGTH);
  const { ciphertext, tag } = aesGcmEncrypt(wrappingKey, nonce, secret.expose(), binding);
  return Buffer.concat([Buffer.of(WRAP_FORMAT_V1), nonce, ciphertext, tag]);
}

/** The unwrapped secret, or `undefined` when the wrapping key, binding or bytes are wrong. */
export function unwrapSecret(wrappingKey: SecretBytes, wrapped: Uint8Array, binding: Uint8Array): SecretBytes | undefined {
  if (wrapped.length < 1 + GCM_NONCE_LENGTH + GCM_TAG_LENGTH || wrapped[0] !== WRAP_FORMAT_V1) return undefined;
  const b = Buffer.from(wrapped.buffer, wrapped.byteOffset, wrapped.length);
  return aesGcmDecrypt(
    wrappingKey,
    b.subarray(1, 1 + GCM_NONCE_LENGTH),
    b.subarray(1 + GCM_NONCE_LENGTH, b.length - GCM_TAG_LENGTH),
    b.subarray(b.length - GCM_TAG_LENGTH),
    binding,
  );
}
