import { z } from 'zod';
import { KmsError } from '../core/errors.js';
import { defineOperation } from './operation.js';
import { checkNewKeyPolicy } from './policy-document.js';
import { keyIdParam, str } from './schemas.js';

export const putKeyPolicy = defineOperation({
  service: 'TrentService',
  name: 'PutKeyPolicy',
  description: 'Replaces the key policy of a KMS key.',
  effect: 'write',
  uses: ['keys', 'realm', 'principals', 'policyChecks'] as const,
  input: z.object({
    KeyId: keyIdParam,
    Policy: str(1, 32768),
    PolicyName: str(1, 128).regex(/^[\w]+$/, 'Member must satisfy regular expression pattern: [\\w]+').optional(),
    BypassPolicyLockoutSafetyCheck: z.boolean().optional(),
  }),
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
