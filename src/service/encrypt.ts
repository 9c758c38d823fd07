import { z } from 'zod';
import { defineOperation } from './operation.js';
import { checkEncryptionKey, isAsymmetricKey, rsaEncrypt } from './rsa-encryption.js';
import { dryRun, encryptionContext, grantTokens, keyIdParam, secretBlob } from './schemas.js';
import { contextForAudit, encryptionAlgorithm, encryptUnder } from './symmetric.js';

export const encrypt = defineOperation({
  service: 'TrentService',
  name: 'Encrypt',
  description: 'Encrypts up to 4,096 bytes of plaintext under a KMS key.',
  effect: 'use',
  uses: ['keys', 'hierarchy', 'clock', 'imports'] as const,
  input: z.object({
    KeyId: keyIdParam,
    Plaintext: secretBlob(1, 4096).describe('The data to encrypt, 1 to 4096 bytes.'),
    EncryptionContext: encryptionContext,
    GrantTokens: grantTokens,
    EncryptionAlgorithm: encryptionAlgorithm.describe('The encryption algorithm: SYMMETRIC_DEFAULT (the default) for symmetric keys, an RSAES_OAEP algorithm for RSA keys.'),
    DryRun: dryRun,
  }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'use', allowAlias: true } },
  dryRun: (i) => i.DryRun === true,
  async check(input, ctx) {
    checkEncryptionKey(ctx.keys.key, input.EncryptionAlgorithm, input.EncryptionContext, 'Encrypt');
  },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    if (isAsymmetricKey(key.record)) {
      const ciphertext = await rsaEncrypt(deps, key, input.Plaintext, input.EncryptionContext, input.EncryptionAlgorithm);
      return { CiphertextBlob: ciphertext, KeyId: key.arn, EncryptionAlgorithm: input.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT' };
    }
    const blob = await encryptUnder(deps, key, input.Plaintext, input.EncryptionContext, input.EncryptionAlgorithm, 'Encrypt');
    return { CiphertextBlob: blob, KeyId: key.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
  },
  auditRequest: (i) => ({
    keyId: i.KeyId,
    encryptionContext: contextForAudit(i.EncryptionContext),
    encryptionAlgorithm: i.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT',
    plaintextLength: i.Plaintext.length,
  }),
  auditResponse: (o) => ({ keyId: o.KeyId }),
});
