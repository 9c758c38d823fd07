import { z } from 'zod';
import { randomPublicBytes } from '../../crypto/random.js';
import type { ApprovalRequest } from '../../core/approval.js';
import { KmsError } from '../../core/errors.js';
import type { GrantOperation, GrantRecord } from '../../core/grant.js';
import type { Principal } from '../../core/principal.js';
import type { RequestInfo } from '../../core/policy/context.js';
import type { ServiceDeps } from '../pipeline/deps.js';
import { defineOperation, type OperationContext, type ResolvedKey } from '../pipeline/operation.js';
import { keyIdParam, str } from '../pipeline/schemas.js';
import { grantOperations, grantToken } from '../access/grants.js';

/** The shortest and longest just-in-time access (seconds): one second (tests; rules should ask for the least they need) to 12 hours. */
export const JIT_DURATION = { min: 1, max: 43_200 } as const;

/** Authorization facts for the approvers' check: the approvers' own requests are long gone, so no source address, user agent or TLS. */
const NO_TRANSPORT = { sourceIp: '', userAgent: '', secureTransport: false } as const;

/**
 * Just-in-time access (issue 18; DESIGN §3 "just-in-time access is an approved, expiring grant"). A
 * caller asks for some grant operations on a key for a while; an approval rule naming `RequestKeyAccess`
 * holds the request like any governable write; `ExecuteApproved` replays it, and only then is a grant
 * made: to the requester (a role session's requester is its role), for those operations, expiring
 * `DurationSeconds` after the execution.
 *
 * Without a rule covering it the request is refused: an unapproved grant is what CreateGrant is for.
 * DESIGN §7.8: the grant never exceeds what the approvers may grant. Each approver must, at execution,
 * be allowed `kms:CreateGrant` of that very grant (grantee and operations as condition keys) on the key
 * by the key policy and identity policies, judged as the approver's standing identity (the user, or for a
 * role session the role): a CreateGrant an approver holds only through a grant does not count (that
 * grant could be retired or expire before this one), nor does a condition on the approver's network,
 * TLS or MFA session, which are evaluated as absent. A request run by break-glass (BreakGlass, without
 * its quorum) takes the emergency caller's authority too: it must be allowed that CreateGrant itself.
 */
export const requestKeyAccess = defineOperation({
  service: 'ArcaService',
  name: 'RequestKeyAccess',
  description: 'Asks for just-in-time access to a key: held by an approval rule; once approved and executed, an expiring grant to the requester.',
  effect: 'write',
  uses: ['clock', 'realm', 'principals', 'grants', 'policyChecks'] as const,
  input: z.object({
    KeyId: keyIdParam,
    Operations: grantOperations.describe('The grant operations asked for (Decrypt, Encrypt, ...).'),
    DurationSeconds: z.number().int().min(JIT_DURATION.min).max(JIT_DURATION.max).describe(`How long the grant lasts from its execution, in seconds (${JIT_DURATION.min} to ${JIT_DURATION.max}).`),
    Reason: str(1, 1024).describe('Why the access is needed: shown to the approvers and recorded in the audit trail.'),
  }),
  // Like CreateGrant's: a disabled or pending key is refused.
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'use', allowAlias: true } },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    const approval = ctx.approval;
    if (approval === undefined) {
      throw new KmsError('AccessDenied', `RequestKeyAccess runs only through an approval rule: no rule covers RequestKeyAccess for this key (${key.arn}).`);
    }
    const now = deps.clock.now();
    const operations = [...new Set(input.Operations)];
    const grantee = await requester(deps, approval);
    await authoritiesMayGrant(deps, approval, ctx, key, grantee.arn, operations, now);
    const grant: GrantRecord = {
      grantId: randomPublicBytes(32).toString('hex'),
      keyId: key.record.id,
      name: undefined,
      granteePrincipal: grantee.arn,
      granteePrincipalId: grantee.id,
      retiringPrincipal: undefined,
      retiringPrincipalId: undefined,
      issuingPrincipal: ctx.principal.arn,
      operations,
      constraints: undefined,
      createdAt: now,
      expiresAt: new Date(now.getTime() + input.DurationSeconds * 1000),
      parentGrantId: undefined,
    };
    await deps.grants.createGrant(grant);
    return { GrantId: grant.grantId, GrantToken: grantToken(key.record.id, grant.grantId), ExpiresAt: grant.expiresAt ?? now };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, operations: i.Operations, durationSeconds: i.DurationSeconds, reason: i.Reason }),
  auditResponse: (o) => ({ grantId: o.GrantId, expiresAt: o.ExpiresAt.toISOString() }),
});

