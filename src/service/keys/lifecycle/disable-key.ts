import { z } from 'zod';
import { defineOperation } from '../../pipeline/operation.js';
import { keyIdParam } from '../../pipeline/schemas.js';

/** Takes effect on the very next request: every use checks the stored state, and cached material is dropped. */
export const disableKey = defineOperation({
  service: 'TrentService',
  name: 'DisableKey',
  description: 'Disables a KMS key so that it cannot be used in cryptographic operations.',
  effect: 'write',
  uses: ['keys', 'hierarchy'] as const,
  input: z.object({ KeyId: keyIdParam }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'disable', allowAlias: false } },
  async execute(_input, ctx, deps) {
    const key = ctx.keys.key.record;
    await deps.keys.updateKey(key.id, { state: 'Disabled' });
    deps.hierarchy.forgetKey(key.id);
    return {};
  },
  auditRequest: (i) => ({ keyId: i.KeyId }),
});
