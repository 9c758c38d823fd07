import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { auditSealStatus, sealingOf, sealStatusOutput } from './seal-status.js';

/** `ArcaService.GetSealStatus`: sealed or not, threshold, progress, root type. Unauthenticated, works while sealed. */
export const getSealStatus = defineOperation({
  service: 'ArcaService',
  name: 'GetSealStatus',
  description: 'Tells whether the service is sealed, with the unseal threshold, progress and root of trust type.',
  effect: 'read',
  uses: ['hierarchy', 'sealing'] as const,
  authentication: 'none',
  input: z.object({}),
  keys: {},
  async execute(_input, _ctx, deps) {
    if (deps.sealing === undefined) {
      // Dev mode: the insecure dev root has no seal life cycle; it is open whenever the keys are.
      return sealStatusOutput({ kind: 'insecure-dev-file', initialized: true, sealed: !deps.hierarchy.isOpen, threshold: 0, shares: 0, progress: 0 });
    }
    return sealStatusOutput(await sealingOf(deps).currentStatus());
  },
  auditRequest: () => ({}),
  auditResponse: auditSealStatus,
});
