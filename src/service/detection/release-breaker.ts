import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { defineOperation } from '../pipeline/operation.js';
import { str } from '../pipeline/schemas.js';
import { breakerJson } from './alert.js';

/**
 * `ArcaService.ReleaseBreaker`: an administrator ends a circuit breaker before its time (or one set
 * until released); the requests it refused work again at once. Audited like every request, with the
 * breaker it released. Breakers are per node (docs/monitoring.md): this releases the one on the node asked.
 * The breaker lives in memory, outside the audit transaction: if the event cannot be made durable the
 * caller gets an error, yet the breaker stays released (releasing again answers NotFound).
 */
export const releaseBreaker = defineOperation({
  service: 'ArcaService',
  name: 'ReleaseBreaker',
  description: 'Releases a circuit breaker that anomaly detection tripped on a key or a principal on a key (on the node asked).',
  effect: 'write',
  uses: ['breakers'] as const,
  input: z.object({
    BreakerId: str(1, 64).describe('The breaker to release: its BreakerId as ListBreakers or the refusal message shows it.'),
    Reason: str(1, 1024).optional().describe('Why it is released, for the audit trail.'),
  }),
  keys: {},
  async execute(input, _ctx, deps) {
    const released = deps.breakers.release(input.BreakerId);
    if (released === undefined) throw new KmsError('NotFound', `Circuit breaker '${input.BreakerId}' is not in force on this node`);
    return { Breaker: breakerJson(released) };
  },
  auditResponse: (o) => ({ breaker: o.Breaker }),
  auditRequest: (i) => ({ breakerId: i.BreakerId, ...(i.Reason !== undefined && { reason: i.Reason }) }),
});
