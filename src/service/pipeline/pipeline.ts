import { ZodError } from 'zod';
import { randomId } from '../../crypto/random.js';
import { aliasArn, keyArn, parseKeyRef } from '../../core/arn.js';
import { ApprovalRequiredError } from '../../core/approval.js';
import type { AuditEvent, AuditIdentity } from '../../core/audit.js';
import { invalidCiphertext, isKmsError, KmsError, sealed, throttled } from '../../core/errors.js';
import { checkKeyState } from '../../core/key-state.js';
import type { RequestInfo } from '../../core/policy/context.js';
import { UNKNOWN_OPERATION } from '../../core/observability.js';
import type { Principal } from '../../core/principal.js';
import type { PipelineDeps, PipelineRequest, PipelineResult, Readiness } from './pipeline-types.js';
import type { BoundCall, InputReader, BoundKeyRequirement, ConnectedOperation, RegisteredOperation, ResolvedKey } from './operation.js';
import { resolveKeyId } from './resolve-key.js';
import { sourceArnOf } from './source-arn.js';
import { anonymousPrincipal, denied, withEncryptionContext, type Authz } from './authorization-facts.js';
import { changesState } from './state-changes.js';
import { auditWriteFailed, reportFailure, requestEvent, type AuditFacts, type RequestMeta } from './request-record.js';
import { invalidInputError } from './schemas.js';
import type { ApprovalGate, ApprovalReplay } from '../approvals/approval-gate.js';

export type { PipelineDeps, PipelineRequest, PipelineResult, Readiness } from './pipeline-types.js';

/** While the storage is failing, readiness probes it at most this often (ms). */
const STORAGE_PROBE_INTERVAL_MS = 1000;

/**
 * The operation pipeline (DESIGN.md §1): authenticate, find the operation, validate, resolve and
 * authorize its keys, check key state, execute, audit. Every request, whatever its outcome, produces
 * exactly one audit event, and no answer leaves before that event is durable: if the audit write fails,
 * the caller gets an internal error instead of the result.
 */
export class Pipeline {
  readonly #deps: PipelineDeps;
  /** Each registered operation holding the ports it declared, picked once here. */
  readonly #connected: ReadonlyMap<RegisteredOperation, ConnectedOperation>;
  #lastProbe = 0;

  constructor(deps: PipelineDeps) {
    this.#deps = deps;
    this.#connected = new Map([...deps.operations.values()].map((op) => [op, op.connect(deps)]));
  }

  async handle(req: PipelineRequest): Promise<PipelineResult> {
    const observed = this.#deps.observer?.requestStarted({ requestId: req.requestId, sourceIp: req.sourceIp });
    const op = this.#deps.operations.get(req.target);
    const result = this.#reportFailure(req, await this.#dispatch(req, op));
    observed?.(op?.name ?? UNKNOWN_OPERATION, result.ok ? undefined : result.error);
    return result;
  }

