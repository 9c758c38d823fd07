import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { auditSealStatus, sealingOf, sealStatusOutput } from './seal-status.js';
import { secretBlob } from '../pipeline/schemas.js';

/**
 * `ArcaService.Unseal`: one custodian's share towards the quorum. Unauthenticated, as Vault's unseal: the
 * share is the credential, and the access keys cannot be checked before the root is open. A wrong,
 * duplicate or mixed-set share fails closed and resets progress. The share is never audited. An HSM root
 * takes no share: Unseal reconnects to the token (after an operator's seal or a rejected PIN).
 */
export const unseal = defineOperation({
  service: 'ArcaService',
  name: 'Unseal',
  description: 'Submits one unseal share (or reconnects an HSM root); the service unseals once the threshold is reached.',
  effect: 'write',
  uses: ['sealing'] as const,
  authentication: 'none',
  input: z.object({ Share: secretBlob(11, 1024).optional().describe('One unseal key share, presented by one custodian; absent, the request only reports the progress.') }),
  keys: {},
  // The pipeline zeroes the share (a SecretBytes of the input) once the request ends.
  async execute(input, _ctx, deps) {
    return sealStatusOutput(await sealingOf(deps).unseal(input.Share?.expose()));
  },
  auditRequest: () => ({}),
  auditResponse: auditSealStatus,
});
