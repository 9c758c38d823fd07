import type { ApprovalDecision, ApprovalRequest, ApprovalRule, ApprovalStore } from '../../core/approval.js';
import { approversJson, decisionJson, decisionsJson, executorOf, keyScopeJson, parseApprovers, parseDecisions, parseKeyScope, parseSummary, storedStatusOf } from '../approval-json.js';
import { parseStrings } from '../stored-json.js';
import type { PostgresDatabase } from './database.js';

interface RuleRow {
  name: string;
  operations: string;
  keys: string;
  approvers: string;
  quorum: number;
  require_mfa: boolean;
  executor: string;
  expires_after_seconds: number;
  description: string;
  created_at: Date;
  updated_at: Date;
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
  created_at: Date;
  expires_at: Date;
  decisions: string;
  executed_at: Date | null;
  executor_arn: string | null;
}

const RULE_COLUMNS = 'name, operations, keys, approvers, quorum, require_mfa, executor, expires_after_seconds, description, created_at, updated_at';
const REQUEST_COLUMNS = `approval_id, rule_name, operation, input, summary, key_arns, requester_arn, requester_id, reason, status,
  created_at, expires_at, decisions, executed_at, executor_arn`;

function toRule(r: RuleRow): ApprovalRule {
  return {
    name: r.name,
    operations: parseStrings(r.operations),
    keys: parseKeyScope(r.keys),
    approvers: parseApprovers(r.approvers),
    quorum: r.quorum,
    requireMfa: r.require_mfa,
    executor: executorOf(r.executor),
    expiresAfterSeconds: r.expires_after_seconds,
    description: r.description,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
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
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    decisions: parseDecisions(r.decisions),
    executedAt: r.executed_at ?? undefined,
    executorArn: r.executor_arn ?? undefined,
  };
}

/**
 * The ApprovalStore port on PostgreSQL. Every statement runs on `transactions.db`, so it joins the
 * caller's unit of work. Deciding and executing are single compare-and-set UPDATEs: under READ
 * COMMITTED, a writer that waited for a concurrent one re-checks the WHERE (status, and the JSONB
 * containment test "no decision of this approver yet") on the newest row version, and recomputes the
 * appended list from it, so of two nodes racing on one request exactly one succeeds.
 */
export class PostgresApprovalStore implements ApprovalStore {
  readonly #pg: PostgresDatabase;

  constructor(pg: PostgresDatabase) {
    this.#pg = pg;
  }

  async putApprovalRule(rule: ApprovalRule): Promise<void> {
    await this.#pg.db.query(
      `INSERT INTO approval_rules (${RULE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (name) DO UPDATE SET operations = EXCLUDED.operations, keys = EXCLUDED.keys, approvers = EXCLUDED.approvers, quorum = EXCLUDED.quorum,
         require_mfa = EXCLUDED.require_mfa, executor = EXCLUDED.executor, expires_after_seconds = EXCLUDED.expires_after_seconds,
         description = EXCLUDED.description, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at`,
      [
        rule.name,
        JSON.stringify(rule.operations),
        keyScopeJson(rule.keys),
        approversJson(rule.approvers),
        rule.quorum,
        rule.requireMfa,
        rule.executor,
        rule.expiresAfterSeconds,
        rule.description,
        rule.createdAt,
        rule.updatedAt,
      ],
    );
  }

  async deleteApprovalRule(name: string): Promise<boolean> {
    return ((await this.#pg.db.query('DELETE FROM approval_rules WHERE name = $1', [name])).rowCount ?? 0) > 0;
  }

  async getApprovalRule(name: string): Promise<ApprovalRule | undefined> {
    const row = (await this.#pg.db.query<RuleRow>(`SELECT ${RULE_COLUMNS} FROM approval_rules WHERE name = $1`, [name])).rows[0];
    return row && toRule(row);
  }

  async listApprovalRules(): Promise<readonly ApprovalRule[]> {
    return (await this.#pg.db.query<RuleRow>(`SELECT ${RULE_COLUMNS} FROM approval_rules ORDER BY name`)).rows.map(toRule);
  }

  async createApprovalRequest(r: ApprovalRequest): Promise<void> {
    await this.#pg.db.query(`INSERT INTO approval_requests (${REQUEST_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`, [
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
      r.createdAt,
      r.expiresAt,
      decisionsJson(r.decisions),
      r.executedAt ?? null,
      r.executorArn ?? null,
    ]);
  }

  async getApprovalRequest(approvalId: string): Promise<ApprovalRequest | undefined> {
    const row = (await this.#pg.db.query<RequestRow>(`SELECT ${REQUEST_COLUMNS} FROM approval_requests WHERE approval_id = $1`, [approvalId])).rows[0];
    return row && toRequest(row);
  }

  async listApprovalRequests(query: { readonly status?: ApprovalRequest['status'] | undefined; readonly limit: number; readonly before?: Date | undefined }): Promise<readonly ApprovalRequest[]> {
    const r = await this.#pg.db.query<RequestRow>(
      `SELECT ${REQUEST_COLUMNS} FROM approval_requests
       WHERE ($1::text IS NULL OR status = $1) AND ($2::timestamptz IS NULL OR created_at < $2)
       ORDER BY created_at DESC, approval_id DESC LIMIT $3`,
      [query.status ?? null, query.before ?? null, Math.max(0, query.limit)],
    );
    return r.rows.map(toRequest);
  }

  async decideApprovalRequest(approvalId: string, from: 'Pending', decision: ApprovalDecision, status: 'Pending' | 'Approved' | 'Denied'): Promise<boolean> {
    // Text in, text out (the column keeps JSON as text, migrations.ts); jsonb only to test and append.
    const r = await this.#pg.db.query(
      `UPDATE approval_requests SET decisions = (decisions::jsonb || jsonb_build_array($3::jsonb))::text, status = $4
       WHERE approval_id = $1 AND status = $5 AND NOT (decisions::jsonb @> jsonb_build_array(jsonb_build_object('approverId', $2::text)))`,
      [approvalId, decision.approverId, decisionJson(decision), status, from],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async markApprovalExecuted(approvalId: string, at: Date, executorArn: string): Promise<boolean> {
    const r = await this.#pg.db.query("UPDATE approval_requests SET status = 'Executed', executed_at = $2, executor_arn = $3 WHERE approval_id = $1 AND status = 'Approved'", [
      approvalId,
      at,
      executorArn,
    ]);
    return (r.rowCount ?? 0) > 0;
  }
}
