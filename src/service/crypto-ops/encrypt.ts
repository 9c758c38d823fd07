import { z } from 'zod';
import type { EncryptionAlgorithm } from '../../core/key.js';
import { defineOperation } from '../pipeline/operation.js';
import { dryRun, encryptionContext, grantTokens, keyIdParam, secretBlob } from '../pipeline/schemas.js';
import { callerOf, contextForAudit, encryptionAlgorithm } from './symmetric.js';

export const encrypt = defineOperation({
  service: 'TrentService',
  name: 'Encrypt',
  description: 'Encrypts up to 4,096 bytes of plaintext under a KMS key.',
  effect: 'use',
  uses: ['primitives'] as const,
  input: z.object({
    KeyId: keyIdParam,
    Plaintext: secretBlob(1, 4096).describe('The data to encrypt, 1 to 4096 bytes.'),
    EncryptionContext: encryptionContext,
    GrantTokens: grantTokens,
    EncryptionAlgorithm: encryptionAlgorithm.describe('The encryption algorithm: SYMMETRIC_DEFAULT (the default) for symmetric keys, an RSAES_OAEP algorithm for RSA keys.'),
    DryRun: dryRun,
  }),
  conditions: (c) => [c.encryptionContext((i) => i.EncryptionContext), c.scalar('kms:EncryptionAlgorithm', (i) => i.EncryptionAlgorithm)],
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'use', allowAlias: true } },
  dryRun: (i) => i.DryRun === true,
  async check(input, ctx, deps) {
    deps.primitives.encrypter(ctx.keys.key, params(input));
  },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    const ciphertext = await deps.primitives.encrypter(key, { ...params(input), caller: callerOf(ctx) }).encrypt(input.Plaintext);
    return { CiphertextBlob: ciphertext, KeyId: key.arn, EncryptionAlgorithm: input.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT' };
  },
  auditRequest: (i) => ({
    keyId: i.KeyId,
    encryptionContext: contextForAudit(i.EncryptionContext),
    encryptionAlgorithm: i.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT',
    plaintextLength: i.Plaintext.length,
  }),
  auditResponse: (o) => ({ keyId: o.KeyId }),
});

function params(input: { EncryptionAlgorithm?: EncryptionAlgorithm | undefined; EncryptionContext: Readonly<Record<string, string>> }) {
  return { algorithm: input.EncryptionAlgorithm, context: input.EncryptionContext, operation: 'Encrypt' };
}
