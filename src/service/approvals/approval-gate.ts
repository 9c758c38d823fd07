import { APPROVAL_LIMITS, approvalStatus, ApprovalRequiredError, type ApprovalRequest, type ApprovalRule, type ApprovalStore } from '../../core/approval.js';
import { KmsError } from '../../core/errors.js';
import { randomPublicBytes } from '../../crypto/random.js';
import type { Clock, KeyStore } from '../../core/ports.js';
import type { Principal } from '../../core/principal.js';
import { decodeInput } from '../pipeline/input-codec.js';
import type { BoundCall, InputReader, RegisteredOperation, ResolvedKey } from '../pipeline/operation.js';
import { GOVERNABLE_OPERATIONS } from './governable.js';

/**
 * The pipeline's approval step (issue 18, ADR 0020). A governable write whose operation and keys an
 * approval rule covers is authorized and checked as usual, then held: an approval request is stored
 * (in the request's unit of work) and the caller gets `ApprovalRequiredException` naming it. Once a quorum
 * approved it, `ExecuteApproved` replays the stored input through the whole pipeline again, as the
 * executor (authorization re-checked), and marks the request executed in the same unit of work: exactly once.
 */

/** A replay ExecuteApproved opened: the held operation, a reader of its stored input, and the request. */
export interface ApprovalReplay {
  readonly approval: ApprovalRequest;
  readonly operation: RegisteredOperation;
  readonly read: InputReader;
}

/** ExecuteApproved's input member. */
export const APPROVAL_ID_PATTERN = /^apr-[0-9a-f]{32}$/;

export class ApprovalGate {
  readonly #store: ApprovalStore;
  readonly #keys: Pick<KeyStore, 'listTags' | 'listAliases'>;
  readonly #clock: Clock;
  readonly #operations: ReadonlyMap<string, RegisteredOperation>;

  constructor(deps: { store: ApprovalStore; keyFacts: Pick<KeyStore, 'listTags' | 'listAliases'>; clock: Clock; operations: ReadonlyMap<string, RegisteredOperation> }) {
    this.#store = deps.store;
    this.#keys = deps.keyFacts;
    this.#clock = deps.clock;
    this.#operations = deps.operations;
  }

  /** Whether `op` is ExecuteApproved, which the pipeline turns into a replay of the request it names. */
  replays(op: RegisteredOperation): boolean {
    return op.service === 'ArcaService' && op.name === 'ExecuteApproved';
  }

  /**
   * Opens ExecuteApproved's replay: the request exists, is approved and unexpired, and `caller` is its
   * executor (the requester, or the approver who completed the quorum, as its rule says). Throws otherwise.
   */
  async open(op: RegisteredOperation, read: InputReader, caller: Principal): Promise<ApprovalReplay> {
    const { ApprovalId: id } = read(op.input) as { ApprovalId: string };
    const approval = await this.#store.getApprovalRequest(id);
    if (approval === undefined) throw new KmsError('NotFound', `Approval request ${id} does not exist.`);
    const status = approvalStatus(approval, this.#clock.now());
    if (status !== 'Approved') throw new KmsError('Conflict', `Approval request ${id} is ${status}: only an Approved request can be executed.`);
    const rule = await this.#store.getApprovalRule(approval.ruleName);
    const executorId = (rule?.executor ?? 'Requester') === 'Requester' ? approval.requesterId : approval.decisions.filter((d) => d.decision === 'Approve').at(-1)?.approverId;
    if (caller.id !== executorId) {
      throw new KmsError('AccessDenied', `Approval request ${id} can be executed only by ${rule?.executor === 'Approver' ? 'the approver who completed its quorum' : 'its requester'}.`);
    }
    const operation = this.#operations.get(approval.operation);
    if (operation === undefined) throw new KmsError('Conflict', `Approval request ${id} names ${approval.operation}, which this server does not serve.`);
    const input = decodeInput(approval.input);
    return { approval, operation, read: (s) => s.parse(input) };
  }

  /**
   * Before a write executes: in a replay, marks its approval request executed (a second execution is
   * refused); otherwise, when a rule covers the request, stores an approval request and refuses with
   * {@link ApprovalRequiredError}. Runs inside the request's unit of work.
   */
  async admit(op: RegisteredOperation, call: BoundCall, caller: Principal, keys: readonly ResolvedKey[], replay: ApprovalReplay | undefined): Promise<void> {
    const now = this.#clock.now();
    if (replay !== undefined) {
      if (!(await this.#store.markApprovalExecuted(replay.approval.approvalId, now, caller.arn))) {
        throw new KmsError('Conflict', `Approval request ${replay.approval.approvalId} was executed already.`);
      }
      return;
    }
    if (!GOVERNABLE_OPERATIONS.has(op.name)) return;
    const rule = await this.#coveringRule(op.name, keys);
    if (rule === undefined) return;
    const approvalId = `apr-${randomPublicBytes(16).toString('hex')}`;
    await this.#store.createApprovalRequest({
      approvalId,
      ruleName: rule.name,
      operation: `${op.service}.${op.name}`,
      input: call.encodedInput(),
      summary: call.auditRequest(),
      keyArns: keys.map((k) => k.arn),
      requesterArn: caller.arn,
      requesterId: caller.id,
      reason: '',
      status: 'Pending',
      createdAt: now,
      expiresAt: new Date(now.getTime() + rule.expiresAfterSeconds * 1000),
      decisions: [],
    });
    throw new ApprovalRequiredError(
      approvalId,
      `${op.name} needs ${rule.quorum} approval(s) under the approval rule '${rule.name}'. Approval request ${approvalId} was created; nothing changed. Once approved, run ExecuteApproved with ApprovalId ${approvalId}.`,
    );
  }

  /** The rule that holds the request: of those covering it, the one needing most approvals (MFA first on a tie, then by name). */
  async #coveringRule(operation: string, keys: readonly ResolvedKey[]): Promise<ApprovalRule | undefined> {
    const rules = (await this.#store.listApprovalRules()).filter((r) => r.operations.includes(operation));
    let best: ApprovalRule | undefined;
    for (const rule of rules) {
      if (!(await this.#covers(rule, keys))) continue;
      if (best === undefined || rule.quorum > best.quorum || (rule.quorum === best.quorum && rule.requireMfa && !best.requireMfa)) best = rule;
    }
    return best;
  }

  async #covers(rule: ApprovalRule, keys: readonly ResolvedKey[]): Promise<boolean> {
    const { keyArns, aliases, tags } = rule.keys;
    if (keyArns.length === 0 && aliases.length === 0 && tags.length === 0) return true;
    for (const key of keys) {
      if (keyArns.includes(key.arn)) return true;
      if (tags.length > 0) {
        const own = await this.#keys.listTags(key.record.id);
        if (tags.some((t) => own.some((o) => o.key === t.key && o.value === t.value))) return true;
      }
      if (aliases.length > 0) {
        const page = await this.#keys.listAliases(key.record.id, undefined, APPROVAL_LIMITS.maxRules);
        if (page.items.some((a) => aliases.includes(a.name))) return true;
      }
    }
    return false;
  }
}
