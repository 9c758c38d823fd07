import { ZodError } from 'zod';
import { randomId } from '../crypto/random.js';
import { keyArn } from '../core/arn.js';
import type { AuditEvent, AuditIdentity } from '../core/audit.js';
import type { Authorizer } from '../core/authorization.js';
import { isKmsError, KmsError } from '../core/errors.js';
import { checkKeyState } from '../core/key-state.js';
import type { AuditLog, AuthenticationRequest, Authenticator } from '../core/ports.js';
import type { Principal } from '../core/principal.js';
import type { BoundKeyRequirement, RegisteredOperation, ResolvedKey, ServiceDeps } from './operation.js';
import { resolveKeyId } from './resolve-key.js';
import { changesState } from './state-changes.js';
import { validationError } from './schemas.js';

/** One request as a transport adapter hands it over. */
export interface PipelineRequest {
  /** `TrentService.Encrypt`, `ArcaService.ListAuditEvents`, ... */
  readonly target: string;
  readonly auth: AuthenticationRequest;
  /** Parses the body; throws a KmsError (SerializationFailed) when it cannot. */
  readonly parseBody: () => unknown;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly requestId: string;
}

export type PipelineResult =
  | { readonly ok: true; readonly output: unknown; readonly requestId: string }
  | { readonly ok: false; readonly error: KmsError; readonly requestId: string };

export interface PipelineDeps extends ServiceDeps {
  readonly authenticator: Authenticator;
  readonly authorizer: Authorizer;
  readonly audit: AuditLog;
  readonly operations: ReadonlyMap<string, RegisteredOperation>;
}

/** What the pipeline learned about a request, for its audit event. */
interface AuditFacts {
  readonly op: RegisteredOperation | undefined;
  readonly principal: Principal | undefined;
  readonly requestParameters: Record<string, unknown> | null;
  readonly responseElements: Record<string, unknown> | null;
  readonly resources: readonly ResolvedKey[];
  readonly started: Date;
}

function identityOf(principal: Principal | undefined): AuditIdentity {
  if (principal === undefined) return { type: 'Anonymous' };
  const type = principal.type === 'user' ? 'IAMUser' : principal.type === 'role' ? 'AssumedRole' : 'ServiceAccount';
  return { type, arn: principal.arn, accountId: principal.account, accessKeyId: principal.accessKeyId };
}

/**
 * The operation pipeline (DESIGN.md §1): authenticate, find the operation, validate, resolve and
 * authorize its keys, check key state, execute, audit. Every request, whatever its outcome, produces
 * exactly one audit event, and no answer leaves before that event is durable: if the audit write fails,
 * the caller gets an internal error instead of the result.
 */
export class Pipeline {
  readonly #deps: PipelineDeps;

  constructor(deps: PipelineDeps) {
    this.#deps = deps;
  }

  async handle(req: PipelineRequest): Promise<PipelineResult> {
    const op = this.#deps.operations.get(req.target);
    if (op !== undefined && changesState(op)) return this.#handleMutation(req, op);
    const { result, facts } = await this.#run(req, op);
    return this.#record(req, result, facts);
  }

