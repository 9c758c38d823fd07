import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { defineOperation } from '../pipeline/operation.js';
import { blob, dryRun, grantTokens, keyIdParam, secretBlob } from '../pipeline/schemas.js';
import { messageType, signingAlgorithm } from './signing.js';

export const verify = defineOperation({
  service: 'TrentService',
  name: 'Verify',
  description: 'Verifies a digital signature made with an asymmetric signing KMS key.',
  effect: 'use',
  uses: ['primitives'] as const,
  input: z.object({
    KeyId: keyIdParam,
    Message: secretBlob(1, 4096).describe('The message, or message digest, that was signed.'),
    MessageType: messageType.describe('Whether Message is the RAW message (the default), a DIGEST of it, or an ML-DSA EXTERNAL_MU (64 bytes).'),
    Signature: blob(1, 6144).describe('The signature to verify.'),
    SigningAlgorithm: signingAlgorithm.describe('The signing algorithm the message was signed with.'),
    GrantTokens: grantTokens,
    DryRun: dryRun,
  }),
  conditions: (c) => [c.scalar('kms:MessageType', (i) => i.MessageType), c.scalar('kms:SigningAlgorithm', (i) => i.SigningAlgorithm)],
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'use', allowAlias: true } },
  dryRun: (i) => i.DryRun === true,
  async check(input, ctx, deps) {
    deps.primitives.verifier(ctx.keys.key, input.SigningAlgorithm, input.MessageType, input.Message.length);
  },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    const valid = await deps.primitives.verifier(key, input.SigningAlgorithm, input.MessageType, input.Message.length).verify(input.Message, input.Signature);
    if (!valid) throw new KmsError('SignatureMismatch', 'The signature is not valid for this key, message and signing algorithm.');
    return { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: input.SigningAlgorithm };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, signingAlgorithm: i.SigningAlgorithm, messageType: i.MessageType ?? 'RAW' }),
  auditResponse: (o) => ({ keyId: o.KeyId }),
});
