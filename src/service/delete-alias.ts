import { z } from 'zod';
import { defineOperation } from './operation.js';
import { str } from './schemas.js';

export const deleteAlias = defineOperation({
  service: 'TrentService',
  name: 'DeleteAlias',
  action: 'kms:DeleteAlias',
  readOnly: false,
  input: z.object({ AliasName: str(1, 256).regex(/^alias\//, 'Member must satisfy regular expression pattern: ^alias/.*') }),
  // Resolving the alias finds its key (NotFound if there is no such alias), which is then authorized.
  keys: [{ ref: (i) => i.AliasName, access: 'read', allowAlias: true }],
  async execute(input, _ctx, deps) {
    await deps.keys.deleteAlias(input.AliasName);
    return {};
  },
  auditRequest: (i) => ({ aliasName: i.AliasName }),
});
