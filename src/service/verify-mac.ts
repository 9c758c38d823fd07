import { z } from 'zod';
import { constantTimeEqual, hmac } from '../crypto/kdf.js';
import { KmsError } from '../core/errors.js';
import { MAC_HASH, macHashFor } from '../core/key-capabilities.js';
import { macAlgorithm } from './mac.js';
import { primaryMaterial } from './material.js';
import { defineOperation } from './operation.js';
import { blob, dryRun, grantTokens, keyIdParam, secretBlob } from './schemas.js';

export const verifyMac = defineOperation({
  service: 'TrentService',
  name: 'VerifyMac',
  description: 'Verifies an HMAC of a message with an HMAC KMS key.',
  effect: 'use',
  uses: ['keys', 'hierarchy', 'clock', 'imports'] as const,
  input: z.object({ Message: secretBlob(1, 4096).describe('The message the HMAC was computed of.'), KeyId: keyIdParam, MacAlgorithm: macAlgorithm.describe('The MAC algorithm the HMAC was computed with.'), Mac: blob(1, 6144).describe('The HMAC to verify.'), GrantTokens: grantTokens, DryRun: dryRun }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'use', allowAlias: true } },
  dryRun: (i) => i.DryRun === true,
  async check(input, ctx) {
    macHashFor(ctx.keys.key.record, ctx.keys.key.arn, input.MacAlgorithm, 'VerifyMac');
  },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    const algorithm = macHashFor(key.record, key.arn, input.MacAlgorithm, 'VerifyMac');
    const expected = hmac(MAC_HASH[algorithm], await primaryMaterial(deps, key.record), input.Message.expose());
    // Constant-time: the comparison takes the same time wherever the tags differ (unequal lengths fail at once).
    const valid = constantTimeEqual(expected, input.Mac);
    if (!valid) throw new KmsError('MacMismatch', 'The MAC is not valid for this key, message and MAC algorithm.');
    return { KeyId: key.arn, MacValid: true, MacAlgorithm: algorithm };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, macAlgorithm: i.MacAlgorithm }),
  auditResponse: (o) => ({ keyId: o.KeyId }),
});
