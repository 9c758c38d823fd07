import type { ErrorCode } from './errors.js';

/**
 * Observation ports (issue 16): the pipeline and the audit writer report what they did through these,
 * and the server implements them over its metrics library, so neither layer imports one. Timing is the
 * observer's: a `…Started()` call returns the function that ends the measurement, so the reporting
 * layers read no clock for it. Implementations must be cheap and must not throw.
 */

/** Told of every request the pipeline answers, refusals before authentication included. */
export interface RequestObserver {
  /**
   * A request starts; the returned function is called once with its operation's name (`unknown` for a
   * target Arca does not serve, so that callers cannot create series) and its error code (`undefined`:
   * it succeeded).
   */
  requestStarted(): (operation: string, errorCode: ErrorCode | undefined) => void;
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
