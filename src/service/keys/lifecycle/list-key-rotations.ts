import { z } from 'zod';
import { wireKeyId } from '../../../core/multi-region.js';
import { KmsError } from '../../../core/errors.js';
import type { KeyRecord } from '../../../core/key.js';
import { keyMaterialId } from '../../../core/key-material-id.js';
import { requireRotatable } from './lifecycle.js';
import { defineOperation } from '../../pipeline/operation.js';
import type { ServiceDeps } from '../../pipeline/deps.js';
import { decodeMarker, pageFields } from '../../pipeline/pagination.js';
import { keyIdParam, limit, marker } from '../../pipeline/schemas.js';

/** One RotationsListEntry with the version it describes (the paging cursor). */
interface Entry {
  readonly version: number;
  readonly entry: Record<string, unknown>;
}

/**
 * The key materials of a key, oldest first, with AWS's paging: the completed rotations (versions 2 and
 * up), and with `IncludeKeyMaterial: ALL_KEY_MATERIAL` the first material too. A symmetric key with
 * imported material (EXTERNAL) lists its generations with their ImportState and expiration, and with
 * ALL_KEY_MATERIAL the one pending rotation (PENDING_ROTATION) too.
 */
export const listKeyRotations = defineOperation({
  service: 'TrentService',
  name: 'ListKeyRotations',
  description: 'Lists the completed rotations of the key material of a KMS key, and optionally all its key materials.',
  effect: 'read',
  uses: ['lifecycle', 'imports'] as const,
  input: z.object({
    KeyId: keyIdParam,
    Limit: limit(1000),
    Marker: marker,
    IncludeKeyMaterial: z.enum(['ALL_KEY_MATERIAL', 'ROTATIONS_ONLY']).optional().describe('Which key materials to list: ROTATIONS_ONLY (the default) or ALL_KEY_MATERIAL.'),
  }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'read', allowAlias: false } },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    const imported = key.record.origin === 'EXTERNAL' && key.record.keySpec === 'SYMMETRIC_DEFAULT';
    if (!imported) requireRotatable(key.record, key.arn);
    const cursor = decodeMarker(input.Marker);
    const after = cursor === undefined ? 0 : Number(cursor);
    if (!Number.isSafeInteger(after) || after < 0) throw new KmsError('InvalidMarker', 'The marker is not valid.');
    const pageSize = input.Limit ?? 100;
    const all = input.IncludeKeyMaterial === 'ALL_KEY_MATERIAL';
    const entries = (imported ? await importedMaterials(deps, key.record, all) : await generatedMaterials(deps, key.record, all)).filter((e) => e.version > after);
    const page = entries.slice(0, pageSize);
    const last = page.at(-1);
    return {
      Rotations: page.map((e) => e.entry),
      ...pageFields(entries.length > pageSize && last ? String(last.version) : undefined),
    };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, limit: i.Limit, includeKeyMaterial: i.IncludeKeyMaterial }),
});

function state(key: KeyRecord, version: number): 'CURRENT' | 'NON_CURRENT' {
  return version === key.primaryVersion ? 'CURRENT' : 'NON_CURRENT';
}

/** Material Arca generated: each version, the first (made by CreateKey, no rotation) only when `all`. */
async function generatedMaterials(deps: Pick<ServiceDeps, 'lifecycle'>, key: KeyRecord, all: boolean): Promise<Entry[]> {
  const versions = await deps.lifecycle.store.listVersions(key.id);
  return versions
    .filter((v) => all || v.rotationType !== undefined)
    .map((v) => ({
      version: v.version,
      entry: {
        KeyId: wireKeyId(key.id),
        KeyMaterialId: keyMaterialId(key.id, v.version),
        KeyMaterialState: state(key, v.version),
        ...(v.rotationType === undefined ? {} : { RotationDate: v.createdAt, RotationType: v.rotationType }),
      },
    }));
}

/**
 * Imported material, one entry per generation: the completed rotations (generations RotateKeyOnDemand
 * made current), and with `all` the first generation and the one pending rotation too, each with its
 * ImportState (PENDING_IMPORT once DeleteImportedKeyMaterial deleted it) and expiration.
 */
async function importedMaterials(deps: Pick<ServiceDeps, 'imports'>, key: KeyRecord, all: boolean): Promise<Entry[]> {
  const generations = await deps.imports.listImports(key.id);
  return generations
    .filter((g) => all || g.rotatedAt !== undefined)
    .map((g) => ({
      version: g.version,
      entry: {
        KeyId: wireKeyId(key.id),
        KeyMaterialId: keyMaterialId(key.id, g.version),
        ...(g.description === undefined ? {} : { KeyMaterialDescription: g.description }),
        ImportState: g.imported ? 'IMPORTED' : 'PENDING_IMPORT',
        KeyMaterialState: g.version > key.primaryVersion ? 'PENDING_ROTATION' : state(key, g.version),
        ExpirationModel: g.expirationModel,
        ...(g.validTo === undefined ? {} : { ValidTo: g.validTo }),
        ...(g.rotatedAt === undefined ? {} : { RotationDate: g.rotatedAt, RotationType: 'ON_DEMAND' }),
      },
    }));
}
