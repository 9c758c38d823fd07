import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { decodeMarker, pageFields } from '../pipeline/pagination.js';
import { principalForWire } from './principals.js';
import { limit, marker } from '../pipeline/schemas.js';

export const listPrincipals = defineOperation({
  service: 'ArcaService',
  name: 'ListPrincipals',
  description: 'Lists the principals.',
  effect: 'read',
  uses: ['principals'] as const,
  input: z.object({ Limit: limit(1000), Marker: marker }),
  keys: {},
  async execute(input, _ctx, deps) {
    const page = await deps.principals.listPrincipals(decodeMarker(input.Marker), input.Limit ?? 100);
    return { Principals: page.items.map(principalForWire), ...pageFields(page.next) };
  },
  auditRequest: (i) => ({ limit: i.Limit }),
});
