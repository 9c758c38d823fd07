import { z } from 'zod';
import { wireKeyId } from '../../core/multi-region.js';
import { defineOperation } from '../pipeline/operation.js';
import { keyIdParam } from '../pipeline/schemas.js';

/** GetKeyLastUsage: the key's last successful cryptographic operation, read from the audit trail. */
export const getKeyLastUsage = defineOperation({
  service: 'TrentService',
  name: 'GetKeyLastUsage',
  description: 'Returns the last successful cryptographic operation performed with a KMS key, read from the audit trail.',
  effect: 'read',
  uses: ['clock', 'auditTrail'] as const,
  input: z.object({ KeyId: keyIdParam }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'read', allowAlias: false } },
  async execute(_input, ctx, deps) {
    const key = ctx.keys.key;
    const last = await deps.auditTrail.lastUsage(key.arn);
    const start = await deps.auditTrail.trackingStart();
    return {
      KeyId: wireKeyId(key.record.id),
      ...(last && { KeyLastUsage: { Operation: last.eventName, Timestamp: new Date(last.eventTime), CloudTrailEventId: last.eventId, KmsRequestId: last.requestId } }),
      TrackingStartDate: start === undefined ? deps.clock.now() : new Date(start),
      KeyCreationDate: key.record.createdAt,
    };
  },
  auditRequest: (i) => ({ keyId: i.KeyId }),
});
