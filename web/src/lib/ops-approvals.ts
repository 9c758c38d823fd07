/** The approval request as the wire shows it (src/service/approvals/request-operations.ts, requestForWire). */
export interface ApprovalDecision {
  readonly ApproverArn: string;
  readonly Decision: 'Approve' | 'Deny' | 'BreakGlass' | string;
  readonly Reason: string;
  readonly DecidedAt: number | string;
}

export interface ApprovalRequest {
  readonly ApprovalId: string;
  readonly RuleName: string;
  readonly Operation: string;
  readonly Parameters: unknown;
  readonly KeyArns: readonly string[];
  readonly RequesterArn: string;
  readonly Status: 'Pending' | 'Approved' | 'Denied' | 'Executed' | 'Expired' | string;
  readonly Approvals: number;
  readonly Quorum?: number;
  readonly RequireMfa?: boolean;
  readonly Executor?: 'Requester' | 'Approver';
  readonly Decisions: readonly ApprovalDecision[];
  readonly CreatedAt: number | string;
  readonly ExpiresAt: number | string;
  readonly ExecutedAt?: number | string;
  readonly ExecutorArn?: string;
}

/**
 * Who may run an approved request with ExecuteApproved, as the server decides it (approval-gate.ts):
 * the requester, or with `Executor: Approver` the approver whose approval completed the quorum (the last
 * one). Undefined when the rule is unknown to the caller (the server still decides).
 */
export function executorOf(r: ApprovalRequest): string | undefined {
  if (r.Executor === 'Approver') return [...r.Decisions].reverse().find((d) => d.Decision === 'Approve')?.ApproverArn;
  if (r.Executor === 'Requester' || r.Executor === undefined) return r.RequesterArn;
  return undefined;
}

/** Whether to offer Execute: approved, and the caller is the one who may run it. */
export function mayExecute(r: ApprovalRequest, callerArn: string): boolean {
  return r.Status === 'Approved' && executorOf(r) === callerArn;
}

/**
 * Whether to offer Approve/Deny: a Pending request not made by the caller and not decided by them
 * already. Whether the caller is an approver of the rule only the server knows: it answers AccessDenied.
 */
export function mayDecide(r: ApprovalRequest, callerArn: string): { offer: boolean; why?: string } {
  if (r.Status !== 'Pending') return { offer: false, why: `The request is ${r.Status}: only a Pending request can be decided.` };
  if (r.Decisions.some((d) => d.ApproverArn === callerArn)) return { offer: false, why: 'You decided this request already.' };
  return { offer: true };
}
