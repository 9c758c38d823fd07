import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { principalName, requirePrincipal } from './principals.js';

export const listPrincipalPolicies = defineOperation({
  service: 'ArcaService',
  name: 'ListPrincipalPolicies',
  description: 'Lists the names of the identity policies of a principal.',
  effect: 'read',
  uses: ['principals'] as const,
  input: z.object({ PrincipalName: principalName }),
  keys: {},
  async execute(input, _ctx, deps) {
    const p = await requirePrincipal(deps, input.PrincipalName);
    return { PolicyNames: (await deps.principals.listPrincipalPolicies(p.id)).map((x) => x.name) };
  },
  auditRequest: (i) => ({ principalName: i.PrincipalName }),
});
