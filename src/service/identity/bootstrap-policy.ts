import type { Clock, PrincipalStore } from '../../core/ports.js';

/** The identity policy the bootstrap administrator gets: every KMS and Arca action on every resource. */
export const ADMINISTRATOR_POLICY_NAME = 'AdministratorAccess';
export const ADMINISTRATOR_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'AdministratorAccess', Effect: 'Allow', Action: ['kms:*', 'arca:*'], Resource: '*' }],
});

/**
 * Gives the bootstrap administrator `admin` the {@link ADMINISTRATOR_POLICY} when it has no identity
 * policy at all (a new data directory, or one made before access control existed). Keys with the
 * default key policy delegate to identity policies, so this keeps the dev admin working; an operator who
 * replaces the policy with a narrower one keeps theirs.
 */
export async function ensureAdminPolicy(deps: { principals: Pick<PrincipalStore, 'findPrincipalByName' | 'listPrincipalPolicies' | 'putPrincipalPolicy'>; clock: Clock }): Promise<void> {
  const admin = await deps.principals.findPrincipalByName('admin');
  if (admin === undefined) return;
  if ((await deps.principals.listPrincipalPolicies(admin.id)).length > 0) return;
  await deps.principals.putPrincipalPolicy(admin.id, ADMINISTRATOR_POLICY_NAME, ADMINISTRATOR_POLICY, deps.clock.now());
}
