import { z } from 'zod';
import { generateKeyPair, spkiDer, publicKeyOf } from '../../../crypto/asymmetric-keys.js';
import { randomPublicBytes } from '../../../crypto/random.js';
import { importTokenBinding } from '../../../core/bindings.js';
import { KmsError } from '../../../core/errors.js';
import { IMPORT_TOKEN_LIFETIME_MS, WRAPPING_ALGORITHMS, WRAPPING_KEY_SPECS } from '../../../core/key-import.js';
import { requireExternal, WRAPPING } from './key-import.js';
import { defineOperation } from '../../pipeline/operation.js';
import { keyIdParam } from '../../pipeline/schemas.js';

const BITS = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 } as const;

export const getParametersForImport = defineOperation({
  service: 'TrentService',
  name: 'GetParametersForImport',
  description: 'Returns the wrapping public key and import token needed to import key material into a KMS key.',
  effect: 'write',
  uses: ['hierarchy', 'clock', 'imports'] as const,
  input: z.object({ KeyId: keyIdParam, WrappingAlgorithm: z.enum(WRAPPING_ALGORITHMS).describe('The algorithm that will wrap the key material before it is imported.'), WrappingKeySpec: z.enum(WRAPPING_KEY_SPECS).describe('The type of RSA public key to return as the wrapping key.') }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'manage', allowAlias: false } },
  // The wrapping key pair (RSA up to 4096 bits: up to seconds) is generated before the audit transaction opens.
  prepare: (input) => generateKeyPair({ kind: 'rsa', bits: BITS[input.WrappingKeySpec] }),
  async execute(input, ctx, deps, prepared) {
    const key = ctx.keys.key;
    requireExternal(key);
    if (WRAPPING[input.WrappingAlgorithm] === undefined) throw new KmsError('UnsupportedOperation', `WrappingAlgorithm ${input.WrappingAlgorithm} is not supported by Arca.`);
    const pair = prepared ?? (await generateKeyPair({ kind: 'rsa', bits: BITS[input.WrappingKeySpec] }));
    const tokenBytes = randomPublicBytes(32);
    const tokenId = tokenBytes.toString('hex');
    const now = deps.clock.now();
    const expiresAt = new Date(now.getTime() + IMPORT_TOKEN_LIFETIME_MS);
    try {
      const publicKey = spkiDer(publicKeyOf(pair.privateKey));
      const wrapped = await deps.hierarchy.wrap(pair.privateKey, importTokenBinding(key.record.id, tokenId));
      await deps.imports.putToken({
        tokenId,
        keyId: key.record.id,
        wrappingKeySpec: input.WrappingKeySpec,
        wrappingAlgorithm: input.WrappingAlgorithm,
        wrappedPrivateKey: wrapped,
        createdAt: now,
        expiresAt,
      });
      return { KeyId: key.arn, ImportToken: tokenBytes, PublicKey: publicKey, ParametersValidTo: expiresAt };
    } finally {
      pair.privateKey.dispose();
    }
  },
  auditRequest: (i) => ({ keyId: i.KeyId, wrappingAlgorithm: i.WrappingAlgorithm, wrappingKeySpec: i.WrappingKeySpec }),
  auditResponse: (o) => ({ keyId: o.KeyId, parametersValidTo: o.ParametersValidTo.toISOString() }),
});
