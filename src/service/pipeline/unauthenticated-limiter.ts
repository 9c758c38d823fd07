import { auditEvent, type AuditEvent } from '../../core/audit.js';
import type { AuditLog, Clock, Logger } from '../../core/ports.js';
import { randomId, timeOrderedId } from '../../crypto/random.js';

/**
 * Bounds on requests that fail without an authenticated caller (DESIGN.md §4, §7.4): a missing or bad
 * signature, an unknown access key, a sealed service, a refusal before authentication (wrong method or
 * path, oversized body, an HTTP parser error or timeout). Each such failure takes a token from its
 * source's bucket and from the total bucket; an event is recorded only when both had one.
 */
export interface UnauthenticatedLimits {
  /** Sustained rate per source (an IPv4 address, or an IPv6 /64), in failures per second. */
  readonly perSourcePerSecond: number;
  /** Failures a source may make at once before the rate applies. */
  readonly perSourceBurst: number;
  /** Sustained rate across all sources (bounds the trail's growth under a distributed flood). */
  readonly totalPerSecond: number;
  readonly totalBurst: number;
  /** Sources remembered at once (least recently seen forgotten first): the limiter's own memory bound. */
  readonly maxSources: number;
}

export const DEFAULT_UNAUTHENTICATED_LIMITS: UnauthenticatedLimits = {
  perSourcePerSecond: 20,
  perSourceBurst: 200,
  totalPerSecond: 200,
  totalBurst: 2000,
  maxSources: 10_000,
};

/** A request answered `ThrottlingException` instead of being recorded on its own. */
export interface ThrottledRequest {
  readonly sourceIp: string;
  readonly target: string;
  readonly userAgent: string;
  /** The error the request would have got (`Throttled` when it was refused unprocessed). */
  readonly errorCode: string;
}

/** Distinct targets and error codes named in one summary; the rest are counted together. */
export const SUMMARY_DISTINCT_VALUES = 16;

/**
 * Sources summarized one by one per interval; throttled requests from further sources are summarized
 * together as source `*`. Bounds the summaries themselves: many sources (a botnet, or the many /64s of
 * one IPv6 /48) each throttled once make at most this many events per interval, not one each.
 */
export const SUMMARY_SOURCES = 100;

/** The requests of one source throttled since the last summary. `source` is `*` for sources beyond `maxSources`. */
export interface ThrottleSummary {
  readonly source: string;
  readonly count: number;
  readonly firstTime: Date;
  readonly lastTime: Date;
  /** The user agent of the last throttled request. */
  readonly userAgent: string;
  /** Requests per target (at most {@link SUMMARY_DISTINCT_VALUES}; others under `(other)`). */
  readonly targets: Readonly<Record<string, number>>;
  /** Requests per error code (same bound). */
  readonly errorCodes: Readonly<Record<string, number>>;
}

interface Bucket {
  tokens: number;
  at: number;
}

interface Tally {
  count: number;
  first: number;
  last: number;
  userAgent: string;
  targets: Map<string, number>;
  errorCodes: Map<string, number>;
}

const OTHER = '(other)';

/**
 * The key a source is limited by: the address, or the /64 of an IPv6 address (one host commonly holds
 * a whole /64, so limiting single IPv6 addresses would limit nothing). IPv4-mapped addresses are IPv4.
 */
