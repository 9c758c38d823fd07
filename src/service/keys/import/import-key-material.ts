import { z } from 'zod';
import { KmsError } from '../../../core/errors.js';
import { EXPIRATION_MODELS } from '../../../core/key-import.js';
import { requireExternal } from './key-import.js';
import { defineOperation } from '../../pipeline/operation.js';
import { blob, keyIdParam } from '../../pipeline/schemas.js';

const invalidToken = () => new KmsError('InvalidImportToken', 'The import token is invalid, already used, or was issued for a different KMS key.');

export const importKeyMaterial = defineOperation({
  service: 'TrentService',
  name: 'ImportKeyMaterial',
  description: 'Imports key material into a KMS key that was created without key material.',
  effect: 'write',
  uses: ['hierarchy', 'importer', 'clock', 'imports'] as const,
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
    if (!deps.importer.supports(token.wrappingAlgorithm)) throw invalidToken();

    // Unwrapped, checked against the key spec and an earlier import's fingerprint, and rewrapped in custody.
    const previous = await deps.imports.getImport(key.record.id);
    const accepted = await deps.importer.acceptImported(key.record, token, input.EncryptedKeyMaterial, previous?.fingerprint, now);
    const stored = await deps.imports.importMaterial(tokenId, now, accepted.version, {
      keyId: key.record.id,
      fingerprint: accepted.fingerprint,
      expirationModel: model,
      validTo: input.ValidTo,
      importedAt: now,
    });
    if (!stored) throw invalidToken();
    deps.hierarchy.forgetKey(key.record.id);
    return { KeyId: key.arn };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, validTo: i.ValidTo?.toISOString(), expirationModel: i.ExpirationModel }),
  auditResponse: (o) => ({ keyId: o.KeyId }),
});
