import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { keyIdParam, str } from '../pipeline/schemas.js';

export const updateKeyDescription = defineOperation({
  service: 'TrentService',
  name: 'UpdateKeyDescription',
  description: 'Replaces the description of a KMS key.',
  effect: 'write',
  uses: ['keys'] as const,
  input: z.object({ KeyId: keyIdParam, Description: str(0, 8192).describe('The new description of the KMS key; do not put secrets in it.') }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'manage', allowAlias: false } },
  async execute(input, ctx, deps) {
    await deps.keys.updateKey(ctx.keys.key.record.id, { description: input.Description });
    return {};
  },
  auditRequest: (i) => ({ keyId: i.KeyId, description: i.Description }),
});
