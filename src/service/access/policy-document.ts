import type { AuthorizationRequest } from '../../core/authorization.js';
import { KmsError } from '../../core/errors.js';
import { parsePolicy, replacePrincipals, type PolicyDocument } from '../../core/policy/document.js';
import { isPrincipalReference, type PrincipalRefs } from '../../core/principal.js';
import type { ServiceDeps } from '../pipeline/deps.js';
import type { OperationContext } from '../pipeline/operation.js';
import { resolvePrincipalArn } from '../identity/principals.js';

/** Validates a key policy document (AWS's grammar, MalformedPolicyDocumentException messages). */
export function checkPolicyDocument(text: string): void {
  parsePolicy(text, 'key');
}

/**
 * The IAM user and role ARNs a key policy's statements name, each resolved to the unique id of the
 * principal that holds it now (`null`: none does yet), to be stored with the policy (ADR 0009).
 */
export async function resolvePolicyPrincipals(deps: Pick<ServiceDeps, 'principals'>, policy: PolicyDocument): Promise<PrincipalRefs> {
  const arns = new Set(policy.statements.flatMap((s) => s.principal?.patterns ?? []).filter(isPrincipalReference));
  const refs: Record<string, string | null> = {};
  for (const arn of arns) refs[arn] = await resolvePrincipalArn(deps, arn);
  return refs;
}

/**
 * Validates a new key policy, resolves the principals it names (returned, to be stored with it) and runs
 * AWS's lockout safety check: unless `bypass`, the policy must let the caller call PutKeyPolicy on the key
 * afterwards (directly, or through the account root and the caller's identity policies), so that nobody
 * is locked out of the key for good.
 */
export async function checkNewKeyPolicy(
  deps: Pick<ServiceDeps, 'policyChecks' | 'realm' | 'principals'>,
  ctx: OperationContext,
  keyArn: string,
  text: string,
  bypass: boolean | undefined,
): Promise<PrincipalRefs> {
  const policy = parsePolicy(text, 'key');
  const refs = await resolvePolicyPrincipals(deps, policy);
  if (bypass === true) return refs;
  const request: AuthorizationRequest = {
    principal: ctx.principal,
    action: 'kms:PutKeyPolicy',
    resource: keyArn,
    resourceAccount: deps.realm.account,
    context: {},
    request: ctx.request,
  };
  if (!(await deps.policyChecks.keepsPolicyAccess(request, policy, refs))) {
    throw new KmsError(
      'MalformedPolicyDocument',
      'The new key policy will not allow you to update the key policy in the future. To proceed anyway, set BypassPolicyLockoutSafetyCheck to true.',
    );
  }
  return refs;
}

/**
 * A stored key policy as GetKeyPolicy shows it: as written, except that an ARN whose principal has been
 * deleted shows that principal's unique id (as AWS does), since the statement names only that principal.
 */
export async function keyPolicyForRead(deps: Pick<ServiceDeps, 'keys' | 'principals'>, keyId: string, text: string): Promise<string> {
  const gone = new Map<string, string>();
  for (const [arn, id] of Object.entries(await deps.keys.getPolicyPrincipals(keyId))) {
    if (id !== null && (await deps.principals.getPrincipal(id)) === undefined) gone.set(arn, id);
  }
  return gone.size === 0 ? text : replacePrincipals(text, gone);
}
