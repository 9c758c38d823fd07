import { timeOrderedId } from '../../crypto/random.js';
import type { Realm } from '../../core/arn.js';
import { auditEvent, type AuditEvent, type AuditIdentity } from '../../core/audit.js';
import { KmsError } from '../../core/errors.js';
import type { Logger, StorageHealth } from '../../core/ports.js';
import type { Principal } from '../../core/principal.js';
import { eventSourceOf, type RegisteredOperation, type ResolvedKey } from './operation.js';
import { changesState } from './state-changes.js';

/**
 * What the pipeline records of a request: its audit event, and the one log line of a request that failed
 * inside Arca. Pure functions of what the pipeline learned (no I/O but the logger).
 */

/** What a transport knows of a request besides its credentials and body. */
export interface RequestMeta {
  /** `TrentService.Encrypt`, `ArcaService.ListAuditEvents`, ... */
  readonly target: string;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly requestId: string;
  /**
   * What the transport adds to the event's `additionalEventData`: ids a client sent for correlation (the
   * Kubernetes request `uid`), bounded by the transport. Never a secret.
   */
  readonly eventData?: Readonly<Record<string, string>> | undefined;
}

/** What the pipeline learned about a request, for its audit event. */
export interface AuditFacts {
  readonly op: RegisteredOperation | undefined;
  readonly principal: Principal | undefined;
  readonly requestParameters: Record<string, unknown> | null;
  readonly responseElements: Record<string, unknown> | null;
  readonly resources: readonly ResolvedKey[];
  readonly started: Date;
  /** Who an unsigned request that authenticates from its input proved to be (`OperationContext.identify`). */
  readonly identity?: AuditIdentity | undefined;
  /** CloudTrail's `additionalEventData`: the approval request a held or replayed request belongs to. */
  readonly additionalEventData?: Record<string, unknown> | undefined;
}

function identityOf(principal: Principal | undefined): AuditIdentity {
  if (principal === undefined) return { type: 'Anonymous' };
  const type: AuditIdentity['type'] = principal.type === 'user' ? 'IAMUser' : principal.type === 'role' ? 'AssumedRole' : 'ServiceAccount';
  const cert = principal.clientCertificate;
  const identity: AuditIdentity = {
    type,
    arn: principal.arn,
    accountId: principal.account,
    accessKeyId: principal.accessKeyId,
    ...(cert !== undefined && { clientCertificate: { subject: cert.subject, issuer: cert.issuer, fingerprint: cert.fingerprint } }),
  };
  const session = principal.session;
  if (session === undefined) return identity;
  // CloudTrail's shape for temporary credentials: the session's issuer and when the session began.
  const assumed = session.kind === 'AssumedRole';
  return {
    ...identity,
    principalId: assumed ? `${principal.id}:${session.sessionName}` : principal.id,
    sessionContext: {
      sessionIssuer: { type: assumed ? 'Role' : 'IAMUser', principalId: principal.id, arn: session.issuerArn, accountId: principal.account, userName: principal.name },
      attributes: { creationDate: session.issuedAt.toISOString(), mfaAuthenticated: session.mfaAuthenticatedAt === undefined ? 'false' : 'true' },
      ...(session.federatedProvider !== undefined && { webIdFederationData: { federatedProvider: session.federatedProvider, attributes: {} } }),
    },
  };
}

/** The CloudTrail-shaped event of a request; `error` undefined for a success. */
export function requestEvent(realm: Realm, req: RequestMeta, error: KmsError | undefined, facts: AuditFacts): AuditEvent {
  const { op } = facts;
  return auditEvent({
    eventTime: facts.started.toISOString(),
    eventName: op?.name ?? (req.target.slice(0, 128) || 'Unknown'),
    awsRegion: realm.region,
    sourceIPAddress: req.sourceIp,
    userAgent: req.userAgent,
    userIdentity: facts.identity ?? identityOf(facts.principal),
    requestParameters: facts.requestParameters,
    responseElements: facts.responseElements,
    errorCode: error?.code,
    errorMessage: error?.message,
    requestID: req.requestId,
    eventID: timeOrderedId(facts.started.getTime()),
    resources: facts.resources.map((k) => ({ ARN: k.arn, type: 'AWS::KMS::Key' as const })),
    // CloudTrail's readOnly: the request changed no resource (cryptographic operations included).
    readOnly: op === undefined ? false : !changesState(op),
    ...((facts.additionalEventData !== undefined || req.eventData !== undefined) && { additionalEventData: { ...req.eventData, ...facts.additionalEventData } }),
  }, op === undefined ? 'kms' : eventSourceOf(op.service));
}

/** The cause of a request that failed because its audit event could not be written. */
class AuditWriteFailed extends Error {
  constructor(
    readonly auditError: unknown,
    /** The operation's own internal failure, when it had one before its event failed too. */
    readonly operationError: unknown,
  ) {
    super('the audit event could not be written');
  }
}

/** The caller's answer when a request's audit event could not be written (`earlier`: what it would have recorded). */
export function auditWriteFailed(e: unknown, earlier?: { readonly ok: boolean; readonly error?: KmsError }): KmsError {
  const operationError = earlier?.error?.code === 'Internal' ? earlier.error.cause : undefined;
  return new KmsError('Internal', 'The request could not be recorded in the audit trail.', { cause: new AuditWriteFailed(e, operationError) });
}

/**
 * Logs a request that failed inside Arca (an `Internal` error) once, as one line with its request id: a
 * storage failure (disk full, I/O error) by its message, anything else with its stack. A storage failure
 * of the operation or of its audit write marks the storage failing (readiness). Answers the caller's
 * error: a storage failure is `StorageUnavailable` (503), so that clients and balancers retry.
 */
export function reportFailure(deps: { readonly logger: Logger; readonly storage: StorageHealth }, req: RequestMeta, error: KmsError): KmsError {
  if (error.code !== 'Internal') return error;
  const { cause } = error;
  const [auditError, operationError] = cause instanceof AuditWriteFailed ? [cause.auditError, cause.operationError] : [undefined, cause];
  // Both are noted (no short-circuit).
  const storageFailure = [auditError, operationError].map((e) => e !== undefined && deps.storage.noteFailure(e)).includes(true);
  const describe = (e: unknown): string | undefined => (e === undefined ? undefined : storageFailure || !(e instanceof Error) ? String(e) : e.stack ?? e.message);
  const message = auditError !== undefined ? 'audit write failed; the request failed closed' : storageFailure ? 'request failed: storage failure' : 'internal error';
  deps.logger.error(message, { requestId: req.requestId, operation: req.target.slice(0, 128), error: describe(operationError), auditError: describe(auditError) });
  return storageFailure ? new KmsError('StorageUnavailable', 'The key service cannot reach its storage; the request failed and changed nothing. Retry later.', { cause }) : error;
}
