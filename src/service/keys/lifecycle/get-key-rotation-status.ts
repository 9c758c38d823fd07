import { z } from 'zod';
import { wireKeyId } from '../../../core/multi-region.js';
import { requireRotatable } from './lifecycle.js';
import { defineOperation } from '../../pipeline/operation.js';
import { keyIdParam } from '../../pipeline/schemas.js';

/**
 * AWS's rotation status: `RotationPeriodInDays` and `NextRotationDate` only while automatic rotation is
 * enabled. `OnDemandRotationStartDate` is AWS's marker of an on-demand rotation still in progress; Arca
 * completes an on-demand rotation within the RotateKeyOnDemand request, so it never reports one.
 */
export const getKeyRotationStatus = defineOperation({
  service: 'TrentService',
  name: 'GetKeyRotationStatus',
  description: 'Tells whether automatic rotation is enabled for a KMS key, with its rotation period and next rotation date.',
  effect: 'read',
  uses: ['lifecycle'] as const,
  input: z.object({ KeyId: keyIdParam }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'read', allowAlias: false } },
  async execute(_input, ctx, deps) {
    const key = ctx.keys.key;
    requireRotatable(key.record, key.arn);
    const settings = await deps.lifecycle.store.getRotation(key.record.id);
    const enabled = settings?.enabled === true;
    return {
      KeyId: wireKeyId(key.record.id),
      KeyRotationEnabled: enabled,
      ...(enabled && settings ? { RotationPeriodInDays: settings.periodDays } : {}),
      ...(enabled && settings?.nextRotationAt ? { NextRotationDate: settings.nextRotationAt } : {}),
    };
  },
  auditRequest: (i) => ({ keyId: i.KeyId }),
});