  /**
   * A mutating operation runs inside the audit log's transaction: its store changes commit together
   * with its event, so a change whose event cannot be made durable is rolled back (ADR 0005).
   */
  async #handleMutation(req: PipelineRequest, op: RegisteredOperation): Promise<PipelineResult> {
    let answer: PipelineResult | undefined;
    try {
      await this.#deps.audit.atomically(async () => {
        const { result, facts } = await this.#run(req, op);
        answer = result;
        return { event: this.#event(req, result, facts), keep: result.ok };
      });
    } catch (e) {
      return this.#auditFailed(req, e);
    }
    return answer ?? this.#auditFailed(req, new Error('the audited operation produced no answer'));
  }

  async #run(req: PipelineRequest, op: RegisteredOperation | undefined): Promise<{ result: PipelineResult; facts: AuditFacts }> {
    const deps = this.#deps;
    const started = deps.clock.now();
    let principal: Principal | undefined;
    let requestParameters: Record<string, unknown> | null = null;
    let responseElements: Record<string, unknown> | null = null;
    const resources: ResolvedKey[] = [];
    let result: PipelineResult;
    try {
      // Operations with `authentication: 'none'` (the seal operations) run unauthenticated and while sealed.
      const anonymous = op?.authentication === 'none';
      if (!anonymous && !deps.hierarchy.isOpen) throw new KmsError('Sealed', 'The key service is sealed: unseal it before using keys.');
      if (!anonymous) principal = await deps.authenticator.authenticate(req.auth);
      if (op === undefined) throw new KmsError('UnknownOperation', `Operation ${req.target} is not supported.`);
      const call = bindCall(op, req.parseBody());
      requestParameters = call.auditRequest();
      const caller = principal ?? anonymousPrincipal(deps.realm.account);
      const keys: (ResolvedKey | undefined)[] = [];
      for (const requirement of call.keys) {
        const key = await this.#resolve(requirement, caller, op);
        if (key !== undefined) resources.push(key);
        keys.push(key);
      }
      if (resources.length === 0 && !anonymous) await this.#authorize(caller, op.action, '*');
      const { output, auditResponse } = await call.execute({ requestId: req.requestId, principal: caller, keys }, deps);
      responseElements = auditResponse;
      result = { ok: true, output, requestId: req.requestId };
    } catch (e) {
      result = { ok: false, error: this.#asKmsError(e, req.requestId), requestId: req.requestId };
    }
    return { result, facts: { op, principal, requestParameters, responseElements, resources, started } };
  }

  /**
   * Answers a request the transport refused before the pipeline could run it (oversized body, wrong
   * path or method), recording it like any other request.
   */
  async refuse(req: Omit<PipelineRequest, 'auth' | 'parseBody'>, error: KmsError): Promise<KmsError> {
    const result = await this.#record(req, { ok: false, error, requestId: req.requestId }, { op: this.#deps.operations.get(req.target), principal: undefined, requestParameters: null, responseElements: null, resources: [], started: this.#deps.clock.now() });
    return result.ok ? error : result.error;
  }

  async #record(req: Omit<PipelineRequest, 'auth' | 'parseBody'>, result: PipelineResult, facts: AuditFacts): Promise<PipelineResult> {
    try {
      await this.#deps.audit.append(this.#event(req, result, facts));
    } catch (e) {
      return this.#auditFailed(req, e);
    }
    return result;
  }

  #auditFailed(req: Omit<PipelineRequest, 'auth' | 'parseBody'>, e: unknown): PipelineResult {
    this.#deps.logger.error('audit write failed; failing the request closed', { requestId: req.requestId, error: String(e) });
    return { ok: false, error: new KmsError('Internal', 'The request could not be recorded in the audit trail.'), requestId: req.requestId };
  }

  #event(req: Omit<PipelineRequest, 'auth' | 'parseBody'>, result: PipelineResult, facts: AuditFacts): AuditEvent {
    const deps = this.#deps;
    const { op } = facts;
    return {
      eventVersion: '1.08',
      eventTime: facts.started.toISOString(),
      eventSource: 'kms',
      eventName: op?.name ?? (req.target.slice(0, 128) || 'Unknown'),
      awsRegion: deps.realm.region,
      sourceIPAddress: req.sourceIp,
      userAgent: req.userAgent,
      userIdentity: identityOf(facts.principal),
      requestParameters: facts.requestParameters,
      responseElements: facts.responseElements,
      errorCode: result.ok ? undefined : result.error.code,
      errorMessage: result.ok ? undefined : result.error.message,
      requestID: req.requestId,
      eventID: randomId(),
      resources: facts.resources.map((k) => ({ ARN: k.arn, type: 'AWS::KMS::Key' as const })),
      // CloudTrail's readOnly: the request changed no resource (cryptographic operations included).
      readOnly: op === undefined ? false : !changesState(op),
      eventCategory: 'Management',
    };
  }

  async #resolve(requirement: BoundKeyRequirement, principal: Principal, op: RegisteredOperation): Promise<ResolvedKey | undefined> {
    const { refValue } = requirement;
    if (refValue === undefined) return undefined;
    const deps = this.#deps;
    const keyId = await resolveKeyId(deps, refValue, requirement.allowAlias);
    const arn = keyArn(deps.realm, keyId);
    const record = await deps.keys.getKey(keyId);
    if (record === undefined) throw new KmsError('KeyNotFound', `Key '${arn}' does not exist`);
    await this.#authorize(principal, requirement.action ?? op.action, arn);
    checkKeyState(record, arn, requirement.access, op.name);
    return { record, arn };
  }

  async #authorize(principal: Principal, action: string, resource: string): Promise<void> {
    const decision = await this.#deps.authorizer.authorize({
      principal,
      action,
      resource,
      resourceAccount: this.#deps.realm.account,
      context: {},
    });
    if (decision !== 'Allow') {
      throw new KmsError(
        'AccessDenied',
        `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource} because no policy allows the ${action} action`,
      );
    }
  }

  #asKmsError(e: unknown, requestId: string): KmsError {
    if (isKmsError(e)) return e;
    // A seal that zeroed key material under a request in flight: the request failed closed, say why.
    if (!this.#deps.hierarchy.isOpen) return new KmsError('Sealed', 'The key service is sealed: it was sealed while the request ran, and the request failed.');
    this.#deps.logger.error('internal error', { requestId, error: e instanceof Error ? e.stack ?? e.message : String(e) });
    return new KmsError('Internal', `An internal error occurred (request id ${requestId}).`);
  }
}

function bindCall(op: RegisteredOperation, raw: unknown) {
  try {
    return op.bind(raw);
  } catch (e) {
    if (e instanceof ZodError) throw validationError(e);
    throw e;
  }
}

/** The caller of an unauthenticated operation (audited as `Anonymous`; never authorized for a key). */
function anonymousPrincipal(account: string): Principal {
  return { id: 'anonymous', type: 'user', name: 'anonymous', arn: 'anonymous', account };
}

export function newRequestId(): string {
  return randomId();
}
