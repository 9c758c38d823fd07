import { APPROVAL_LIMITS, approvalStatus, ApprovalRequiredError, type ApprovalRequest, type ApprovalRule, type ApprovalStore } from '../../core/approval.js';
import { KmsError } from '../../core/errors.js';
import { randomPublicBytes, timeOrderedId } from '../../crypto/random.js';
import type { Clock, KeyStore } from '../../core/ports.js';
import type { Principal } from '../../core/principal.js';
import { decodeInput } from '../pipeline/input-codec.js';
import type { BoundCall, InputReader, RegisteredOperation, ResolvedKey } from '../pipeline/operation.js';
import type { AlertSink } from '../detection/alert.js';
import { GOVERNABLE_OPERATIONS } from './governable.js';

/**
 * The pipeline's approval step (issue 18, ADR 0020). A governable write whose operation and keys an
 * approval rule covers is authorized and checked as usual, then held: an approval request is stored
 * (in the request's unit of work) and the caller gets `ApprovalRequiredException` naming it. Once a quorum
 * approved it, `ExecuteApproved` replays the stored input through the whole pipeline again, as the
 * executor (authorization re-checked), and marks the request executed in the same unit of work: exactly once.
 */

/** A replay ExecuteApproved or BreakGlass opened: the held operation, a reader of its stored input, and the request. */
export interface ApprovalReplay {
  readonly approval: ApprovalRequest;
  readonly operation: RegisteredOperation;
  readonly read: InputReader;
  /** Set when an emergency principal runs a pending request without its quorum (BreakGlass). */
  readonly breakGlass?: { readonly reason: string } | undefined;
}

/** Whether `caller` is one of `arns`: its own ARN, or for a role session its role's. */
export function namedIn(arns: readonly string[], caller: Principal): boolean {
  return arns.includes(caller.arn) || (caller.session?.kind === 'AssumedRole' && arns.includes(caller.session.issuerArn));
}

/** Whether `caller` signed with an STS session whose MFA code was proved in the last {@link APPROVAL_LIMITS.freshMfaSeconds}. */
export function hasFreshMfa(caller: Principal, now: Date): boolean {
  const at = caller.session?.mfaAuthenticatedAt;
  return at !== undefined && now.getTime() - at.getTime() <= APPROVAL_LIMITS.freshMfaSeconds * 1000;
}

/** ExecuteApproved's input member. */
export const APPROVAL_ID_PATTERN = /^apr-[0-9a-f]{32}$/;

export class ApprovalGate {
  readonly #store: ApprovalStore;
  readonly #keys: Pick<KeyStore, 'listTags' | 'listAliases'>;
  readonly #clock: Clock;
  readonly #operations: ReadonlyMap<string, RegisteredOperation>;
  readonly #alerts: AlertSink | undefined;

  constructor(deps: { store: ApprovalStore; keyFacts: Pick<KeyStore, 'listTags' | 'listAliases'>; clock: Clock; operations: ReadonlyMap<string, RegisteredOperation>; alerts?: AlertSink | undefined }) {
    this.#store = deps.store;
    this.#keys = deps.keyFacts;
    this.#clock = deps.clock;
    this.#operations = deps.operations;
    this.#alerts = deps.alerts;
  }

  /** Whether `op` is ExecuteApproved or BreakGlass, which the pipeline turns into a replay of the request it names. */
  replays(op: RegisteredOperation): boolean {
    return op.service === 'ArcaService' && (op.name === 'ExecuteApproved' || op.name === 'BreakGlass');
  }

