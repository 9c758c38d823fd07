import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { str } from '../pipeline/schemas.js';

export const deleteAlias = defineOperation({
  service: 'TrentService',
  name: 'DeleteAlias',
  description: 'Deletes an alias; the KMS key it named is not affected.',
  effect: 'write',
  uses: ['keys', 'realm'] as const,
  input: z.object({ AliasName: str(1, 256).regex(/^alias\//, 'Member must satisfy regular expression pattern: ^alias/.*').describe('The alias to delete: alias/ followed by its name.') }),
  // kms:DeleteAlias on the alias (identity policies), then on its key: resolving the alias finds the key
  // (NotFound if there is no such alias, told only to a caller allowed on the alias as on a missing key).
  alias: (i) => i.AliasName,
  authorizationContext: (i) => ({ 'kms:RequestAlias': i.AliasName }),
  keys: { key: { required: true, ref: (i) => i.AliasName, access: 'read', allowAlias: true } },
  async execute(input, _ctx, deps) {
    await deps.keys.deleteAlias(deps.realm.region, input.AliasName);
    return {};
  },
  auditRequest: (i) => ({ aliasName: i.AliasName }),
});
