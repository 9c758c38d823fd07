import { z } from 'zod';
import { defineOperation } from './operation.js';
import { auditSealStatus, sealingOf, sealStatusOutput } from './seal-status.js';

/** `ArcaService.GetSealStatus`: sealed or not, threshold, progress, root type. Unauthenticated, works while sealed. */
export const getSealStatus = defineOperation({
  service: 'ArcaService',
  name: 'GetSealStatus',
  action: 'arca:GetSealStatus',
  readOnly: true,
  authentication: 'none',
  input: z.object({}),
  keys: [],
  async execute(_input, _ctx, deps) {
    return sealStatusOutput(sealingOf(deps).status());
  },
  auditRequest: () => ({}),
  auditResponse: auditSealStatus,
});
