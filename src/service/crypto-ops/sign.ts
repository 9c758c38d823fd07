import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { dryRun, grantTokens, keyIdParam, secretBlob } from '../pipeline/schemas.js';
import { messageType, signingAlgorithm } from './signing.js';

export const sign = defineOperation({
  service: 'TrentService',
  name: 'Sign',
  description: 'Creates a digital signature of a message or digest with an asymmetric signing KMS key.',
  effect: 'use',
  uses: ['primitives'] as const,
  input: z.object({
    KeyId: keyIdParam,
    Message: secretBlob(1, 4096).describe('The message, or message digest, to sign: up to 4096 bytes.'),
    MessageType: messageType.describe('Whether Message is the RAW message (the default), a DIGEST of it, or an ML-DSA EXTERNAL_MU (64 bytes).'),
    GrantTokens: grantTokens,
    SigningAlgorithm: signingAlgorithm.describe('The signing algorithm; it must be one the key spec supports.'),
    DryRun: dryRun,
  }),
  conditions: (c) => [c.scalar('kms:MessageType', (i) => i.MessageType), c.scalar('kms:SigningAlgorithm', (i) => i.SigningAlgorithm)],
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'use', allowAlias: true } },
  dryRun: (i) => i.DryRun === true,
  async check(input, ctx, deps) {
    deps.primitives.signer(ctx.keys.key, input.SigningAlgorithm, input.MessageType, input.Message.length);
  },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    const signature = await deps.primitives.signer(key, input.SigningAlgorithm, input.MessageType, input.Message.length).sign(input.Message);
    return { KeyId: key.arn, Signature: signature, SigningAlgorithm: input.SigningAlgorithm };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, signingAlgorithm: i.SigningAlgorithm, messageType: i.MessageType ?? 'RAW' }),
  auditResponse: (o) => ({ keyId: o.KeyId }),
});
