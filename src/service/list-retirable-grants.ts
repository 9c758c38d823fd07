import { z } from 'zod';
import { defineOperation } from './operation.js';
import { decodeMarker, pageFields } from './pagination.js';
import { grantForWire, principalArnParam } from './grants.js';
import { limit, marker } from './schemas.js';

export const listRetirableGrants = defineOperation({
  service: 'TrentService',
  name: 'ListRetirableGrants',
  action: 'kms:ListRetirableGrants',
  readOnly: true,
  input: z.object({ RetiringPrincipal: principalArnParam, Limit: limit(100), Marker: marker }),
  keys: [],
  async execute(input, _ctx, deps) {
    const page = await deps.grants.listRetirableGrants(input.RetiringPrincipal, decodeMarker(input.Marker), input.Limit ?? 50);
    return { Grants: page.items.map((g) => grantForWire(deps.realm, g)), ...pageFields(page.next) };
  },
  auditRequest: (i) => ({ retiringPrincipal: i.RetiringPrincipal }),
});
