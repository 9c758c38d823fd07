import { performance } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { KmsError } from '../core/errors.js';
import { registerHealthMetrics, type HealthSources } from './metrics-health.js';
import type { AuditObserver, KeyCount, RequestObserver } from '../core/observability.js';
import type { AlertObserver, AlertSeverity, ObservedRequest as AnsweredRequest, RequestDetector } from '../core/detection.js';

/** How long a key count is reused between scrapes (a scrape every second costs one query per this). */
export const KEY_COUNT_CACHE_MS = 5_000;

/** What the metrics read when scraped (collect time), not on every request. */
export interface MetricSources extends HealthSources {
  /** Events appended and not yet committed. */
  readonly auditQueueDepth: () => number;
  /** Whether the key hierarchy is open (unsealed). */
  readonly unsealed: () => boolean;
  /** Keys by state and key spec. */
  readonly keyCounts: () => readonly KeyCount[] | Promise<readonly KeyCount[]>;
  /** Requests throttled since the start (the unauthenticated limiter). */
  readonly throttledTotal: () => number;
}

const REQUEST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const COMMIT_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/**
 * The Prometheus metrics of one server (docs/monitoring.md), each app with its own registry. It is
 * the pipeline's and the audit writer's observer; the gauges read their {@link MetricSources} when
 * scraped. Labels are operations, error codes, key states and key specs, all bounded sets; per-key
 * series (`arca_key_requests_total`) exist only for the keys the operator lists (`metrics.keys`).
 */
export class ServerMetrics implements RequestObserver, AuditObserver, AlertObserver, RequestDetector {
  readonly registry = new Registry();
  readonly #requests: Counter<'operation' | 'outcome' | 'error_code'>;
  readonly #duration: Histogram<'operation'>;
  readonly #commits: Histogram;
  readonly #committedEvents: Counter;
  readonly #alerts: Counter<'rule' | 'severity'>;
  /** The label children per operation and error code: a request costs a map lookup, not label hashing. */
  readonly #children = new Map<string, { readonly count: ReturnType<Counter['labels']>; readonly duration: ReturnType<Histogram['labels']> }>();
  /** The listed keys' ids (`metrics.keys`); empty: no per-key series. */
  readonly #watched: ReadonlySet<string>;
  readonly #keyRequests: Counter<'key_id' | 'operation' | 'outcome'> | undefined;

  /** `watchedKeys`: key ids or key ARNs whose requests also count in `arca_key_requests_total` (opt-in). */
  constructor(sources: MetricSources, watchedKeys: readonly string[] = []) {
    const registers = [this.registry];
    this.#requests = new Counter({ name: 'arca_requests_total', help: 'Requests answered, by operation, outcome (success, failure) and error code (empty on success).', labelNames: ['operation', 'outcome', 'error_code'], registers });
    this.#duration = new Histogram({ name: 'arca_request_duration_seconds', help: 'Time from a request reaching the pipeline to its answer, audit commit included.', labelNames: ['operation'], buckets: REQUEST_BUCKETS, registers });
    this.#commits = new Histogram({ name: 'arca_audit_commit_duration_seconds', help: 'Time from an audit group commit starting to its events being durable.', buckets: COMMIT_BUCKETS, registers });
    this.#committedEvents = new Counter({ name: 'arca_audit_events_committed_total', help: 'Audit events made durable.', registers });
    this.#alerts = new Counter({ name: 'arca_alerts_total', help: 'Anomaly alerts raised, by rule name and severity.', labelNames: ['rule', 'severity'], registers });
    new Gauge({ name: 'arca_audit_queue_depth', help: 'Audit events appended and waiting for a commit.', registers, collect() { this.set(sources.auditQueueDepth()); } });
    new Gauge({ name: 'arca_sealed', help: '1 while the service is sealed (every key operation fails), 0 when unsealed.', registers, collect() { this.set(sources.unsealed() ? 0 : 1); } });
    let cached: { at: number; counts: readonly KeyCount[] } | undefined;
    new Gauge({
      name: 'arca_keys',
      help: `Keys by state and key spec (counted at most every ${KEY_COUNT_CACHE_MS / 1000} s).`,
      labelNames: ['state', 'key_spec'],
      registers,
      async collect() {
        const now = sources.now();
        if (cached === undefined || now - cached.at >= KEY_COUNT_CACHE_MS) {
          // A store that cannot answer (PostgreSQL unreachable) keeps the last counts: a scrape never fails on it.
          const counts = await Promise.resolve(sources.keyCounts()).catch(() => cached?.counts ?? []);
          cached = { at: now, counts };
        }
        this.reset();
        for (const c of cached.counts) this.set({ state: c.state, key_spec: c.spec }, c.count);
      },
    });
    new Counter({ name: 'arca_throttled_requests_total', help: 'Requests refused with ThrottlingException: by the per-source limiter (unauthenticated) or over a request quota.', registers, collect() { this.reset(); this.inc(sources.throttledTotal()); } });
    this.#watched = new Set(watchedKeys.map(keyIdOf));
    this.#keyRequests = this.#watched.size === 0 ? undefined : new Counter({ name: 'arca_key_requests_total', help: 'Requests of authenticated callers on each key listed in metrics.keys, by operation and outcome.', labelNames: ['key_id', 'operation', 'outcome'], registers });
    registerHealthMetrics(this.registry, sources);
    // The process's own metrics under their usual names (process_*, nodejs_*), for the usual dashboards.
    collectDefaultMetrics({ register: this.registry });
  }

  requestStarted(): (operation: string, error: KmsError | undefined) => void {
    const start = performance.now();
    return (operation, error) => {
      const errorCode = error?.code;
      const key = `${operation} ${errorCode ?? ''}`;
      let child = this.#children.get(key);
      if (child === undefined) {
        const labels = { operation, outcome: errorCode === undefined ? 'success' : 'failure', error_code: errorCode ?? '' };
        child = { count: this.#requests.labels(labels), duration: this.#duration.labels({ operation }) };
        this.#children.set(key, child);
      }
      child.count.inc();
      child.duration.observe((performance.now() - start) / 1000);
    };
  }

  commitStarted(): (events: number) => void {
    const start = performance.now();
    return (events) => {
      this.#commits.observe((performance.now() - start) / 1000);
      this.#committedEvents.inc(events);
    };
  }

  /** Counts an answered request on each listed key it resolved (told by the pipeline, as the anomaly detector is). */
  observe(request: AnsweredRequest): void {
    if (this.#keyRequests === undefined) return;
    for (const arn of request.keyArns) {
      const keyId = keyIdOf(arn);
      if (this.#watched.has(keyId)) this.#keyRequests.inc({ key_id: keyId, operation: request.operation, outcome: request.errorCode === undefined ? 'success' : 'failure' });
    }
  }

  alertRaised(rule: string, severity: AlertSeverity): void {
    this.#alerts.inc({ rule, severity });
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ readonly contentType: string; readonly body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** A key id from a key ARN (`arn:…:key/<id>`), or the text itself (a key id). */
function keyIdOf(keyIdOrArn: string): string {
  const at = keyIdOrArn.lastIndexOf(':key/');
  return at < 0 ? keyIdOrArn : keyIdOrArn.slice(at + ':key/'.length);
}
