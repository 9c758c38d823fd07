import { randomId } from '../../crypto/random.js';
import type { BreakerAction, BreakerControl, BreakerInfo } from '../../core/detection.js';
import { KmsError } from '../../core/errors.js';
import type { Clock } from '../../core/ports.js';
import type { QuotaGate } from '../pipeline/request-quotas.js';

/**
 * Per-key circuit breakers (issue 16): a rule that fires with an action puts a key, or one principal on
 * a key, into `block` (AccessDeniedException naming the breaker and its alert) or `throttle`
 * (ThrottlingException past `ratePerSecond`), for a duration or until an administrator releases it
 * (`ArcaService.ReleaseBreaker`). The state is this node's, in memory: a restart releases every breaker,
 * and in a cluster each node trips its own (cluster-wide state is a follow-up; docs/monitoring.md).
 */

/** Breakers kept at most; tripping one more drops the oldest. */
export const MAX_BREAKERS = 10_000;

/** The operations a breaker never refuses, so that an administrator can always see and release them. */
const EXEMPT = new Set(['ListAlerts', 'AcknowledgeAlert', 'ListBreakers', 'ReleaseBreaker']);

/** What a rule asks for when it trips a breaker. */
export interface TripRequest {
  readonly action: BreakerAction;
  readonly keyArn: string;
  readonly principalArn?: string | undefined;
  readonly rule: string;
  readonly alertId: string;
  readonly durationSeconds?: number | undefined;
  readonly ratePerSecond?: number | undefined;
}

interface Breaker extends BreakerInfo {
  tokens: number;
  at: number;
}

/** A request as the quota gate sees it. */
type Admitted = Parameters<QuotaGate['admit']>[0];

export class CircuitBreakers implements BreakerControl {
  readonly #clock: Clock;
  readonly #breakers = new Map<string, Breaker>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Trips a breaker; one already in force over the same key and principal is replaced (its id kept). */
  trip(t: TripRequest): BreakerInfo {
    const now = this.#clock.now();
    const same = [...this.#breakers.values()].find((b) => b.keyArn === t.keyArn && b.principalArn === t.principalArn && !this.#expired(b, now.getTime()));
    const id = same?.id ?? `brk-${randomId().slice(0, 16)}`;
    const rate = t.action === 'throttle' ? t.ratePerSecond ?? 1 : undefined;
    const breaker: Breaker = {
      id,
      action: t.action,
      keyArn: t.keyArn,
      principalArn: t.principalArn,
      rule: t.rule,
      alertId: t.alertId,
      trippedAt: now,
      until: t.durationSeconds === undefined ? undefined : new Date(now.getTime() + t.durationSeconds * 1000),
      ratePerSecond: rate,
      tokens: rate ?? 0,
      at: now.getTime(),
    };
    this.#breakers.delete(id);
    this.#breakers.set(id, breaker);
    while (this.#breakers.size > MAX_BREAKERS) {
      const oldest = this.#breakers.keys().next();
      if (oldest.done === true) break;
      this.#breakers.delete(oldest.value);
    }
    return info(breaker);
  }

  /** Whether a breaker in force covers `principalArn` on `keyArn` (the detector ignores such requests: they are the breaker's doing). */
  covers(principalArn: string, keyArn: string): boolean {
    const now = this.#clock.now().getTime();
    for (const b of this.#breakers.values()) if (!this.#expired(b, now) && matches(b, principalArn, [keyArn])) return true;
    return false;
  }

  /** Throws the refusal of the first breaker that refuses this request (block, or throttle over its rate); takes a token from each throttle that admits it. */
  enforce(request: Admitted): void {
    if (this.#breakers.size === 0 || EXEMPT.has(request.operation)) return;
    const now = this.#clock.now().getTime();
    const keyArns = request.keys.map((k) => k.arn);
    // Deleting the entry being visited is safe while iterating a Map.
    for (const b of this.#breakers.values()) {
      if (this.#expired(b, now)) {
        this.#breakers.delete(b.id);
        continue;
      }
      if (!matches(b, request.principalArn, keyArns)) continue;
      const covered = b.keyArn === '*' ? 'any key' : b.keyArn;
      const who = b.principalArn ?? 'every principal';
      if (b.action === 'block') {
        throw new KmsError('AccessDenied', `Circuit breaker ${b.id} blocks ${who} on ${covered} (alert ${b.alertId}, rule ${b.rule}); an administrator can release it: arca breaker release ${b.id}`);
      }
      const rate = b.ratePerSecond ?? 1;
      b.tokens = Math.min(Math.max(1, rate), b.tokens + ((now - b.at) / 1000) * rate);
      b.at = now;
      if (b.tokens < 1) throw new KmsError('Throttled', `Rate exceeded (circuit breaker ${b.id}, alert ${b.alertId})`);
      b.tokens -= 1;
    }
  }

  list(): readonly BreakerInfo[] {
    const now = this.#clock.now().getTime();
    return [...this.#breakers.values()].filter((b) => !this.#expired(b, now)).map(info);
  }

  release(id: string): BreakerInfo | undefined {
    const b = this.#breakers.get(id);
    if (b === undefined || this.#expired(b, this.#clock.now().getTime())) return undefined;
    this.#breakers.delete(id);
    return info(b);
  }

  #expired(b: Breaker, now: number): boolean {
    return b.until !== undefined && b.until.getTime() <= now;
  }
}

function matches(b: BreakerInfo, principalArn: string, keyArns: readonly string[]): boolean {
  if (b.principalArn !== undefined && b.principalArn !== principalArn) return false;
  return b.keyArn === '*' || keyArns.includes(b.keyArn);
}

function info(b: Breaker): BreakerInfo {
  const { tokens: _t, at: _a, ...rest } = b;
  return rest;
}

/**
 * The pipeline's quota gate with the breakers in front: a request a breaker refuses takes no quota
 * token. Checked where quotas are (after authentication and authorization), so a caller refused a key
 * learns nothing from a breaker on it.
 */
export class BreakerGate implements QuotaGate {
  constructor(
    readonly breakers: CircuitBreakers,
    readonly quotas: QuotaGate | undefined,
  ) {}

  admit(request: Admitted): void {
    this.breakers.enforce(request);
    this.quotas?.admit(request);
  }
}
