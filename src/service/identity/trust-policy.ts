import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { parsePolicy } from '../../core/policy/document.js';
import type { PrincipalRecord } from '../../core/principal.js';
import { SESSION_LIMITS, type RoleTrust } from '../../core/session.js';
import type { ServiceDeps } from '../pipeline/deps.js';
import { str } from '../pipeline/schemas.js';
import { resolvePolicyPrincipals } from '../access/policy-document.js';

/** A role's trust policy (AssumeRolePolicyDocument) and session settings: validation and storage (issue 17). */

export const assumeRolePolicyDocument = str(1, 2048).describe('The role’s trust policy: who may assume it (Principal), with sts:AssumeRole / sts:TagSession and conditions.');

export const maxSessionDuration = z
  .number()
  .int()
  .min(SESSION_LIMITS.assumeRoleDefaultSeconds, `Member must have value greater than or equal to ${SESSION_LIMITS.assumeRoleDefaultSeconds}`)
  .max(SESSION_LIMITS.roleMaxSeconds, `Member must have value less than or equal to ${SESSION_LIMITS.roleMaxSeconds}`)
  .describe('The longest session AssumeRole issues for the role, in seconds (3600 to 43200; default 3600).');

/**
 * Validates a trust policy (IAM's grammar: Principal required, no Resource, STS actions only) and
 * resolves the IAM user and role ARNs it names to unique ids (ADR 0009). A principal that does not
 * exist yet resolves to null and matches nobody until the policy is put again.
 */
export async function newRoleTrust(deps: Pick<ServiceDeps, 'principals' | 'clock'>, role: PrincipalRecord, document: string, maxSeconds: number | undefined): Promise<RoleTrust> {
  if (role.type !== 'role') throw new KmsError('ValidationFailed', `Principal ${role.name} is not a role: only roles have a trust policy.`);
  const policy = parsePolicy(document, 'trust');
  for (const s of policy.statements) {
    if (s.action.not || s.action.patterns.some((a) => !a.startsWith('sts:'))) throw new KmsError('MalformedPolicyDocument', 'AssumeRole policy may only specify STS AssumeRole actions.');
  }
  const principals = await resolvePolicyPrincipals(deps, policy);
  return { roleId: role.id, document, principals, maxSessionDuration: maxSeconds ?? SESSION_LIMITS.assumeRoleDefaultSeconds, updatedAt: deps.clock.now() };
}
