import { z } from 'zod';
import { parsePublicKey } from '../crypto/asymmetric-keys.js';
import { ecdhSharedSecret } from '../crypto/ecdh.js';
import { KmsError } from '../core/errors.js';
import { KEY_AGREEMENT_ALGORITHMS, keyPairOf, requireKeyUsage } from '../core/key-capabilities.js';
import { privateKeyFor } from './asymmetric-material.js';
import { defineOperation } from './operation.js';
import { blob, dryRun, grantTokens, keyIdParam } from './schemas.js';
import { stopIfDryRun } from './symmetric.js';

export const deriveSharedSecret = defineOperation({
  service: 'TrentService',
  name: 'DeriveSharedSecret',
  description: 'Derives a shared secret from a key agreement KMS key and a peer public key.',
  effect: 'use',
  input: z.object({
    KeyId: keyIdParam,
    KeyAgreementAlgorithm: z.enum(KEY_AGREEMENT_ALGORITHMS),
    PublicKey: blob(1, 8192),
    GrantTokens: grantTokens,
    DryRun: dryRun,
    Recipient: z.unknown().optional(),
  }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'use', allowAlias: true } },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    if (input.Recipient !== undefined) throw new KmsError('UnsupportedOperation', 'Recipient (Nitro Enclaves attestation) is not supported.');
    requireKeyUsage(key.record, key.arn, 'KEY_AGREEMENT', 'DeriveSharedSecret');
    // The peer key must be a canonical DER SubjectPublicKeyInfo on the same curve as ours (checked on the curve).
    const peer = parsePublicKey(input.PublicKey, keyPairOf(key.record));
    if (peer === undefined) throw new KmsError('ValidationFailed', `PublicKey is not a valid DER SubjectPublicKeyInfo for key spec ${key.record.keySpec}.`);
    const shared = ecdhSharedSecret(await privateKeyFor(deps, key.record), peer);
    if (shared === undefined) throw new KmsError('ValidationFailed', `PublicKey is not a valid public key for key spec ${key.record.keySpec}.`);
    if (input.DryRun === true) shared.dispose();
    stopIfDryRun(input.DryRun);
    return { KeyId: key.arn, SharedSecret: shared, KeyAgreementAlgorithm: input.KeyAgreementAlgorithm, KeyOrigin: key.record.origin };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, keyAgreementAlgorithm: i.KeyAgreementAlgorithm }),
  auditResponse: (o) => ({ keyId: o.KeyId }),
});
