import { z } from 'zod';
import { DAY_MS, PENDING_WINDOW } from '../../../core/lifecycle.js';
import { defineOperation } from '../../pipeline/operation.js';
import { keyIdParam } from '../../pipeline/schemas.js';

/**
 * Schedules the destruction of a key after a waiting period (PendingWindowInDays, 7–30, default 30).
 * From now on every cryptographic operation with the key is refused (KMSInvalidStateException) and its
 * cached material is dropped; CancelKeyDeletion brings it back as Disabled. When the period ends, the
 * scheduler crypto-shreds it (docs/key-lifecycle.md).
 */
export const scheduleKeyDeletion = defineOperation({
  service: 'TrentService',
  name: 'ScheduleKeyDeletion',
  description: 'Schedules the deletion of a KMS key after a waiting period of 7 to 30 days.',
  effect: 'write',
  uses: ['hierarchy', 'clock', 'lifecycle'] as const,
  input: z.object({
    KeyId: keyIdParam,
    PendingWindowInDays: z
      .number()
      .int()
      .min(PENDING_WINDOW.min, `Member must have value greater than or equal to ${PENDING_WINDOW.min}`)
      .max(PENDING_WINDOW.max, `Member must have value less than or equal to ${PENDING_WINDOW.max}`)
      .optional()
      .describe('The waiting period before the KMS key is deleted, 7 to 30 days (30 by default).'),
  }),
  conditions: (c) => [c.scalar('kms:ScheduleKeyDeletionPendingWindowInDays', (i) => i.PendingWindowInDays)],
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'manage', allowAlias: false } },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    const window = input.PendingWindowInDays ?? PENDING_WINDOW.default;
    const deletionDate = new Date(deps.clock.now().getTime() + window * DAY_MS);
    await deps.lifecycle.store.scheduleDeletion(key.record.id, deletionDate);
    deps.hierarchy.forgetKey(key.record.id);
    return { KeyId: key.arn, DeletionDate: deletionDate, KeyState: 'PendingDeletion' as const, PendingWindowInDays: window };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, pendingWindowInDays: i.PendingWindowInDays }),
  auditResponse: (o) => ({ keyId: o.KeyId, deletionDate: o.DeletionDate.toISOString(), keyState: o.KeyState, pendingWindowInDays: o.PendingWindowInDays }),
});
