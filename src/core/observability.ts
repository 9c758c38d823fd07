import type { KmsError } from './errors.js';

/**
 * Observation ports (issue 16): the pipeline and the audit writer report what they did through these,
 * and the server implements them over its metrics library, so neither layer imports one. Timing is the
 * observer's: a `…Started()` call returns the function that ends the measurement, so the reporting
 * layers read no clock for it. Implementations must be cheap and must not throw.
 */

/** What an observer learns of a request as it starts (only this: never its body or credentials). */
export interface ObservedRequest {
  /** The id the request's audit event and its answer carry. */
  readonly requestId: string;
  readonly sourceIp: string;
}

/** Told of every request the pipeline answers, refusals before authentication included. */
export interface RequestObserver {
  /**
   * A request starts; the returned function is called once with its operation's name (`unknown` for a
   * target Arca does not serve, so that callers cannot create series) and the error it answered
   * (`undefined`: it succeeded). The error is the one the caller gets, its message included.
   */
  requestStarted(request: ObservedRequest): (operation: string, error: KmsError | undefined) => void;
}

/** Told of every audit commit that became durable. */
export interface AuditObserver {
  /** A commit starts; the returned function is called once it is durable, with the events it held. */
  commitStarted(): (events: number) => void;
}

/** The operation label of a request whose target names no registered operation. */
export const UNKNOWN_OPERATION = 'unknown';

/** How many keys are in one state with one key spec (the `arca_keys` gauge; counted by each store). */
export interface KeyCount {
  readonly state: string;
  readonly spec: string;
  readonly count: number;
}

/** How far ahead imported material counts as expiring soon (the `arca_key_material_expiring_soon` gauge). */
export const MATERIAL_EXPIRING_SOON_MS = 7 * 86_400_000;

/**
 * Keys needing an operator's attention at one instant (the key-health gauges), counted by each store in
 * one query. Keys destroyed or waiting for their material (PendingImport) are not counted.
 */
export interface KeyWatch {
  /** Enabled keys with automatic rotation on whose next rotation time has passed. */
  readonly rotationOverdue: number;
  /** Keys whose imported material expires (`KEY_MATERIAL_EXPIRES`) before the `soon` instant, expired included. */
  readonly materialExpiringSoon: number;
  /** The soonest expiration of imported material (past if expired and not yet deleted); undefined: none expires. */
  readonly nextMaterialExpiration: Date | undefined;
}

/** The store query behind {@link KeyWatch}: at `now`, with material expiring before `soon` counted. */
export type KeyWatchQuery = (now: Date, soon: Date) => KeyWatch | Promise<KeyWatch>;

/** A connection pool's clients (node-postgres `totalCount`, `idleCount`, `waitingCount`). */
export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  /** Queries waiting for a client. */
  readonly waiting: number;
}
