import { z } from 'zod';
import { keyMetadata } from './key-metadata.js';
import { requiredKey } from './material.js';
import { defineOperation } from './operation.js';
import { grantTokens, keyIdParam } from './schemas.js';

export const describeKey = defineOperation({
  service: 'TrentService',
  name: 'DescribeKey',
  action: 'kms:DescribeKey',
  readOnly: true,
  input: z.object({ KeyId: keyIdParam, GrantTokens: grantTokens }),
  keys: [{ ref: (i) => i.KeyId, access: 'read', allowAlias: true }],
  async execute(_input, ctx, deps) {
    return { KeyMetadata: keyMetadata(deps.realm, requiredKey(ctx.keys, 0).record) };
  },
  auditRequest: (i) => ({ keyId: i.KeyId }),
});
