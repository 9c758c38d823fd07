import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { keyIdParam } from '../pipeline/schemas.js';
import { MAX_TAGS_PER_KEY, tagList, tooManyTags, toKeyTags } from './tags.js';

export const tagResource = defineOperation({
  service: 'TrentService',
  name: 'TagResource',
  description: 'Adds tags to a KMS key, or replaces the values of existing ones.',
  effect: 'write',
  uses: ['keys'] as const,
  input: z.object({ KeyId: keyIdParam, Tags: tagList.describe('One or more tags (TagKey and TagValue pairs) to add to the KMS key; a tag with an existing key replaces it.') }),
  conditions: (c) => [c.requestTags((i) => i.Tags)],
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'manage', allowAlias: false } },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key.record;
    const tags = toKeyTags(input.Tags);
    const existing = new Set((await deps.keys.listTags(key.id)).map((t) => t.key));
    const added = tags.filter((t) => !existing.has(t.key)).length;
    // AWS answers a key that would pass its 50 tags with the TagException of a request that has too many.
    if (existing.size + added > MAX_TAGS_PER_KEY) throw tooManyTags();
    await deps.keys.putTags(key.id, tags);
    return {};
  },
  auditRequest: (i) => ({ keyId: i.KeyId, tags: i.Tags }),
});
