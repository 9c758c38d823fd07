import { z } from 'zod';
import { randomPublicBytes } from '../../../crypto/random.js';
import { KmsError } from '../../../core/errors.js';
import { IMPORT_TOKEN_LIFETIME_MS, WRAPPING_ALGORITHMS, WRAPPING_KEY_SPECS } from '../../../core/key-import.js';
import { requireExternal } from './key-import.js';
import { defineOperation } from '../../pipeline/operation.js';
import { keyIdParam } from '../../pipeline/schemas.js';

export const getParametersForImport = defineOperation({
  service: 'TrentService',
  name: 'GetParametersForImport',
  description: 'Returns the wrapping public key and import token needed to import key material into a KMS key.',
  effect: 'write',
  uses: ['importer', 'clock', 'imports'] as const,
  input: z.object({ KeyId: keyIdParam, WrappingAlgorithm: z.enum(WRAPPING_ALGORITHMS).describe('The algorithm that will wrap the key material before it is imported.'), WrappingKeySpec: z.enum(WRAPPING_KEY_SPECS).describe('The type of RSA public key to return as the wrapping key.') }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'manage', allowAlias: false } },
  // The wrapping key pair (RSA up to 4096 bits: up to seconds) is generated before the audit transaction opens.
  prepare: (input, deps) => deps.importer.prepareWrappingKey(input.WrappingKeySpec),
  async execute(input, ctx, deps, prepared) {
    const key = ctx.keys.key;
    requireExternal(key);
    if (!deps.importer.supports(input.WrappingAlgorithm)) throw new KmsError('UnsupportedOperation', `WrappingAlgorithm ${input.WrappingAlgorithm} is not supported by Arca.`);
    const tokenBytes = randomPublicBytes(32);
    const tokenId = tokenBytes.toString('hex');
    const now = deps.clock.now();
    const expiresAt = new Date(now.getTime() + IMPORT_TOKEN_LIFETIME_MS);
    const wrapping = await deps.importer.wrappingKey(key.record.id, tokenId, input.WrappingKeySpec, prepared);
    await deps.imports.putToken({
      tokenId,
      keyId: key.record.id,
      wrappingKeySpec: input.WrappingKeySpec,
      wrappingAlgorithm: input.WrappingAlgorithm,
      wrappedPrivateKey: wrapping.wrappedPrivateKey,
      createdAt: now,
      expiresAt,
    });
    return { KeyId: key.arn, ImportToken: tokenBytes, PublicKey: wrapping.publicKey, ParametersValidTo: expiresAt };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, wrappingAlgorithm: i.WrappingAlgorithm, wrappingKeySpec: i.WrappingKeySpec }),
  auditResponse: (o) => ({ keyId: o.KeyId, parametersValidTo: o.ParametersValidTo.toISOString() }),
});
