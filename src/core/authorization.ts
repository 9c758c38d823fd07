import type { Principal } from './principal.js';

/** One authorization question: may `principal` perform `action` on `resource` in this context? */
export interface AuthorizationRequest {
  readonly principal: Principal;
  readonly action: string;
  /** The key ARN, or `*` for operations on no key. */
  readonly resource: string;
  readonly resourceAccount: string;
  readonly context: Readonly<Record<string, string | readonly string[]>>;
}

export type Decision = 'Allow' | 'Deny' | 'ImplicitDeny';

/** The interface the policy engine implements (DESIGN.md §3). */
export interface Authorizer {
  authorize(request: AuthorizationRequest): Promise<Decision>;
}

/**
 * Interim rule until key policies, identity policies and grants land: an authenticated principal of the
 * resource's account may call every operation; anyone else is implicitly denied.
 */
export const accountPrincipalsMayDoEverything: Authorizer = {
  async authorize(request) {
    return request.principal.account === request.resourceAccount ? 'Allow' : 'ImplicitDeny';
  },
};

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
