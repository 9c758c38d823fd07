import { z } from 'zod';
import { KmsError } from '../../../core/errors.js';
import { keyMaterialId } from '../../../core/key-material-id.js';
import { requireExternal } from './key-import.js';
import { defineOperation } from '../../pipeline/operation.js';
import { keyIdParam, str } from '../../pipeline/schemas.js';

export const deleteImportedKeyMaterial = defineOperation({
  service: 'TrentService',
  name: 'DeleteImportedKeyMaterial',
  description: 'Deletes the key material imported into a KMS key; the key is unusable until material is imported again.',
  effect: 'write',
  uses: ['hierarchy', 'lifecycle', 'imports'] as const,
  input: z.object({ KeyId: keyIdParam, KeyMaterialId: str(64, 64).optional().describe('The key material to delete, by its key material ID (the current one by default).') }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'manage', allowAlias: false } },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    requireExternal(key);
    // Arca keeps one generation of imported material per key so far: the current one is the only one to name.
    const symmetric = key.record.keySpec === 'SYMMETRIC_DEFAULT';
    const materialId = keyMaterialId(key.record.id, key.record.primaryVersion);
    if (input.KeyMaterialId !== undefined && (!symmetric || input.KeyMaterialId !== materialId)) {
      throw new KmsError('NotFound', `Key material ${input.KeyMaterialId} is not associated with ${key.arn}.`);
    }
    // Crypto-shredding: the only stored copies of the material (wrapped key versions) are deleted, and the cache dropped.
    await deps.imports.deleteMaterial(key.record.id);
    deps.hierarchy.forgetKey(key.record.id);
    // The WAL still holds the frames that wrote the material: checkpoint it away now.
    await deps.lifecycle.store.scrub();
    return { KeyId: key.arn, ...(symmetric ? { KeyMaterialId: materialId } : {}) };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, keyMaterialId: i.KeyMaterialId }),
  auditResponse: (o) => ({ keyId: o.KeyId, keyMaterialId: o.KeyMaterialId }),
});
