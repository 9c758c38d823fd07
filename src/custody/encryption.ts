import { openBlob, readAnyBlobHeader, sealBlob } from '../crypto/ciphertext-blob.js';
import { wireKeyId } from '../core/multi-region.js';
import { encodeContext } from '../crypto/encoding.js';
import { oaepDecrypt, oaepEncrypt, oaepMaxPlaintext, type OaepHash } from '../crypto/rsa-oaep.js';
import type { SecretBytes } from '../crypto/secret-bytes.js';
import type { DecryptionParams, Decrypter, Encrypter, EncryptionParams, KeyHandle } from '../core/custody.js';
import { invalidCiphertext, KmsError } from '../core/errors.js';
import { KEY_CAPABILITIES, oaepHashFor, requireKeyUsage } from '../core/key-capabilities.js';
import type { EncryptionAlgorithm } from '../core/key.js';
import type { ParsedKeyCache } from './asymmetric-material.js';
import { primaryMaterial, requireMaterialInForce, versionMaterial, type MaterialDeps } from './material.js';

/**
 * Encrypters and decrypters. Symmetric keys make and open Arca ciphertext blobs (DESIGN.md §2). RSA
 * ENCRYPT_DECRYPT keys, as in AWS, produce the raw RSAES-OAEP output (no Arca header), so Decrypt must be
 * told the key; an encryption context cannot be bound and is refused rather than silently ignored. Every
 * decryption failure is the one opaque InvalidCiphertext.
 */

/** Whether a key takes the RSA path (a key pair behind its spec). */
function isAsymmetric(key: KeyHandle): boolean {
  return KEY_CAPABILITIES[key.record.keySpec].keyPair !== undefined;
}

/** Refuses a key or algorithm that cannot encrypt or decrypt Arca ciphertext blobs (symmetric keys). */
export function checkSymmetric(key: KeyHandle, algorithm: string | undefined, operation: string): void {
  requireKeyUsage(key.record, key.arn, 'ENCRYPT_DECRYPT', operation);
  if (key.record.keySpec !== 'SYMMETRIC_DEFAULT') {
    throw new KmsError('InvalidKeyUsage', `${key.arn} is an asymmetric key (${key.record.keySpec}), which is not valid for ${operation}.`);
  }
  if (algorithm !== undefined && algorithm !== 'SYMMETRIC_DEFAULT') {
    throw new KmsError('InvalidKeyUsage', `The encryption algorithm ${algorithm} is not valid for ${key.arn}, which supports SYMMETRIC_DEFAULT.`);
  }
}

/**
 * Refuses a key, algorithm or encryption context that RSA encryption cannot use; the OAEP hash otherwise.
 * The refusal names the RSA step (`Encrypt` or `Decrypt`), whichever operation takes it (ReEncrypt too).
 */
function checkRsa(key: KeyHandle, algorithm: EncryptionAlgorithm | undefined, context: Readonly<Record<string, string>>, step: 'Encrypt' | 'Decrypt'): OaepHash {
  requireKeyUsage(key.record, key.arn, 'ENCRYPT_DECRYPT', step);
  const hash = oaepHashFor(key.record, key.arn, algorithm);
  if (Object.keys(context).length > 0) throw new KmsError('ValidationFailed', `EncryptionContext is not supported with asymmetric key ${key.arn}.`);
  return hash;
}

/** Seals `plaintext` into an Arca ciphertext blob under the primary version of a checked symmetric key. */
export async function sealUnder(deps: MaterialDeps, key: KeyHandle, plaintext: SecretBytes, context: Readonly<Record<string, string>>): Promise<Buffer> {
  const material = await primaryMaterial(deps, key.record);
  // A ciphertext names the wire id: a multi-Region key's related keys decrypt it in every region (ADR 0022).
  return sealBlob(material, { keyId: wireKeyId(key.record.id), version: key.record.primaryVersion }, plaintext.expose(), encodeContext(context));
}

export function encrypterFor(deps: MaterialDeps, parsed: ParsedKeyCache, key: KeyHandle, params: EncryptionParams): Encrypter {
  const { algorithm, context } = params;
  if (!isAsymmetric(key)) {
    checkSymmetric(key, algorithm, params.operation);
    return { encrypt: (plaintext) => sealUnder(deps, key, plaintext, context) };
  }
  const hash = checkRsa(key, algorithm, context, 'Encrypt');
  return {
    async encrypt(plaintext) {
      const { publicKey } = await parsed.keysFor(deps, key.record);
      const max = oaepMaxPlaintext(publicKey.asymmetricKeyDetails?.modulusLength ?? 0, hash);
      if (plaintext.length > max) throw new KmsError('ValidationFailed', `Algorithm ${algorithm ?? ''} and key spec ${key.record.keySpec} cannot encrypt data larger than ${max} bytes.`);
      return oaepEncrypt(publicKey, hash, plaintext.expose());
    },
  };
}

export function decrypterFor(deps: MaterialDeps, parsed: ParsedKeyCache, key: KeyHandle, params: DecryptionParams): Decrypter {
  const { algorithm, context, ciphertext } = params;
  if (!isAsymmetric(key)) {
    // Any Arca blob naming another key (custom key store formats 0x03/0x04 included) is IncorrectKey.
    const header = readAnyBlobHeader(ciphertext);
    if (header === undefined) throw invalidCiphertext();
    if (header.keyId !== wireKeyId(key.record.id)) throw new KmsError('IncorrectKey', 'The key ID in the request does not identify a CMK that can perform this operation.');
    checkSymmetric(key, algorithm, params.operation);
    return {
      async decrypt() {
        await requireMaterialInForce(deps, key.record, key.arn);
        const material = await versionMaterial(deps, key.record.id, header.version);
        const plaintext = material && openBlob(material, ciphertext, encodeContext(context));
        if (plaintext === undefined) throw invalidCiphertext();
        return plaintext;
      },
    };
  }
  const hash = checkRsa(key, algorithm, context, 'Decrypt');
  return {
    async decrypt() {
      const { privateKey } = await parsed.keysFor(deps, key.record);
      const plaintext = oaepDecrypt(privateKey, hash, ciphertext);
      if (plaintext === undefined) throw invalidCiphertext();
      return plaintext;
    },
  };
}
