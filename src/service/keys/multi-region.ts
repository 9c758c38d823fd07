import { z } from 'zod';
import { keyArn } from '../../core/arn.js';
import { defaultKeyPolicy } from '../../core/authorization.js';
import { KmsError } from '../../core/errors.js';
import type { KeyRecord } from '../../core/key.js';
import { storageKeyId, wireKeyId } from '../../core/multi-region.js';
import { REGION_PATTERN, servesRegion } from '../../core/regions.js';
import { checkNewKeyPolicy } from '../access/policy-document.js';
import { defineOperation } from '../pipeline/operation.js';
import { keyIdParam, str } from '../pipeline/schemas.js';
import { keyMetadata } from './key-metadata.js';
import { tagList, tagsForWire, toKeyTags } from './tags.js';

/** Multi-Region keys (issue 20, ADR 0022): ReplicateKey and UpdatePrimaryRegion. */

/** The primary a multi-Region operation acts on: refuses a single-Region key and a replica, as AWS does. */
function requirePrimary(key: KeyRecord, arn: string): string {
  if (key.primaryRegion === undefined) throw new KmsError('UnsupportedOperation', `${arn} is not a multi-Region key.`);
  if (key.primaryRegion !== key.region) throw new KmsError('UnsupportedOperation', `${arn} is not a multi-Region primary key.`);
  return wireKeyId(key.id);
}

const regionParam = str(1, 32).regex(REGION_PATTERN, 'Member must satisfy regular expression pattern: ^([a-z]+-){2,3}\\d+$');

export const replicateKey = defineOperation({
  service: 'TrentService',
  name: 'ReplicateKey',
  description: 'Creates a replica of a multi-Region primary key in another Region: same key material, its own policy, tags and state.',
  effect: 'write',
  uses: ['keys', 'realm', 'regions', 'clock', 'principals', 'policyChecks'] as const,
  input: z.object({
    KeyId: keyIdParam.describe('The multi-Region primary key to replicate (key ID or key ARN).'),
    ReplicaRegion: regionParam.describe('The Region of the new replica key; this deployment must serve it.'),
    Policy: str(1, 32768).optional().describe('The key policy of the replica; without it the replica gets the default key policy.'),
    BypassPolicyLockoutSafetyCheck: z.boolean().optional().describe('Skips the check that the replica policy still lets the caller change it later.'),
    Description: str(0, 8192).optional().describe('A description of the replica (not shared with the other regional keys).'),
    Tags: tagList.optional().describe('Tags of the replica (not shared with the other regional keys).'),
  }),
  conditions: (c) => [c.scalar('kms:ReplicaRegion', (i) => i.ReplicaRegion), c.requestTags((i) => i.Tags)],
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'manage', allowAlias: false } },
  async execute(input, ctx, deps) {
    const primary = ctx.keys.key.record;
    const wireId = requirePrimary(primary, ctx.keys.key.arn);
    const region = input.ReplicaRegion;
    if (!servesRegion(deps.regions, region)) throw new KmsError('UnsupportedOperation', `This deployment does not serve region ${region}.`);
    const replicaId = storageKeyId(wireId, region);
    const realm = { ...deps.realm, region };
    if (region === primary.region || (await deps.keys.getKey(replicaId)) !== undefined) {
      throw new KmsError('AlreadyExists', `Replica key ${keyArn(realm, replicaId)} already exists.`);
    }
    const policyPrincipals = input.Policy === undefined ? {} : await checkNewKeyPolicy({ ...deps, realm }, ctx, keyArn(realm, replicaId), input.Policy, input.BypassPolicyLockoutSafetyCheck);
    const tags = toKeyTags(input.Tags ?? []);
    const imported = primary.origin === 'EXTERNAL';
    const replica: KeyRecord = {
      id: replicaId,
      region,
      primaryRegion: primary.region,
      createdAt: deps.clock.now(),
      description: input.Description ?? '',
      keySpec: primary.keySpec,
      keyUsage: primary.keyUsage,
      origin: primary.origin,
      // Imported material is not copied: as in AWS, the same material is imported into each replica.
      state: imported ? 'PendingImport' : 'Enabled',
      primaryVersion: imported ? 1 : primary.primaryVersion,
      policy: input.Policy ?? defaultKeyPolicy(deps.realm.account, deps.realm.partition),
    };
    await deps.keys.createKey(replica, undefined, tags);
    if (!imported) await deps.keys.copyVersions(primary.id, replicaId);
    await deps.keys.putPolicyPrincipals(replicaId, policyPrincipals);
    const related = await deps.keys.listRelatedKeys(wireId);
    return { ReplicaKeyMetadata: keyMetadata(realm, replica, related), ReplicaPolicy: replica.policy, ReplicaTags: tagsForWire(tags) };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, replicaRegion: i.ReplicaRegion, description: i.Description, tagKeys: i.Tags?.map((t) => t.TagKey) }),
  auditResponse: (o) => ({ replicaKeyArn: o.ReplicaKeyMetadata.Arn }),
});

export const updatePrimaryRegion = defineOperation({
  service: 'TrentService',
  name: 'UpdatePrimaryRegion',
  description: 'Makes the replica key in another Region the primary key of a multi-Region key; the current primary becomes a replica.',
  effect: 'write',
  uses: ['keys', 'realm', 'lifecycle'] as const,
  input: z.object({
    KeyId: keyIdParam.describe('The current multi-Region primary key (key ID or key ARN).'),
    PrimaryRegion: regionParam.describe('The Region of the replica key that becomes the primary key.'),
  }),
  conditions: (c) => [c.scalar('kms:PrimaryRegion', (i) => i.PrimaryRegion)],
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'manage', allowAlias: false } },
  async execute(input, ctx, deps) {
    const primary = ctx.keys.key.record;
    const wireId = requirePrimary(primary, ctx.keys.key.arn);
    if (input.PrimaryRegion === primary.region) return {};
    const target = await deps.keys.getKey(storageKeyId(wireId, input.PrimaryRegion));
    if (target === undefined) throw new KmsError('KeyNotFound', `Key '${keyArn({ ...deps.realm, region: input.PrimaryRegion }, wireId)}' does not exist`);
    await deps.keys.setPrimaryRegion(wireId, input.PrimaryRegion);
    // Automatic rotation is a shared property, kept by the primary: it moves with the primary.
    const rotation = await deps.lifecycle.store.getRotation(primary.id);
    if (rotation !== undefined) {
      await deps.lifecycle.store.setRotation(target.id, rotation);
      await deps.lifecycle.store.setRotation(primary.id, { enabled: false, periodDays: rotation.periodDays });
    }
    return {};
  },
  auditRequest: (i) => ({ keyId: i.KeyId, primaryRegion: i.PrimaryRegion }),
});