/** The grantee: the requester as it stands now (a role session's requester is its role); gone since: refused. */
async function requester(deps: Pick<ServiceDeps, 'principals'>, approval: ApprovalRequest): Promise<{ arn: string; id: string }> {
  const record = await deps.principals.getPrincipal(approval.requesterId);
  if (record === undefined) throw new KmsError('AccessDenied', `The requester of approval request ${approval.approvalId} (${approval.requesterArn}) no longer exists: no grant is made.`);
  return { arn: record.arn, id: record.id };
}

/** Someone whose authority the grant comes from, and the request facts their policies are judged with. */
interface Authority {
  readonly principal: Principal;
  readonly request: RequestInfo;
}

/**
 * Whose authority the grant comes from: each approver who approved, as its standing identity (its
 * request is long gone: no transport facts); and, when the request runs while still Pending (BreakGlass
 * opens only Pending requests, ExecuteApproved only Approved ones), the emergency caller, as itself now.
 */
async function authorities(deps: Pick<ServiceDeps, 'principals' | 'realm'>, approval: ApprovalRequest, ctx: OperationContext, now: Date): Promise<Authority[]> {
  const out: Authority[] = [];
  for (const d of approval.decisions.filter((x) => x.decision === 'Approve')) {
    const record = await deps.principals.getPrincipal(d.approverId);
    if (record === undefined) throw refusal(d.approverArn);
    out.push({ principal: { id: record.id, type: record.type, name: record.name, arn: record.arn, account: deps.realm.account }, request: { ...NO_TRANSPORT, time: now } });
  }
  if (approval.status === 'Pending' && ctx.request !== undefined) out.push({ principal: ctx.principal, request: ctx.request });
  if (out.length === 0) throw new KmsError('AccessDenied', `Approval request ${approval.approvalId} has no approver whose authority a grant could come from.`);
  return out;
}

function refusal(who: string, keyArn?: string, what?: string): KmsError {
  return new KmsError('AccessDenied', `The approver ${who} may not create this grant${keyArn === undefined ? '' : ` on ${keyArn}`}${what === undefined ? '' : ` (${what})`}: a just-in-time grant never exceeds what its approvers may grant.`);
}

/** Refuses unless every authority may, now, create this grant on the key through its policies (DESIGN §7.8). */
async function authoritiesMayGrant(deps: Pick<ServiceDeps, 'principals' | 'policyChecks' | 'realm'>, approval: ApprovalRequest, ctx: OperationContext, key: ResolvedKey, granteeArn: string, operations: readonly GrantOperation[], now: Date): Promise<void> {
  for (const { principal, request } of await authorities(deps, approval, ctx, now)) {
    const allowed = await deps.policyChecks.allowedByPolicies({
      principal,
      action: 'kms:CreateGrant',
      resource: key.arn,
      resourceAccount: deps.realm.account,
      context: { 'kms:GranteePrincipal': granteeArn, 'kms:GrantOperations': operations, 'kms:GrantIsForAWSResource': 'false' },
      key: key.record,
      request,
    });
    if (!allowed) throw refusal(principal.arn, key.arn, `kms:CreateGrant of ${operations.join(', ')} for ${granteeArn}`);
  }
}
