import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { defineOperation } from '../pipeline/operation.js';
import { keyIdParam, str } from '../pipeline/schemas.js';
import { keyPolicyForRead } from './policy-document.js';

export const getKeyPolicy = defineOperation({
  service: 'TrentService',
  name: 'GetKeyPolicy',
  description: 'Returns the key policy of a KMS key.',
  effect: 'read',
  uses: ['keys', 'principals'] as const,
  input: z.object({ KeyId: keyIdParam, PolicyName: str(1, 128).regex(/^[\w]+$/, 'Member must satisfy regular expression pattern: [\\w]+').optional().describe('The name of the key policy: default, the only one (and the default).') }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'read', allowAlias: false } },
  async execute(input, ctx, deps) {
    const name = input.PolicyName ?? 'default';
    if (name !== 'default') throw new KmsError('KeyNotFound', `No such policy exists: ${name}. The only key policy name is 'default'.`);
    const { record } = ctx.keys.key;
    return { Policy: await keyPolicyForRead(deps, record.id, record.policy), PolicyName: name };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, policyName: i.PolicyName ?? 'default' }),
});
