import type { KeyRecord } from './key.js';
import type { RequestInfo } from './policy/context.js';
import type { PolicyDocument } from './policy/document.js';
import type { Principal, PrincipalRefs } from './principal.js';

/** One authorization question: may `principal` perform `action` on `resource` in this context? */
export interface AuthorizationRequest {
  readonly principal: Principal;
  readonly action: string;
  /**
   * The key ARN, an alias ARN (CreateAlias, UpdateAlias, DeleteAlias authorize the alias itself, which has
   * no key policy: identity policies alone decide), or `*` for operations on no key.
   */
  readonly resource: string;
  readonly resourceAccount: string;
  readonly context: Readonly<Record<string, string | readonly string[]>>;
  /**
   * The key `resource` names, as stored; `undefined` for operations on no key, or when the key does not
   * exist (then the authorizer answers as for a key with the default key policy, so that a caller who
   * may not use the key cannot tell a missing key from a forbidden one).
   */
  readonly key?: KeyRecord | undefined;
  /** Transport facts (source IP, user agent, TLS, time) for the `aws:*` condition keys. */
  readonly request?: RequestInfo | undefined;
  /** The request's encryption context, for grant constraints. */
  readonly encryptionContext?: Readonly<Record<string, string>> | undefined;
  /** The alias the caller named the key by (`kms:RequestAlias`). */
  readonly requestAlias?: string | undefined;
}

/** Checks that need the policy engine beyond a yes/no on the current request. */
export interface PolicyChecks {
  /**
   * The lockout safety check: whether the caller of `request` could still call `kms:PutKeyPolicy` on the
   * key (`request.resource`) if the key had `policy` as its key policy, whose principals resolve to `refs`.
   */
  keepsPolicyAccess(request: AuthorizationRequest, policy: PolicyDocument, refs: PrincipalRefs): Promise<boolean>;
  /** Whether the key policy and identity policies allow `request` without counting any grant. */
  allowedByPolicies(request: AuthorizationRequest): Promise<boolean>;
}

export type Decision = 'Allow' | 'Deny' | 'ImplicitDeny';

/** The interface the policy engine implements (DESIGN.md §3). */
export interface Authorizer {
  authorize(request: AuthorizationRequest): Promise<Decision>;
}

/** AWS's default key policy: the account root gets `kms:*`, delegating to identity policies. */
export function defaultKeyPolicy(account: string, partition = 'aws'): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:${partition}:iam::${account}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}
