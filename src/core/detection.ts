import type { ErrorCode } from './errors.js';

/**
 * Anomaly detection's ports (issue 16). The pipeline tells a {@link RequestDetector} of every answered
 * request of an authenticated caller; the detector raises alerts and may trip circuit breakers, which
 * the request-quota gate enforces. Types only: the detector lives in `src/service/detection/`, alert
 * delivery (audit event, metric, log line, webhooks) in `src/server/`.
 */

/** What the detector learns of one answered request. Never a parameter, never plaintext. */
export interface ObservedRequest {
  readonly principalArn: string;
  /** The operation's name (`Decrypt`). */
  readonly operation: string;
  /** The keys the request resolved and was authorized for (empty: none, or refused before). */
  readonly keyArns: readonly string[];
  readonly sourceIp: string;
  /** `undefined`: it succeeded. */
  readonly errorCode: ErrorCode | undefined;
  readonly time: Date;
}

/** Told of every answered request; must be cheap, synchronous and never throw (it runs on the request path). */
export interface RequestDetector {
  observe(request: ObservedRequest): void;
}

/** How bad an alert is; the `severity` label of `arca_alerts_total`. */
export const ALERT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** The kinds of rule the detector evaluates (docs/monitoring.md, "Anomaly detection"). */
export const RULE_TYPES = ['failureBurst', 'decryptVolume', 'newSourceNetwork', 'offHours', 'idleKey'] as const;
export type RuleType = (typeof RULE_TYPES)[number];

/**
 * Alerts Arca raises about its own work rather than from detection rules: a scheduled backup that failed
 * (docs/backup.md); glass broken on a held request, and a refused request by a caller whose grant for it
 * had expired (just-in-time access outside its window) (docs/governance.md).
 */
export const SYSTEM_ALERT_TYPES = ['backupFailed', 'breakGlass', 'expiredGrantUse'] as const;
export type SystemAlertType = (typeof SYSTEM_ALERT_TYPES)[number];
/** The `type` of an alert: the kind of rule that fired it, or a system alert's kind. */
export type AlertType = RuleType | SystemAlertType;

/** What a tripped breaker does to the requests it covers. */
export type BreakerAction = 'block' | 'throttle';

/** A circuit breaker as operators see it (ListBreakers, ReleaseBreaker). */
export interface BreakerInfo {
  readonly id: string;
  readonly action: BreakerAction;
  /** The key it covers (`*`: every key, for a principal-wide breaker). */
  readonly keyArn: string;
  /** The only principal it covers; absent: every principal on the key. */
  readonly principalArn?: string | undefined;
  readonly rule: string;
  readonly alertId: string;
  readonly trippedAt: Date;
  /** When it releases itself; absent: only an administrator releases it. */
  readonly until?: Date | undefined;
  /** For `throttle`: the requests per second still allowed. */
  readonly ratePerSecond?: number | undefined;
}

/** What the breaker operations use: this node's breakers (state per node, in memory). */
export interface BreakerControl {
  /** The breakers in force now, oldest first. */
  list(): readonly BreakerInfo[];
  /** Releases one breaker; `undefined` when no breaker in force has this id. */
  release(id: string): BreakerInfo | undefined;
}

/** Told of every alert raised (the `arca_alerts_total` counter). */
export interface AlertObserver {
  alertRaised(rule: string, severity: AlertSeverity): void;
}
