import { z } from 'zod';
import { privateKeyOf } from '../../../crypto/asymmetric-keys.js';
import { materialFingerprint, unwrapImportedMaterial } from '../../../crypto/import-unwrap.js';
import { constantTimeEqual } from '../../../crypto/kdf.js';
import { fingerprintBinding, importTokenBinding, materialBinding } from '../../../core/bindings.js';
import { invalidCiphertext, KmsError } from '../../../core/errors.js';
import { EXPIRATION_MODELS } from '../../../core/key-import.js';
import { materialFitsSpec, requireExternal, WRAPPING } from './key-import.js';
import { defineOperation } from '../../pipeline/operation.js';
import { blob, keyIdParam } from '../../pipeline/schemas.js';

const invalidToken = () => new KmsError('InvalidImportToken', 'The import token is invalid, already used, or was issued for a different KMS key.');

export const importKeyMaterial = defineOperation({
  service: 'TrentService',
  name: 'ImportKeyMaterial',
  description: 'Imports key material into a KMS key that was created without key material.',
  effect: 'write',
  uses: ['hierarchy', 'clock', 'imports'] as const,
  input: z.object({
    KeyId: keyIdParam,
    ImportToken: blob(1, 6144).describe('The import token GetParametersForImport returned with the wrapping public key.'),
    EncryptedKeyMaterial: blob(1, 6144).describe('The key material, wrapped under the public key GetParametersForImport returned.'),
    ValidTo: z.number().transform((s) => new Date(s * 1000)).optional().describe('When the imported key material expires and is deleted; only with ExpirationModel KEY_MATERIAL_EXPIRES.'),
    ExpirationModel: z.enum(EXPIRATION_MODELS).optional().describe('Whether the key material expires: KEY_MATERIAL_EXPIRES (then ValidTo is required) or KEY_MATERIAL_DOES_NOT_EXPIRE.'),
  }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'manage', allowAlias: false } },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    requireExternal(key);
    const now = deps.clock.now();
    const model = input.ExpirationModel ?? 'KEY_MATERIAL_EXPIRES';
    if (model === 'KEY_MATERIAL_EXPIRES' && input.ValidTo === undefined) throw new KmsError('ValidationFailed', 'ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES.');
    if (model === 'KEY_MATERIAL_DOES_NOT_EXPIRE' && input.ValidTo !== undefined) throw new KmsError('ValidationFailed', 'ValidTo must not be set when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.');
    if (input.ValidTo !== undefined && input.ValidTo.getTime() <= now.getTime()) throw new KmsError('ValidationFailed', 'ValidTo must be in the future.');

    const tokenId = input.ImportToken.toString('hex');
    const token = await deps.imports.getToken(tokenId);
    if (token === undefined || token.keyId !== key.record.id || token.usedAt !== undefined) throw invalidToken();
    if (now.getTime() >= token.expiresAt.getTime()) throw new KmsError('ExpiredImportToken', 'The import token has expired: call GetParametersForImport again.');
    const wrapping = WRAPPING[token.wrappingAlgorithm];
    if (wrapping === undefined) throw invalidToken();

    const wrappingKey = await deps.hierarchy.unwrap(token.wrappedPrivateKey, importTokenBinding(key.record.id, tokenId));
    let material;
    try {
      material = unwrapImportedMaterial(privateKeyOf(wrappingKey), wrapping, input.EncryptedKeyMaterial);
    } finally {
      wrappingKey.dispose();
    }
    if (material === undefined) throw invalidCiphertext();
    try {
      if (!materialFitsSpec(key.record.keySpec, material)) {
        throw new KmsError('IncorrectKeyMaterial', `The key material is not valid for key spec ${key.record.keySpec}.`);
      }
      const fingerprint = materialFingerprint(fingerprintBinding(key.record.id), material);
      const previous = await deps.imports.getImport(key.record.id);
      if (previous !== undefined && !constantTimeEqual(previous.fingerprint, fingerprint)) {
        throw new KmsError('IncorrectKeyMaterial', 'The key material is not the key material previously imported into this KMS key.');
      }
      const wrapped = await deps.hierarchy.wrap(material, materialBinding(key.record.id, key.record.primaryVersion));
      const stored = await deps.imports.importMaterial(
        tokenId,
        now,
        { keyId: key.record.id, version: key.record.primaryVersion, domainKeyVersion: wrapped.domainKeyVersion, wrappedMaterial: wrapped.wrapped, createdAt: now },
        { keyId: key.record.id, fingerprint, expirationModel: model, validTo: input.ValidTo, importedAt: now },
      );
      if (!stored) throw invalidToken();
      deps.hierarchy.forgetKey(key.record.id);
      return { KeyId: key.arn };
    } finally {
      material.dispose();
    }
  },
  auditRequest: (i) => ({ keyId: i.KeyId, validTo: i.ValidTo?.toISOString(), expirationModel: i.ExpirationModel }),
  auditResponse: (o) => ({ keyId: o.KeyId }),
});
