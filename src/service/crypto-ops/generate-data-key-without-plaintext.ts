import { randomSecret } from '../../crypto/random.js';
import { defineOperation } from '../pipeline/operation.js';
import { generateDataKeyInput } from './generate-data-key.js';
import { callerOf, contextForAudit, dataKeyLength, keyMaterialOf } from './symmetric.js';

export const generateDataKeyWithoutPlaintext = defineOperation({
  service: 'TrentService',
  name: 'GenerateDataKeyWithoutPlaintext',
  description: 'Returns a new symmetric data key encrypted under a KMS key, without its plaintext.',
  effect: 'use',
  uses: ['primitives'] as const,
  input: generateDataKeyInput,
  conditions: (c) => [c.encryptionContext((i) => i.EncryptionContext), c.scalar('kms:KeySpec', (i) => i.KeySpec)],
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'use', allowAlias: true } },
  dryRun: (i) => i.DryRun === true,
  async check(input, ctx, deps) {
    dataKeyLength(input);
    deps.primitives.blobEncrypter(ctx.keys.key, { context: input.EncryptionContext, operation: 'GenerateDataKeyWithoutPlaintext' });
  },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    const encrypter = deps.primitives.blobEncrypter(key, { context: input.EncryptionContext, operation: 'GenerateDataKeyWithoutPlaintext', caller: callerOf(ctx) });
    const plaintext = randomSecret(dataKeyLength(input));
    try {
      const blob = await encrypter.encrypt(plaintext);
      return { CiphertextBlob: blob, KeyId: key.arn, ...keyMaterialOf(key, blob) };
    } finally {
      plaintext.dispose();
    }
  },
  auditRequest: (i) => ({ keyId: i.KeyId, encryptionContext: contextForAudit(i.EncryptionContext), keySpec: i.KeySpec, numberOfBytes: i.NumberOfBytes }),
  auditResponse: (o) => ({ keyId: o.KeyId }),
});
