import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { keyIdParam, str } from '../pipeline/schemas.js';
import { isReservedTagKey } from '../../core/managed-key.js';
import { reservedArcaTag } from './tags.js';

export const untagResource = defineOperation({
  service: 'TrentService',
  name: 'UntagResource',
  description: 'Deletes tags from a KMS key.',
  effect: 'write',
  uses: ['keys'] as const,
  input: z.object({ KeyId: keyIdParam, TagKeys: z.array(str(1, 128)).max(50, 'Member must have length less than or equal to 50').describe('The keys of the tags to remove from the KMS key.') }),
  conditions: (c) => [c.list('aws:TagKeys', (i) => i.TagKeys)],
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'manage', allowAlias: false } },
  async execute(input, ctx, deps) {
    // The managed-key tags (ADR 0027) are written by their operations only: none can be removed here.
    if (input.TagKeys.some(isReservedTagKey)) throw reservedArcaTag();
    await deps.keys.removeTags(ctx.keys.key.record.id, input.TagKeys);
    return {};
  },
  auditRequest: (i) => ({ keyId: i.KeyId, tagKeys: i.TagKeys }),
});