  /**
   * Opens a replay. ExecuteApproved: the request exists, is approved and unexpired, and `caller` is its
   * executor (the requester, or the approver who completed the quorum, as its rule says). BreakGlass: the
   * request is pending, and `caller` is one of its rule's break-glass principals, with a fresh MFA session.
   * Throws otherwise.
   */
  async open(op: RegisteredOperation, read: InputReader, caller: Principal): Promise<ApprovalReplay> {
    const { ApprovalId: id, Reason: reason } = read(op.input) as { ApprovalId: string; Reason?: string };
    const approval = await this.#store.getApprovalRequest(id);
    if (approval === undefined) throw new KmsError('NotFound', `Approval request ${id} does not exist.`);
    if (op.name === 'BreakGlass') return this.#openBreakGlass(approval, caller, reason ?? '');
    const status = approvalStatus(approval, this.#clock.now());
    if (status !== 'Approved') throw new KmsError('Conflict', `Approval request ${id} is ${status}: only an Approved request can be executed.`);
    const rule = await this.#store.getApprovalRule(approval.ruleName);
    const executorId = (rule?.executor ?? 'Requester') === 'Requester' ? approval.requesterId : approval.decisions.filter((d) => d.decision === 'Approve').at(-1)?.approverId;
    if (caller.id !== executorId) {
      throw new KmsError('AccessDenied', `Approval request ${id} can be executed only by ${rule?.executor === 'Approver' ? 'the approver who completed its quorum' : 'its requester'}.`);
    }
    return this.#replayOf(approval, undefined);
  }

  async #openBreakGlass(approval: ApprovalRequest, caller: Principal, reason: string): Promise<ApprovalReplay> {
    const now = this.#clock.now();
    const id = approval.approvalId;
    const status = approvalStatus(approval, now);
    if (status !== 'Pending') throw new KmsError('Conflict', `Approval request ${id} is ${status}: glass can be broken only on a Pending request.`);
    const rule = await this.#store.getApprovalRule(approval.ruleName);
    if (rule === undefined || !namedIn(rule.approvers.breakGlassArns ?? [], caller)) throw new KmsError('AccessDenied', `${caller.arn} may not break glass on approval request ${id}.`);
    if (!hasFreshMfa(caller, now)) throw new KmsError('AccessDenied', `Breaking glass needs an MFA session whose code was proved in the last ${APPROVAL_LIMITS.freshMfaSeconds / 60} minutes.`);
    return this.#replayOf(approval, { reason });
  }

  #replayOf(approval: ApprovalRequest, breakGlass: { reason: string } | undefined): ApprovalReplay {
    const operation = this.#operations.get(approval.operation);
    if (operation === undefined) throw new KmsError('Conflict', `Approval request ${approval.approvalId} names ${approval.operation}, which this server does not serve.`);
    const input = decodeInput(approval.input);
    return { approval, operation, read: (s) => s.parse(input), breakGlass };
  }

  /**
   * Before a write executes: in a replay, marks its approval request executed (a second execution is
   * refused); otherwise, when a rule covers the request, stores an approval request and refuses with
   * {@link ApprovalRequiredError}. Runs inside the request's unit of work.
   */
  async admit(op: RegisteredOperation, call: BoundCall, caller: Principal, keys: readonly ResolvedKey[], replay: ApprovalReplay | undefined): Promise<void> {
    const now = this.#clock.now();
    if (replay !== undefined) {
      const id = replay.approval.approvalId;
      // An alias in the held input may point elsewhere now: only the keys that were approved may be acted on.
      const approved = replay.approval.keyArns;
      if (keys.length !== approved.length || keys.some((k) => !approved.includes(k.arn))) {
        throw new KmsError('Conflict', `Approval request ${id} was approved for ${approved.join(', ') || 'no key'}; the request now resolves to ${keys.map((k) => k.arn).join(', ') || 'no key'} (an alias was changed?): nothing was done.`);
      }
      if (replay.breakGlass !== undefined) {
        // The emergency approval stands in for the quorum, recorded as a decision (compare-and-set: still Pending).
        const decision = { approverArn: caller.arn, approverId: caller.id, decision: 'BreakGlass' as const, reason: replay.breakGlass.reason, at: now };
        if (!(await this.#store.decideApprovalRequest(id, 'Pending', decision, 'Approved'))) throw new KmsError('Conflict', `Approval request ${id} changed meanwhile: read it again.`);
      }
      if (!(await this.#store.markApprovalExecuted(id, now, caller.arn))) throw new KmsError('Conflict', `Approval request ${id} was executed already.`);
      if (replay.breakGlass !== undefined) this.#raiseBreakGlass(replay, caller, keys, now);
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

  /** Breaking glass is loud: a high-severity alert (audit event, metric, log line, webhooks) for every use. */
  #raiseBreakGlass(replay: ApprovalReplay, caller: Principal, keys: readonly ResolvedKey[], now: Date): void {
    const { approval } = replay;
    this.#alerts?.raise({
      id: timeOrderedId(now.getTime()),
      rule: 'break-glass',
      type: 'breakGlass',
      severity: 'high',
      time: now,
      principalArn: caller.arn,
      keyArn: keys[0]?.arn,
      sourceIp: 'arca.internal',
      summary: `${caller.arn} broke glass on approval request ${approval.approvalId} (${approval.operation.slice(approval.operation.indexOf('.') + 1)} under rule ${approval.ruleName}, requested by ${approval.requesterArn}): ${replay.breakGlass?.reason ?? ''}`,
      details: { approvalId: approval.approvalId, rule: approval.ruleName, approvals: approval.decisions.filter((d) => d.decision === 'Approve').length },
    });
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
        const page = await this.#keys.listAliases(key.record.region, key.record.id, undefined, APPROVAL_LIMITS.maxRules);
        if (page.items.some((a) => aliases.includes(a.name))) return true;
      }
    }
    return false;
  }
}
