import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import type { GrantRecord } from '../../core/grant.js';
import { servicePrincipalOf } from '../../core/service-principal.js';
import { defineOperation } from '../pipeline/operation.js';
import { decodeMarker, pageFields } from '../pipeline/pagination.js';
import { grantsForWire, principalArnParam, servicePrincipalParam } from './grants.js';
import { resolvePrincipalArn } from '../identity/principals.js';
import { limit, marker } from '../pipeline/schemas.js';

/**
 * ListRetirableGrants, by RetiringPrincipal or (AWS: for callers that are a service principal)
 * RetiringServicePrincipal, exactly one. Arca lets a service principal list only its own retirable
 * grants by RetiringServicePrincipal (ADR 0021).
 */
export const listRetirableGrants = defineOperation({
  service: 'TrentService',
  name: 'ListRetirableGrants',
  description: 'Lists the grants that a given principal may retire.',
  effect: 'read',
  uses: ['realm', 'principals', 'grants', 'keys'] as const,
  input: z
    .object({
      RetiringPrincipal: principalArnParam.optional().describe('The retiring principal (an ARN) whose retirable grants are listed (or RetiringServicePrincipal).'),
      Limit: limit(100),
      Marker: marker,
      RetiringServicePrincipal: servicePrincipalParam.optional().describe('The retiring service principal whose retirable grants are listed (callers that are that service principal only).'),
    })
    .superRefine((i, ctx) => {
      if (i.RetiringPrincipal === undefined && i.RetiringServicePrincipal === undefined) {
        ctx.addIssue({ code: 'invalid_type', expected: 'string', input: undefined, path: ['RetiringPrincipal'], message: 'Member must not be null' });
      }
      if (i.RetiringPrincipal !== undefined && i.RetiringServicePrincipal !== undefined) {
        ctx.addIssue({ code: 'custom', input: i.RetiringServicePrincipal, path: ['RetiringServicePrincipal'], message: 'Member must be null when RetiringPrincipal is specified' });
      }
    }),
  conditions: (c) => [c.scalar('kms:RetiringPrincipal', (i) => i.RetiringPrincipal)],
  keys: {},
  async check(input, ctx) {
    const service = input.RetiringServicePrincipal;
    if (service !== undefined && servicePrincipalOf(ctx.principal) !== service) {
      throw new KmsError('AccessDenied', `User: ${ctx.principal.arn} is not authorized to list the retirable grants of service principal ${service}: only that service principal may list them`);
    }
  },
  async execute(input, _ctx, deps) {
    const after = decodeMarker(input.Marker);
    const max = input.Limit ?? 50;
    // Grants hang off keys, and keys off a region: only this region's grants are listed (ADR 0022).
    const inRegion = async (grants: readonly GrantRecord[]) => {
      const regions = await Promise.all(grants.map(async (g) => (await deps.keys.getKey(g.keyId))?.region));
      return grants.filter((_, i) => regions[i] === deps.realm.region);
    };
    if (input.RetiringPrincipal === undefined) {
      const page = await deps.grants.listServiceRetirableGrants(input.RetiringServicePrincipal ?? '', after, max);
      return { Grants: await grantsForWire(deps, await inRegion(page.items)), ...pageFields(page.next) };
    }
    const page = await deps.grants.listRetirableGrants(input.RetiringPrincipal, after, max);
    // The principal holding this ARN now retires only the grants that named it, not a deleted namesake's.
    const holder = await resolvePrincipalArn(deps, input.RetiringPrincipal);
    const items = page.items.filter((g) => holder === null || g.retiringPrincipalId === holder);
    return { Grants: await grantsForWire(deps, await inRegion(items)), ...pageFields(page.next) };
  },
  auditRequest: (i) => ({ retiringPrincipal: i.RetiringPrincipal, retiringServicePrincipal: i.RetiringServicePrincipal }),
});
