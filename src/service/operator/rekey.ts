import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { checkShareParams, sealingOf } from './seal-status.js';
import { secretBlob } from '../pipeline/schemas.js';

/**
 * `ArcaService.Rekey` (`arca operator rekey`): replaces the share set, given a quorum of the current
 * shares; the root key itself is unchanged, so nothing is rewrapped. Old shares stop working at once.
 * Authenticated (arca:Rekey) and only while unsealed. No share is audited.
 */
export const rekey = defineOperation({
  service: 'ArcaService',
  name: 'Rekey',
  description: 'Replaces the set of unseal shares, given a quorum of the current ones; the root key is unchanged.',
  effect: 'write',
  uses: ['sealing'] as const,
  input: z.object({
    CurrentShares: z.array(secretBlob(11, 1024)).min(1).max(16).describe('A quorum of the current unseal key shares.'),
    Shares: z.number().int().min(1).max(16).optional().describe('How many new unseal key shares to create (1 to 16).'),
    Threshold: z.number().int().min(1).max(16).optional().describe('How many of the new shares it will take to unseal (1 to Shares).'),
  }),
  keys: {},
  // The pipeline zeroes the current shares (SecretBytes of the input) once the request ends.
  async execute(input, _ctx, deps) {
    const { shares, threshold } = checkShareParams(input.Shares, input.Threshold);
    const sealing = sealingOf(deps);
    const out = await sealing.rekey(input.CurrentShares.map((s) => s.expose()), shares, threshold);
    return { UnsealShares: out, Shares: shares, Threshold: threshold, ShareSetId: sealing.status().shareSetId };
  },
  auditRequest: (i) => ({ currentShares: i.CurrentShares.length, shares: i.Shares, threshold: i.Threshold }),
  auditResponse: (o) => ({ shares: o.Shares, threshold: o.Threshold, shareSetId: o.ShareSetId }),
});
