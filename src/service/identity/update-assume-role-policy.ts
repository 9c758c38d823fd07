import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { principalName, requirePrincipal } from './principals.js';
import { assumeRolePolicyDocument, maxSessionDuration, newRoleTrust } from './trust-policy.js';

/**
 * Sets a role's trust policy (IAM's UpdateAssumeRolePolicy) and, optionally, its MaxSessionDuration.
 * It governs AssumeRole calls from the next request; sessions already issued are not touched
 * (RevokeRoleSessions ends them).
 */
export const updateAssumeRolePolicy = defineOperation({
  service: 'ArcaService',
  name: 'UpdateAssumeRolePolicy',
  description: 'Sets the trust policy of a role (who may assume it) and optionally its MaxSessionDuration.',
  effect: 'write',
  uses: ['clock', 'principals'] as const,
  input: z.object({ PrincipalName: principalName, PolicyDocument: assumeRolePolicyDocument, MaxSessionDuration: maxSessionDuration.optional() }),
  keys: {},
  async execute(input, _ctx, deps) {
    const role = await requirePrincipal(deps, input.PrincipalName);
    const current = await deps.principals.getRoleTrust(role.id);
    await deps.principals.putRoleTrust(await newRoleTrust(deps, role, input.PolicyDocument, input.MaxSessionDuration ?? current?.maxSessionDuration));
    return {};
  },
  auditRequest: (i) => ({ principalName: i.PrincipalName, maxSessionDuration: i.MaxSessionDuration }),
});
