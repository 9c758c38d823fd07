import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import type { Tag } from '../../core/key.js';
import { isReservedTagKey } from '../../core/managed-key.js';
import { str } from '../pipeline/schemas.js';

/** AWS's limit on tags per key. */
export const MAX_TAGS_PER_KEY = 50;

/** A list of tags; how many a key may have is a tag rule ({@link toTags}), answered as AWS does with a TagException. */
export const tagList = z.array(z.object({ TagKey: str(1, 128), TagValue: str(0, 256) }));

/** AWS's answer when a key would have more than {@link MAX_TAGS_PER_KEY} tags. */
export function tooManyTags(): KmsError {
  return new KmsError('Tag', 'Too many tags');
}

/** AWS's answer for a tag key with Arca's reserved `arca:` prefix (the managed-key tags, ADR 0027), worded as for `aws:`. */
export function reservedArcaTag(): KmsError {
  return new KmsError('Tag', 'Tags beginning with arca: are reserved');
}

/** AWS's tag rules beyond lengths, with AWS's messages: at most 50, no reserved `aws:` prefix (any case), no key twice in one request. */
export function toTags(list: readonly { TagKey: string; TagValue: string }[]): Tag[] {
  if (list.length > MAX_TAGS_PER_KEY) throw tooManyTags();
  const seen = new Set<string>();
  return list.map(({ TagKey, TagValue }) => {
    if (TagKey.toLowerCase().startsWith('aws:')) throw new KmsError('Tag', 'Tags beginning with aws: are reserved');
    if (seen.has(TagKey)) throw new KmsError('Tag', 'Duplicate tag keys');
    seen.add(TagKey);
    return { key: TagKey, value: TagValue };
  });
}

/**
 * A key's tags from a request: {@link toTags}, and no `arca:` prefix (any case), which only the managed-key
 * operations write (ADR 0027). Principal tags keep `arca:` (arca:DevicePosture, arca:RiskScore).
 */
export function toKeyTags(list: readonly { TagKey: string; TagValue: string }[]): Tag[] {
  const tags = toTags(list);
  if (tags.some((t) => isReservedTagKey(t.key))) throw reservedArcaTag();
  return tags;
}

export function tagsForWire(tags: readonly Tag[]): { TagKey: string; TagValue: string }[] {
  return tags.map((t) => ({ TagKey: t.key, TagValue: t.value }));
}
