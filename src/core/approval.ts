import { KmsError } from './errors.js';

/**
 * Separation of duties (issue 18, ADR 0020): approval rules hold the requests they cover until a quorum
 * of other principals approves them; the requester (or the approver completing the quorum) then executes
 * the request as it was made, authorized again at execution. The store keeps rules and requests; the
 * pipeline decides (service/approvals/).
 */

/** The keys a rule covers: any of the listed ARNs, alias names or tags; every key when all are empty. */
export interface ApprovalKeyScope {
  /** Key ARNs (`arn:aws:kms:<region>:<account>:key/<id>`). */
  readonly keyArns: readonly string[];
  /** Alias names (`alias/<name>`) pointing at the key when the request is made. */
  readonly aliases: readonly string[];
  /** Tags (`key` = `value`) the key carries when the request is made. */
  readonly tags: readonly { readonly key: string; readonly value: string }[];
}

/** Who may approve: any listed principal (a role ARN covers its sessions), or any principal with the tag. */
export interface ApproverSet {
  /** IAM user and role ARNs. */
  readonly principalArns: readonly string[];
  /** A principal tag (`key` = `value`) that makes its holder an approver. */
  readonly tag?: { readonly key: string; readonly value: string } | undefined;
  /** Emergency principals (ARNs; a role's covers its sessions) that may run a pending request without the quorum: with a fresh MFA session and a reason, loudly (BreakGlass). */
  readonly breakGlassArns?: readonly string[] | undefined;
}

/** Who runs an approved request with `ExecuteApproved`. */
export type ApprovalExecutor = 'Requester' | 'Approver';

/** A stored approval rule. */
export interface ApprovalRule {
  /** The rule's name, unique: `[A-Za-z0-9_.-]{1,64}`. */
  readonly name: string;
  /** Operation names (`ScheduleKeyDeletion`, `PutKeyPolicy`, `PutApprovalRule`, ...) the rule holds. */
  readonly operations: readonly string[];
  readonly keys: ApprovalKeyScope;
  readonly approvers: ApproverSet;
  /** How many distinct approvals release a request (M of the approver set; the requester never counts). */
  readonly quorum: number;
  /** Whether each approval needs an MFA session whose code was proved in the last {@link APPROVAL_LIMITS.freshMfaSeconds}. */
  readonly requireMfa: boolean;
  readonly executor: ApprovalExecutor;
  /** How long a request stays open (pending, then approved and unexecuted), in seconds. */
  readonly expiresAfterSeconds: number;
  readonly description: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Where an approval request stands. `Expired` is never stored: it is read from `expiresAt`. */
export type ApprovalStatus = 'Pending' | 'Approved' | 'Denied' | 'Executed' | 'Expired';

/** One approver's decision. */
export interface ApprovalDecision {
  readonly approverArn: string;
  /** The approver's unique id (a role session's is its role's): one decision per approver. */
  readonly approverId: string;
  /** `BreakGlass`: an emergency principal ran the request without the quorum. */
  readonly decision: 'Approve' | 'Deny' | 'BreakGlass';
  readonly reason: string;
  readonly at: Date;
}

/** A held request: what was asked, by whom, under which rule, and what the approvers decided. */
export interface ApprovalRequest {
  /** `apr-` and 32 hex digits. */
  readonly approvalId: string;
  readonly ruleName: string;
  /** The held operation's name (`ScheduleKeyDeletion`). */
  readonly operation: string;
  /** The operation's validated input, as {@link encodeApprovalInput} wrote it: replayed at execution. */
  readonly input: string;
  /** What the audit event records of the input (no secrets): what approvers are shown. */
  readonly summary: Readonly<Record<string, unknown>>;
  /** The ARNs of the keys the request acts on. */
  readonly keyArns: readonly string[];
  readonly requesterArn: string;
  /** The requester's unique id (a role session's is its role's). */
  readonly requesterId: string;
  readonly reason: string;
  /** Stored status (never `Expired`). */
  readonly status: Exclude<ApprovalStatus, 'Expired'>;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly decisions: readonly ApprovalDecision[];
  /** Set when `ExecuteApproved` ran it. */
  readonly executedAt?: Date | undefined;
  /** Who ran it. */
  readonly executorArn?: string | undefined;
}

/** Bounds of the approval model. */
export const APPROVAL_LIMITS = {
  /** An approval's MFA code must be this recent when the rule requires MFA. */
  freshMfaSeconds: 900,
  /** Default and longest life of a request. */
  defaultExpiresAfterSeconds: 86_400,
  maxExpiresAfterSeconds: 30 * 86_400,
  maxRules: 100,
} as const;

/** The status a request shows at `now`: a pending or approved request past its deadline is `Expired`. */
export function approvalStatus(r: Pick<ApprovalRequest, 'status' | 'expiresAt'>, now: Date): ApprovalStatus {
  return (r.status === 'Pending' || r.status === 'Approved') && now.getTime() >= r.expiresAt.getTime() ? 'Expired' : r.status;
}

/** Approval rules and requests (a port; SQLite, PostgreSQL and memory adapters under store/). */
export interface ApprovalStore {
  /** Creates or replaces the rule of that name. */
  putApprovalRule(rule: ApprovalRule): Promise<void>;
  /** Removes a rule; answers whether there was one. Requests it held stay, with its name. */
  deleteApprovalRule(name: string): Promise<boolean>;
  getApprovalRule(name: string): Promise<ApprovalRule | undefined>;
  /** Every rule, by name. */
  listApprovalRules(): Promise<readonly ApprovalRule[]>;
  /** Stores a new request; a taken id rejects, changing nothing. */
  createApprovalRequest(request: ApprovalRequest): Promise<void>;
  getApprovalRequest(approvalId: string): Promise<ApprovalRequest | undefined>;
  /** Requests newest first, optionally of one stored status, at most `limit`, created before `before` (paging). */
  listApprovalRequests(query: { readonly status?: ApprovalRequest['status'] | undefined; readonly limit: number; readonly before?: Date | undefined }): Promise<readonly ApprovalRequest[]>;
  /**
   * Appends a decision and sets the status, only if the request's stored status is still `from` and the
   * approver has not decided it yet (compare-and-set); answers whether it did.
   */
  decideApprovalRequest(approvalId: string, from: 'Pending', decision: ApprovalDecision, status: 'Pending' | 'Approved' | 'Denied'): Promise<boolean>;
  /** Marks an `Approved` request `Executed`, only if it is still `Approved` (exactly once); answers whether it did. */
  markApprovalExecuted(approvalId: string, at: Date, executorArn: string): Promise<boolean>;
}

/** The refusal of a request an approval rule holds: the approval request it created is stored, nothing else changed. */
export class ApprovalRequiredError extends KmsError {
  constructor(
    readonly approvalId: string,
    message: string,
  ) {
    super('ApprovalRequired', message);
  }
}
