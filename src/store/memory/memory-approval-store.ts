import type { ApprovalDecision, ApprovalRequest, ApprovalRule, ApprovalStore } from '../../core/approval.js';
import { approversJson, decisionsJson, executorOf, keyScopeJson, parseApprovers, parseDecisions, parseKeyScope, parseSummary, storedStatusOf } from '../approval-json.js';
import { parseStrings } from '../stored-json.js';
import type { MemoryDatabase } from './memory-database.js';
import { atomic, byBinary, put, requireUnique, rows, tables, type ApprovalRequestRow, type ApprovalRuleRow, type Tables } from './tables.js';

const toRule = (r: ApprovalRuleRow): ApprovalRule => ({
  name: r.name,
  operations: parseStrings(r.operations),
  keys: parseKeyScope(r.keys),
  approvers: parseApprovers(r.approvers),
  quorum: r.quorum,
  requireMfa: r.requireMfa,
  executor: executorOf(r.executor),
  expiresAfterSeconds: r.expiresAfterSeconds,
  description: r.description,
  createdAt: new Date(r.createdAt),
  updatedAt: new Date(r.updatedAt),
});

const toRequest = (r: ApprovalRequestRow): ApprovalRequest => ({
  approvalId: r.approvalId,
  ruleName: r.ruleName,
  operation: r.operation,
  input: r.input,
  summary: parseSummary(r.summary),
  keyArns: parseStrings(r.keyArns),
  requesterArn: r.requesterArn,
  requesterId: r.requesterId,
  reason: r.reason,
  status: storedStatusOf(r.status),
  createdAt: new Date(r.createdAt),
  expiresAt: new Date(r.expiresAt),
  decisions: parseDecisions(r.decisions),
  executedAt: r.executedAt === null ? undefined : new Date(r.executedAt),
  executorArn: r.executorArn ?? undefined,
});

/** Newest first; equal times by approval id, descending (as the SQL engines order them). */
const newestFirst = (a: ApprovalRequestRow, b: ApprovalRequestRow): number => b.createdAt - a.createdAt || byBinary(b.approvalId, a.approvalId);

/** The ApprovalStore port in memory, with the SQL adapters' semantics (compare-and-set decisions and execution). */
export class MemoryApprovalStore implements ApprovalStore {
  readonly #db: MemoryDatabase;
  readonly #t: Tables;

  constructor(db: MemoryDatabase) {
    this.#db = db;
    this.#t = tables(db);
  }

  async putApprovalRule(rule: ApprovalRule): Promise<void> {
    put(this.#t.approvalRules, rule.name, {
      name: rule.name,
      operations: JSON.stringify(rule.operations),
      keys: keyScopeJson(rule.keys),
      approvers: approversJson(rule.approvers),
      quorum: rule.quorum,
      requireMfa: rule.requireMfa,
      executor: rule.executor,
      expiresAfterSeconds: rule.expiresAfterSeconds,
      description: rule.description,
      createdAt: rule.createdAt.getTime(),
      updatedAt: rule.updatedAt.getTime(),
    });
  }

  async deleteApprovalRule(name: string): Promise<boolean> {
    return this.#t.approvalRules.delete(name);
  }

  async getApprovalRule(name: string): Promise<ApprovalRule | undefined> {
    const r = this.#t.approvalRules.get(name);
    return r && toRule(r);
  }

  async listApprovalRules(): Promise<readonly ApprovalRule[]> {
    return rows(this.#t.approvalRules)
      .sort((a, b) => byBinary(a.name, b.name))
      .map(toRule);
  }

  async createApprovalRequest(r: ApprovalRequest): Promise<void> {
    requireUnique(this.#t.approvalRequests.has(r.approvalId), `approval request ${r.approvalId}`);
    put(this.#t.approvalRequests, r.approvalId, {
      approvalId: r.approvalId,
      ruleName: r.ruleName,
      operation: r.operation,
      input: r.input,
      summary: JSON.stringify(r.summary),
      keyArns: JSON.stringify(r.keyArns),
      requesterArn: r.requesterArn,
      requesterId: r.requesterId,
      reason: r.reason,
      status: r.status,
      createdAt: r.createdAt.getTime(),
      expiresAt: r.expiresAt.getTime(),
      decisions: decisionsJson(r.decisions),
      executedAt: r.executedAt?.getTime() ?? null,
      executorArn: r.executorArn ?? null,
    });
  }

  async getApprovalRequest(approvalId: string): Promise<ApprovalRequest | undefined> {
    const r = this.#t.approvalRequests.get(approvalId);
    return r && toRequest(r);
  }

  async listApprovalRequests(query: { readonly status?: ApprovalRequest['status'] | undefined; readonly limit: number; readonly before?: Date | undefined }): Promise<readonly ApprovalRequest[]> {
    const before = query.before?.getTime();
    return rows(this.#t.approvalRequests, (r) => (query.status === undefined || r.status === query.status) && (before === undefined || r.createdAt < before))
      .sort(newestFirst)
      .slice(0, Math.max(0, query.limit))
      .map(toRequest);
  }

  async decideApprovalRequest(approvalId: string, from: 'Pending', decision: ApprovalDecision, status: 'Pending' | 'Approved' | 'Denied'): Promise<boolean> {
    const t = this.#t.approvalRequests;
    return atomic(this.#db, () => {
      const r = t.get(approvalId);
      const decided = r === undefined ? [] : parseDecisions(r.decisions);
      if (r === undefined || r.status !== from || decided.some((d) => d.approverId === decision.approverId)) return false;
      put(t, approvalId, { ...r, decisions: decisionsJson([...decided, decision]), status });
      return true;
    });
  }

  async markApprovalExecuted(approvalId: string, at: Date, executorArn: string): Promise<boolean> {
    const t = this.#t.approvalRequests;
    return atomic(this.#db, () => {
      const r = t.get(approvalId);
      if (r === undefined || r.status !== 'Approved') return false;
      put(t, approvalId, { ...r, status: 'Executed', executedAt: at.getTime(), executorArn });
      return true;
    });
  }
}
