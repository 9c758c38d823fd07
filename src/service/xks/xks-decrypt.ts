import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { blob } from '../pipeline/schemas.js';
import { exposedKey, requestMetadata, requireExposure, xksAudit, xksConditions, xksKeyId } from './xks-common.js';
import { XKS_MAX_AAD, XKS_MAX_PLAINTEXT } from './xks-encrypt.js';

export const xksDecrypt = defineOperation({
  service: 'ArcaService',
  name: 'XksDecrypt',
  description: 'XKS proxy API Decrypt: opens an XksEncrypt ciphertext under the key version its metadata names.',
  effect: 'use',
  uses: ['primitives', 'xks'] as const,
  input: z.object({
    XksKeyId: xksKeyId,
    KeyId: exposedKey,
    RequestMetadata: requestMetadata,
    Ciphertext: blob(0, XKS_MAX_PLAINTEXT).describe('The ciphertext XksEncrypt answered.'),
    CiphertextMetadata: blob(1, 20).optional().describe('The ciphertextMetadata XksEncrypt answered (format and key version).'),
    InitializationVector: blob(12, 16).describe('The 12-byte IV XksEncrypt answered (the spec allows 16).'),
    AuthenticationTag: blob(16, 16).describe('The 16-byte GCM tag XksEncrypt answered.'),
    AdditionalAuthenticatedData: blob(0, XKS_MAX_AAD).optional().describe('The AAD given to XksEncrypt.'),
    EncryptionAlgorithm: z.literal('AES_GCM').describe('The algorithm: AES_GCM (XKS v1).'),
  }),
  conditions: xksConditions,
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'use', allowAlias: true } },
  async check(input, ctx, deps) {
    requireExposure(deps.xks, ctx.principal, input, 'decrypt');
    deps.primitives.xks(ctx.keys.key, 'XksDecrypt');
  },
  async execute(input, ctx, deps) {
    const plaintext = await deps.primitives.xks(ctx.keys.key, 'XksDecrypt').decrypt({
      ciphertext: input.Ciphertext,
      initializationVector: input.InitializationVector,
      authenticationTag: input.AuthenticationTag,
      ciphertextMetadata: input.CiphertextMetadata,
      additionalAuthenticatedData: input.AdditionalAuthenticatedData,
    });
    return { Plaintext: plaintext, KeyArn: ctx.keys.key.arn };
  },
  auditRequest: (i) => ({ ...xksAudit(i), aadLength: i.AdditionalAuthenticatedData?.length ?? 0 }),
  auditResponse: (o) => ({ keyId: o.KeyArn }),
});
