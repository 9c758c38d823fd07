import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { decodeMarker, pageFields } from '../pipeline/pagination.js';
import { grantsForWire, principalArnParam } from './grants.js';
import { resolvePrincipalArn } from '../identity/principals.js';
import { limit, marker } from '../pipeline/schemas.js';

export const listRetirableGrants = defineOperation({
  service: 'TrentService',
  name: 'ListRetirableGrants',
  description: 'Lists the grants that a given principal may retire.',
  effect: 'read',
  uses: ['realm', 'principals', 'grants'] as const,
  input: z.object({ RetiringPrincipal: principalArnParam.describe('The retiring principal (an ARN) whose retirable grants are listed.'), Limit: limit(100), Marker: marker }),
  conditions: (c) => [c.scalar('kms:RetiringPrincipal', (i) => i.RetiringPrincipal)],
  keys: {},
  async execute(input, _ctx, deps) {
    const page = await deps.grants.listRetirableGrants(input.RetiringPrincipal, decodeMarker(input.Marker), input.Limit ?? 50);
    // The principal holding this ARN now retires only the grants that named it, not a deleted namesake's.
    const holder = await resolvePrincipalArn(deps, input.RetiringPrincipal);
    const items = page.items.filter((g) => holder === null || g.retiringPrincipalId === holder);
    return { Grants: await grantsForWire(deps, items), ...pageFields(page.next) };
  },
  auditRequest: (i) => ({ retiringPrincipal: i.RetiringPrincipal }),
});
