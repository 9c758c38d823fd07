import { z } from 'zod';
import { wireKeyId } from '../../core/multi-region.js';
import { keyArn } from '../../core/arn.js';
import { defineOperation } from '../pipeline/operation.js';
import { decodeMarker, pageFields } from '../pipeline/pagination.js';
import { limit, marker } from '../pipeline/schemas.js';

export const listKeys = defineOperation({
  service: 'TrentService',
  name: 'ListKeys',
  description: 'Lists the KMS keys of the account.',
  effect: 'read',
  uses: ['keys', 'realm'] as const,
  input: z.object({ Limit: limit(1000), Marker: marker }),
  keys: {},
  async execute(input, _ctx, deps) {
    const page = await deps.keys.listKeys(deps.realm.region, decodeMarker(input.Marker), input.Limit ?? 100);
    return {
      Keys: page.items.map((k) => ({ KeyId: wireKeyId(k.id), KeyArn: keyArn(deps.realm, k.id) })),
      ...pageFields(page.next),
    };
  },
  auditRequest: (i) => ({ limit: i.Limit }),
});
