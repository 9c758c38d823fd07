import { createDecipheriv, createHash, type KeyObject } from 'node:crypto';
import { oaepDecrypt, type OaepHash } from './rsa-oaep.js';
import { SecretBytes } from './secret-bytes.js';

/**
 * Unwrapping of key material imported with AWS's wrapping algorithms (GetParametersForImport):
 *
 * - `oaep`: the material itself is RSAES-OAEP-encrypted under the wrapping public key (MGF1 with the same hash).
 * - `rsa-aes-key-wrap`: an ephemeral 256-bit AES key is RSAES-OAEP-encrypted under the wrapping public key
 *   and concatenated with the material wrapped under that AES key with AES Key Wrap with Padding
 *   (RFC 5649, OpenSSL's `id-aes256-wrap-pad`): `OAEP(aesKey) || KWP(aesKey, material)`.
 *
 * Every failure is the same `undefined`.
 */
export type ImportWrapping = { readonly kind: 'oaep' | 'rsa-aes-key-wrap'; readonly hash: OaepHash };

/** The RFC 5649 alternative initial value prefix. */
const KWP_IV = Buffer.from('a65959a6', 'hex');

/** AES-256 Key Wrap with Padding (RFC 5649) unwrap; `undefined` when the integrity check fails. */
export function aesKwpUnwrap(key: SecretBytes, wrapped: Uint8Array): SecretBytes | undefined {
  if (key.length !== 32 || wrapped.length < 16 || wrapped.length % 8 !== 0) return undefined;
  try {
    const decipher = createDecipheriv('id-aes256-wrap-pad', key.expose(), KWP_IV);
    return SecretBytes.adopt(Buffer.concat([decipher.update(wrapped), decipher.final()]));
  } catch {
    return undefined;
  }
}

export function unwrapImportedMaterial(wrappingKey: KeyObject, wrapping: ImportWrapping, encrypted: Uint8Array): SecretBytes | undefined {
  if (wrapping.kind === 'oaep') return oaepDecrypt(wrappingKey, wrapping.hash, encrypted);
  const rsaLength = Math.ceil((wrappingKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (encrypted.length <= rsaLength) return undefined;
  const aesKey = oaepDecrypt(wrappingKey, wrapping.hash, encrypted.subarray(0, rsaLength));
  if (aesKey === undefined) return undefined;
  try {
    return aesKwpUnwrap(aesKey, encrypted.subarray(rsaLength));
  } finally {
    aesKey.dispose();
  }
}

/**
 * A fingerprint of imported material bound to its key, so that a re-import can be checked to carry the
 * same material without keeping the material itself after DeleteImportedKeyMaterial. Imported material
 * has at least 224 bits of entropy (AWS's minimum), so the hash reveals nothing usable.
 */
export function materialFingerprint(keyBinding: Uint8Array, material: SecretBytes): Buffer {
  return createHash('sha256').update(keyBinding).update(material.expose()).digest();
}
