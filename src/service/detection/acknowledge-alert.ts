import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { defineOperation } from '../pipeline/operation.js';
import { str } from '../pipeline/schemas.js';
import { alertOfEvent } from './alert.js';

/**
 * `ArcaService.AcknowledgeAlert`: marks an alert as seen by an operator. The acknowledgement is this
 * request's own audit event (who, when, the note), which ListAlerts joins to the alert: the trail stays
 * the only record, and acknowledging twice is harmless.
 */
export const acknowledgeAlert = defineOperation({
  service: 'ArcaService',
  name: 'AcknowledgeAlert',
  description: 'Acknowledges an anomaly alert; the acknowledgement (who, when, an optional note) is recorded in the audit trail.',
  effect: 'write',
  uses: ['auditTrail'] as const,
  input: z.object({
    AlertId: str(1, 64).describe('The alert to acknowledge: its AlertId as ListAlerts shows it.'),
    Note: str(1, 1024).optional().describe('Why the alert is acknowledged (what was found, what was done).'),
  }),
  keys: {},
  async execute(input, _ctx, deps) {
    const event = await deps.auditTrail.getEvent(input.AlertId);
    if (event === undefined || alertOfEvent(event) === undefined) throw new KmsError('NotFound', `Alert '${input.AlertId}' does not exist`);
    return { AlertId: input.AlertId, Acknowledged: true };
  },
  auditRequest: (i) => ({ alertId: i.AlertId, ...(i.Note !== undefined && { note: i.Note }) }),
});
