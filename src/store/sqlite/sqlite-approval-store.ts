import type { ApprovalDecision, ApprovalRequest, ApprovalRule, ApprovalStore } from '../../core/approval.js';
import { approversJson, decisionJson, decisionsJson, executorOf, keyScopeJson, parseApprovers, parseDecisions, parseKeyScope, parseSummary, storedStatusOf } from '../approval-json.js';
import { parseStrings } from '../stored-json.js';
import type { SqliteDatabase } from './database.js';

interface RuleRow {
  name: string;
  operations: string;
  keys: string;
  approvers: string;
  quorum: number;
  require_mfa: number;
  executor: string;
  expires_after_seconds: number;
  description: string;
  created_at: number;
  updated_at: number;
}

interface RequestRow {
  approval_id: string;
  rule_name: string;
  operation: string;
  input: string;
  summary: string;
  key_arns: string;
  requester_arn: string;
  requester_id: string;
  reason: string;
  status: string;
  created_at: number;
  expires_at: number;
  decisions: string;
  executed_at: number | null;
  executor_arn: string | null;
}

function toRule(r: RuleRow): ApprovalRule {
  return {
    name: r.name,
    operations: parseStrings(r.operations),
    keys: parseKeyScope(r.keys),
    approvers: parseApprovers(r.approvers),
    quorum: r.quorum,
    requireMfa: r.require_mfa === 1,
    executor: executorOf(r.executor),
    expiresAfterSeconds: r.expires_after_seconds,
    description: r.description,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

function toRequest(r: RequestRow): ApprovalRequest {
  return {
    approvalId: r.approval_id,
    ruleName: r.rule_name,
    operation: r.operation,
    input: r.input,
    summary: parseSummary(r.summary),
    keyArns: parseStrings(r.key_arns),
    requesterArn: r.requester_arn,
    requesterId: r.requester_id,
    reason: r.reason,
    status: storedStatusOf(r.status),
    createdAt: new Date(r.created_at),
    expiresAt: new Date(r.expires_at),
    decisions: parseDecisions(r.decisions),
    executedAt: r.executed_at === null ? undefined : new Date(r.executed_at),
    executorArn: r.executor_arn ?? undefined,
  };
}

/**
 * The ApprovalStore port on SQLite. Deciding and executing are single compare-and-set UPDATEs: the
 * decision is appended (`json_insert`) only while the status is still the expected one and no decision
 * of that approver is in the list, so two racing callers cannot both succeed.
 */
export class SqliteApprovalStore implements ApprovalStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async putApprovalRule(rule: ApprovalRule): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO approval_rules (name, operations, keys, approvers, quorum, require_mfa, executor, expires_after_seconds, description, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET operations = excluded.operations, keys = excluded.keys, approvers = excluded.approvers, quorum = excluded.quorum,
           require_mfa = excluded.require_mfa, executor = excluded.executor, expires_after_seconds = excluded.expires_after_seconds,
           description = excluded.description, created_at = excluded.created_at, updated_at = excluded.updated_at`,
      )
      .run(
        rule.name,
        JSON.stringify(rule.operations),
        keyScopeJson(rule.keys),
        approversJson(rule.approvers),
        rule.quorum,
        rule.requireMfa ? 1 : 0,
        rule.executor,
        rule.expiresAfterSeconds,
        rule.description,
        rule.createdAt.getTime(),
        rule.updatedAt.getTime(),
      );
  }

  async deleteApprovalRule(name: string): Promise<boolean> {
    return this.#db.prepare('DELETE FROM approval_rules WHERE name = ?').run(name).changes > 0;
  }

  async getApprovalRule(name: string): Promise<ApprovalRule | undefined> {
    const r = this.#db.prepare<[string], RuleRow>('SELECT * FROM approval_rules WHERE name = ?').get(name);
    return r && toRule(r);
  }

  async listApprovalRules(): Promise<readonly ApprovalRule[]> {
    return this.#db.prepare<[], RuleRow>('SELECT * FROM approval_rules ORDER BY name').all().map(toRule);
  }

  async createApprovalRequest(r: ApprovalRequest): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO approval_requests (approval_id, rule_name, operation, input, summary, key_arns, requester_arn, requester_id, reason, status,
           created_at, expires_at, decisions, executed_at, executor_arn)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        r.approvalId,
        r.ruleName,
        r.operation,
        r.input,
        JSON.stringify(r.summary),
        JSON.stringify(r.keyArns),
        r.requesterArn,
        r.requesterId,
        r.reason,
        r.status,
        r.createdAt.getTime(),
        r.expiresAt.getTime(),
        decisionsJson(r.decisions),
        r.executedAt?.getTime() ?? null,
        r.executorArn ?? null,
      );
  }

  async getApprovalRequest(approvalId: string): Promise<ApprovalRequest | undefined> {
    const r = this.#db.prepare<[string], RequestRow>('SELECT * FROM approval_requests WHERE approval_id = ?').get(approvalId);
    return r && toRequest(r);
  }

  async listApprovalRequests(query: { readonly status?: ApprovalRequest['status'] | undefined; readonly limit: number; readonly before?: Date | undefined }): Promise<readonly ApprovalRequest[]> {
    return this.#db
      .prepare<[string | null, string | null, number | null, number | null, number], RequestRow>(
        `SELECT * FROM approval_requests WHERE (? IS NULL OR status = ?) AND (? IS NULL OR created_at < ?)
         ORDER BY created_at DESC, approval_id DESC LIMIT ?`,
      )
      .all(query.status ?? null, query.status ?? null, query.before?.getTime() ?? null, query.before?.getTime() ?? null, Math.max(0, query.limit))
      .map(toRequest);
  }

  async decideApprovalRequest(approvalId: string, from: 'Pending', decision: ApprovalDecision, status: 'Pending' | 'Approved' | 'Denied'): Promise<boolean> {
    return (
      this.#db
        .prepare(
          `UPDATE approval_requests SET decisions = json_insert(decisions, '$[#]', json(?)), status = ?
           WHERE approval_id = ? AND status = ?
             AND NOT EXISTS (SELECT 1 FROM json_each(approval_requests.decisions) WHERE json_extract(value, '$.approverId') = ?)`,
        )
        .run(decisionJson(decision), status, approvalId, from, decision.approverId).changes > 0
    );
  }

  async markApprovalExecuted(approvalId: string, at: Date, executorArn: string): Promise<boolean> {
    return (
      this.#db
        .prepare("UPDATE approval_requests SET status = 'Executed', executed_at = ?, executor_arn = ? WHERE approval_id = ? AND status = 'Approved'")
        .run(at.getTime(), executorArn, approvalId).changes > 0
    );
  }
}
