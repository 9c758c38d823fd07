import { z } from 'zod';
import { KmsError } from '../core/errors.js';
import { defineOperation } from './operation.js';
import { requiredKey } from './material.js';
import { resolveKeyId } from './resolve-key.js';
import { blob, dryRun, encryptionContext, grantTokens, keyIdParam } from './schemas.js';
import { blobKeyId, contextForAudit, decryptUnder, encryptionAlgorithm, MAX_CIPHERTEXT_BLOB, stopIfDryRun } from './symmetric.js';

export const decrypt = defineOperation({
  service: 'TrentService',
  name: 'Decrypt',
  action: 'kms:Decrypt',
  readOnly: false,
  input: z.object({
    CiphertextBlob: blob(1, MAX_CIPHERTEXT_BLOB),
    EncryptionContext: encryptionContext,
    GrantTokens: grantTokens,
    KeyId: keyIdParam.optional(),
    EncryptionAlgorithm: encryptionAlgorithm,
    Recipient: z.unknown().optional(),
    DryRun: dryRun,
  }),
  // The key is the one the blob names; a KeyId in the request must name the same key.
  keys: [{ ref: (i) => blobKeyId(i.CiphertextBlob), access: 'use', allowAlias: false }],
  async execute(input, ctx, deps) {
    const key = requiredKey(ctx.keys, 0);
    if (input.Recipient !== undefined) throw new KmsError('UnsupportedOperation', 'Recipient (Nitro Enclaves attestation) is not supported.');
    if (input.KeyId !== undefined && (await resolveKeyId(deps, input.KeyId, true)) !== key.record.id) {
      throw new KmsError('IncorrectKey', 'The key ID in the request does not identify a CMK that can perform this operation.');
    }
    const plaintext = await decryptUnder(deps, key, input.CiphertextBlob, input.EncryptionContext, input.EncryptionAlgorithm, 'Decrypt');
    if (input.DryRun === true) plaintext.dispose();
    stopIfDryRun(input.DryRun);
    return { KeyId: key.arn, Plaintext: plaintext, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' as const };
  },
  auditRequest: (i) => ({
    keyId: i.KeyId,
    encryptionContext: contextForAudit(i.EncryptionContext),
    encryptionAlgorithm: i.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT',
  }),
  auditResponse: (o) => ({ keyId: o.KeyId }),
});
