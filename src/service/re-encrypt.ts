import { z } from 'zod';
import { defineOperation } from './operation.js';
import { requiredKey } from './material.js';
import { resolveKeyId } from './resolve-key.js';
import { KmsError } from '../core/errors.js';
import { blob, dryRun, encryptionContext, grantTokens, keyIdParam } from './schemas.js';
import { blobKeyId, contextForAudit, decryptUnder, encryptionAlgorithm, encryptUnder, MAX_CIPHERTEXT_BLOB, stopIfDryRun } from './symmetric.js';

export const reEncrypt = defineOperation({
  service: 'TrentService',
  name: 'ReEncrypt',
  action: 'kms:ReEncrypt',
  readOnly: false,
  input: z.object({
    CiphertextBlob: blob(1, MAX_CIPHERTEXT_BLOB),
    SourceEncryptionContext: encryptionContext,
    SourceKeyId: keyIdParam.optional(),
    DestinationKeyId: keyIdParam,
    DestinationEncryptionContext: encryptionContext,
    SourceEncryptionAlgorithm: encryptionAlgorithm,
    DestinationEncryptionAlgorithm: encryptionAlgorithm,
    GrantTokens: grantTokens,
    DryRun: dryRun,
  }),
  keys: [
    { ref: (i) => blobKeyId(i.CiphertextBlob), access: 'use', allowAlias: false, action: 'kms:ReEncryptFrom', encryptionContext: (i) => i.SourceEncryptionContext },
    { ref: (i) => i.DestinationKeyId, access: 'use', allowAlias: true, action: 'kms:ReEncryptTo', encryptionContext: (i) => i.DestinationEncryptionContext },
  ],
  async execute(input, ctx, deps) {
    const source = requiredKey(ctx.keys, 0);
    const destination = requiredKey(ctx.keys, 1);
    if (input.SourceKeyId !== undefined && (await resolveKeyId(deps, input.SourceKeyId, true)) !== source.record.id) {
      throw new KmsError('IncorrectKey', 'The key ID in the request does not identify a CMK that can perform this operation.');
    }
    const plaintext = await decryptUnder(deps, source, input.CiphertextBlob, input.SourceEncryptionContext, input.SourceEncryptionAlgorithm, 'ReEncrypt');
    try {
      const blobOut = await encryptUnder(deps, destination, plaintext, input.DestinationEncryptionContext, input.DestinationEncryptionAlgorithm, 'ReEncrypt');
      stopIfDryRun(input.DryRun);
      return {
        CiphertextBlob: blobOut,
        SourceKeyId: source.arn,
        KeyId: destination.arn,
        SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT' as const,
        DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT' as const,
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
  auditResponse: (o) => ({ sourceKeyId: o.SourceKeyId, keyId: o.KeyId }),
});
