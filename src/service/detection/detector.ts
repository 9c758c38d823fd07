import { timeOrderedId } from '../../crypto/random.js';
import type { BreakerInfo, ObservedRequest, RequestDetector } from '../../core/detection.js';
import type { Logger } from '../../core/ports.js';
import type { Alert, AlertSink } from './alert.js';
import type { CircuitBreakers } from './breakers.js';
import { networkOf } from './networks.js';
import { DEFAULT_MAX_TRACKED, DEFAULT_RULES, type DetectionSettings, type Rule, type RuleOf } from './rules.js';
import { BoundedMap, SlidingWindowCounter } from './windows.js';

const DAY_MS = 86_400_000;
/** Networks remembered per principal at most (the least recently used are forgotten first). */
const MAX_NETWORKS = 64;
/** The key part of a window for a request that resolved no key (a refusal before any key, a keyless operation). */
const NO_KEY = '*';

/** A principal's hours of use (a 24-bit mask, UTC), since it was first seen. */
interface HourProfile {
  readonly firstSeen: number;
  requests: number;
  hours: number;
}

/** What the detector keeps for one rule: its windows and histories, each bounded. */
interface RuleState {
  readonly windows: BoundedMap<string, SlidingWindowCounter>;
  readonly networks: BoundedMap<string, BoundedMap<string, number>>;
  readonly hours: BoundedMap<string, HourProfile>;
  readonly lastUse: BoundedMap<string, number>;
}

type Fired = Omit<Alert, 'id' | 'rule' | 'type' | 'severity' | 'time' | 'principalArn' | 'sourceIp' | 'breaker'>;

/**
 * Anomaly detection over the requests the pipeline answers (issue 16): per principal × key sliding
 * windows (failure bursts, decrypt volume), a principal's networks and hours of use, each key's last use.
 * All state is in memory, per node, bounded by `maxTracked` entries per rule; it starts empty, so the
 * history rules (networks, hours, idle keys) learn again after a restart. `observe` is synchronous and
 * cheap; what an alert sets off (audit event, webhooks) is the sink's, never awaited here.
 */
export class AnomalyDetector implements RequestDetector {
  #settings: DetectionSettings = { rules: DEFAULT_RULES, maxTracked: DEFAULT_MAX_TRACKED };
  #states = new Map<string, RuleState>();

  constructor(
    readonly breakers: CircuitBreakers,
    readonly sink: AlertSink,
    readonly logger: Logger,
    settings?: DetectionSettings,
  ) {
    if (settings !== undefined) this.update(settings);
  }

  /** Replaces the rules (hot reload); a rule keeping its name and type keeps its windows and histories. */
  update(settings: DetectionSettings): void {
    const states = new Map<string, RuleState>();
    const old = new Map(this.#settings.rules.map((r) => [r.name, r.type]));
    for (const r of settings.rules) {
      const kept = old.get(r.name) === r.type && settings.maxTracked === this.#settings.maxTracked ? this.#states.get(r.name) : undefined;
      states.set(r.name, kept ?? newState(settings.maxTracked));
    }
    this.#settings = settings;
    this.#states = states;
  }

  get rules(): readonly Rule[] {
    return this.#settings.rules;
  }

  observe(request: ObservedRequest): void {
    try {
      for (const rule of this.#settings.rules) {
        const state = this.#states.get(rule.name);
        if (!rule.enabled || state === undefined) continue;
        for (const fired of this.#evaluate(rule, state, request)) this.#raise(rule, request, fired);
      }
    } catch (e) {
      // A detector bug must not fail the request it observes.
      this.logger.error('anomaly detection failed on a request', { error: String(e) });
    }
  }

  #evaluate(rule: Rule, state: RuleState, r: ObservedRequest): Fired[] {
    switch (rule.type) {
      case 'failureBurst':
        return this.#failureBurst(rule, state, r);
      case 'decryptVolume':
        return this.#decryptVolume(rule, state, r);
      case 'newSourceNetwork':
        return newSourceNetwork(rule, state, r);
      case 'offHours':
        return offHours(rule, state, r);
      case 'idleKey':
        return idleKey(rule, state, r);
    }
  }

  /** Keys of the request whose window this request counts in: not those under a breaker for this principal (the breaker's own refusals would feed it). */
  #windowKeys(r: ObservedRequest): string[] {
    const keys = r.keyArns.length === 0 ? [NO_KEY] : r.keyArns;
    return keys.filter((k) => !this.breakers.covers(r.principalArn, k));
  }

