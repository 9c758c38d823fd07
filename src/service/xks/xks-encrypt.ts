import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { defineOperation } from '../pipeline/operation.js';
import { blob, secretBlob } from '../pipeline/schemas.js';
import { exposedKey, requestMetadata, requireExposure, xksAudit, xksConditions, xksKeyId } from './xks-common.js';

/** The spec's minimum is 4,300 bytes of plaintext and 8,192 of AAD; Arca takes what the AAD length prefix can say. */
export const XKS_MAX_PLAINTEXT = 8192;
export const XKS_MAX_AAD = 8192;

export const xksEncrypt = defineOperation({
  service: 'ArcaService',
  name: 'XksEncrypt',
  description: 'XKS proxy API Encrypt: AES-256-GCM under an Arca key exposed to AWS KMS as an external key.',
  effect: 'use',
  uses: ['primitives', 'xks'] as const,
  input: z.object({
    XksKeyId: xksKeyId,
    KeyId: exposedKey,
    RequestMetadata: requestMetadata,
    Plaintext: secretBlob(0, XKS_MAX_PLAINTEXT).describe('The data to encrypt (AWS KMS sends data keys and Encrypt plaintexts).'),
    AdditionalAuthenticatedData: blob(0, XKS_MAX_AAD).optional().describe('The AAD AWS KMS binds the ciphertext to (its own ciphertext header and context digest).'),
    EncryptionAlgorithm: z.literal('AES_GCM').describe('The algorithm: AES_GCM (XKS v1).'),
    CiphertextDataIntegrityValueAlgorithm: z.literal('SHA_256').optional().describe('Asks for the CDIV: SHA_256 (XKS v1).'),
  }),
  conditions: xksConditions,
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'use', allowAlias: true } },
  async check(input, ctx, deps) {
    const exposure = requireExposure(deps.xks, ctx.principal, input, 'encrypt');
    // The CDIV promises that the ciphertext decrypts, which Arca checks by decrypting it (the spec's
    // appendix C): an encrypt-only key cannot, and AWS's test client expects the refusal.
    if (input.CiphertextDataIntegrityValueAlgorithm !== undefined && !exposure.operations.includes('decrypt')) throw new KmsError('InvalidKeyUsage', `External key ${input.XksKeyId} does not allow decrypt, which a CDIV needs.`);
    deps.primitives.xks(ctx.keys.key, 'XksEncrypt');
  },
  async execute(input, ctx, deps) {
    const sealed = await deps.primitives.xks(ctx.keys.key, 'XksEncrypt').encrypt(input.Plaintext, input.AdditionalAuthenticatedData, input.CiphertextDataIntegrityValueAlgorithm !== undefined);
    return { ...sealed, KeyArn: ctx.keys.key.arn, KeyVersion: ctx.keys.key.record.primaryVersion };
  },
  auditRequest: (i) => ({ ...xksAudit(i), plaintextLength: i.Plaintext.length, aadLength: i.AdditionalAuthenticatedData?.length ?? 0, cdiv: i.CiphertextDataIntegrityValueAlgorithm !== undefined }),
  auditResponse: (o) => ({ keyId: o.KeyArn, keyVersion: o.KeyVersion }),
});
