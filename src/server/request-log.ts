import { performance } from 'node:perf_hooks';
import type { KmsError } from '../core/errors.js';
import type { ObservedRequest, RequestObserver } from '../core/observability.js';
import type { Logger } from '../core/ports.js';

/**
 * The request log (docs/monitoring.md): one line per request at `debug`, and one per failed request at
 * `warn` (a throttled one at `debug` only), each with the request id that the request's audit event and
 * its answer (its request id header; an internal error's message) carry, so that a log line, an audit
 * event and a client's error report can be joined.
 * Fields are bounded and secret-free: the operation's name, the error code and the message the caller
 * got (already safe to show the caller, hence to log), the source address and the duration.
 */
export function requestLog(logger: Logger): RequestObserver {
  return {
    requestStarted(request: ObservedRequest) {
      const start = performance.now();
      return (operation: string, error: KmsError | undefined) => {
        const durationMs = Math.round((performance.now() - start) * 1000) / 1000;
        const fields = { requestId: request.requestId, operation, sourceIp: request.sourceIp, durationMs };
        // A throttled request logs at debug only: the audit trail already records them (the limiter's
        // `ThrottledRequests` summaries, each quota refusal), and a warn line each would let a flood fill the log.
        if (error === undefined || error.code === 'Throttled') logger.debug('request', { ...fields, outcome: error === undefined ? 'success' : 'failure', ...(error !== undefined && { errorCode: error.code }) });
        else logger.warn('request failed', { ...fields, outcome: 'failure', errorCode: error.code, error: error.message });
      };
    },
  };
}

/** One observer telling each of `observers` (the metrics and the request log). */
export function observeAll(observers: readonly (RequestObserver | undefined)[]): RequestObserver | undefined {
  const present = observers.filter((o): o is RequestObserver => o !== undefined);
  if (present.length <= 1) return present[0];
  return {
    requestStarted(request) {
      const ends = present.map((o) => o.requestStarted(request));
      return (operation, error) => {
        for (const end of ends) end(operation, error);
      };
    },
  };
}
