import { z } from 'zod';
import { APPROVAL_LIMITS, approvalStatus, type ApprovalRequest, type ApprovalRule } from '../../core/approval.js';
import { KmsError } from '../../core/errors.js';
import type { Principal } from '../../core/principal.js';
import { defineOperation } from '../pipeline/operation.js';
import type { ServiceDeps } from '../pipeline/deps.js';
import { limit, str } from '../pipeline/schemas.js';
import { APPROVAL_ID_PATTERN, hasFreshMfa, namedIn } from './approval-gate.js';

/** ArcaService operations on held requests (issue 18): list, show, approve, deny, execute. */

const approvalId = str(36, 36).regex(APPROVAL_ID_PATTERN, 'Member must satisfy regular expression pattern: apr-[0-9a-f]{32}').describe('The approval request’s id (apr-…).');
const reason = str(1, 1024).describe('Why: recorded with the decision and in the audit trail.');

/** A request as the wire shows it (its parameters as the audit trail records them: never secrets). */
export function requestForWire(r: ApprovalRequest, now: Date, rule?: ApprovalRule): Record<string, unknown> {
  return {
    ApprovalId: r.approvalId,
    RuleName: r.ruleName,
    Operation: r.operation.slice(r.operation.indexOf('.') + 1),
    Parameters: r.summary,
    KeyArns: r.keyArns,
    RequesterArn: r.requesterArn,
    Status: approvalStatus(r, now),
    Approvals: r.decisions.filter((d) => d.decision === 'Approve').length,
    ...(rule !== undefined && { Quorum: rule.quorum, RequireMfa: rule.requireMfa, Executor: rule.executor }),
    Decisions: r.decisions.map((d) => ({ ApproverArn: d.approverArn, Decision: d.decision, Reason: d.reason, DecidedAt: d.at })),
    CreatedAt: r.createdAt,
    ExpiresAt: r.expiresAt,
    ...(r.executedAt !== undefined && { ExecutedAt: r.executedAt, ExecutorArn: r.executorArn }),
  };
}

async function requireRequest(deps: Pick<ServiceDeps, 'approvals'>, id: string): Promise<ApprovalRequest> {
  const r = await deps.approvals.getApprovalRequest(id);
  if (r === undefined) throw new KmsError('NotFound', `Approval request ${id} does not exist.`);
  return r;
}

/** Whether `caller` is in the rule's approver set: a listed ARN (a role's covers its sessions) or the tag. */
async function isApprover(deps: Pick<ServiceDeps, 'principals'>, rule: ApprovalRule, caller: Principal): Promise<boolean> {
  if (namedIn(rule.approvers.principalArns, caller)) return true;
  const tag = rule.approvers.tag;
  if (tag === undefined) return false;
  return [...(await deps.principals.listPrincipalTags(caller.id)), ...(caller.session?.tags ?? [])].some((t) => t.key === tag.key && t.value === tag.value);
}

/** Approve or deny: the checks both share, then the compare-and-set decision. */
async function decide(deps: Pick<ServiceDeps, 'approvals' | 'principals' | 'clock'>, caller: Principal, id: string, decision: 'Approve' | 'Deny', why: string): Promise<Record<string, unknown>> {
  const now = deps.clock.now();
  const request = await requireRequest(deps, id);
  const status = approvalStatus(request, now);
  if (status !== 'Pending') throw new KmsError('Conflict', `Approval request ${id} is ${status}: only a Pending request can be decided.`);
  const rule = await deps.approvals.getApprovalRule(request.ruleName);
  if (rule === undefined) throw new KmsError('Conflict', `The approval rule ${request.ruleName} of request ${id} was deleted: the request can no longer be decided.`);
  if (caller.id === request.requesterId) throw new KmsError('AccessDenied', `The requester of approval request ${id} cannot decide it.`);
  if (!(await isApprover(deps, rule, caller))) throw new KmsError('AccessDenied', `${caller.arn} is not an approver of the rule ${rule.name}.`);
  if (request.decisions.some((d) => d.approverId === caller.id)) throw new KmsError('Conflict', `${caller.arn} decided approval request ${id} already.`);
  if (rule.requireMfa && !hasFreshMfa(caller, now)) {
    throw new KmsError('AccessDenied', `The approval rule ${rule.name} requires an MFA session whose code was proved in the last ${APPROVAL_LIMITS.freshMfaSeconds / 60} minutes (sts get-session-token --serial-number … --token-code …).`);
  }
  const entry = { approverArn: caller.arn, approverId: caller.id, decision, reason: why, at: now };
  const approvals = request.decisions.filter((d) => d.decision === 'Approve').length + (decision === 'Approve' ? 1 : 0);
  const next = decision === 'Deny' ? 'Denied' : approvals >= rule.quorum ? 'Approved' : 'Pending';
  if (!(await deps.approvals.decideApprovalRequest(id, 'Pending', entry, next))) throw new KmsError('Conflict', `Approval request ${id} changed meanwhile (decided by ${caller.arn} already, or no longer Pending): read it again.`);
  return { ApprovalRequest: requestForWire({ ...request, status: next, decisions: [...request.decisions, entry] }, now, rule) };
}

