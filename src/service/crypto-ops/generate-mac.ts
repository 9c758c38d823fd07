import { z } from 'zod';
import { macAlgorithm } from './mac.js';
import { defineOperation } from '../pipeline/operation.js';
import { dryRun, grantTokens, keyIdParam, secretBlob } from '../pipeline/schemas.js';

export const generateMac = defineOperation({
  service: 'TrentService',
  name: 'GenerateMac',
  description: 'Computes an HMAC of a message with an HMAC KMS key.',
  effect: 'use',
  uses: ['primitives'] as const,
  input: z.object({ Message: secretBlob(1, 4096).describe('The message to compute the HMAC of, up to 4096 bytes.'), KeyId: keyIdParam, MacAlgorithm: macAlgorithm.describe('The MAC algorithm; it must be one the HMAC key spec supports.'), GrantTokens: grantTokens, DryRun: dryRun }),
  conditions: (c) => [c.scalar('kms:MacAlgorithm', (i) => i.MacAlgorithm)],
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'use', allowAlias: true } },
  dryRun: (i) => i.DryRun === true,
  async check(input, ctx, deps) {
    deps.primitives.mac(ctx.keys.key, input.MacAlgorithm, 'GenerateMac');
  },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    const mac = deps.primitives.mac(key, input.MacAlgorithm, 'GenerateMac');
    return { Mac: await mac.compute(input.Message), MacAlgorithm: mac.algorithm, KeyId: key.arn };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, macAlgorithm: i.MacAlgorithm }),
  auditResponse: (o) => ({ keyId: o.KeyId }),
});
