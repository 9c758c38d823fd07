import { z } from 'zod';
import { importMetadata } from './import/key-import.js';
import { keyMetadata } from './key-metadata.js';
import { customKeyStoreMetadata } from './custom-key-store-key.js';
import { wireKeyId } from '../../core/multi-region.js';
import { defineOperation } from '../pipeline/operation.js';
import { grantTokens, keyIdParam } from '../pipeline/schemas.js';

export const describeKey = defineOperation({
  service: 'TrentService',
  name: 'DescribeKey',
  description: 'Returns detailed information about a KMS key.',
  effect: 'read',
  uses: ['realm', 'imports', 'keys', 'customKeyStores'] as const,
  input: z.object({ KeyId: keyIdParam, GrantTokens: grantTokens }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'read', allowAlias: true } },
  async execute(_input, ctx, deps) {
    const key = ctx.keys.key.record;
    const related = key.primaryRegion === undefined ? undefined : await deps.keys.listRelatedKeys(wireKeyId(key.id));
    return { KeyMetadata: { ...keyMetadata(deps.realm, key, related), ...(await importMetadata(deps, key)), ...(await customKeyStoreMetadata(deps.customKeyStores, key)) } };
  },
  auditRequest: (i) => ({ keyId: i.KeyId }),
});
