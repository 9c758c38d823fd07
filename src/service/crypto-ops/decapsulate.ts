import { z } from 'zod';
import { ENCAPSULATION_ALGORITHMS } from '../../core/key-capabilities.js';
import { defineOperation } from '../pipeline/operation.js';
import { blob, dryRun, grantTokens, keyIdParam } from '../pipeline/schemas.js';

export const decapsulate = defineOperation({
  service: 'TrentService',
  name: 'Decapsulate',
  description: 'Recovers the 32-byte shared secret of an ML-KEM ciphertext with the private key of an ML-KEM KMS key.',
  effect: 'use',
  uses: ['primitives'] as const,
  input: z.object({
    KeyId: keyIdParam,
    SharedSecretCiphertextBlob: blob(1, 6144).describe('The encapsulated shared secret, as Encapsulate (or ML-KEM.Encaps with the public key) made it.'),
    EncapsulationAlgorithm: z.enum(ENCAPSULATION_ALGORITHMS).describe('The key encapsulation algorithm: ML_KEM.'),
    GrantTokens: grantTokens,
    DryRun: dryRun,
  }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'use', allowAlias: true } },
  dryRun: (i) => i.DryRun === true,
  async check(input, ctx, deps) {
    deps.primitives.decapsulator(ctx.keys.key, input.EncapsulationAlgorithm, input.SharedSecretCiphertextBlob);
  },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    // Implicit rejection (FIPS 203): a ciphertext of the right length always yields a secret, a pseudo-random one when it was altered.
    const sharedSecret = await deps.primitives.decapsulator(key, input.EncapsulationAlgorithm, input.SharedSecretCiphertextBlob).decapsulate();
    return { KeyId: key.arn, SharedSecret: sharedSecret, EncapsulationAlgorithm: input.EncapsulationAlgorithm };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, encapsulationAlgorithm: i.EncapsulationAlgorithm }),
  auditResponse: (o) => ({ keyId: o.KeyId }),
});
