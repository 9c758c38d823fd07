import { z } from 'zod';
import { randomSecret } from '../../crypto/random.js';
import { KmsError } from '../../core/errors.js';
import { defineOperation } from '../pipeline/operation.js';
import { dryRun, encryptionContext, grantTokens, keyIdParam } from '../pipeline/schemas.js';
import { callerOf, contextForAudit, dataKeyLength, dataKeyParams, keyMaterialOf } from './symmetric.js';

export const generateDataKeyInput = z.object({
  KeyId: keyIdParam,
  EncryptionContext: encryptionContext,
  ...dataKeyParams,
  GrantTokens: grantTokens,
  DryRun: dryRun,
});

export const generateDataKey = defineOperation({
  service: 'TrentService',
  name: 'GenerateDataKey',
  description: 'Returns a new symmetric data key, in plaintext and encrypted under a KMS key.',
  effect: 'use',
  uses: ['primitives'] as const,
  input: generateDataKeyInput.extend({ Recipient: z.unknown().optional().describe('A Nitro Enclaves attestation document to encrypt the response to (AWS); Arca refuses it.') }),
  conditions: (c) => [c.encryptionContext((i) => i.EncryptionContext), c.scalar('kms:KeySpec', (i) => i.KeySpec)],
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'use', allowAlias: true } },
  dryRun: (i) => i.DryRun === true,
  async check(input, ctx, deps) {
    if (input.Recipient !== undefined) throw new KmsError('UnsupportedOperation', 'Recipient (Nitro Enclaves attestation) is not supported.');
    dataKeyLength(input);
    deps.primitives.blobEncrypter(ctx.keys.key, { context: input.EncryptionContext, operation: 'GenerateDataKey' });
  },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    const encrypter = deps.primitives.blobEncrypter(key, { context: input.EncryptionContext, operation: 'GenerateDataKey', caller: callerOf(ctx) });
    const plaintext = randomSecret(dataKeyLength(input));
    try {
      const blob = await encrypter.encrypt(plaintext);
      return { CiphertextBlob: blob, Plaintext: plaintext, KeyId: key.arn, ...keyMaterialOf(key, blob) };
    } catch (e) {
      plaintext.dispose();
      throw e;
    }
  },
  auditRequest: (i) => ({ keyId: i.KeyId, encryptionContext: contextForAudit(i.EncryptionContext), keySpec: i.KeySpec, numberOfBytes: i.NumberOfBytes }),
  auditResponse: (o) => ({ keyId: o.KeyId }),
});
