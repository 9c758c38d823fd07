import { z } from 'zod';
import { SecretText } from '../../crypto/secret-text.js';
import { defineOperation } from '../pipeline/operation.js';
import { checkShareParams, sealingOf } from './seal-status.js';

/**
 * `ArcaService.InitializeRoot` (`arca operator init`): creates the root of trust, the first domain key
 * and the initial administrator, and returns the unseal shares and the administrator's access key, once.
 * The only operation allowed unauthenticated that changes state, and only while uninitialized; the
 * service stays sealed afterwards. Neither the shares nor the secret are audited.
 */
export const initializeRoot = defineOperation({
  service: 'ArcaService',
  name: 'InitializeRoot',
  description: 'Initializes a new store: creates the root of trust and the first administrator, and returns the unseal shares once.',
  effect: 'write',
  uses: ['sealing'] as const,
  authentication: 'none',
  input: z.object({ Shares: z.number().int().min(1).max(16).optional().describe('How many unseal key shares to split the unseal key into (1 to 16).'), Threshold: z.number().int().min(1).max(16).optional().describe('How many of the shares it takes to unseal (1 to Shares).') }),
  keys: {},
  async execute(input, _ctx, deps) {
    const { shares, threshold } = checkShareParams(input.Shares, input.Threshold);
    const result = await sealingOf(deps).initialize(shares, threshold);
    const status = sealingOf(deps).status();
    return {
      UnsealShares: result.shares,
      Shares: shares,
      Threshold: threshold,
      ShareSetId: status.shareSetId,
      RootType: status.kind,
      AdminArn: result.admin.principalArn,
      AdminAccessKeyId: result.admin.accessKeyId,
      // Access-key secrets are text on the wire (not encoded bytes); the transport zeroes it once sent.
      AdminSecretAccessKey: SecretText.adopt(result.admin.secretAccessKey),
    };
  },
  auditRequest: (i) => ({ shares: i.Shares, threshold: i.Threshold }),
  auditResponse: (o) => ({ shares: o.Shares, threshold: o.Threshold, shareSetId: o.ShareSetId, adminArn: o.AdminArn, adminAccessKeyId: o.AdminAccessKeyId }),
});
