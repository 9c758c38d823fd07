import { z } from 'zod';
import { defineOperation } from './operation.js';
import { isAsymmetricKey, rsaEncrypt } from './rsa-encryption.js';
import { dryRun, encryptionContext, grantTokens, keyIdParam, secretBlob } from './schemas.js';
import { contextForAudit, encryptionAlgorithm, encryptUnder, stopIfDryRun } from './symmetric.js';

export const encrypt = defineOperation({
  service: 'TrentService',
  name: 'Encrypt',
  description: 'Encrypts up to 4,096 bytes of plaintext under a KMS key.',
  effect: 'use',
  input: z.object({
    KeyId: keyIdParam,
    Plaintext: secretBlob(1, 4096),
    EncryptionContext: encryptionContext,
    GrantTokens: grantTokens,
    EncryptionAlgorithm: encryptionAlgorithm,
    DryRun: dryRun,
  }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'use', allowAlias: true } },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    try {
      if (isAsymmetricKey(key.record)) {
        const ciphertext = await rsaEncrypt(deps, key, input.Plaintext, input.EncryptionContext, input.EncryptionAlgorithm);
        stopIfDryRun(input.DryRun);
        return { CiphertextBlob: ciphertext, KeyId: key.arn, EncryptionAlgorithm: input.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT' };
      }
      const blob = await encryptUnder(deps, key, input.Plaintext, input.EncryptionContext, input.EncryptionAlgorithm, 'Encrypt');
      stopIfDryRun(input.DryRun);
      return { CiphertextBlob: blob, KeyId: key.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    } finally {
      input.Plaintext.dispose();
    }
  },
  auditRequest: (i) => ({
    keyId: i.KeyId,
    encryptionContext: contextForAudit(i.EncryptionContext),
    encryptionAlgorithm: i.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT',
    plaintextLength: i.Plaintext.length,
  }),
  auditResponse: (o) => ({ keyId: o.KeyId }),
});
