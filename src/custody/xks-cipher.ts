import { constantTimeEqual } from '../crypto/kdf.js';
import { xksCdiv, xksMetadataVersion, xksOpen, xksSeal } from '../crypto/xks-aead.js';
import type { KeyHandle } from '../core/custody.js';
import { invalidCiphertext, KmsError } from '../core/errors.js';
import { requireKeyUsage } from '../core/key-capabilities.js';
import { wireKeyId } from '../core/multi-region.js';
import type { XksCipher } from '../core/xks.js';
import { primaryMaterial, requireMaterialInForce, versionMaterial, type MaterialDeps } from './material.js';

/**
 * The XKS cipher of a key (docs/xks-proxy.md): only AES-256 symmetric keys whose material Arca holds
 * (`SYMMETRIC_DEFAULT`, origin `AWS_KMS` or `EXTERNAL`) can be an external key of AWS KMS. The material
 * stays here; src/crypto/xks-aead.ts derives a message key from it under the XKS label.
 */
export function xksCipherFor(deps: MaterialDeps, key: KeyHandle, operation: string): XksCipher {
  requireKeyUsage(key.record, key.arn, 'ENCRYPT_DECRYPT', operation);
  if (key.record.keySpec !== 'SYMMETRIC_DEFAULT') throw new KmsError('InvalidKeyUsage', `${key.arn} is not an AES-256 key (${key.record.keySpec}): XKS serves SYMMETRIC_DEFAULT keys only.`);
  if (key.record.origin !== 'AWS_KMS' && key.record.origin !== 'EXTERNAL') throw new KmsError('InvalidKeyUsage', `${key.arn} has origin ${key.record.origin}: XKS serves keys whose material Arca holds (AWS_KMS, EXTERNAL).`);
  const keyId = wireKeyId(key.record.id);
  return {
    async encrypt(plaintext, aad, cdiv) {
      const material = await primaryMaterial(deps, key.record);
      const sealed = xksSeal(material, keyId, key.record.primaryVersion, plaintext.expose(), aad);
      if (!cdiv) return { ...sealed, ciphertextDataIntegrityValue: undefined };
      // The spec's order (appendix C): the CDIV first, then a decryption of what will be answered, so a
      // corruption after the hash cannot go unnoticed.
      const value = xksCdiv(aad, sealed);
      const back = xksOpen(material, keyId, sealed, aad);
      const same = back !== undefined && constantTimeEqual(back.expose(), plaintext.expose());
      back?.dispose();
      if (!same) throw new KmsError('Internal', 'The XKS ciphertext did not decrypt to its plaintext.');
      return { ...sealed, ciphertextDataIntegrityValue: value };
    },
    async decrypt(input) {
      const version = xksMetadataVersion(input.ciphertextMetadata);
      if (version === undefined || input.ciphertextMetadata === undefined) throw invalidCiphertext();
      await requireMaterialInForce(deps, key.record, key.arn);
      const material = await versionMaterial(deps, key.record.id, version);
      const sealed = { ciphertext: input.ciphertext, initializationVector: input.initializationVector, authenticationTag: input.authenticationTag, ciphertextMetadata: input.ciphertextMetadata };
      const plaintext = material && xksOpen(material, keyId, sealed, input.additionalAuthenticatedData);
      if (plaintext === undefined) throw invalidCiphertext();
      return plaintext;
    },
  };
}
