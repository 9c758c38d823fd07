import { z } from 'zod';
import { invalidInput } from '../../../core/errors.js';
import { nextRotation, ROTATION_PERIOD } from '../../../core/lifecycle.js';
import { requireRotatable } from './lifecycle.js';
import { defineOperation } from '../../pipeline/operation.js';
import { keyIdParam } from '../../pipeline/schemas.js';

/**
 * Turns on automatic rotation (or changes its period). The first rotation comes RotationPeriodInDays
 * after enabling; changing the period of a key already rotating keeps the date of the last rotation as
 * the anchor. Periods shorter than AWS's 90 days are accepted only when the server is configured so.
 */
export const enableKeyRotation = defineOperation({
  service: 'TrentService',
  name: 'EnableKeyRotation',
  description: 'Turns on automatic rotation of the key material of a symmetric encryption KMS key.',
  effect: 'write',
  uses: ['clock', 'lifecycle'] as const,
  input: z.object({
    KeyId: keyIdParam,
    RotationPeriodInDays: z
      .number()
      .int()
      // The lower bound depends on configuration: checked in execute, with the same wording.
      .max(ROTATION_PERIOD.max, `Member must have value less than or equal to ${ROTATION_PERIOD.max}`)
      .optional()
      .describe('The number of days between automatic rotations of the key material (365 by default).'),
  }),
  conditions: (c) => [c.scalar('kms:RotationPeriodInDays', (i) => i.RotationPeriodInDays)],
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'manage', allowAlias: false } },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    requireRotatable(key.record, key.arn);
    const min = deps.lifecycle.minRotationPeriodDays;
    const period = input.RotationPeriodInDays ?? ROTATION_PERIOD.default;
    if (period < min) {
      throw invalidInput([{ member: 'rotationPeriodInDays', value: String(period), constraint: `Member must have value greater than or equal to ${min}` }]);
    }
    const now = deps.clock.now();
    const current = await deps.lifecycle.store.getRotation(key.record.id);
    const anchor = current?.enabled === true && current.nextRotationAt !== undefined ? nextRotation(current.nextRotationAt, -current.periodDays) : now;
    await deps.lifecycle.store.setRotation(key.record.id, { enabled: true, periodDays: period, nextRotationAt: nextRotation(anchor, period) });
    return {};
  },
  auditRequest: (i) => ({ keyId: i.KeyId, rotationPeriodInDays: i.RotationPeriodInDays }),
});
