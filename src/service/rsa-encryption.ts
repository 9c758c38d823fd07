import { oaepDecrypt, oaepEncrypt, oaepMaxPlaintext } from '../crypto/rsa-oaep.js';
import type { SecretBytes } from '../crypto/secret-bytes.js';
import { invalidCiphertext, KmsError } from '../core/errors.js';
import { KEY_CAPABILITIES, oaepHashFor, requireKeyUsage } from '../core/key-capabilities.js';
import type { EncryptionAlgorithm, KeyRecord } from '../core/key.js';
import { privateKeyFor, publicKeyFor } from './asymmetric-material.js';
import type { MaterialDeps } from './material.js';
import type { ResolvedKey } from './operation.js';
import { checkAlgorithm } from './symmetric.js';

/**
 * Encrypt and Decrypt under RSA ENCRYPT_DECRYPT keys. As in AWS, the ciphertext is the raw RSAES-OAEP
 * output (no Arca header), so Decrypt must be told the key; an encryption context cannot be bound and is
 * refused rather than silently ignored. Every decryption failure is the one opaque InvalidCiphertext.
 */

/** Whether Encrypt/Decrypt take the RSA path for this key. */
export function isAsymmetricKey(key: KeyRecord): boolean {
  return KEY_CAPABILITIES[key.keySpec].keyPair !== undefined;
}

/** Refuses a key, algorithm or encryption context that RSA encryption cannot use; the OAEP hash otherwise. */
function check(key: ResolvedKey, algorithm: EncryptionAlgorithm | undefined, context: Readonly<Record<string, string>>, operation: string) {
  requireKeyUsage(key.record, key.arn, 'ENCRYPT_DECRYPT', operation);
  const hash = oaepHashFor(key.record, key.arn, algorithm);
  if (Object.keys(context).length > 0) throw new KmsError('ValidationFailed', `EncryptionContext is not supported with asymmetric key ${key.arn}.`);
  return hash;
}

export async function rsaEncrypt(
  deps: MaterialDeps,
  key: ResolvedKey,
  plaintext: SecretBytes,
  context: Readonly<Record<string, string>>,
  algorithm: EncryptionAlgorithm | undefined,
): Promise<Buffer> {
  const hash = check(key, algorithm, context, 'Encrypt');
  const publicKey = await publicKeyFor(deps, key.record);
  const max = oaepMaxPlaintext(publicKey.asymmetricKeyDetails?.modulusLength ?? 0, hash);
  if (plaintext.length > max) throw new KmsError('ValidationFailed', `Plaintext is too long for ${key.record.keySpec} with ${algorithm ?? ''}: at most ${max} bytes.`);
  return oaepEncrypt(publicKey, hash, plaintext.expose());
}

export async function rsaDecrypt(
  deps: MaterialDeps,
  key: ResolvedKey,
  ciphertext: Buffer,
  context: Readonly<Record<string, string>>,
  algorithm: EncryptionAlgorithm | undefined,
): Promise<SecretBytes> {
  const hash = check(key, algorithm, context, 'Decrypt');
  const plaintext = oaepDecrypt(await privateKeyFor(deps, key.record), hash, ciphertext);
  if (plaintext === undefined) throw invalidCiphertext();
  return plaintext;
}

/**
 * What Encrypt and Decrypt validate of their key before any work (their `check`): key usage, key spec
 * and algorithm, and for RSA that no encryption context is given.
 */
export function checkEncryptionKey(key: ResolvedKey, algorithm: EncryptionAlgorithm | undefined, context: Readonly<Record<string, string>>, operation: string): void {
  if (isAsymmetricKey(key.record)) check(key, algorithm, context, operation);
  else checkAlgorithm(key, algorithm, operation);
}
