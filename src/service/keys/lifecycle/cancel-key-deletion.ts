import { z } from 'zod';
import { defineOperation } from '../../pipeline/operation.js';
import { keyIdParam } from '../../pipeline/schemas.js';

/** Cancels a scheduled deletion; the key comes back Disabled, as in AWS (EnableKey to use it again). */
export const cancelKeyDeletion = defineOperation({
  service: 'TrentService',
  name: 'CancelKeyDeletion',
  description: 'Cancels the scheduled deletion of a KMS key; the key is left disabled.',
  effect: 'write',
  uses: ['lifecycle'] as const,
  input: z.object({ KeyId: keyIdParam }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'manage', allowAlias: false } },
  async execute(_input, ctx, deps) {
    const key = ctx.keys.key;
    await deps.lifecycle.store.cancelDeletion(key.record.id);
    return { KeyId: key.arn };
  },
  auditRequest: (i) => ({ keyId: i.KeyId }),
  auditResponse: (o) => ({ keyId: o.KeyId }),
});
