import { z } from 'zod';
import { KmsError } from '../../../core/errors.js';
import { EXPIRATION_MODELS, IMPORT_TYPES, type KeyImportGeneration } from '../../../core/key-import.js';
import { keyMaterialId } from '../../../core/key-material-id.js';
import { requireExternal } from './key-import.js';
import { defineOperation, type ResolvedKey } from '../../pipeline/operation.js';
import { blob, keyIdParam, str } from '../../pipeline/schemas.js';

const invalidToken = () => new KmsError('InvalidImportToken', 'The import token is invalid, already used, or was issued for a different KMS key.');

export const importKeyMaterial = defineOperation({
  service: 'TrentService',
  name: 'ImportKeyMaterial',
  description: 'Imports key material into a KMS key with EXTERNAL origin: its first key material, the same key material again, or new key material for on-demand rotation.',
  effect: 'write',
  uses: ['hierarchy', 'importer', 'clock', 'imports'] as const,
  input: z.object({
    KeyId: keyIdParam,
    ImportToken: blob(1, 6144).describe('The import token GetParametersForImport returned with the wrapping public key.'),
    EncryptedKeyMaterial: blob(1, 6144).describe('The key material, wrapped under the public key GetParametersForImport returned.'),
    ValidTo: z.number().transform((s) => new Date(s * 1000)).optional().describe('When the imported key material expires and is deleted; only with ExpirationModel KEY_MATERIAL_EXPIRES.'),
    ExpirationModel: z.enum(EXPIRATION_MODELS).optional().describe('Whether the key material expires: KEY_MATERIAL_EXPIRES (then ValidTo is required) or KEY_MATERIAL_DOES_NOT_EXPIRE.'),
    ImportType: z.enum(IMPORT_TYPES).optional().describe('NEW_KEY_MATERIAL (the default for a key that never had material) or EXISTING_KEY_MATERIAL (the default after): symmetric encryption keys only.'),
    KeyMaterialDescription: str(0, 256).optional().describe('A description of the key material (symmetric encryption keys only); a re-import without one keeps the last.'),
    KeyMaterialId: str(64, 64).optional().describe('With EXISTING_KEY_MATERIAL: the key material ID of the material being imported again (symmetric encryption keys only).'),
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

    // ImportType, KeyMaterialDescription and KeyMaterialId (AWS, June 2025) concern symmetric encryption keys only.
    const symmetric = key.record.keySpec === 'SYMMETRIC_DEFAULT';
    if (!symmetric && (input.ImportType !== undefined || input.KeyMaterialId !== undefined || input.KeyMaterialDescription !== undefined)) {
      throw new KmsError('ValidationFailed', `ImportType, KeyMaterialDescription and KeyMaterialId are only valid for symmetric encryption keys; ${key.arn} has key spec ${key.record.keySpec}.`);
    }
    const generations = await deps.imports.listImports(key.record.id);
    const importType = input.ImportType ?? (generations.length === 0 ? 'NEW_KEY_MATERIAL' : 'EXISTING_KEY_MATERIAL');
    const target = importType === 'NEW_KEY_MATERIAL' ? newGeneration(key, generations, input.KeyMaterialId) : existingGeneration(key, generations, input.KeyMaterialId);
    const materialId = keyMaterialId(key.record.id, target.version);

    const tokenId = input.ImportToken.toString('hex');
    const token = await deps.imports.getToken(tokenId);
    if (token === undefined || token.keyId !== key.record.id || token.usedAt !== undefined) throw invalidToken();
    if (now.getTime() >= token.expiresAt.getTime()) throw new KmsError('ExpiredImportToken', 'The import token has expired: call GetParametersForImport again.');
    if (!deps.importer.supports(token.wrappingAlgorithm)) throw invalidToken();

    // Unwrapped, checked against the key spec and an earlier import's fingerprint, and rewrapped in custody.
    const previous = target.previous;
    const accepted = await deps.importer.acceptImported(key.record, token, input.EncryptedKeyMaterial, previous?.fingerprint, now, target.version);
    const stored = await deps.imports.importMaterial(tokenId, now, accepted.version, {
      keyId: key.record.id,
      version: target.version,
      fingerprint: accepted.fingerprint,
      expirationModel: model,
      validTo: input.ValidTo,
      importedAt: now,
      description: input.KeyMaterialDescription ?? previous?.description,
    });
    if (!stored) throw invalidToken();
    deps.hierarchy.forgetKey(key.record.id);
    return { KeyId: key.arn, ...(symmetric ? { KeyMaterialId: materialId } : {}) };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, validTo: i.ValidTo?.toISOString(), expirationModel: i.ExpirationModel, importType: i.ImportType, keyMaterialId: i.KeyMaterialId }),
  auditResponse: (o) => ({ keyId: o.KeyId, keyMaterialId: o.KeyMaterialId }),
});

/** The generation an import writes, and the record of the material it imports again (if any). */
interface Target {
  readonly version: number;
  readonly previous?: KeyImportGeneration | undefined;
}

/**
 * NEW_KEY_MATERIAL: the key's first material (its primary version), or the next generation, pending
 * rotation until RotateKeyOnDemand (AWS, June 2025: single-Region symmetric encryption keys). One
 * generation waits at a time; one whose material was deleted is replaced (AWS: "You can delete this key
 * material and import different key material in its place"). Arca's wording when one is pending: docs/aws-compatibility.md.
 */
function newGeneration(key: ResolvedKey, generations: readonly KeyImportGeneration[], materialId: string | undefined): Target {
  if (materialId !== undefined) throw new KmsError('ValidationFailed', 'KeyMaterialId cannot be specified when ImportType is NEW_KEY_MATERIAL.');
  const last = generations.at(-1);
  if (last === undefined) return { version: key.record.primaryVersion };
  const pending = generations.find((g) => g.version > key.record.primaryVersion);
  if (pending?.imported === true) {
    throw new KmsError('InvalidKeyState', `${key.arn} already has key material pending rotation (${keyMaterialId(key.record.id, pending.version)}). Rotate the key on demand, or delete that key material, before importing new key material.`);
  }
  return { version: last.version + 1 };
}

/** EXISTING_KEY_MATERIAL: the generation named by KeyMaterialId (the current one by default), with the same material. */
function existingGeneration(key: ResolvedKey, generations: readonly KeyImportGeneration[], materialId: string | undefined): Target {
  if (generations.length === 0) throw new KmsError('ValidationFailed', `${key.arn} has no key material to import again: use ImportType NEW_KEY_MATERIAL for its first key material.`);
  const previous = materialId === undefined ? generations.find((g) => g.version === key.record.primaryVersion) : generations.find((g) => keyMaterialId(key.record.id, g.version) === materialId);
  if (previous === undefined) throw new KmsError('NotFound', `Key material ${materialId ?? keyMaterialId(key.record.id, key.record.primaryVersion)} is not associated with ${key.arn}.`);
  return { version: previous.version, previous };
}