  /**
   * Authenticates first, outside any transaction: a request that fails here changed nothing, and is
   * recorded (or, over its source's limit, tallied for a summary) without touching the audit
   * transaction. A signed caller is never throttled by what others send from its address.
   */
  async #dispatch(req: PipelineRequest, op: RegisteredOperation | undefined): Promise<PipelineResult> {
    const deps = this.#deps;
    // No request signature: the seal operations, and those that authenticate from their input ('token').
    const anonymous = op !== undefined && op.authentication !== 'required';
    // The unauthenticated operations (the seal operations) may change state: a source that used up its
    // bucket is refused before they run, not after.
    if (anonymous && deps.limiter?.refuses(req) === true) return { ok: false, error: throttled(), requestId: req.requestId };
    const started = deps.clock.now();
    let principal: Principal | undefined;
    try {
      deps.reads?.refresh();
      // Operations with `authentication: 'none'` run unauthenticated and while sealed.
      if (op?.authentication !== 'none' && !deps.hierarchy.isOpen) throw sealed();
      if (!anonymous) principal = await deps.authenticator.authenticate(req.auth);
    } catch (e) {
      const facts = { op, principal: undefined, requestParameters: null, responseElements: null, resources: [], started };
      return this.#record(req, { ok: false, error: this.#asKmsError(e, req.requestId), requestId: req.requestId }, facts);
    }
    if (op !== undefined && principal !== undefined && deps.approvalGate?.replays(op) === true) return this.#replay(req, op, principal, deps.approvalGate);
    if (op !== undefined && (principal !== undefined || op.authentication === 'token') && changesState(op)) return this.#handleMutation(req, op, principal);
    const run = await this.#run(req, op, principal, started);
    return this.#record(req, run.result, run.facts);
  }

  /**
   * Readiness (`/readyz`): the key hierarchy is open and the storage works. While the storage is failing
   * (a commit failed and none succeeded since), each check appends a `StorageProbe` audit event (at most
   * one a second): readiness comes back as soon as a write succeeds again, without waiting for traffic,
   * which an orchestrator stops sending to an unready instance.
   */
  async readiness(sourceIp: string): Promise<Readiness> {
    const deps = this.#deps;
    if (!deps.storage.status.healthy && deps.hierarchy.isOpen) {
      const now = deps.clock.now();
      if (now.getTime() - this.#lastProbe >= STORAGE_PROBE_INTERVAL_MS) {
        this.#lastProbe = now.getTime();
        const probe = { target: 'StorageProbe', sourceIp, userAgent: '', requestId: newRequestId() };
        const facts = { op: undefined, principal: undefined, requestParameters: null, responseElements: null, resources: [], started: now };
        await deps.audit.append(this.#event(probe, { ok: true, output: undefined, requestId: probe.requestId }, facts)).catch(() => undefined);
      }
    }
    // The failure's message is logged with each failed request, not shown to whoever asks /readyz.
    const storage = deps.storage.status;
    const status = !deps.hierarchy.isOpen ? 'sealed' : storage.healthy ? 'ready' : 'storage-failing';
    return { ready: status === 'ready', status, storage };
  }

  /**
   * A mutating operation runs inside the audit log's transaction: its store changes commit together
   * with its event, so a change whose event cannot be made durable is rolled back (ADR 0005).
   */
  async #handleMutation(req: PipelineRequest, op: RegisteredOperation, principal: Principal | undefined, replay?: ApprovalReplay): Promise<PipelineResult> {
    const prepared = op.prepares && principal !== undefined ? await this.#prepare(req, op, principal) : undefined;
    let answer: PipelineResult | undefined;
    try {
      await this.#deps.audit.runAudited(async () => {
        const run = await this.#run(req, op, principal, this.#deps.clock.now(), prepared, replay);
        answer = run.result;
        // A held request changed nothing but its approval request, which is kept.
        return { event: this.#event(req, run.result, run.facts), keep: run.result.ok || run.result.error instanceof ApprovalRequiredError };
      });
    } catch (e) {
      return this.#auditFailed(req, e, answer);
    } finally {
      prepared?.dispose(); // already done by the run, unless the transaction never ran it
    }
    return answer ?? this.#auditFailed(req, new Error('the audited operation produced no answer'));
  }

  /**
   * For an operation with slow preparation (key generation): validate and authorize outside the audit
   * transaction, then prepare. The transaction's run checks everything again (the state may
   * have changed meanwhile) and records the outcome; `undefined` when a check or the preparation fails,
   * and that run then reports the failure.
   */
  async #prepare(req: PipelineRequest, op: RegisteredOperation, principal: Principal): Promise<BoundCall | undefined> {
    const deps = this.#deps;
    let call: BoundCall | undefined;
    try {
      if (!deps.hierarchy.isOpen) return undefined;
      call = this.#bind(op, req.parseBody);
      await this.#authorizeCall(req, op, call, principal, deps.clock.now(), []);
      if (!call.dryRun) await call.prepare({ principalArn: principal.arn, requestId: req.requestId });
      return call;
    } catch {
      call?.dispose();
      return undefined;
    }
  }

  /**
   * ExecuteApproved (issue 18): authorizes it, opens the approved request it names and runs the held
   * operation with its stored input as a mutation like any other (authorized again, as the caller),
   * recorded under the held operation's name with the approval id. A refusal before the replay is
   * ExecuteApproved's own event.
   */
  async #replay(req: PipelineRequest, op: RegisteredOperation, principal: Principal, gate: ApprovalGate): Promise<PipelineResult> {
    const started = this.#deps.clock.now();
    let replay: ApprovalReplay;
    let requestParameters: Record<string, unknown> | null = null;
    try {
      const call = this.#bind(op, req.parseBody);
      requestParameters = call.auditRequest();
      await this.#authorizeCall(req, op, call, principal, started, []);
      replay = await gate.open(op, req.parseBody, principal);
    } catch (e) {
      const error = this.#asKmsError(e, req.requestId, req.invalidInput);
      return this.#record(req, { ok: false, error, requestId: req.requestId }, { op, principal, requestParameters, responseElements: null, resources: [], started });
    }
    return this.#handleMutation({ ...req, parseBody: replay.read }, replay.operation, principal, replay);
  }

  /** Runs an authenticated request (`principal` undefined: an operation that needs no authentication). */
  async #run(req: PipelineRequest, op: RegisteredOperation | undefined, principal: Principal | undefined, started: Date, prepared?: BoundCall, replay?: ApprovalReplay): Promise<{ result: PipelineResult; facts: AuditFacts }> {
    const deps = this.#deps;
    let requestParameters: Record<string, unknown> | null = null;
    let responseElements: Record<string, unknown> | null = null;
    const resources: ResolvedKey[] = [];
    let result: PipelineResult;
    let call: BoundCall | undefined;
    let identity: AuditIdentity | undefined;
    try {
      if (op === undefined) throw new KmsError('UnknownOperation', `Operation ${req.target} is not supported.`);
      call = prepared ?? this.#bind(op, req.parseBody);
      requestParameters = call.auditRequest();
      const caller = principal ?? anonymousPrincipal(deps.realm.account);
      const { keys, request } = await this.#authorizeCall(req, op, call, caller, started, resources);
      if (principal !== undefined) deps.quotas?.admit({ principalArn: caller.arn, operation: op.name, keys: resources.map((k) => ({ arn: k.arn, id: k.record.id, keySpec: k.record.keySpec })) });
      const identify = principal === undefined && op.authentication === 'token' ? (who: AuditIdentity) => void (identity = who) : undefined;
      const ctx = { requestId: req.requestId, principal: caller, keys, request, identify, approval: replay?.approval };
      await call.check(ctx);
      // DryRun: everything was checked, nothing is done (execute never runs).
      if (call.dryRun) throw new KmsError('DryRunOperation', 'The request would have succeeded, but the DryRun option is set.');
      // Separation of duties: a write an approval rule covers is held here; a replay is marked executed.
      if (principal !== undefined && changesState(op)) await deps.approvalGate?.admit(op, call, caller, resources, replay);
      const { output, auditResponse } = await call.execute(ctx);
      responseElements = auditResponse;
      result = { ok: true, output, requestId: req.requestId };
    } catch (e) {
      result = { ok: false, error: this.#asKmsError(e, req.requestId, req.invalidInput), requestId: req.requestId };
    } finally {
      // Plaintext in the input is zeroed however the request ended (refused before execute, or after it).
      (call ?? prepared)?.dispose();
    }
    if (principal !== undefined && op !== undefined) deps.detector?.observe({ principalArn: principal.arn, operation: op.name, keyArns: resources.map((k) => k.arn), sourceIp: req.sourceIp, errorCode: result.ok ? undefined : result.error.code, time: started });
    const approvalId = replay?.approval.approvalId ?? (!result.ok && result.error instanceof ApprovalRequiredError ? result.error.approvalId : undefined);
    const additionalEventData = approvalId === undefined ? undefined : { approvalId, ...(replay?.breakGlass !== undefined && { breakGlass: true, reason: replay.breakGlass.reason }) };
    return { result, facts: { op, principal, requestParameters, responseElements, resources, started, identity, additionalEventData } };
  }

  /**
   * Resolves, authorizes and state-checks the call's keys (appending each to `resources` as it is
   * resolved, for the audit event), or authorizes the action on `*` when it names none.
   */
  async #authorizeCall(
    req: PipelineRequest,
    op: RegisteredOperation,
    call: BoundCall,
    caller: Principal,
    time: Date,
    resources: ResolvedKey[],
  ): Promise<{ keys: Record<string, ResolvedKey | undefined>; request: RequestInfo }> {
    const request: RequestInfo = { sourceIp: req.sourceIp, userAgent: req.userAgent, secureTransport: req.secureTransport ?? false, time, ...sourceArnOf(req.sourceArn, caller) };
    const authz = { principal: caller, request, facts: call.authorization() };
    const keys: Record<string, ResolvedKey | undefined> = {};
    // The alias first (CreateAlias, UpdateAlias, DeleteAlias): a caller refused the alias learns nothing
    // about it or its key, and an alias name cannot be claimed by whoever may act on some key.
    if (call.alias !== undefined) await this.#authorize(op.action, aliasArn(this.#deps.realm, call.alias), undefined, authz, call.alias);
    // One slot after the other, in declaration order: it decides which refusal a caller sees first.
    for (const requirement of call.keys) {
      const key = await this.#resolve(requirement, op, authz);
      if (key !== undefined) resources.push(key);
      keys[requirement.slot] = key;
    }
    if (resources.length === 0 && op.authentication === 'required' && op.needsPermission) await this.#authorize(op.action, call.resource ?? '*', undefined, authz);
    return { keys, request };
  }

  /**
   * Answers a request the transport refused before the pipeline could run it (oversized body, wrong
   * path or method), recording it like any other request.
   */
  async refuse(req: RequestMeta, error: KmsError): Promise<KmsError> {
    const observed = this.#deps.observer?.requestStarted({ requestId: req.requestId, sourceIp: req.sourceIp });
    const op = this.#deps.operations.get(req.target);
    const answer = await this.#refuse(req, error, op);
    observed?.(op?.name ?? UNKNOWN_OPERATION, answer);
    return answer;
  }

  async #refuse(req: RequestMeta, error: KmsError, op: RegisteredOperation | undefined): Promise<KmsError> {
    // A summary names targets Arca knows; any other header value is not kept.
    if (this.#deps.limiter?.refuses({ ...req, target: op?.name ?? '(unknown)' }) === true) return throttled();
    const result = this.#reportFailure(req, await this.#record(req, { ok: false, error, requestId: req.requestId }, { op, principal: undefined, requestParameters: null, responseElements: null, resources: [], started: this.#deps.clock.now() }));
    return result.ok ? error : result.error;
  }

  async #record(req: RequestMeta, result: PipelineResult, facts: AuditFacts): Promise<PipelineResult> {
    const limiter = this.#deps.limiter;
    // A caller that could not be authenticated because the storage failed (its access key could not be
    // read) is not an unauthenticated caller: the failure is the service's. Counted against its source, a
    // storage outage would turn signed requests into ThrottlingException instead of failing them as 503.
    const storageFailed = !result.ok && result.error.code === 'Internal' && this.#deps.storage.noteFailure(result.error.cause);
    if (facts.principal === undefined && limiter !== undefined && !storageFailed) {
      // Without an authenticated caller, events are bounded per source: a failure over the limit is
      // tallied for a summary instead of recorded. A success (an unauthenticated operation, refused before
      // it ran once its source was exhausted) is always recorded, and uses a token.
      if (result.ok) limiter.take(req.sourceIp);
      else if (!limiter.records({ ...req, target: facts.op?.name ?? '(unknown)', errorCode: result.error.code })) return { ok: false, error: throttled(), requestId: req.requestId };
    }
    try {
      await this.#deps.audit.append(this.#event(req, result, facts));
    } catch (e) {
      return this.#auditFailed(req, e, result);
    }
    return result;
  }

  /** The request fails closed: its event is not durable. `earlier`: the outcome the event would have recorded. */
  #auditFailed(req: RequestMeta, e: unknown, earlier?: PipelineResult): PipelineResult {
    return { ok: false, error: auditWriteFailed(e, earlier), requestId: req.requestId };
  }

  /** Logs an internal failure once and answers the result the caller gets (a storage failure is StorageUnavailable). */
  #reportFailure(req: RequestMeta, result: PipelineResult): PipelineResult {
    return result.ok ? result : { ...result, error: reportFailure(this.#deps, req, result.error) };
  }

  #event(req: RequestMeta, result: PipelineResult, facts: AuditFacts): AuditEvent {
    return requestEvent(this.#deps.realm, req, result.ok ? undefined : result.error, facts);
  }

  /**
   * Resolves (aliases first: authorization uses the key ARN), authorizes, then state-checks a key. A
   * missing key is authorized as a key with the default key policy would be (identity policies decide):
   * a caller they allow learns NotFound, anyone else gets the same AccessDenied as for a forbidden key.
   * A refusal names the resource as the caller named it (the alias ARN for an alias), so that it says
   * neither whether an alias exists nor which key it points to (DESIGN.md §7.3).
   */
  async #resolve(requirement: BoundKeyRequirement, op: RegisteredOperation, authz: Authz): Promise<ResolvedKey | undefined> {
    const { refValue } = requirement;
    if (refValue === undefined) return undefined;
    const deps = this.#deps;
    const action = requirement.action ?? op.action;
    const ec = requirement.encryptionContextValue;
    if (ec !== undefined) authz = { ...authz, facts: withEncryptionContext(authz.facts, ec) };
    const ref = parseKeyRef(deps.realm, refValue, { allowAlias: requirement.allowAlias });
    const requestAlias = ref.kind === 'alias' ? ref.aliasName : undefined;
    let keyId: string;
    try {
      keyId = await resolveKeyId(deps, refValue, requirement.allowAlias);
    } catch (e) {
      if (isKmsError(e) && e.code === 'KeyNotFound' && requestAlias !== undefined) await this.#authorizeMissing(action, aliasArn(deps.realm, requestAlias), authz, requestAlias);
      throw e;
    }
    const arn = keyArn(deps.realm, keyId);
    const named = requestAlias === undefined ? arn : aliasArn(deps.realm, requestAlias);
    // A key of another region is, in this one, a key that does not exist (ADR 0022).
    const found = await deps.keys.getKey(keyId);
    const record = found?.region === deps.realm.region ? found : undefined;
    if (record === undefined) {
      await this.#authorizeMissing(action, arn, authz, requestAlias, named);
      // A key id read from a ciphertext header (not authenticated) that names no key Arca ever had: the
      // bytes are not a ciphertext of this service, and the answer is the one opaque decryption failure.
      // A deleted key's ciphertexts stay NotFound, as in AWS (docs/key-lifecycle.md).
      if (requirement.fromCiphertext === true && (await deps.lifecycle.store.getDestruction(keyId)) === undefined) throw invalidCiphertext();
      throw new KmsError('KeyNotFound', `Key '${named}' does not exist`);
    }
    await this.#authorize(action, arn, record, authz, requestAlias, named);
    checkKeyState(record, arn, requirement.access, op.name);
    return { record, arn };
  }

  /**
   * For a key or alias that does not exist (judged as if it had the default key policy): NotFound may
   * only be told to a caller who may both perform the action and describe the key; everyone else gets
   * the AccessDenied a forbidden key would give (DESIGN.md §7.3).
   */
  async #authorizeMissing(action: string, resource: string, authz: Authz, requestAlias: string | undefined, named = resource): Promise<void> {
    await this.#authorize(action, resource, undefined, authz, requestAlias, named);
    if (action === 'kms:DescribeKey') return;
    try {
      await this.#authorize('kms:DescribeKey', resource, undefined, authz, requestAlias, named);
    } catch {
      throw denied(authz.principal, action, named);
    }
  }

  /**
   * Authorizes `action` on `resource` (a key ARN, an alias ARN or `*`); a refusal names `named` (the
   * resource as the caller named it).
   */
  async #authorize(action: string, resource: string, key: ResolvedKey['record'] | undefined, authz: Authz, requestAlias?: string, named = resource): Promise<void> {
    const { principal, request, facts } = authz;
    const decision = await this.#deps.authorizer.authorize({
      principal,
      action,
      resource,
      resourceAccount: this.#deps.realm.account,
      context: requestAlias === undefined ? facts.context : { ...facts.context, 'kms:RequestAlias': requestAlias },
      key,
      request,
      encryptionContext: facts.encryptionContext,
      requestAlias,
    });
    // One message for every refusal (explicit or implicit, missing or forbidden key): the answer must
    // not tell a caller whether the key exists or what its policy says.
    if (decision !== 'Allow') throw denied(principal, action, named);
  }

  /** Binds the input `read` gives to `op` connected to its ports (every operation of the registry was connected when the pipeline was built). */
  #bind(op: RegisteredOperation, read: InputReader): BoundCall {
    const connected = this.#connected.get(op);
    if (connected === undefined) throw new KmsError('Internal', `operation ${op.service}.${op.name} is not in the pipeline's registry`);
    try {
      return connected.bind(read);
    } catch (e) {
      if (e instanceof ZodError) throw invalidInputError(e);
      throw e;
    }
  }

  /** The caller's answer for a failure; an internal one keeps its cause for {@link #reportFailure}, never for the caller. */
  #asKmsError(e: unknown, requestId: string, invalidInput?: (error: KmsError) => KmsError): KmsError {
    if (isKmsError(e)) return e.violations !== undefined && invalidInput !== undefined ? invalidInput(e) : e;
    // A seal that zeroed key material under a request in flight: the request failed closed, say why.
    if (!this.#deps.hierarchy.isOpen) return new KmsError('Sealed', 'The key service is sealed: it was sealed while the request ran, and the request failed.');
    return new KmsError('Internal', `An internal error occurred (request id ${requestId}).`, { cause: e });
  }
}

export function newRequestId(): string {
  return randomId();
}
