import { z } from 'zod';
import { ENCAPSULATION_ALGORITHMS } from '../../core/key-capabilities.js';
import { defineOperation } from '../pipeline/operation.js';
import { dryRun, grantTokens, keyIdParam } from '../pipeline/schemas.js';

export const encapsulate = defineOperation({
  service: 'TrentService',
  name: 'Encapsulate',
  description: 'Makes a 32-byte shared secret and its ML-KEM encapsulation under the public key of an ML-KEM KMS key.',
  effect: 'use',
  uses: ['primitives'] as const,
  input: z.object({
    KeyId: keyIdParam,
    EncapsulationAlgorithm: z.enum(ENCAPSULATION_ALGORITHMS).describe('The key encapsulation algorithm: ML_KEM.'),
    GrantTokens: grantTokens,
    DryRun: dryRun,
  }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'use', allowAlias: true } },
  dryRun: (i) => i.DryRun === true,
  async check(input, ctx, deps) {
    deps.primitives.encapsulator(ctx.keys.key, input.EncapsulationAlgorithm);
  },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    const { ciphertext, sharedSecret } = await deps.primitives.encapsulator(key, input.EncapsulationAlgorithm).encapsulate();
    // SharedSecret is a SecretBytes: the transport zeroes it once the answer is written.
    return { KeyId: key.arn, SharedSecret: sharedSecret, SharedSecretCiphertextBlob: ciphertext, EncapsulationAlgorithm: input.EncapsulationAlgorithm };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, encapsulationAlgorithm: i.EncapsulationAlgorithm }),
  auditResponse: (o) => ({ keyId: o.KeyId }),
});
