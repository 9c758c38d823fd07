import { z } from 'zod';
import { KmsError } from '../core/errors.js';
import { requiredKey } from './material.js';
import { defineOperation } from './operation.js';
import { keyIdParam, str } from './schemas.js';

export const updateAlias = defineOperation({
  service: 'TrentService',
  name: 'UpdateAlias',
  action: 'kms:UpdateAlias',
  readOnly: false,
  input: z.object({ AliasName: str(1, 256).regex(/^alias\//, 'Member must satisfy regular expression pattern: ^alias/.*'), TargetKeyId: keyIdParam }),
  keys: [
    // Resolving the alias finds its current key: both keys are authorized, as AWS does.
    { ref: (i) => i.AliasName, access: 'read', allowAlias: true },
    { ref: (i) => i.TargetKeyId, access: 'manage', allowAlias: false },
  ],
  async execute(input, ctx, deps) {
    const current = requiredKey(ctx.keys, 0).record;
    const target = requiredKey(ctx.keys, 1).record;
    if (current.keyUsage !== target.keyUsage || (current.keySpec === 'SYMMETRIC_DEFAULT') !== (target.keySpec === 'SYMMETRIC_DEFAULT')) {
      throw new KmsError('ValidationFailed', 'The new target key must have the same key type and key usage as the current target key.');
    }
    await deps.keys.updateAlias(input.AliasName, target.id, deps.clock.now());
    return {};
  },
  auditRequest: (i) => ({ aliasName: i.AliasName, targetKeyId: i.TargetKeyId }),
});
