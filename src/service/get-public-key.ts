import { z } from 'zod';
import { spkiDer } from '../crypto/asymmetric-keys.js';
import { KmsError } from '../core/errors.js';
import { algorithmLists, KEY_CAPABILITIES } from '../core/key-capabilities.js';
import { publicKeyFor } from './asymmetric-material.js';
import { defineOperation } from './operation.js';
import { grantTokens, keyIdParam } from './schemas.js';

export const getPublicKey = defineOperation({
  service: 'TrentService',
  name: 'GetPublicKey',
  description: 'Returns the public key of an asymmetric KMS key.',
  effect: 'use',
  uses: ['keys', 'hierarchy', 'clock', 'imports'] as const,
  countsAsKeyUse: false,
  input: z.object({ KeyId: keyIdParam, GrantTokens: grantTokens }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'use', allowAlias: true } },
  async execute(_input, ctx, deps) {
    const key = ctx.keys.key;
    if (KEY_CAPABILITIES[key.record.keySpec].keyPair === undefined) {
      throw new KmsError('UnsupportedOperation', `${key.arn} is not an asymmetric key: it has no public key.`);
    }
    return {
      KeyId: key.arn,
      PublicKey: spkiDer(await publicKeyFor(deps, key.record)),
      CustomerMasterKeySpec: key.record.keySpec,
      KeySpec: key.record.keySpec,
      KeyUsage: key.record.keyUsage,
      ...algorithmLists(key.record),
    };
  },
  auditRequest: (i) => ({ keyId: i.KeyId }),
  auditResponse: (o) => ({ keyId: o.KeyId }),
});
