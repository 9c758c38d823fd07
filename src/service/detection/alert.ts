import { auditEvent, type AuditEvent } from '../../core/audit.js';
import { ALERT_SEVERITIES, RULE_TYPES, SYSTEM_ALERT_TYPES, type AlertSeverity, type AlertType, type BreakerInfo } from '../../core/detection.js';

/** The audit event name of an alert (`ArcaService.Alert`; AWS has no such event). */
export const ALERT_EVENT = 'Alert';

/** One anomaly the detector found. Its `id` is the event id of its `Alert` audit event. */
export interface Alert {
  readonly id: string;
  readonly rule: string;
  /** The kind of rule that fired it, or a system alert's kind (`backupFailed`, `breakGlass`, `expiredGrantUse`). */
  readonly type: AlertType;
  readonly severity: AlertSeverity;
  readonly time: Date;
  /** The principal whose requests fired the rule (a system alert: Arca's own service identity, `arca:scheduler`). */
  readonly principalArn: string;
  /** The key concerned; absent for a rule about the principal alone, or failures refused before a key was resolved. */
  readonly keyArn?: string | undefined;
  /** The source address of the request that fired it. */
  readonly sourceIp: string;
  /** One sentence for people (log line, webhook, CLI). */
  readonly summary: string;
  /** The rule's numbers (count, window, network...); never request parameters. */
  readonly details: Readonly<Record<string, string | number>>;
  /** The circuit breaker the alert tripped, if the rule has an action. */
  readonly breaker?: BreakerInfo | undefined;
}

/** Where the detector sends alerts: the audit trail, the metric, the log and the webhooks (wired in src/server/). Must not block or throw. */
export interface AlertSink {
  raise(alert: Alert): void;
}

/** The JSON form of an alert (webhook body, ListAlerts, the event's `additionalEventData`). */
export function alertJson(a: Alert): Record<string, unknown> {
  return {
    alertId: a.id,
    rule: a.rule,
    type: a.type,
    severity: a.severity,
    time: a.time.toISOString(),
    principal: a.principalArn,
    ...(a.keyArn !== undefined && { keyArn: a.keyArn }),
    sourceIp: a.sourceIp,
    summary: a.summary,
    details: a.details,
    ...(a.breaker !== undefined && { breaker: breakerJson(a.breaker) }),
  };
}

/** The JSON form of a breaker (ListBreakers, alerts). */
export function breakerJson(b: BreakerInfo): Record<string, unknown> {
  return {
    breakerId: b.id,
    action: b.action,
    keyArn: b.keyArn,
    ...(b.principalArn !== undefined && { principal: b.principalArn }),
    rule: b.rule,
    alertId: b.alertId,
    trippedAt: b.trippedAt.toISOString(),
    ...(b.until !== undefined && { until: b.until.toISOString() }),
    ...(b.action === 'throttle' && b.ratePerSecond !== undefined && { ratePerSecond: b.ratePerSecond }),
  };
}

/**
 * The `Alert` audit event: in the tamper-evident trail like every request. The caller is Arca itself
 * (`Anonymous`, user agent `arca-detector`): the principal concerned is in `additionalEventData`, so that
 * its own activity does not list alerts as requests it made. `resources` names the key, so a key's
 * events include its alerts.
 */
export function alertEvent(a: Alert, region: string, requestId: string): AuditEvent {
  return auditEvent({
    eventTime: a.time.toISOString(),
    eventName: ALERT_EVENT,
    awsRegion: region,
    sourceIPAddress: a.sourceIp,
    userAgent: 'arca-detector',
    userIdentity: { type: 'Anonymous' },
    requestParameters: null,
    responseElements: null,
    requestID: requestId,
    eventID: a.id,
    resources: a.keyArn === undefined ? [] : [{ ARN: a.keyArn, type: 'AWS::KMS::Key' }],
    readOnly: true,
    additionalEventData: alertJson(a),
  });
}

/** The alert an `Alert` event records (ListAlerts), or `undefined` for any other event. */
export function alertOfEvent(e: AuditEvent): Record<string, unknown> | undefined {
  const data = e.additionalEventData;
  if (e.eventName !== ALERT_EVENT || data === undefined || typeof data['alertId'] !== 'string') return undefined;
  const severity = data['severity'];
  const type = data['type'];
  if (!ALERT_SEVERITIES.some((s) => s === severity) || ![...RULE_TYPES, ...SYSTEM_ALERT_TYPES].some((t) => t === type)) return undefined;
  return data;
}
