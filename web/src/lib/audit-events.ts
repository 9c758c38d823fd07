/**
 * The audit search's pure logic: the ListAuditEvents input a filter form means, a row's summary, and how a
 * live-tail poll merges into what is shown (newest first, by sequence, never twice).
 */
import type { AuditEvent } from './audit-canonical';

/** The filter form, as typed (empty strings mean "any"). */
export interface AuditFilters {
  readonly eventName: string;
  readonly principal: string;
  readonly keyId: string;
  readonly errorCode: string;
  readonly outcome: '' | 'Success' | 'Failure';
  readonly sourceIp: string;
  /** `datetime-local` values, in the browser's time zone. */
  readonly startTime: string;
  readonly endTime: string;
}

export const NO_FILTERS: AuditFilters = { eventName: '', principal: '', keyId: '', errorCode: '', outcome: '', sourceIp: '', startTime: '', endTime: '' };

/** ListAuditEvents' input for these filters (members left out when empty). */
export function listInput(f: AuditFilters, limit: number, marker?: string): Record<string, string | number> {
  const out: Record<string, string | number> = { Limit: limit };
  const put = (name: string, v: string): void => {
    if (v.trim() !== '') out[name] = v.trim();
  };
  put('EventName', f.eventName);
  put('Principal', f.principal);
  put('KeyId', f.keyId);
  put('ErrorCode', f.errorCode);
  put('Outcome', f.outcome);
  put('SourceIPAddress', f.sourceIp);
  const iso = (v: string): string => (v === '' ? '' : new Date(v).toISOString());
  put('StartTime', iso(f.startTime));
  put('EndTime', iso(f.endTime));
  if (marker !== undefined) out['Marker'] = marker;
  return out;
}

/** Whether the filters' time values parse (an unparsable one would be refused by the server anyway). */
export function filtersError(f: AuditFilters): string | undefined {
  for (const [label, v] of [['From', f.startTime], ['To', f.endTime]] as const) {
    if (v !== '' && Number.isNaN(new Date(v).getTime())) return `${label} is not a valid time.`;
  }
  return undefined;
}

export const sequenceOf = (e: AuditEvent): number => e.arca?.sequence ?? 0;

/** The key an event is about: its first resource's key id, else the keyId it was called with or answered (CreateKey). */
export function keyOf(e: AuditEvent): string {
  const arn = e.resources?.[0]?.ARN;
  if (arn !== undefined) return arn.slice(arn.lastIndexOf('/') + 1);
  const response = e['responseElements'];
  for (const v of [e.requestParameters?.['keyId'], typeof response === 'object' && response !== null ? (response as Record<string, unknown>)['keyId'] : undefined]) {
    if (typeof v === 'string') return v;
  }
  return '';
}

export const principalOf = (e: AuditEvent): string => e.userIdentity?.arn ?? e.userIdentity?.type ?? '';

export const outcomeOf = (e: AuditEvent): string => (e.errorCode === undefined ? 'Success' : e.errorCode);

/**
 * Merges a poll's answer (newest first) into the shown events (newest first): only events newer than the
 * newest shown, so a poll that overlaps the last one adds nothing twice. Keeps at most `max` events.
 */
export function mergeNewer(shown: readonly AuditEvent[], polled: readonly AuditEvent[], max = 500): AuditEvent[] {
  const newest = shown.length === 0 ? 0 : sequenceOf(shown[0] as AuditEvent);
  const fresh = polled.filter((e) => sequenceOf(e) > newest).sort((a, b) => sequenceOf(b) - sequenceOf(a));
  return fresh.length === 0 ? [...shown] : [...fresh, ...shown].slice(0, max);
}

/**
 * Whether an event is this console's own polling (ListAuditEvents by the signed-in access key): the tail
 * hides it by default, or every poll would show up in the tail it feeds.
 */
export function isOwnPoll(e: AuditEvent, accessKeyId: string): boolean {
  return e.eventName === 'ListAuditEvents' && e.userIdentity?.accessKeyId === accessKeyId;
}
