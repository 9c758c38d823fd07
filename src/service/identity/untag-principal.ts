import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { principalName, requirePrincipal } from './principals.js';
import { str } from '../pipeline/schemas.js';

export const untagPrincipal = defineOperation({
  service: 'ArcaService',
  name: 'UntagPrincipal',
  description: 'Deletes tags from a principal.',
  effect: 'write',
  uses: ['principals'] as const,
  input: z.object({ PrincipalName: principalName, TagKeys: z.array(str(1, 128)).max(50, 'Member must have length less than or equal to 50').describe('The keys of the tags to remove from the principal.') }),
  conditions: (c) => [c.list('aws:TagKeys', (i) => i.TagKeys)],
  keys: {},
  async execute(input, _ctx, deps) {
    const p = await requirePrincipal(deps, input.PrincipalName);
    await deps.principals.removePrincipalTags(p.id, input.TagKeys);
    return {};
  },
  auditRequest: (i) => ({ principalName: i.PrincipalName, tagKeys: i.TagKeys }),
});
