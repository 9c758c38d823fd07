import type { Authorizer } from '../../core/authorization.js';
import type { RequestDetector } from '../../core/detection.js';
import type { KmsError } from '../../core/errors.js';
import type { RequestObserver } from '../../core/observability.js';
import type { AuditLog, AuthenticationRequest, Authenticator, ReadFreshness, StorageHealth, StorageStatus } from '../../core/ports.js';
import type { ServiceDeps } from './deps.js';
import type { InputReader, RegisteredOperation } from './operation.js';
import type { QuotaGate } from './request-quotas.js';
import type { RequestMeta } from './request-record.js';
import type { UnauthenticatedLimiter } from './unauthenticated-limiter.js';
import type { ApprovalGate } from '../approvals/approval-gate.js';

/** The pipeline's request, result and dependency types (pipeline.ts re-exports them). */

/** One request as a transport adapter hands it over. */
export interface PipelineRequest extends RequestMeta {
  readonly auth: AuthenticationRequest;
  /** Reads the body as the operation's input, validated by `schema` after the transport's decoding (throws ZodError or KmsError). */
  readonly parseBody: InputReader;
  /** Words a ValidationFailed error that lists violations the transport's way (absent: the neutral wording). */
  readonly invalidInput?: ((error: KmsError) => KmsError) | undefined;
  /** Whether the request arrived over TLS (`aws:SecureTransport`); false when absent. */
  readonly secureTransport?: boolean | undefined;
  /** The `aws:SourceArn` the request claims (ADR 0021): the pipeline keeps it for a service principal and refuses it from anyone else. */
  readonly sourceArn?: string | undefined;
}

export type PipelineResult =
  | { readonly ok: true; readonly output: unknown; readonly requestId: string }
  | { readonly ok: false; readonly error: KmsError; readonly requestId: string };

export interface PipelineDeps extends ServiceDeps {
  readonly authenticator: Authenticator;
  readonly authorizer: Authorizer;
  readonly audit: AuditLog;
  readonly operations: ReadonlyMap<string, RegisteredOperation>;
  /** The stores' read cache, refreshed as each request starts (absent: the stores read directly). */
  readonly reads?: ReadFreshness | undefined;
  /**
   * Bounds the failures without an authenticated caller per source (absent: every one is recorded). A
   * source over its limit is answered `ThrottlingException` unprocessed, and its throttled requests are
   * recorded as periodic `ThrottledRequests` summaries instead of one event each.
   */
  readonly limiter?: UnauthenticatedLimiter | undefined;
  /** The storage's health, as the audit writer sees its commits (readiness, error reporting). */
  readonly storage: StorageHealth;
  /** Request quotas per principal and key (absent: none). */
  readonly quotas?: QuotaGate | undefined;
  /** Told of every answered request (metrics); absent: nothing observes them. */
  readonly observer?: RequestObserver | undefined;
  /** Told of every answered request of an authenticated caller (anomaly detection); absent: none. */
  readonly detector?: RequestDetector | undefined;
  /** Holds the writes approval rules cover, and replays approved ones (issue 18); absent: nothing is held. */
  readonly approvalGate?: ApprovalGate | undefined;
}

/** What `/readyz` answers. */
export interface Readiness {
  readonly ready: boolean;
  readonly status: 'ready' | 'sealed' | 'storage-failing';
  readonly storage: StorageStatus;
}

