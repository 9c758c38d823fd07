import { randomId } from '../crypto/random.js';
import type { AlertObserver, ObservedRequest, RequestDetector } from '../core/detection.js';
import type { AuditLog, Clock, Logger } from '../core/ports.js';
import { alertEvent, alertJson, type Alert, type AlertSink } from '../service/detection/alert.js';
import { CircuitBreakers } from '../service/detection/breakers.js';
import { AnomalyDetector } from '../service/detection/detector.js';
import { WebhookDelivery } from './alert-webhooks.js';
import { DEFAULT_DETECTION, type DetectionConfig } from './detection-config.js';

/** The body a webhook receives: the alert as ListAlerts shows it, under a format version. */
export function webhookBody(a: Alert): string {
  return JSON.stringify({ version: 1, source: 'arca', alert: alertJson(a) });
}

/**
 * Anomaly detection as the server runs it: the detector the pipeline tells of each request, the
 * breakers the quota gate enforces, and where each alert goes: an `Alert` event in the audit trail
 * (tamper-evident, what ListAlerts reads), `arca_alerts_total`, a log line at warn, and every
 * configured webhook. Nothing here is awaited by a request: the event is appended and the webhooks
 * posted after the request's own work.
 */
export class Detection implements RequestDetector, AlertSink {
  readonly breakers: CircuitBreakers;
  readonly detector: AnomalyDetector;
  readonly #audit: Pick<AuditLog, 'append'>;
  readonly #logger: Logger;
  readonly #region: string;
  readonly #observer: AlertObserver | undefined;
  #config: DetectionConfig = DEFAULT_DETECTION;
  #webhooks: WebhookDelivery[] = [];
  /** Alerts raised and not yet in the audit trail (drained at close). */
  readonly #appending = new Set<Promise<void>>();

  constructor(opts: { readonly config?: DetectionConfig | undefined; readonly clock: Clock; readonly logger: Logger; readonly audit: Pick<AuditLog, 'append'>; readonly region: string; readonly observer?: AlertObserver | undefined }) {
    this.#audit = opts.audit;
    this.#logger = opts.logger;
    this.#region = opts.region;
    this.#observer = opts.observer;
    this.breakers = new CircuitBreakers(opts.clock);
    this.detector = new AnomalyDetector(this.breakers, this, opts.logger);
    this.update(opts.config ?? DEFAULT_DETECTION);
  }

  /**
   * Applies new settings (SIGHUP): rules, webhooks, on/off. Breakers in force stay; a webhook whose URL,
   * secret and delivery settings are unchanged keeps its queue, a removed one stops (its queue dropped).
   */
  update(config: DetectionConfig): void {
    const identity = (w: { readonly url: string; readonly secret?: string | undefined }, c: DetectionConfig): string => JSON.stringify([w.url, w.secret ?? null, c.delivery ?? null]);
    const running = new Map(this.#webhooks.map((d, i) => [identity(this.#config.webhooks[i] ?? { url: '' }, this.#config), d]));
    const next = config.webhooks.map((w) => {
      const key = identity(w, config);
      const kept = running.get(key);
      running.delete(key);
      return kept ?? new WebhookDelivery(w, this.#logger, config.delivery);
    });
    for (const removed of running.values()) removed.close();
    this.#config = config;
    this.detector.update(config.settings);
    this.#webhooks = next;
  }

  get webhooks(): readonly WebhookDelivery[] {
    return this.#webhooks;
  }

  observe(request: ObservedRequest): void {
    if (this.#config.enabled) this.detector.observe(request);
  }

  raise(alert: Alert): void {
    this.#observer?.alertRaised(alert.rule, alert.severity);
    this.#logger.warn('anomaly alert', alertJson(alert));
    const body = webhookBody(alert);
    for (const w of this.#webhooks) w.send(alert.id, body);
    // After the request that fired it (which may be inside the audit transaction): never awaited by it.
    const appending = new Promise<void>((done) => setImmediate(done))
      .then(() => this.#audit.append(alertEvent(alert, this.#region, randomId())))
      .then(
        () => undefined,
        (e: unknown) => this.#logger.error('could not record an alert in the audit trail', { alertId: alert.id, error: String(e) }),
      );
    this.#appending.add(appending);
    void appending.finally(() => this.#appending.delete(appending));
  }

  /** Waits for the alerts raised so far to be in the audit trail (before the store closes). */
  async drain(): Promise<void> {
    await Promise.all([...this.#appending]);
  }

  /** Stops the webhooks' retries. */
  close(): void {
    for (const w of this.#webhooks) w.close();
  }
}
