import { z } from 'zod';
import { wireKeyId } from '../../core/multi-region.js';
import { aliasArn } from '../../core/arn.js';
import { defineOperation } from '../pipeline/operation.js';
import { decodeMarker, pageFields } from '../pipeline/pagination.js';
import { keyIdParam, limit, marker } from '../pipeline/schemas.js';

export const listAliases = defineOperation({
  service: 'TrentService',
  name: 'ListAliases',
  description: 'Lists the aliases of the account, or those of one KMS key.',
  effect: 'read',
  uses: ['keys', 'realm'] as const,
  input: z.object({ KeyId: keyIdParam.optional().describe('Lists only the aliases of this KMS key (key ID or key ARN).'), Limit: limit(100), Marker: marker }),
  keys: { key: { required: false, ref: (i) => i.KeyId, access: 'read', allowAlias: false } },
  async execute(input, ctx, deps) {
    const page = await deps.keys.listAliases(deps.realm.region, ctx.keys.key?.record.id, decodeMarker(input.Marker), input.Limit ?? 50);
    return {
      Aliases: page.items.map((a) => ({
        AliasName: a.name,
        AliasArn: aliasArn(deps.realm, a.name),
        TargetKeyId: wireKeyId(a.keyId),
        CreationDate: a.createdAt,
        LastUpdatedDate: a.updatedAt,
      })),
      ...pageFields(page.next),
    };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, limit: i.Limit }),
});
