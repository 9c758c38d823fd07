import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import type { EncryptionParams } from '../../core/custody.js';
import type { EncryptionAlgorithm } from '../../core/key.js';
import { blob, dryRun, encryptionContext, grantTokens, keyIdParam } from '../pipeline/schemas.js';
import { requireKeyUsage } from '../../core/key-capabilities.js';
import { blobKeyId, callerOf, ciphertextOf, ciphertextRule, contextForAudit, decryptionKey, dryRunModifiers, encryptionAlgorithm, ignoresCiphertext, keyMaterialOf, MAX_CIPHERTEXT_BLOB } from './symmetric.js';

export const reEncrypt = defineOperation({
  service: 'TrentService',
  name: 'ReEncrypt',
  description: 'Decrypts a ciphertext and encrypts it again under another KMS key or encryption context, without exposing the plaintext.',
  effect: 'use',
  uses: ['primitives'] as const,
  input: z.object({
    CiphertextBlob: blob(1, MAX_CIPHERTEXT_BLOB).optional().describe('The ciphertext to decrypt and encrypt again (required, except in a DryRun with DryRunModifiers IGNORE_CIPHERTEXT).'),
    SourceEncryptionContext: encryptionContext.describe('The encryption context the ciphertext was encrypted with.'),
    SourceKeyId: keyIdParam.optional().describe('The KMS key that encrypted the ciphertext; needed only for asymmetric ciphertexts, which do not name their key.'),
    DestinationKeyId: keyIdParam.describe('The KMS key that encrypts the data again (key ID, key ARN, alias name or alias ARN).'),
    DestinationEncryptionContext: encryptionContext.describe('The encryption context to bind to the new ciphertext.'),
    SourceEncryptionAlgorithm: encryptionAlgorithm.describe('The algorithm the ciphertext was encrypted with (SYMMETRIC_DEFAULT by default).'),
    DestinationEncryptionAlgorithm: encryptionAlgorithm.describe('The algorithm to encrypt the data again with (SYMMETRIC_DEFAULT by default).'),
    GrantTokens: grantTokens,
    DryRun: dryRun,
    DryRunModifiers: dryRunModifiers,
  }).superRefine(ciphertextRule('SourceKeyId')),
  // As in Decrypt: a SourceKeyId is resolved when given (RSA ciphertexts name no key), the blob's key otherwise.
  keys: {
    sourceFromBlob: {
      required: false,
      ref: (i) => (i.SourceKeyId === undefined && i.CiphertextBlob !== undefined ? blobKeyId(i.CiphertextBlob) : undefined),
      access: 'use',
      allowAlias: false,
      fromCiphertext: true,
      action: 'kms:ReEncryptFrom',
      encryptionContext: (i) => i.SourceEncryptionContext,
    },
    destination: { required: true, ref: (i) => i.DestinationKeyId, access: 'use', allowAlias: true, action: 'kms:ReEncryptTo', encryptionContext: (i) => i.DestinationEncryptionContext },
    sourceNamed: { required: false, ref: (i) => i.SourceKeyId, access: 'use', allowAlias: true, action: 'kms:ReEncryptFrom', encryptionContext: (i) => i.SourceEncryptionContext },
  },
  dryRun: (i) => i.DryRun === true,
  async check(input, ctx, deps) {
    const source = decryptionKey(ctx.keys.sourceFromBlob, ctx.keys.sourceNamed);
    // As in Decrypt: IncorrectKey compares the caller's SourceKeyId with the header, revealing nothing.
    // An RSA key's refusal names the RSA step it would take (Decrypt from the source, Encrypt to the destination).
    // A DryRun that ignores the ciphertext checks that the source key can decrypt, not the ciphertext.
    if (ignoresCiphertext(input)) requireKeyUsage(source.record, source.arn, 'ENCRYPT_DECRYPT', 'ReEncrypt');
    else deps.primitives.decrypter(source, { ...sourceParams(input), ciphertext: ciphertextOf(input) });
    deps.primitives.encrypter(ctx.keys.destination, destinationParams(input));
  },
  async execute(input, ctx, deps) {
    const source = decryptionKey(ctx.keys.sourceFromBlob, ctx.keys.sourceNamed);
    const destination = ctx.keys.destination;
    const decrypter = deps.primitives.decrypter(source, { ...sourceParams(input), ciphertext: ciphertextOf(input), caller: callerOf(ctx) });
    const encrypter = deps.primitives.encrypter(destination, { ...destinationParams(input), caller: callerOf(ctx) });
    const plaintext = await decrypter.decrypt();
    try {
      const blobOut = await encrypter.encrypt(plaintext);
      return {
        CiphertextBlob: blobOut,
        SourceKeyId: source.arn,
        KeyId: destination.arn,
        SourceEncryptionAlgorithm: input.SourceEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT',
        DestinationEncryptionAlgorithm: input.DestinationEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT',
        ...rename(keyMaterialOf(source, ciphertextOf(input)), 'SourceKeyMaterialId'),
        ...rename(keyMaterialOf(destination, blobOut), 'DestinationKeyMaterialId'),
      };
    } finally {
      plaintext.dispose();
    }
  },
  auditRequest: (i) => ({
    sourceKeyId: i.SourceKeyId,
    destinationKeyId: i.DestinationKeyId,
    sourceEncryptionContext: contextForAudit(i.SourceEncryptionContext),
    destinationEncryptionContext: contextForAudit(i.DestinationEncryptionContext),
  }),
  // The source and destination generations of material (64-hex ids), as Decrypt records its own.
  auditResponse: (o) => ({
    sourceKeyId: o.SourceKeyId,
    keyId: o.KeyId,
    ...(o.SourceKeyMaterialId !== undefined && { sourceKeyMaterialId: o.SourceKeyMaterialId }),
    ...(o.DestinationKeyMaterialId !== undefined && { keyMaterialId: o.DestinationKeyMaterialId }),
  }),
});

interface ReEncryptParams {
  readonly SourceEncryptionAlgorithm?: EncryptionAlgorithm | undefined;
  readonly SourceEncryptionContext: Readonly<Record<string, string>>;
  readonly DestinationEncryptionAlgorithm?: EncryptionAlgorithm | undefined;
  readonly DestinationEncryptionContext: Readonly<Record<string, string>>;
}

function sourceParams(input: ReEncryptParams): EncryptionParams {
  return { algorithm: input.SourceEncryptionAlgorithm, context: input.SourceEncryptionContext, operation: 'ReEncrypt' };
}

function destinationParams(input: ReEncryptParams): EncryptionParams {
  return { algorithm: input.DestinationEncryptionAlgorithm, context: input.DestinationEncryptionContext, operation: 'ReEncrypt' };
}

/** `{ KeyMaterialId }` as ReEncrypt's `SourceKeyMaterialId` or `DestinationKeyMaterialId`. */
function rename<M extends string>(found: { KeyMaterialId?: string }, member: M): Partial<Record<M, string>> {
  return found.KeyMaterialId === undefined ? {} : ({ [member]: found.KeyMaterialId } as Partial<Record<M, string>>);
}
