import { z } from 'zod';
import { hmac } from '../crypto/kdf.js';
import { MAC_HASH, macHashFor } from '../core/key-capabilities.js';
import { macAlgorithm } from './mac.js';
import { primaryMaterial } from './material.js';
import { defineOperation } from './operation.js';
import { dryRun, grantTokens, keyIdParam, secretBlob } from './schemas.js';

export const generateMac = defineOperation({
  service: 'TrentService',
  name: 'GenerateMac',
  description: 'Computes an HMAC of a message with an HMAC KMS key.',
  effect: 'use',
  uses: ['keys', 'hierarchy', 'clock', 'imports'] as const,
  input: z.object({ Message: secretBlob(1, 4096).describe('The message to compute the HMAC of, up to 4096 bytes.'), KeyId: keyIdParam, MacAlgorithm: macAlgorithm.describe('The MAC algorithm; it must be one the HMAC key spec supports.'), GrantTokens: grantTokens, DryRun: dryRun }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'use', allowAlias: true } },
  dryRun: (i) => i.DryRun === true,
  async check(input, ctx) {
    macHashFor(ctx.keys.key.record, ctx.keys.key.arn, input.MacAlgorithm, 'GenerateMac');
  },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    const algorithm = macHashFor(key.record, key.arn, input.MacAlgorithm, 'GenerateMac');
    const mac = hmac(MAC_HASH[algorithm], await primaryMaterial(deps, key.record), input.Message.expose());
    return { Mac: mac, MacAlgorithm: algorithm, KeyId: key.arn };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, macAlgorithm: i.MacAlgorithm }),
  auditResponse: (o) => ({ keyId: o.KeyId }),
});
