import { createHmac } from 'node:crypto';
import type { Logger } from '../core/ports.js';

/** One webhook that receives alerts (arca.yaml `detection.webhooks`), with its signing secret resolved. */
export interface AlertWebhook {
  readonly url: string;
  /** The HMAC-SHA256 key of `X-Arca-Signature` (from the variable `secretEnv` names); absent: unsigned. */
  readonly secret?: string | undefined;
}

/** Delivery settings: attempts per alert and the first retry's delay, doubled at each retry. */
export interface DeliveryOptions {
  readonly maxAttempts?: number | undefined;
  readonly initialBackoffMs?: number | undefined;
  /** Alerts waiting per webhook at most; past it the oldest is dropped (and logged). */
  readonly maxQueued?: number | undefined;
  readonly timeoutMs?: number | undefined;
}

/** The signature header: `sha256=` and the hex HMAC-SHA256 of the exact body bytes under the webhook's secret. */
export const SIGNATURE_HEADER = 'X-Arca-Signature';

/** `sha256=<hex>` for `body` under `secret`, as a receiver recomputes it. */
export function signatureOf(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

interface Pending {
  readonly body: string;
  readonly alertId: string;
  attempts: number;
}

/**
 * Sends alerts to one webhook: POST of the alert as JSON, signed with `X-Arca-Signature`, retried with
 * exponential backoff until it answers 2xx or the attempts run out. Deliveries run in the background, one
 * at a time in order, from a bounded queue: a slow or dead receiver never holds up a request, and
 * never grows memory past `maxQueued` alerts. Delivery is at most `maxAttempts` tries, not guaranteed:
 * the audit trail is the record (ListAlerts), the webhook a notification.
 */
export class WebhookDelivery {
  readonly #url: URL;
  readonly #secret: string | undefined;
  readonly #logger: Logger;
  readonly #options: Required<DeliveryOptions>;
  readonly #queue: Pending[] = [];
  #running = false;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  delivered = 0;
  failed = 0;

  constructor(webhook: AlertWebhook, logger: Logger, options: DeliveryOptions = {}) {
    const url = new URL(webhook.url);
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.hostname.startsWith('127.');
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw new Error(`alert webhook ${webhook.url}: https is required (http only to a loopback host)`);
    this.#url = url;
    this.#secret = webhook.secret;
    this.#logger = logger;
    this.#options = { maxAttempts: options.maxAttempts ?? 6, initialBackoffMs: options.initialBackoffMs ?? 500, maxQueued: options.maxQueued ?? 1000, timeoutMs: options.timeoutMs ?? 10_000 };
  }

  /** Where it posts (without credentials or query), for logs. */
  get name(): string {
    return `${this.#url.origin}${this.#url.pathname}`;
  }

  /** Queues one alert's JSON body; returns at once. */
  send(alertId: string, body: string): void {
    if (this.#closed) return;
    if (this.#queue.length >= this.#options.maxQueued) {
      const dropped = this.#queue.shift();
      this.#logger.error('alert webhook queue full; the oldest alert is not delivered', { webhook: this.name, alertId: dropped?.alertId });
    }
    this.#queue.push({ body, alertId, attempts: 0 });
    this.#pump();
  }

  /** Stops retrying; what is queued is not delivered. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#queue.length = 0;
  }

  #pump(): void {
    if (this.#running || this.#timer !== undefined || this.#closed) return;
    const next = this.#queue[0];
    if (next === undefined) return;
    this.#running = true;
    void this.#post(next).then((ok) => {
      this.#running = false;
      if (ok || next.attempts >= this.#options.maxAttempts) {
        this.#queue.shift();
        if (ok) this.delivered += 1;
        else {
          this.failed += 1;
          this.#logger.error('alert webhook delivery failed; giving up on this alert', { webhook: this.name, alertId: next.alertId, attempts: next.attempts });
        }
        this.#pump();
        return;
      }
      const delay = this.#options.initialBackoffMs * 2 ** (next.attempts - 1);
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#pump();
      }, delay);
      this.#timer.unref();
    });
  }

  async #post(p: Pending): Promise<boolean> {
    p.attempts += 1;
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'arca-alerts', 'x-arca-alert-id': p.alertId };
      if (this.#secret !== undefined) headers[SIGNATURE_HEADER] = signatureOf(p.body, this.#secret);
      const res = await fetch(this.#url, { method: 'POST', headers, body: p.body, signal: AbortSignal.timeout(this.#options.timeoutMs) });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return true;
      this.#logger.warn('alert webhook refused an alert; will retry', { webhook: this.name, alertId: p.alertId, status: res.status, attempt: p.attempts });
    } catch (e) {
      this.#logger.warn('alert webhook unreachable; will retry', { webhook: this.name, alertId: p.alertId, error: String(e), attempt: p.attempts });
    }
    return false;
  }
}
