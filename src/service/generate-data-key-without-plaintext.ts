import { randomSecret } from '../crypto/random.js';
import { defineOperation } from './operation.js';
import { generateDataKeyInput } from './generate-data-key.js';
import { checkAlgorithm, contextForAudit, dataKeyLength, encryptUnder } from './symmetric.js';

export const generateDataKeyWithoutPlaintext = defineOperation({
  service: 'TrentService',
  name: 'GenerateDataKeyWithoutPlaintext',
  description: 'Returns a new symmetric data key encrypted under a KMS key, without its plaintext.',
  effect: 'use',
  uses: ['keys', 'hierarchy', 'clock', 'imports'] as const,
  input: generateDataKeyInput,
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'use', allowAlias: true } },
  dryRun: (i) => i.DryRun === true,
  async check(input, ctx) {
    dataKeyLength(input);
    checkAlgorithm(ctx.keys.key, undefined, 'GenerateDataKeyWithoutPlaintext');
  },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    const plaintext = randomSecret(dataKeyLength(input));
    try {
      const blob = await encryptUnder(deps, key, plaintext, input.EncryptionContext, undefined, 'GenerateDataKeyWithoutPlaintext');
      return { CiphertextBlob: blob, KeyId: key.arn };
    } finally {
      plaintext.dispose();
    }
  },
  auditRequest: (i) => ({ keyId: i.KeyId, encryptionContext: contextForAudit(i.EncryptionContext), keySpec: i.KeySpec, numberOfBytes: i.NumberOfBytes }),
  auditResponse: (o) => ({ keyId: o.KeyId }),
});
