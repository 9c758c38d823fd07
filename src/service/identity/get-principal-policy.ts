import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { defineOperation } from '../pipeline/operation.js';
import { policyName, principalName, requirePrincipal } from './principals.js';

export const getPrincipalPolicy = defineOperation({
  service: 'ArcaService',
  name: 'GetPrincipalPolicy',
  description: 'Returns a named identity policy of a principal.',
  effect: 'read',
  uses: ['principals'] as const,
  input: z.object({ PrincipalName: principalName, PolicyName: policyName }),
  keys: {},
  async execute(input, _ctx, deps) {
    const p = await requirePrincipal(deps, input.PrincipalName);
    const policy = (await deps.principals.listPrincipalPolicies(p.id)).find((x) => x.name === input.PolicyName);
    if (policy === undefined) throw new KmsError('KeyNotFound', `The principal ${p.name} has no policy named ${input.PolicyName}.`);
    return { PrincipalName: p.name, PolicyName: policy.name, PolicyDocument: policy.document };
  },
  auditRequest: (i) => ({ principalName: i.PrincipalName, policyName: i.PolicyName }),
});
