import { z } from 'zod';
import { requireExternal } from './key-import.js';
import { defineOperation } from '../../pipeline/operation.js';
import { keyIdParam, str } from '../../pipeline/schemas.js';

export const deleteImportedKeyMaterial = defineOperation({
  service: 'TrentService',
  name: 'DeleteImportedKeyMaterial',
  description: 'Deletes the key material imported into a KMS key; the key is unusable until material is imported again.',
  effect: 'write',
  uses: ['hierarchy', 'lifecycle', 'imports'] as const,
  input: z.object({ KeyId: keyIdParam, KeyMaterialId: str(1, 64).optional().describe('The key material to delete, by its key material ID (the current one by default).') }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'manage', allowAlias: false } },
  async execute(_input, ctx, deps) {
    const key = ctx.keys.key;
    requireExternal(key);
    // Crypto-shredding: the only stored copies of the material (wrapped key versions) are deleted, and the cache dropped.
    await deps.imports.deleteMaterial(key.record.id);
    deps.hierarchy.forgetKey(key.record.id);
    // The WAL still holds the frames that wrote the material: checkpoint it away now.
    await deps.lifecycle.store.scrub();
    return { KeyId: key.arn };
  },
  auditRequest: (i) => ({ keyId: i.KeyId }),
  auditResponse: (o) => ({ keyId: o.KeyId }),
});
