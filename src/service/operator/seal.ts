import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { auditSealStatus, sealingOf, sealStatusOutput } from './seal-status.js';

/** `ArcaService.Seal`: zeroes the root key, the domain keys and every cached key material. Authenticated. */
export const seal = defineOperation({
  service: 'ArcaService',
  name: 'Seal',
  description: 'Seals the service: zeroes the root key, domain keys and cached key material until the next unseal.',
  effect: 'write',
  uses: ['logger', 'sealing'] as const,
  input: z.object({}),
  keys: {},
  async execute(_input, _ctx, deps) {
    const sealing = sealingOf(deps);
    sealing.seal();
    deps.logger.warn('sealed by an operator');
    return sealStatusOutput(sealing.status());
  },
  auditRequest: () => ({}),
  auditResponse: auditSealStatus,
});
