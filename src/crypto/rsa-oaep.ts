import { constants, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';
import { SecretBytes } from './secret-bytes.js';

/** OAEP's hash (MGF1 uses the same one, as AWS does). */
export type OaepHash = 'sha1' | 'sha256';

const HASH_LENGTH: Record<OaepHash, number> = { sha1: 20, sha256: 32 };

/** The longest plaintext RSAES-OAEP can take: k − 2·hLen − 2 bytes (RFC 8017 §7.1.1). */
export function oaepMaxPlaintext(modulusBits: number, hash: OaepHash): number {
  return Math.ceil(modulusBits / 8) - 2 * HASH_LENGTH[hash] - 2;
}

/** RSAES-OAEP encryption with an empty label (or `label`). Throws if the plaintext is too long for the key. */
export function oaepEncrypt(publicKey: KeyObject, hash: OaepHash, plaintext: Uint8Array, label?: Uint8Array): Buffer {
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash, ...(label && label.length > 0 ? { oaepLabel: label } : {}) }, plaintext);
}

/**
 * RSAES-OAEP decryption with an empty label (or `label`, for test vectors). Every failure is the same
 * `undefined`: no error text or type distinguishes a padding failure from a wrong length (Manger's attack).
 */
export function oaepDecrypt(privateKey: KeyObject, hash: OaepHash, ciphertext: Uint8Array, label?: Uint8Array): SecretBytes | undefined {
  try {
    const options = { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash, ...(label && label.length > 0 ? { oaepLabel: label } : {}) };
    return SecretBytes.adopt(privateDecrypt(options, ciphertext));
  } catch {
    return undefined;
  }
}
