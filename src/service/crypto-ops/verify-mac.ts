import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { macAlgorithm } from './mac.js';
import { defineOperation } from '../pipeline/operation.js';
import { blob, dryRun, grantTokens, keyIdParam, secretBlob } from '../pipeline/schemas.js';

export const verifyMac = defineOperation({
  service: 'TrentService',
  name: 'VerifyMac',
  description: 'Verifies an HMAC of a message with an HMAC KMS key.',
  effect: 'use',
  uses: ['primitives'] as const,
  input: z.object({ Message: secretBlob(1, 4096).describe('The message the HMAC was computed of.'), KeyId: keyIdParam, MacAlgorithm: macAlgorithm.describe('The MAC algorithm the HMAC was computed with.'), Mac: blob(1, 6144).describe('The HMAC to verify.'), GrantTokens: grantTokens, DryRun: dryRun }),
  conditions: (c) => [c.scalar('kms:MacAlgorithm', (i) => i.MacAlgorithm)],
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'use', allowAlias: true } },
  dryRun: (i) => i.DryRun === true,
  async check(input, ctx, deps) {
    deps.primitives.mac(ctx.keys.key, input.MacAlgorithm, 'VerifyMac');
  },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    const mac = deps.primitives.mac(key, input.MacAlgorithm, 'VerifyMac');
    // The comparison is constant-time (custody's Mac.verify).
    if (!(await mac.verify(input.Message, input.Mac))) throw new KmsError('MacMismatch', 'The MAC is not valid for this key, message and MAC algorithm.');
    return { KeyId: key.arn, MacValid: true, MacAlgorithm: mac.algorithm };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, macAlgorithm: i.MacAlgorithm }),
  auditResponse: (o) => ({ keyId: o.KeyId }),
});