  #failureBurst(rule: RuleOf<'failureBurst'>, state: RuleState, r: ObservedRequest): Fired[] {
    if (r.errorCode === undefined || !rule.errorCodes.includes(r.errorCode)) return [];
    return this.#countIn(rule, state, r, (count, key) => count >= rule.threshold && { keyArn: key, summary: `${count} failed requests (${rule.errorCodes.join(', ')}) by ${r.principalArn} on ${key === NO_KEY ? 'no resolved key' : key} within ${rule.windowSeconds} s`, details: { count, windowSeconds: rule.windowSeconds, lastErrorCode: r.errorCode ?? '', lastOperation: r.operation } });
  }

  #decryptVolume(rule: RuleOf<'decryptVolume'>, state: RuleState, r: ObservedRequest): Fired[] {
    if (r.errorCode !== undefined || !rule.operations.includes(r.operation) || r.keyArns.length === 0) return [];
    return this.#countIn(rule, state, r, (count, key) => count > rule.threshold && { keyArn: key, summary: `more than ${rule.threshold} ${rule.operations.join('/')} requests by ${r.principalArn} on ${key} within ${rule.windowSeconds} s`, details: { count, threshold: rule.threshold, windowSeconds: rule.windowSeconds } });
  }

  /** Counts the request in each of its principal × key windows; `check` says whether a window's count fires (the window then restarts). */
  #countIn(rule: { readonly windowSeconds: number }, state: RuleState, r: ObservedRequest, check: (count: number, key: string) => Fired | false): Fired[] {
    const fired: Fired[] = [];
    const now = r.time.getTime();
    for (const key of this.#windowKeys(r)) {
      const window = state.windows.getOrCreate(`${r.principalArn} ${key}`, () => new SlidingWindowCounter(rule.windowSeconds * 1000));
      const f = check(window.add(now), key);
      if (f === false) continue;
      window.reset();
      fired.push(f.keyArn === NO_KEY ? { ...f, keyArn: undefined } : f);
    }
    return fired;
  }

  #raise(rule: Rule, r: ObservedRequest, fired: Fired): void {
    const id = timeOrderedId(r.time.getTime());
    let breaker: BreakerInfo | undefined;
    const action = rule.action;
    if (action !== undefined) {
      const keyArn = fired.keyArn ?? NO_KEY;
      // A key-wide breaker needs a key: without one, it covers the principal.
      const principalArn = action.scope === 'principal' || keyArn === NO_KEY ? r.principalArn : undefined;
      breaker = this.breakers.trip({ action: action.type, keyArn, principalArn, rule: rule.name, alertId: id, durationSeconds: action.durationSeconds, ratePerSecond: action.ratePerSecond });
    }
    this.sink.raise({ ...fired, id, rule: rule.name, type: rule.type, severity: rule.severity, time: r.time, principalArn: r.principalArn, sourceIp: r.sourceIp, breaker });
  }
}

function newState(max: number): RuleState {
  return { windows: new BoundedMap(max), networks: new BoundedMap(max), hours: new BoundedMap(max), lastUse: new BoundedMap(max) };
}

/** A principal's first network is its baseline; after that, a network not used within `historyDays` fires once, and is learned. */
function newSourceNetwork(rule: RuleOf<'newSourceNetwork'>, state: RuleState, r: ObservedRequest): Fired[] {
  const network = networkOf(r.sourceIp, rule.ipv4PrefixLength, rule.ipv6PrefixLength);
  if (network === undefined) return [];
  const now = r.time.getTime();
  const known = state.networks.getOrCreate(r.principalArn, () => new BoundedMap<string, number>(MAX_NETWORKS));
  const horizon = now - rule.historyDays * DAY_MS;
  const seen = known.get(network);
  known.set(network, now);
  // The common case, a network in use: no scan.
  if (seen !== undefined && seen >= horizon) return [];
  let history = -1; // the network just recorded does not count
  for (const t of known.values()) if (t >= horizon) history += 1;
  if (history === 0) return [];
  return [{ summary: `${r.principalArn} used a new source network ${network} (from ${r.sourceIp}), not seen in the last ${rule.historyDays} days`, details: { network, knownNetworks: history, historyDays: rule.historyDays } }];
}

/** Once a principal has `minRequests` over `learningDays`, a request at an hour (UTC) it never used fires once, and the hour is learned. */
function offHours(rule: RuleOf<'offHours'>, state: RuleState, r: ObservedRequest): Fired[] {
  const now = r.time.getTime();
  const profile = state.hours.getOrCreate(r.principalArn, () => ({ firstSeen: now, requests: 0, hours: 0 }));
  const hour = r.time.getUTCHours();
  const bit = 1 << hour;
  const learned = profile.requests >= rule.minRequests && now - profile.firstSeen >= rule.learningDays * DAY_MS;
  const unusual = (profile.hours & bit) === 0;
  profile.requests += 1;
  profile.hours |= bit;
  if (!learned || !unusual) return [];
  const usual = Array.from({ length: 24 }, (_, h) => h).filter((h) => (profile.hours & (1 << h)) !== 0 && h !== hour);
  return [{ summary: `${r.principalArn} made a request at ${String(hour).padStart(2, '0')}:00 UTC, outside its usual hours`, details: { hourUtc: hour, usualHoursUtc: usual.join(','), requestsSeen: profile.requests } }];
}

/** A key used again after `idleDays` without a request (as this node saw them since it started). */
function idleKey(rule: RuleOf<'idleKey'>, state: RuleState, r: ObservedRequest): Fired[] {
  const now = r.time.getTime();
  const fired: Fired[] = [];
  for (const key of r.keyArns) {
    const last = state.lastUse.get(key);
    state.lastUse.set(key, now);
    if (last !== undefined && now - last >= rule.idleDays * DAY_MS) {
      const idleDays = Math.floor((now - last) / DAY_MS);
      fired.push({ keyArn: key, summary: `${key} was used by ${r.principalArn} after ${idleDays} days without a request`, details: { idleDays, lastUse: new Date(last).toISOString() } });
    }
  }
  return fired;
}
