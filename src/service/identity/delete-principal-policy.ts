import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { defineOperation } from '../pipeline/operation.js';
import { policyName, principalName, requirePrincipal } from './principals.js';

export const deletePrincipalPolicy = defineOperation({
  service: 'ArcaService',
  name: 'DeletePrincipalPolicy',
  description: 'Deletes a named identity policy from a principal.',
  effect: 'write',
  uses: ['principals'] as const,
  input: z.object({ PrincipalName: principalName, PolicyName: policyName }),
  keys: {},
  async execute(input, _ctx, deps) {
    const p = await requirePrincipal(deps, input.PrincipalName);
    if (!(await deps.principals.deletePrincipalPolicy(p.id, input.PolicyName))) {
      throw new KmsError('KeyNotFound', `The principal ${p.name} has no policy named ${input.PolicyName}.`);
    }
    return {};
  },
  auditRequest: (i) => ({ principalName: i.PrincipalName, policyName: i.PolicyName }),
});
