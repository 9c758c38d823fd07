import { z } from 'zod';
import { defineOperation } from '../../pipeline/operation.js';
import { keyIdParam } from '../../pipeline/schemas.js';

export const enableKey = defineOperation({
  service: 'TrentService',
  name: 'EnableKey',
  description: 'Enables a disabled KMS key so that it can be used in cryptographic operations again.',
  effect: 'write',
  uses: ['keys'] as const,
  input: z.object({ KeyId: keyIdParam }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'enable', allowAlias: false } },
  async execute(_input, ctx, deps) {
    await deps.keys.updateKey(ctx.keys.key.record.id, { state: 'Enabled' });
    return {};
  },
  auditRequest: (i) => ({ keyId: i.KeyId }),
});
