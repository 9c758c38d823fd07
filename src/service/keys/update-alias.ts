import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { checkAliasQuota } from './create-alias.js';
import { defineOperation } from '../pipeline/operation.js';
import { keyIdParam, str } from '../pipeline/schemas.js';

export const updateAlias = defineOperation({
  service: 'TrentService',
  name: 'UpdateAlias',
  description: 'Points an existing alias at a different KMS key.',
  effect: 'write',
  uses: ['keys', 'clock', 'realm'] as const,
  input: z.object({ AliasName: str(1, 256).regex(/^alias\//, 'Member must satisfy regular expression pattern: ^alias/.*').describe('The alias to repoint: alias/ followed by its name.'), TargetKeyId: keyIdParam.describe('The KMS key the alias will point to: its key ID or key ARN.') }),
  // kms:UpdateAlias on the alias (identity policies), its current key and the new key, as AWS does.
  alias: (i) => i.AliasName,
  authorizationContext: (i) => ({ 'kms:RequestAlias': i.AliasName }),
  keys: {
    // Resolving the alias finds its current key.
    current: { required: true, ref: (i) => i.AliasName, access: 'read', allowAlias: true },
    target: { required: true, ref: (i) => i.TargetKeyId, access: 'manage', allowAlias: false },
  },
  async execute(input, ctx, deps) {
    const current = ctx.keys.current.record;
    const target = ctx.keys.target;
    if (current.keyUsage !== target.record.keyUsage || (current.keySpec === 'SYMMETRIC_DEFAULT') !== (target.record.keySpec === 'SYMMETRIC_DEFAULT')) {
      throw new KmsError('ValidationFailed', 'The new target key must have the same key type and key usage as the current target key.');
    }
    if (current.id !== target.record.id) await checkAliasQuota(deps.keys, target.record, target.arn);
    await deps.keys.updateAlias(deps.realm.region, input.AliasName, target.record.id, deps.clock.now());
    return {};
  },
  auditRequest: (i) => ({ aliasName: i.AliasName, targetKeyId: i.TargetKeyId }),
});
