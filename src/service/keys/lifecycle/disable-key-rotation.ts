import { z } from 'zod';
import { ROTATION_PERIOD } from '../../../core/lifecycle.js';
import { requireRotatable } from './lifecycle.js';
import { defineOperation } from '../../pipeline/operation.js';
import { keyIdParam } from '../../pipeline/schemas.js';

/** Turns off automatic rotation; existing versions keep decrypting, on-demand rotation still works. */
export const disableKeyRotation = defineOperation({
  service: 'TrentService',
  name: 'DisableKeyRotation',
  description: 'Turns off automatic rotation of the key material of a KMS key.',
  effect: 'write',
  uses: ['lifecycle'] as const,
  input: z.object({ KeyId: keyIdParam }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'manage', allowAlias: false } },
  async execute(_input, ctx, deps) {
    const key = ctx.keys.key;
    requireRotatable(key.record, key.arn);
    const current = await deps.lifecycle.store.getRotation(key.record.id);
    await deps.lifecycle.store.setRotation(key.record.id, { enabled: false, periodDays: current?.periodDays ?? ROTATION_PERIOD.default });
    return {};
  },
  auditRequest: (i) => ({ keyId: i.KeyId }),
});
