import { z } from 'zod';
import { keyArn } from '../../core/arn.js';
import { KmsError } from '../../core/errors.js';
import { defineOperation } from '../pipeline/operation.js';
import { limit, marker, str } from '../pipeline/schemas.js';
import { chainIdMember, trailFor } from './chain-trail.js';
import { listMergedEvents } from './merged-events.js';

/** A time as epoch seconds or ISO 8601, answered as ISO 8601. */
export const isoTime = z.union([z.number(), str(1, 64)]).transform((v, ctx) => {
  const d = typeof v === 'number' ? new Date(v * 1000) : new Date(v);
  if (Number.isNaN(d.getTime())) {
    ctx.addIssue({ code: 'custom', message: 'Member must be a timestamp (epoch seconds or ISO 8601)' });
    return z.NEVER;
  }
  return d.toISOString();
});

/**
 * ArcaService.ListAuditEvents: the audit trail, newest first, filtered by time range, key, principal,
 * operation, outcome and source IP, paginated with Marker/NextMarker: this node's chain, `ChainId`'s, or
 * with `AllNodes` every node's chain merged by event time (merged-events.ts).
 */
export const listAuditEvents = defineOperation({
  service: 'ArcaService',
  name: 'ListAuditEvents',
  description: 'Lists audit events newest first, filtered by time, key, principal, operation, outcome or source IP.',
  effect: 'read',
  uses: ['realm', 'auditTrail', 'auditChains'] as const,
  input: z
    .object({
      StartTime: isoTime.optional().describe('Returns only the events at or after this instant.'),
      EndTime: isoTime.optional().describe('Returns only the events before this instant.'),
      KeyId: str(1, 2048).optional().describe('Returns only the events about this KMS key (key ID or key ARN).'),
      Principal: str(1, 2048).optional().describe('Returns only the events of this principal (an ARN).'),
      EventName: str(1, 128).optional().describe('Returns only the events of this operation (Encrypt, CreateKey...).'),
      Outcome: z.enum(['Success', 'Failure']).optional().describe('Returns only the events that succeeded (Success) or failed (Failure).'),
      ErrorCode: str(1, 128).optional().describe('Returns only the events that failed with this error code.'),
      SourceIPAddress: str(1, 64).optional().describe('Returns only the events of requests from this IP address.'),
      Limit: limit(1000),
      Marker: marker,
      ChainId: chainIdMember,
      AllNodes: z.boolean().optional().describe("Lists every node's events, merged newest first by time, then node, then sequence (not with ChainId)."),
    })
    .refine((i) => i.AllNodes !== true || i.ChainId === undefined, 'AllNodes and ChainId cannot be given together'),
  keys: {},
  async execute(input, _ctx, deps) {
    const query = {
      from: input.StartTime,
      to: input.EndTime,
      keyArn: input.KeyId === undefined ? undefined : input.KeyId.startsWith('arn:') ? input.KeyId : keyArn(deps.realm, input.KeyId),
      principalArn: input.Principal,
      eventName: input.EventName,
      outcome: input.Outcome === undefined ? undefined : input.Outcome === 'Success' ? ('success' as const) : ('failure' as const),
      errorCode: input.ErrorCode,
      sourceIp: input.SourceIPAddress,
    };
    if (input.AllNodes === true) {
      const merged = await listMergedEvents(deps, query, input.Marker, input.Limit ?? 100);
      return { Events: merged.events, ...(merged.nextMarker !== undefined && { NextMarker: merged.nextMarker }), Truncated: merged.nextMarker !== undefined };
    }
    let before: number | undefined;
    if (input.Marker !== undefined) {
      before = /^[1-9]\d{0,15}$/.test(input.Marker) ? Number(input.Marker) : Number.NaN;
      if (!Number.isSafeInteger(before)) throw new KmsError('InvalidMarker', 'The marker is not valid.');
    }
    const trail = await trailFor(deps, input.ChainId);
    const page = await trail.queryEvents(query, before, input.Limit ?? 100);
    return { Events: page.items, ...(page.next !== undefined && { NextMarker: page.next }), Truncated: page.next !== undefined };
  },
  auditRequest: (i) => ({ ...i }),
});
