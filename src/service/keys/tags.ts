import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import type { Tag } from '../../core/key.js';
import { str } from '../pipeline/schemas.js';

/** AWS's limit on tags per key. */
export const MAX_TAGS_PER_KEY = 50;

export const tagList = z
  .array(z.object({ TagKey: str(1, 128), TagValue: str(0, 256) }))
  .max(MAX_TAGS_PER_KEY, `Member must have length less than or equal to ${MAX_TAGS_PER_KEY}`);

/** AWS's tag rules beyond lengths: no reserved `aws:` prefix, no key twice in one request. */
export function toTags(list: readonly { TagKey: string; TagValue: string }[]): Tag[] {
  const seen = new Set<string>();
  return list.map(({ TagKey, TagValue }) => {
    if (TagKey.toLowerCase().startsWith('aws:')) throw new KmsError('Tag', `Tag keys beginning with 'aws:' are reserved: ${TagKey}`);
    if (seen.has(TagKey)) throw new KmsError('Tag', `Duplicate tag key in the request: ${TagKey}`);
    seen.add(TagKey);
    return { key: TagKey, value: TagValue };
  });
}

export function tagsForWire(tags: readonly Tag[]): { TagKey: string; TagValue: string }[] {
  return tags.map((t) => ({ TagKey: t.key, TagValue: t.value }));
}
