import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { KEY_AGREEMENT_ALGORITHMS } from '../../core/key-capabilities.js';
import { defineOperation } from '../pipeline/operation.js';
import { blob, dryRun, grantTokens, keyIdParam } from '../pipeline/schemas.js';

export const deriveSharedSecret = defineOperation({
  service: 'TrentService',
  name: 'DeriveSharedSecret',
  description: 'Derives a shared secret from a key agreement KMS key and a peer public key.',
  effect: 'use',
  uses: ['primitives'] as const,
  input: z.object({
    KeyId: keyIdParam,
    KeyAgreementAlgorithm: z.enum(KEY_AGREEMENT_ALGORITHMS).describe('The key agreement algorithm: ECDH.'),
    PublicKey: blob(1, 8192).describe('The other party\'s public key (DER-encoded SubjectPublicKeyInfo), on the same curve as the KMS key.'),
    GrantTokens: grantTokens,
    DryRun: dryRun,
    Recipient: z.unknown().optional().describe('A Nitro Enclaves attestation document to encrypt the response to (AWS); Arca refuses it.'),
  }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'use', allowAlias: true } },
  dryRun: (i) => i.DryRun === true,
  async check(input, ctx, deps) {
    if (input.Recipient !== undefined) throw new KmsError('UnsupportedOperation', 'Recipient (Nitro Enclaves attestation) is not supported.');
    deps.primitives.agreement(ctx.keys.key, input.KeyAgreementAlgorithm, input.PublicKey);
  },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    const shared = await deps.primitives.agreement(key, input.KeyAgreementAlgorithm, input.PublicKey).derive();
    return { KeyId: key.arn, SharedSecret: shared, KeyAgreementAlgorithm: input.KeyAgreementAlgorithm, KeyOrigin: key.record.origin };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, keyAgreementAlgorithm: i.KeyAgreementAlgorithm }),
  auditResponse: (o) => ({ keyId: o.KeyId }),
});

