import { z } from 'zod';
import { algorithmLists } from '../../core/key-capabilities.js';
import { defineOperation } from '../pipeline/operation.js';
import { grantTokens, keyIdParam } from '../pipeline/schemas.js';

export const getPublicKey = defineOperation({
  service: 'TrentService',
  name: 'GetPublicKey',
  description: 'Returns the public key of an asymmetric KMS key.',
  effect: 'use',
  uses: ['primitives'] as const,
  countsAsKeyUse: false,
  input: z.object({ KeyId: keyIdParam, GrantTokens: grantTokens }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'use', allowAlias: true } },
  async execute(_input, ctx, deps) {
    const key = ctx.keys.key;
    return {
      KeyId: key.arn,
      PublicKey: await deps.primitives.publicKey(key),
      CustomerMasterKeySpec: key.record.keySpec,
      KeySpec: key.record.keySpec,
      KeyUsage: key.record.keyUsage,
      ...algorithmLists(key.record),
    };
  },
  auditRequest: (i) => ({ keyId: i.KeyId }),
  auditResponse: (o) => ({ keyId: o.KeyId }),
});
