import { z } from 'zod';
import { parsePolicy } from '../../core/policy/document.js';
import { defineOperation } from '../pipeline/operation.js';
import { policyName, principalName, requirePrincipal } from './principals.js';
import { str } from '../pipeline/schemas.js';

/** Attaches (or replaces) a named identity policy on a principal; it applies from the next request. */
export const putPrincipalPolicy = defineOperation({
  service: 'ArcaService',
  name: 'PutPrincipalPolicy',
  description: 'Attaches a named identity policy to a principal, or replaces it.',
  effect: 'write',
  uses: ['clock', 'principals'] as const,
  input: z.object({ PrincipalName: principalName, PolicyName: policyName, PolicyDocument: str(1, 32768).describe('The identity policy: a JSON IAM policy document.') }),
  keys: {},
  async execute(input, _ctx, deps) {
    const p = await requirePrincipal(deps, input.PrincipalName);
    parsePolicy(input.PolicyDocument, 'identity');
    await deps.principals.putPrincipalPolicy(p.id, input.PolicyName, input.PolicyDocument, deps.clock.now());
    return {};
  },
  auditRequest: (i) => ({ principalName: i.PrincipalName, policyName: i.PolicyName }),
});
