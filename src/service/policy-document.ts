import type { AuthorizationRequest } from '../core/authorization.js';
import { KmsError } from '../core/errors.js';
import { parsePolicy } from '../core/policy/document.js';
import type { OperationContext, ServiceDeps } from './operation.js';

/** Validates a key policy document (AWS's grammar, MalformedPolicyDocumentException messages). */
export function checkPolicyDocument(text: string): void {
  parsePolicy(text, 'key');
}

/**
 * Validates a new key policy and runs AWS's lockout safety check: unless `bypass`, the policy must let the
 * caller call PutKeyPolicy on the key afterwards (directly, or through the account root and the caller's
 * identity policies), so that nobody is locked out of the key for good.
 */
export async function checkNewKeyPolicy(
  deps: Pick<ServiceDeps, 'policyChecks' | 'realm'>,
  ctx: OperationContext,
  keyArn: string,
  text: string,
  bypass: boolean | undefined,
): Promise<void> {
  const policy = parsePolicy(text, 'key');
  if (bypass === true) return;
  const request: AuthorizationRequest = {
    principal: ctx.principal,
    action: 'kms:PutKeyPolicy',
    resource: keyArn,
    resourceAccount: deps.realm.account,
    context: {},
    request: ctx.request,
  };
  if (!(await deps.policyChecks.keepsPolicyAccess(request, policy))) {
    throw new KmsError(
      'MalformedPolicyDocument',
      'The new key policy will not allow you to update the key policy in the future. To proceed anyway, set BypassPolicyLockoutSafetyCheck to true.',
    );
  }
}
