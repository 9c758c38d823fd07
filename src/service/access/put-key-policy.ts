import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { defineOperation } from '../pipeline/operation.js';
import { checkNewKeyPolicy } from './policy-document.js';
import { keyIdParam, str } from '../pipeline/schemas.js';

export const putKeyPolicy = defineOperation({
  service: 'TrentService',
  name: 'PutKeyPolicy',
  description: 'Replaces the key policy of a KMS key.',
  effect: 'write',
  uses: ['keys', 'realm', 'principals', 'policyChecks'] as const,
  input: z.object({
    KeyId: keyIdParam,
    Policy: str(1, 32768).describe('The key policy to attach to the KMS key: a JSON policy document.'),
    PolicyName: str(1, 128).regex(/^[\w]+$/, 'Member must satisfy regular expression pattern: [\\w]+').optional().describe('The name of the key policy: default, the only one (and the default).'),
    BypassPolicyLockoutSafetyCheck: z.boolean().optional().describe('Skips the check that the new policy still lets the caller change it later; use with care.'),
  }),
  conditions: (c) => [c.scalar('kms:BypassPolicyLockoutSafetyCheck', (i) => i.BypassPolicyLockoutSafetyCheck)],
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'manage', allowAlias: false } },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    const name = input.PolicyName ?? 'default';
    if (name !== 'default') throw new KmsError('KeyNotFound', `No such policy exists: ${name}. The only key policy name is 'default'.`);
    const refs = await checkNewKeyPolicy(deps, ctx, key.arn, input.Policy, input.BypassPolicyLockoutSafetyCheck);
    await deps.keys.updateKey(key.record.id, { policy: input.Policy });
    await deps.keys.putPolicyPrincipals(key.record.id, refs);
    return {};
  },
  auditRequest: (i) => ({ keyId: i.KeyId, policyName: i.PolicyName ?? 'default', bypassPolicyLockoutSafetyCheck: i.BypassPolicyLockoutSafetyCheck ?? false }),
});
