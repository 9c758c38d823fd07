import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { principalName, requirePrincipal } from './principals.js';
import { tagList, toTags } from '../keys/tags.js';

export const tagPrincipal = defineOperation({
  service: 'ArcaService',
  name: 'TagPrincipal',
  description: 'Adds tags to a principal, or replaces the values of existing ones.',
  effect: 'write',
  uses: ['principals'] as const,
  input: z.object({ PrincipalName: principalName, Tags: tagList.describe('One or more tags (TagKey and TagValue pairs) to add to the principal; a tag with an existing key replaces it.') }),
  conditions: (c) => [c.requestTags((i) => i.Tags)],
  keys: {},
  async execute(input, _ctx, deps) {
    const p = await requirePrincipal(deps, input.PrincipalName);
    await deps.principals.putPrincipalTags(p.id, toTags(input.Tags));
    return {};
  },
  auditRequest: (i) => ({ principalName: i.PrincipalName, tagKeys: i.Tags.map((t) => t.TagKey) }),
});
