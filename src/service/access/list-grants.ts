import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { servicePrincipalOf } from '../../core/service-principal.js';
import { defineOperation } from '../pipeline/operation.js';
import { decodeMarker, pageFields } from '../pipeline/pagination.js';
import { grantIdParam, grantsForWire, principalArnParam, servicePrincipalParam } from './grants.js';
import { keyIdParam, limit, marker } from '../pipeline/schemas.js';

/**
 * ListGrants. As in AWS, the GranteeServicePrincipal filter is for callers that are a service principal
 * (ADR 0021): Arca lets a service principal filter by its own name only, and refuses anyone else.
 */
export const listGrants = defineOperation({
  service: 'TrentService',
  name: 'ListGrants',
  description: 'Lists the grants of a KMS key.',
  effect: 'read',
  uses: ['realm', 'principals', 'grants'] as const,
  input: z
    .object({
      KeyId: keyIdParam.describe('The KMS key whose grants are listed (key ID or key ARN).'),
      Limit: limit(100),
      Marker: marker,
      GrantId: grantIdParam.optional().describe('Returns only the grant with this grant ID.'),
      GranteePrincipal: principalArnParam.optional().describe('Returns only the grants whose grantee principal is this one (an ARN).'),
      GranteeServicePrincipal: servicePrincipalParam.optional().describe('Returns only the grants to this service principal (callers that are that service principal only).'),
    })
    .superRefine((i, ctx) => {
      if (i.GranteePrincipal !== undefined && i.GranteeServicePrincipal !== undefined) {
        ctx.addIssue({ code: 'custom', input: i.GranteeServicePrincipal, path: ['GranteeServicePrincipal'], message: 'Member must be null when GranteePrincipal is specified' });
      }
    }),
  conditions: (c) => [c.scalar('kms:GranteePrincipal', (i) => i.GranteePrincipal)],
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'read', allowAlias: false } },
  async check(input, ctx) {
    const service = input.GranteeServicePrincipal;
    if (service !== undefined && servicePrincipalOf(ctx.principal) !== service) {
      throw new KmsError('AccessDenied', `User: ${ctx.principal.arn} is not authorized to list the grants of service principal ${service}: only that service principal may filter by GranteeServicePrincipal`);
    }
  },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    const page = await deps.grants.listGrants(key.record.id, decodeMarker(input.Marker), input.Limit ?? 50);
    const items = page.items.filter(
      (g) =>
        (input.GrantId === undefined || g.grantId === input.GrantId) &&
        (input.GranteePrincipal === undefined || g.granteePrincipal === input.GranteePrincipal) &&
        (input.GranteeServicePrincipal === undefined || g.granteeServicePrincipal === input.GranteeServicePrincipal),
    );
    return { Grants: await grantsForWire(deps, items), ...pageFields(page.next) };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, grantId: i.GrantId, granteePrincipal: i.GranteePrincipal, granteeServicePrincipal: i.GranteeServicePrincipal }),
});
