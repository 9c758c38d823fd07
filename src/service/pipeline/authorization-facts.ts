import type { RequestInfo } from '../../core/policy/context.js';
import { encryptionContextKeys } from '../../core/policy/context.js';
import type { Principal } from '../../core/principal.js';
import { KmsError } from '../../core/errors.js';
import type { AuthorizationFacts } from './operation.js';

/** The facts with `ec` as the encryption context (its `kms:EncryptionContext*` keys replace the input's). */
export function withEncryptionContext(facts: AuthorizationFacts, ec: Readonly<Record<string, string>>): AuthorizationFacts {
  const context = Object.fromEntries(Object.entries(facts.context).filter(([k]) => !k.toLowerCase().startsWith('kms:encryptioncontext')));
  return { context: { ...context, ...encryptionContextKeys(ec) }, encryptionContext: ec };
}

/** What every authorization of one request shares. */
export interface Authz {
  readonly principal: Principal;
  readonly request: RequestInfo;
  readonly facts: AuthorizationFacts;
}

/** The one refusal message, whatever the reason (DESIGN.md §7.3). */
export function denied(principal: Principal, action: string, resource: string): KmsError {
  return new KmsError('AccessDenied', `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource} because no policy allows the ${action} action`);
}

/** The caller of an unauthenticated operation (audited as `Anonymous`; never authorized for a key). */
export function anonymousPrincipal(account: string): Principal {
  return { id: 'anonymous', type: 'user', name: 'anonymous', arn: 'anonymous', account };
}
