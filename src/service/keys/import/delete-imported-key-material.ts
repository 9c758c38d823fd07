import { z } from 'zod';
import { KmsError } from '../../../core/errors.js';
import { keyMaterialId } from '../../../core/key-material-id.js';
import { requireExternal } from './key-import.js';
import { defineOperation } from '../../pipeline/operation.js';
import { keyIdParam, str } from '../../pipeline/schemas.js';

export const deleteImportedKeyMaterial = defineOperation({
  service: 'TrentService',
  name: 'DeleteImportedKeyMaterial',
  description: 'Deletes key material imported into a KMS key (the current one, or the one KeyMaterialId names); the key is unusable until that material is imported again, unless it was pending rotation.',
  effect: 'write',
  uses: ['hierarchy', 'lifecycle', 'imports'] as const,
  input: z.object({ KeyId: keyIdParam, KeyMaterialId: str(64, 64).optional().describe('The key material to delete, by its key material ID (the current one by default).') }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'manage', allowAlias: false } },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    requireExternal(key);
    // Symmetric keys name a generation by its key material ID (the current one by default); other keys have one.
    const symmetric = key.record.keySpec === 'SYMMETRIC_DEFAULT';
    const generations = await deps.imports.listImports(key.record.id);
    const version = input.KeyMaterialId === undefined ? key.record.primaryVersion : generations.find((g) => keyMaterialId(key.record.id, g.version) === input.KeyMaterialId)?.version;
    if (version === undefined || (input.KeyMaterialId !== undefined && !symmetric)) {
      throw new KmsError('NotFound', `Key material ${input.KeyMaterialId} is not associated with ${key.arn}.`);
    }
    const materialId = keyMaterialId(key.record.id, version);
    // Crypto-shredding: the only stored copy of the generation's material (its wrapped key version) is
    // deleted, and the cache dropped. Unless it was pending rotation, the key is PendingImport until it is imported again.
    await deps.imports.deleteMaterial(key.record.id, version);
    deps.hierarchy.forgetKey(key.record.id);
    // The WAL still holds the frames that wrote the material: checkpoint it away now.
    await deps.lifecycle.store.scrub();
    return { KeyId: key.arn, ...(symmetric ? { KeyMaterialId: materialId } : {}) };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, keyMaterialId: i.KeyMaterialId }),
  auditResponse: (o) => ({ keyId: o.KeyId, keyMaterialId: o.KeyMaterialId }),
});
