import { z } from 'zod';
import { accessKeyOf } from './access-key-of.js';
import { defineOperation } from '../pipeline/operation.js';
import { principalName } from './principals.js';
import { str } from '../pipeline/schemas.js';

export const deleteAccessKey = defineOperation({
  service: 'ArcaService',
  name: 'DeleteAccessKey',
  description: 'Deletes an access key of a principal; requests signed with it fail from then on.',
  effect: 'write',
  uses: ['principals'] as const,
  input: z.object({ PrincipalName: principalName, AccessKeyId: str(16, 128).describe('The ID of the access key to delete.') }),
  keys: {},
  async execute(input, _ctx, deps) {
    const { key } = await accessKeyOf(deps, input.PrincipalName, input.AccessKeyId);
    await deps.principals.deleteAccessKey(key.accessKeyId);
    return {};
  },
  auditRequest: (i) => ({ principalName: i.PrincipalName, accessKeyId: i.AccessKeyId }),
});
