import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import type { EncryptionAlgorithm } from '../../core/key.js';
import { defineOperation } from '../pipeline/operation.js';
import { blob, dryRun, encryptionContext, grantTokens, keyIdParam } from '../pipeline/schemas.js';
import { requireKeyUsage } from '../../core/key-capabilities.js';
import { blobKeyId, callerOf, ciphertextOf, ciphertextRule, contextForAudit, decryptionKey, dryRunModifiers, encryptionAlgorithm, ignoresCiphertext, keyMaterialOf, MAX_CIPHERTEXT_BLOB } from './symmetric.js';

export const decrypt = defineOperation({
  service: 'TrentService',
  name: 'Decrypt',
  description: 'Decrypts a ciphertext that was encrypted under a KMS key.',
  effect: 'use',
  uses: ['primitives'] as const,
  input: z.object({
    CiphertextBlob: blob(1, MAX_CIPHERTEXT_BLOB).optional().describe('The ciphertext to decrypt (required, except in a DryRun with DryRunModifiers IGNORE_CIPHERTEXT).'),
    EncryptionContext: encryptionContext,
    GrantTokens: grantTokens,
    KeyId: keyIdParam.optional(),
    EncryptionAlgorithm: encryptionAlgorithm.describe('The algorithm the data was encrypted with (SYMMETRIC_DEFAULT by default); it must match.'),
    Recipient: z.unknown().optional().describe('A Nitro Enclaves attestation document to encrypt the response to (AWS); Arca refuses it.'),
    DryRun: dryRun,
    DryRunModifiers: dryRunModifiers,
  }).superRefine(ciphertextRule('KeyId')),
  // Without a KeyId the key is the one the blob names (an unauthenticated header: a key id naming no key
  // is an invalid ciphertext). With one, that key is resolved (asymmetric ciphertexts are raw RSA output
  // and name no key), and a symmetric blob must name the same key.
  conditions: (c) => [c.encryptionContext((i) => i.EncryptionContext), c.scalar('kms:EncryptionAlgorithm', (i) => i.EncryptionAlgorithm)],
  keys: {
    fromBlob: { required: false, ref: (i) => (i.KeyId === undefined && i.CiphertextBlob !== undefined ? blobKeyId(i.CiphertextBlob) : undefined), access: 'use', allowAlias: false, fromCiphertext: true },
    named: { required: false, ref: (i) => i.KeyId, access: 'use', allowAlias: true },
  },
  dryRun: (i) => i.DryRun === true,
  async check(input, ctx, deps) {
    const key = decryptionKey(ctx.keys.fromBlob, ctx.keys.named);
    if (input.Recipient !== undefined) throw new KmsError('UnsupportedOperation', 'Recipient (Nitro Enclaves attestation) is not supported.');
    // A DryRun that ignores the ciphertext checks the permissions (done) and that the key can decrypt.
    if (ignoresCiphertext(input)) return requireKeyUsage(key.record, key.arn, 'ENCRYPT_DECRYPT', 'Decrypt');
    // The decrypter's check answers IncorrectKey (as AWS) when a symmetric blob names another key than the
    // caller's KeyId: it compares two values the caller holds, before any material is touched, and says
    // nothing about the key the header names (not even whether it exists) (docs/ciphertext-format.md).
    deps.primitives.decrypter(key, params(input));
  },
  async execute(input, ctx, deps) {
    const key = decryptionKey(ctx.keys.fromBlob, ctx.keys.named);
    const plaintext = await deps.primitives.decrypter(key, { ...params(input), caller: callerOf(ctx) }).decrypt();
    return { KeyId: key.arn, Plaintext: plaintext, EncryptionAlgorithm: input.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT', ...keyMaterialOf(key, ciphertextOf(input)) };
  },
  auditRequest: (i) => ({
    keyId: i.KeyId,
    encryptionContext: contextForAudit(i.EncryptionContext),
    encryptionAlgorithm: i.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT',
  }),
  // The generation of material that decrypted (a 64-hex id, as DescribeKey's CurrentKeyMaterialId): what
  // `arca report reencryption` counts to tell when old material can be retired.
  auditResponse: (o) => ({ keyId: o.KeyId, ...(o.KeyMaterialId !== undefined && { keyMaterialId: o.KeyMaterialId }) }),
});

function params(input: { EncryptionAlgorithm?: EncryptionAlgorithm | undefined; EncryptionContext: Readonly<Record<string, string>>; CiphertextBlob?: Buffer | undefined }) {
  return { algorithm: input.EncryptionAlgorithm, context: input.EncryptionContext, ciphertext: ciphertextOf(input), operation: 'Decrypt' };
}
