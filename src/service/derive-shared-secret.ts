import { z } from 'zod';
import { parsePublicKey } from '../crypto/asymmetric-keys.js';
import { ecdhSharedSecret } from '../crypto/ecdh.js';
import { KmsError } from '../core/errors.js';
import type { KeyRecord } from '../core/key.js';
import { KEY_AGREEMENT_ALGORITHMS, keyPairOf, requireKeyUsage } from '../core/key-capabilities.js';
import { privateKeyFor } from './asymmetric-material.js';
import { defineOperation } from './operation.js';
import { blob, dryRun, grantTokens, keyIdParam } from './schemas.js';

export const deriveSharedSecret = defineOperation({
  service: 'TrentService',
  name: 'DeriveSharedSecret',
  description: 'Derives a shared secret from a key agreement KMS key and a peer public key.',
  effect: 'use',
  uses: ['keys', 'hierarchy', 'clock', 'imports'] as const,
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
  async check(input, ctx) {
    const key = ctx.keys.key;
    if (input.Recipient !== undefined) throw new KmsError('UnsupportedOperation', 'Recipient (Nitro Enclaves attestation) is not supported.');
    requireKeyUsage(key.record, key.arn, 'KEY_AGREEMENT', 'DeriveSharedSecret');
    peerKey(input.PublicKey, key.record);
  },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    const shared = ecdhSharedSecret(await privateKeyFor(deps, key.record), peerKey(input.PublicKey, key.record));
    if (shared === undefined) throw new KmsError('ValidationFailed', `PublicKey is not a valid public key for key spec ${key.record.keySpec}.`);
    return { KeyId: key.arn, SharedSecret: shared, KeyAgreementAlgorithm: input.KeyAgreementAlgorithm, KeyOrigin: key.record.origin };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, keyAgreementAlgorithm: i.KeyAgreementAlgorithm }),
  auditResponse: (o) => ({ keyId: o.KeyId }),
});

/** The peer key: a canonical DER SubjectPublicKeyInfo on the same curve as ours (checked on the curve). */
function peerKey(der: Buffer, key: KeyRecord) {
  const peer = parsePublicKey(der, keyPairOf(key));
  if (peer === undefined) throw new KmsError('ValidationFailed', `PublicKey is not a valid DER SubjectPublicKeyInfo for key spec ${key.keySpec}.`);
  return peer;
}