export const approveRequest = defineOperation({
  service: 'ArcaService',
  name: 'ApproveRequest',
  description: 'Approves a held request: an approver of its rule, never its requester; with a fresh MFA session when the rule says so.',
  effect: 'write',
  uses: ['approvals', 'principals', 'clock'] as const,
  input: z.object({ ApprovalId: approvalId, Reason: reason }),
  keys: {},
  execute: (input, ctx, deps) => decide(deps, ctx.principal, input.ApprovalId, 'Approve', input.Reason),
  auditRequest: (i) => ({ approvalId: i.ApprovalId, reason: i.Reason }),
  auditResponse: (o) => ({ status: (o['ApprovalRequest'] as { Status: string }).Status }),
});

export const denyRequest = defineOperation({
  service: 'ArcaService',
  name: 'DenyRequest',
  description: 'Denies a held request: one denial blocks it for good.',
  effect: 'write',
  uses: ['approvals', 'principals', 'clock'] as const,
  input: z.object({ ApprovalId: approvalId, Reason: reason }),
  keys: {},
  execute: (input, ctx, deps) => decide(deps, ctx.principal, input.ApprovalId, 'Deny', input.Reason),
  auditRequest: (i) => ({ approvalId: i.ApprovalId, reason: i.Reason }),
  auditResponse: (o) => ({ status: (o['ApprovalRequest'] as { Status: string }).Status }),
});

export const getApprovalRequest = defineOperation({
  service: 'ArcaService',
  name: 'GetApprovalRequest',
  description: 'Shows a held request: the operation and its parameters (never secrets), who asked, and each decision.',
  effect: 'read',
  uses: ['approvals', 'clock'] as const,
  input: z.object({ ApprovalId: approvalId }),
  keys: {},
  async execute(input, _ctx, deps) {
    const r = await requireRequest(deps, input.ApprovalId);
    return { ApprovalRequest: requestForWire(r, deps.clock.now(), await deps.approvals.getApprovalRule(r.ruleName)) };
  },
  auditRequest: (i) => ({ approvalId: i.ApprovalId }),
});

export const listApprovalRequests = defineOperation({
  service: 'ArcaService',
  name: 'ListApprovalRequests',
  description: 'Lists held requests, newest first: all, or those of one status.',
  effect: 'read',
  uses: ['approvals', 'clock'] as const,
  input: z.object({
    Status: z.enum(['Pending', 'Approved', 'Denied', 'Executed', 'Expired']).optional().describe('Only requests with this status.'),
    Review: z.boolean().optional().describe('Only requests run by breaking glass: the follow-up review list.'),
    Limit: limit(100),
  }),
  keys: {},
  async execute(input, _ctx, deps) {
    const now = deps.clock.now();
    // Expired is not stored: it is a Pending or Approved request past its deadline. Review lists executed requests.
    const stored = input.Review === true ? 'Executed' : input.Status === 'Expired' ? undefined : input.Status;
    const filtered = input.Status === 'Expired' || input.Review === true;
    const rows = await deps.approvals.listApprovalRequests({ status: stored, limit: filtered ? 1000 : (input.Limit ?? 50) });
    const shown = rows
      .filter((r) => input.Status === undefined || approvalStatus(r, now) === input.Status)
      .filter((r) => input.Review !== true || r.decisions.some((d) => d.decision === 'BreakGlass'))
      .slice(0, input.Limit ?? 50);
    return { ApprovalRequests: shown.map((r) => requestForWire(r, now)) };
  },
  auditRequest: (i) => ({ status: i.Status, review: i.Review, limit: i.Limit }),
});

/**
 * Runs an approved request as it was made. The pipeline intercepts this operation: it authorizes
 * `arca:ExecuteApproved`, opens the request (ApprovalGate.open), replays the held operation with its
 * stored input, authorized again as the caller, and records the held operation's event with the approval
 * id. `execute` is never reached through the pipeline.
 */
export const executeApproved = defineOperation({
  service: 'ArcaService',
  name: 'ExecuteApproved',
  description: 'Runs an approved request as it was made (authorized again now); only its requester, or the approver who completed its quorum when its rule says so.',
  effect: 'write',
  uses: [] as const,
  input: z.object({ ApprovalId: approvalId }),
  keys: {},
  execute() {
    return Promise.reject(new KmsError('Internal', 'ExecuteApproved reached its operation: the pipeline replays it instead.'));
  },
  auditRequest: (i) => ({ approvalId: i.ApprovalId }),
});

/**
 * Runs a pending request without its quorum, in an emergency: only a break-glass principal of its rule,
 * with a fresh MFA session and a reason. The pipeline intercepts it like ExecuteApproved (authorized as
 * `arca:BreakGlass`, then the held operation authorized again as the caller); it records the break-glass
 * decision, raises a high-severity `breakGlass` alert, and lists the request for review
 * (`ListApprovalRequests` with `Review`).
 */
export const breakGlass = defineOperation({
  service: 'ArcaService',
  name: 'BreakGlass',
  description: 'Runs a pending request without its quorum, in an emergency: a break-glass principal of its rule with a fresh MFA session and a reason; alerted and listed for review.',
  effect: 'write',
  uses: [] as const,
  input: z.object({ ApprovalId: approvalId, Reason: reason }),
  keys: {},
  execute() {
    return Promise.reject(new KmsError('Internal', 'BreakGlass reached its operation: the pipeline replays it instead.'));
  },
  auditRequest: (i) => ({ approvalId: i.ApprovalId, reason: i.Reason }),
});
