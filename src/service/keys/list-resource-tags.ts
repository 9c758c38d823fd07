import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { decodeMarker, pageFields } from '../pipeline/pagination.js';
import { keyIdParam, limit, marker } from '../pipeline/schemas.js';
import { tagsForWire } from './tags.js';

export const listResourceTags = defineOperation({
  service: 'TrentService',
  name: 'ListResourceTags',
  description: 'Lists the tags of a KMS key.',
  effect: 'read',
  uses: ['keys'] as const,
  input: z.object({ KeyId: keyIdParam, Limit: limit(50), Marker: marker }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'read', allowAlias: false } },
  async execute(input, ctx, deps) {
    // Tags are sorted by key; the marker is the last key of the previous page.
    const all = [...(await deps.keys.listTags(ctx.keys.key.record.id))].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const after = decodeMarker(input.Marker);
    const from = after === undefined ? all : all.filter((t) => t.key > after);
    const page = from.slice(0, input.Limit ?? 50);
    const last = page.at(-1);
    return { Tags: tagsForWire(page), ...pageFields(from.length > page.length && last ? last.key : undefined) };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, limit: i.Limit }),
});