export function sourceKey(ip: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4?.[1] !== undefined) return v4[1];
  if (!/^[0-9a-f:.]{2,45}$/i.test(ip) || !ip.includes(':')) return ip.slice(0, 64);
  const [head = '', tail = ''] = ip.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = ip.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  // An embedded IPv4 tail (::ffff:0:1.2.3.4) fills two groups; only the first four matter here.
  const width = (gs: string[]) => gs.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const groups = [...left, ...Array<string>(Math.max(0, 8 - width(left) - width(right))).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

function bump(map: Map<string, number>, key: string): void {
  const k = map.has(key) || map.size < SUMMARY_DISTINCT_VALUES ? key : OTHER;
  map.set(k, (map.get(k) ?? 0) + 1);
}

/**
 * Token buckets per source and in total for unauthenticated failures, and the tallies of throttled
 * requests that replace their individual audit events. Pure but for the injected clock; memory is
 * bounded by `maxSources` (buckets and tallies each).
 */
export class UnauthenticatedLimiter {
  readonly #limits: UnauthenticatedLimits;
  readonly #clock: Clock;
  readonly #buckets = new Map<string, Bucket>();
  readonly #total: Bucket;
  readonly #tallies = new Map<string, Tally>();
  #throttledTotal = 0;

  constructor(limits: UnauthenticatedLimits, clock: Clock) {
    this.#limits = limits;
    this.#clock = clock;
    this.#total = { tokens: limits.totalBurst, at: clock.now().getTime() };
  }

  /** Whether `sourceIp` has used up its bucket: its requests are throttled without being processed. */
  exhausted(sourceIp: string): boolean {
    const bucket = this.#buckets.get(sourceKey(sourceIp));
    if (bucket === undefined) return false;
    this.#refill(bucket, this.#limits.perSourcePerSecond, this.#limits.perSourceBurst);
    return bucket.tokens < 1;
  }

  /**
   * Takes one token from the source's bucket and one from the total for an unauthenticated failure:
   * `true` when both had one (record the failure), `false` when either was empty (nothing is taken;
   * throttle it).
   */
  take(sourceIp: string): boolean {
    const key = sourceKey(sourceIp);
    const l = this.#limits;
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: l.perSourceBurst, at: this.#clock.now().getTime() };
      if (this.#buckets.size >= l.maxSources) this.#buckets.delete(this.#buckets.keys().next().value as string);
    } else {
      this.#buckets.delete(key); // re-inserted last: the map's order is least recently seen first
      this.#refill(bucket, l.perSourcePerSecond, l.perSourceBurst);
    }
    this.#buckets.set(key, bucket);
    this.#refill(this.#total, l.totalPerSecond, l.totalBurst);
    if (bucket.tokens < 1 || this.#total.tokens < 1) return false;
    bucket.tokens -= 1;
    this.#total.tokens -= 1;
    return true;
  }

  /** Counts a throttled request in its source's tally (sources beyond `maxSources` share the `*` tally). */
  throttled(req: ThrottledRequest): void {
    const now = this.#clock.now().getTime();
    this.#throttledTotal += 1;
    let key = sourceKey(req.sourceIp);
    if (!this.#tallies.has(key) && this.#tallies.size >= Math.min(SUMMARY_SOURCES, this.#limits.maxSources)) key = '*';
    let tally = this.#tallies.get(key);
    if (tally === undefined) {
      tally = { count: 0, first: now, last: now, userAgent: '', targets: new Map(), errorCodes: new Map() };
      this.#tallies.set(key, tally);
    }
    tally.count += 1;
    tally.last = now;
    tally.userAgent = req.userAgent;
    bump(tally.targets, req.target === '' ? '(none)' : req.target);
    bump(tally.errorCodes, req.errorCode);
  }

  /** For a request as it arrives: whether its source is exhausted; then it is tallied, not to be processed. */
  refuses(req: Omit<ThrottledRequest, 'errorCode'>): boolean {
    if (!this.exhausted(req.sourceIp)) return false;
    this.throttled({ ...req, errorCode: 'Throttled' });
    return true;
  }

  /** For an unauthenticated failure: whether to record it (a token was taken), or it was tallied instead. */
  records(req: ThrottledRequest): boolean {
    if (this.take(req.sourceIp)) return true;
    this.throttled(req);
    return false;
  }

  /** Requests throttled since the start, never reset by summaries (the metrics' counter). */
  get throttledTotal(): number {
    return this.#throttledTotal;
  }

  /** How many requests are tallied and not yet summarized. */
  get pending(): number {
    let n = 0;
    for (const t of this.#tallies.values()) n += t.count;
    return n;
  }

  /** The tallies since the last call, one summary per source, oldest first; the tallies restart empty. */
  takeSummaries(): ThrottleSummary[] {
    const out = [...this.#tallies].map(([source, t]) => ({
      source,
      count: t.count,
      firstTime: new Date(t.first),
      lastTime: new Date(t.last),
      userAgent: t.userAgent,
      targets: Object.fromEntries(t.targets),
      errorCodes: Object.fromEntries(t.errorCodes),
    }));
    this.#tallies.clear();
    return out.sort((a, b) => a.firstTime.getTime() - b.firstTime.getTime());
  }

  #refill(bucket: Bucket, perSecond: number, burst: number): void {
    const now = this.#clock.now().getTime();
    if (now > bucket.at) bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = Math.max(bucket.at, now);
  }
}

/** The event name of a summary of throttled requests (Arca's own; AWS has no such event). */
export const THROTTLED_REQUESTS_EVENT = 'ThrottledRequests';

/**
 * The audit event standing for a source's throttled requests: `additionalEventData.throttledRequests`
 * is exactly how many requests it replaces, with the first and last time and the targets and error
 * codes seen.
 */
export function throttleSummaryEvent(s: ThrottleSummary, region: string, requestId: string): AuditEvent {
  return auditEvent({
    eventTime: s.firstTime.toISOString(),
    eventName: THROTTLED_REQUESTS_EVENT,
    awsRegion: region,
    sourceIPAddress: s.source,
    userAgent: s.userAgent,
    userIdentity: { type: 'Anonymous' },
    requestParameters: null,
    responseElements: null,
    errorCode: 'Throttled',
    errorMessage: `${s.count} request(s) from ${s.source} were answered ThrottlingException without an event of their own.`,
    requestID: requestId,
    eventID: timeOrderedId(s.firstTime.getTime()),
    resources: [],
    readOnly: true,
    additionalEventData: { throttledRequests: s.count, firstTime: s.firstTime.toISOString(), lastTime: s.lastTime.toISOString(), targets: s.targets, errorCodes: s.errorCodes },
  });
}

/**
 * Records one `ThrottledRequests` event per source for the requests throttled since the last call
 * (periodically, and at shutdown once the listener has stopped). Their counts add up to exactly the
 * requests that got no event of their own.
 */
export async function recordThrottledRequests(limiter: UnauthenticatedLimiter, audit: Pick<AuditLog, 'append'>, region: string, logger: Logger): Promise<void> {
  const summaries = limiter.takeSummaries();
  try {
    await Promise.all(summaries.map((s) => audit.append(throttleSummaryEvent(s, region, randomId()))));
  } catch (e) {
    logger.error('could not record the throttled-requests summaries', { error: String(e), requests: summaries.reduce((n, s) => n + s.count, 0) });
  }
}
