import { z } from 'zod';
import { macAlgorithm } from './mac.js';
import { defineOperation } from './operation.js';
import { dryRun, grantTokens, keyIdParam, secretBlob } from './schemas.js';

export const generateMac = defineOperation({
  service: 'TrentService',
  name: 'GenerateMac',
  description: 'Computes an HMAC of a message with an HMAC KMS key.',
  effect: 'use',
  input: z.object({ Message: secretBlob(1, 4096), KeyId: keyIdParam, MacAlgorithm: macAlgorithm, GrantTokens: grantTokens, DryRun: dryRun }),
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
