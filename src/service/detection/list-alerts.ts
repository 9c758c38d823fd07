import { z } from 'zod';
import { keyArn } from '../../core/arn.js';
import type { AuditEvent } from '../../core/audit.js';
import { KmsError } from '../../core/errors.js';
import type { AuditTrail } from '../../core/ports.js';
import { isoTime } from '../audit-trail/list-audit-events.js';
import { defineOperation } from '../pipeline/operation.js';
import { limit, marker, str } from '../pipeline/schemas.js';
import { ALERT_EVENT, alertOfEvent } from './alert.js';

/** The event name of an acknowledgement (the AcknowledgeAlert operation's own events). */
export const ACKNOWLEDGE_EVENT = 'AcknowledgeAlert';
/** Events read per query while filtering, and read at most per call (a call past it answers a NextMarker to go on). */
const BATCH = 200;
const MAX_SCANNED = 10_000;
/** Acknowledgements read at most (newest first): an older one is not shown. */
const MAX_ACKS = 10_000;

interface Acknowledgement {
  readonly by: string;
  readonly at: string;
  readonly note?: string | undefined;
}

/** The latest successful acknowledgement of each alert, from the trail. */
async function acknowledgements(trail: AuditTrail): Promise<Map<string, Acknowledgement>> {
  const acks = new Map<string, Acknowledgement>();
  let before: number | undefined;
  for (let read = 0; read < MAX_ACKS; read += BATCH) {
    const page = await trail.queryEvents({ eventName: ACKNOWLEDGE_EVENT, outcome: 'success' }, before, BATCH);
    for (const e of page.items) {
      const id = e.requestParameters?.['alertId'];
      const note = e.requestParameters?.['note'];
      if (typeof id === 'string' && !acks.has(id)) acks.set(id, { by: e.userIdentity.arn ?? '', at: e.eventTime, note: typeof note === 'string' ? note : undefined });
    }
    if (page.next === undefined) break;
    before = Number(page.next);
  }
  return acks;
}

/**
 * `ArcaService.ListAlerts`: the anomaly alerts recorded in the audit trail (events named `Alert`), newest
 * first, each with its acknowledgement if any; filtered by rule, principal, key, time and state, paged
 * with Marker/NextMarker (a sequence in the trail).
 */
export const listAlerts = defineOperation({
  service: 'ArcaService',
  name: 'ListAlerts',
  description: 'Lists anomaly alerts from the audit trail, newest first, filtered by rule, principal, key, time or acknowledgement.',
  effect: 'read',
  uses: ['realm', 'auditTrail'] as const,
  input: z.object({
    Rule: str(1, 64).optional().describe('Returns only the alerts of this rule (its name, such as failure-burst).'),
    Principal: str(1, 2048).optional().describe('Returns only the alerts about this principal (an ARN).'),
    KeyId: str(1, 2048).optional().describe('Returns only the alerts about this KMS key (key ID or key ARN).'),
    StartTime: isoTime.optional().describe('Returns only the alerts raised at or after this instant.'),
    EndTime: isoTime.optional().describe('Returns only the alerts raised before this instant.'),
    Acknowledged: z.boolean().optional().describe('true: only acknowledged alerts; false: only those not acknowledged yet.'),
    Limit: limit(1000),
    Marker: marker,
  }),
  keys: {},
  async execute(input, _ctx, deps) {
    let before: number | undefined;
    if (input.Marker !== undefined) {
      before = /^[1-9]\d{0,15}$/.test(input.Marker) ? Number(input.Marker) : Number.NaN;
      if (!Number.isSafeInteger(before)) throw new KmsError('InvalidMarker', 'The marker is not valid.');
    }
    const acks = await acknowledgements(deps.auditTrail);
    const wanted = input.Limit ?? 100;
    const key = input.KeyId === undefined ? undefined : input.KeyId.startsWith('arn:') ? input.KeyId : keyArn(deps.realm, input.KeyId);
    const alerts: Record<string, unknown>[] = [];
    let next: string | undefined;
    const matches = (a: Record<string, unknown>): boolean =>
      (input.Rule === undefined || a['rule'] === input.Rule) &&
      (input.Principal === undefined || a['principal'] === input.Principal) &&
      (input.Acknowledged === undefined || acks.has(String(a['alertId'])) === input.Acknowledged);
    scan: for (let scanned = 0; ; scanned += BATCH) {
      const page = await deps.auditTrail.queryEvents({ eventName: ALERT_EVENT, keyArn: key, from: input.StartTime, to: input.EndTime }, before, BATCH);
      for (const e of page.items) {
        const a = alertOfEvent(e);
        if (a === undefined || !matches(a)) continue;
        const ack = acks.get(String(a['alertId']));
        alerts.push({ ...a, acknowledged: ack !== undefined, ...(ack !== undefined && { acknowledgement: ack }) });
        if (alerts.length === wanted) {
          next = page.next !== undefined || e !== page.items.at(-1) ? cursorOf(e) : undefined;
          break scan;
        }
      }
      if (page.next === undefined) break;
      before = Number(page.next);
      if (scanned + BATCH >= MAX_SCANNED) {
        next = page.next;
        break;
      }
    }
    return { Alerts: alerts, ...(next !== undefined && { NextMarker: next }), Truncated: next !== undefined };
  },
  auditRequest: (i) => ({ ...i }),
});

function cursorOf(e: AuditEvent): string | undefined {
  return e.arca === undefined ? undefined : String(e.arca.sequence);
}
