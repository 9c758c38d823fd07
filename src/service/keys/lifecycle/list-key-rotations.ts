import { z } from 'zod';
import { KmsError } from '../../../core/errors.js';
import { requireRotatable } from './lifecycle.js';
import { defineOperation } from '../../pipeline/operation.js';
import { decodeMarker, pageFields } from '../../pipeline/pagination.js';
import { keyIdParam, limit, marker } from '../../pipeline/schemas.js';

/** Every completed rotation of a key (versions 2 and up), oldest first, with AWS's paging. */
export const listKeyRotations = defineOperation({
  service: 'TrentService',
  name: 'ListKeyRotations',
  description: 'Lists the completed rotations of the key material of a KMS key.',
  effect: 'read',
  uses: ['lifecycle'] as const,
  input: z.object({
    KeyId: keyIdParam,
    Limit: limit(1000),
    Marker: marker,
    IncludeKeyMaterial: z.enum(['ALL_KEY_MATERIAL', 'ROTATIONS_ONLY']).optional().describe('Which key materials to list: ROTATIONS_ONLY (the default) or ALL_KEY_MATERIAL.'),
  }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'read', allowAlias: false } },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    requireRotatable(key.record, key.arn);
    const cursor = decodeMarker(input.Marker);
    const after = cursor === undefined ? 0 : Number(cursor);
    if (!Number.isSafeInteger(after) || after < 0) throw new KmsError('InvalidMarker', 'The marker is not valid.');
    const pageSize = input.Limit ?? 100;
    const rotations = (await deps.lifecycle.store.listVersions(key.record.id)).filter((v) => v.rotationType !== undefined && v.version > after);
    const page = rotations.slice(0, pageSize);
    const last = page.at(-1);
    return {
      Rotations: page.map((v) => ({ KeyId: key.record.id, RotationDate: v.createdAt, RotationType: v.rotationType })),
      ...pageFields(rotations.length > pageSize && last ? String(last.version) : undefined),
    };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, limit: i.Limit }),
});
