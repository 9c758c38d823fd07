import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { decodeMarker, pageFields } from '../pipeline/pagination.js';
import { grantIdParam, grantsForWire, principalArnParam } from './grants.js';
import { keyIdParam, limit, marker } from '../pipeline/schemas.js';

export const listGrants = defineOperation({
  service: 'TrentService',
  name: 'ListGrants',
  description: 'Lists the grants of a KMS key.',
  effect: 'read',
  uses: ['realm', 'principals', 'grants'] as const,
  input: z.object({ KeyId: keyIdParam.describe('The KMS key whose grants are listed (key ID or key ARN).'), Limit: limit(100), Marker: marker, GrantId: grantIdParam.optional().describe('Returns only the grant with this grant ID.'), GranteePrincipal: principalArnParam.optional().describe('Returns only the grants whose grantee principal is this one (an ARN).') }),
  conditions: (c) => [c.scalar('kms:GranteePrincipal', (i) => i.GranteePrincipal)],
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'read', allowAlias: false } },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    const page = await deps.grants.listGrants(key.record.id, decodeMarker(input.Marker), input.Limit ?? 50);
    const items = page.items.filter((g) => (input.GrantId === undefined || g.grantId === input.GrantId) && (input.GranteePrincipal === undefined || g.granteePrincipal === input.GranteePrincipal));
    return { Grants: await grantsForWire(deps, items), ...pageFields(page.next) };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, grantId: i.GrantId, granteePrincipal: i.GranteePrincipal }),
});
