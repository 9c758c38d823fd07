import { z } from 'zod';
import { randomId, randomPublicBytes } from '../../crypto/random.js';
import { aliasArn, checkAliasName } from '../../core/arn.js';
import { KmsError } from '../../core/errors.js';
import { KEY_SPEC_INFO, KEY_USAGES, type KeyRecord, type KeySpec, type Tag } from '../../core/key.js';
import { dateTag, defaultManagedKeyPolicy, MANAGED_TAGS } from '../../core/managed-key.js';
import { keyMetadata } from '../keys/key-metadata.js';
import { tagList, toKeyTags } from '../keys/tags.js';
import { denied } from '../pipeline/authorization-facts.js';
import { defineOperation, type OperationContext } from '../pipeline/operation.js';
import type { ServiceDeps } from '../pipeline/deps.js';
import type { KeyImporter } from '../../core/custody.js';
import { secretBlob, str } from '../pipeline/schemas.js';

/** The key specs a KMIP client can create or register: secret keys whose material is raw bytes. */
export const MANAGED_KEY_SPECS = ['SYMMETRIC_DEFAULT', 'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512'] as const satisfies readonly KeySpec[];
type ManagedKeySpec = (typeof MANAGED_KEY_SPECS)[number];

/** At most this many aliases in one CreateManagedKey. */
export const MAX_CREATE_ALIASES = 10;

const KEY_SPEC = z
  .string()
  .refine((s): s is ManagedKeySpec => MANAGED_KEY_SPECS.some((m) => m === s), { message: `must be one of ${MANAGED_KEY_SPECS.join(', ')}: CreateManagedKey makes symmetric encryption and HMAC keys only` })
  .transform((s) => MANAGED_KEY_SPECS.find((m) => m === s) ?? 'SYMMETRIC_DEFAULT');

/**
 * KMIP Create and Register (issue 22, ADR 0027): a key made with its KMIP facts as reserved tags, its
 * aliases and, for Register, its plaintext material, all in one transaction: a refused alias leaves no key.
 */
export const createManagedKey = defineOperation({
  service: 'ArcaService',
  name: 'CreateManagedKey',
  description: 'Creates or registers (with given material) a symmetric or HMAC key with KMIP facts, aliases and tags, in one transaction.',
  effect: 'write',
  uses: ['keys', 'provisioner', 'importer', 'imports', 'clock', 'realm', 'policyChecks'] as const,
  input: z.object({
    KeySpec: KEY_SPEC.describe('SYMMETRIC_DEFAULT or HMAC_224, HMAC_256, HMAC_384, HMAC_512.'),
    KeyUsage: z.enum(KEY_USAGES).optional().describe('ENCRYPT_DECRYPT (symmetric) or GENERATE_VERIFY_MAC (HMAC); by default the one the key spec allows.'),
    Description: str(0, 8192).optional().describe('A description of the key, for your own use; do not put secrets in it.'),
    Exportable: z.boolean().optional().describe('Whether ExportKeyMaterial may hand out the key material (tag arca:Exportable); fixed for the life of the key. Default false.'),
    Material: secretBlob(1, 64).optional().describe('Registers this plaintext key material (origin EXTERNAL, never expires); its length must be the key spec\'s. Without it the material is generated.'),
    Aliases: z.array(str(1, 256)).max(MAX_CREATE_ALIASES, `Member must have length less than or equal to ${MAX_CREATE_ALIASES}`).optional().describe('Alias names (alias/...) to create for the key, as CreateAlias would.'),
    Tags: tagList.optional().describe('Tags (TagKey and TagValue pairs) to attach; keys beginning with arca: are reserved.'),
    Activate: z.boolean().optional().describe('true: the key is Enabled (KMIP Active); false, the default: Disabled (KMIP Pre-Active) until ActivateKey.'),
  }),
  conditions: (c) => [c.scalar('kms:KeyUsage', (i) => i.KeyUsage), c.scalar('kms:KeySpec', (i) => i.KeySpec), c.scalar('kms:KeyOrigin', (i) => (i.Material === undefined ? 'AWS_KMS' : 'EXTERNAL')), c.scalar('arca:KeyExportable', (i) => i.Exportable === true), c.requestTags((i) => i.Tags)],
  keys: {},
  async execute(input, ctx, deps) {
    const keySpec = input.KeySpec;
    const info = KEY_SPEC_INFO[keySpec];
    const keyUsage = input.KeyUsage ?? info.usages[0] ?? 'ENCRYPT_DECRYPT';
    if (!info.usages.includes(keyUsage)) throw new KmsError('ValidationFailed', `KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}`);
    if (input.Material !== undefined && input.Material.length !== info.materialLength) {
      throw new KmsError('ValidationFailed', `Material must be ${info.materialLength} bytes long for KeySpec ${keySpec}; it is ${input.Material.length}.`);
    }
    const aliases = input.Aliases ?? [];
    for (const name of aliases) checkAliasName(name);
    if (new Set(aliases).size !== aliases.length) throw new KmsError('ValidationFailed', 'Aliases must not name the same alias twice.');
    await requireAliasRights(deps, ctx, aliases);
    const now = deps.clock.now();
    const tags = [...toKeyTags(input.Tags ?? []), ...reservedTags(input.Exportable === true, input.Activate === true, now)];
    const registered = input.Material !== undefined;
    const key: KeyRecord = {
      id: randomId(),
      region: deps.realm.region,
      createdAt: now,
      description: input.Description ?? '',
      keySpec,
      keyUsage,
      origin: registered ? 'EXTERNAL' : 'AWS_KMS',
      state: registered ? 'PendingImport' : input.Activate === true ? 'Enabled' : 'Disabled',
      primaryVersion: 1,
      policy: defaultManagedKeyPolicy(deps.realm.account, deps.realm.partition),
    };
    if (input.Material === undefined) {
      await deps.keys.createKey(key, await deps.provisioner.newVersion(key, 1, now), tags);
    } else {
      await deps.keys.createKey(key, undefined, tags);
      await register(deps, key, input.Material, now);
      if (input.Activate !== true) await deps.keys.updateKey(key.id, { state: 'Disabled' });
    }
    // After the key, as CreateAlias would (same checks, same errors): a refusal rolls the whole request back.
    for (const name of aliases) {
      if (await deps.keys.getAlias(deps.realm.region, name)) throw new KmsError('AlreadyExists', `An alias with the name ${aliasArn(deps.realm, name)} already exists`);
      await deps.keys.createAlias({ region: deps.realm.region, name, keyId: key.id, createdAt: now, updatedAt: now });
    }
    const created = await deps.keys.getKey(key.id);
    return { KeyMetadata: keyMetadata(deps.realm, created ?? key) };
  },
  auditRequest: (i) => ({
    keySpec: i.KeySpec,
    keyUsage: i.KeyUsage,
    exportable: i.Exportable === true,
    registered: i.Material !== undefined,
    activate: i.Activate === true,
    aliases: i.Aliases,
    tagKeys: i.Tags?.map((t) => t.TagKey),
  }),
  auditResponse: (o) => ({ keyId: o.KeyMetadata.KeyId, arn: o.KeyMetadata.Arn }),
});

/** The reserved tags of a new managed key: exportability (only when true), its lifecycle and, when active, its activation date. */
function reservedTags(exportable: boolean, activate: boolean, now: Date): Tag[] {
  return [
    ...(exportable ? [{ key: MANAGED_TAGS.exportable, value: 'true' }] : []),
    { key: MANAGED_TAGS.lifecycle, value: activate ? 'Active' : 'PreActive' },
    ...(activate ? [{ key: MANAGED_TAGS.activationDate, value: dateTag(now) }] : []),
  ];
}

/**
 * kms:CreateAlias on each alias ARN, as CreateAlias authorizes it (identity policies alone decide for an
 * alias): whoever may create keys cannot claim alias names their policies do not give them.
 */
async function requireAliasRights(deps: Pick<ServiceDeps, 'policyChecks' | 'realm'>, ctx: OperationContext, aliases: readonly string[]): Promise<void> {
  for (const name of aliases) {
    const resource = aliasArn(deps.realm, name);
    const request = { principal: ctx.principal, action: 'kms:CreateAlias', resource, resourceAccount: deps.realm.account, context: { 'kms:RequestAlias': name }, request: ctx.request };
    if (!(await deps.policyChecks.allowedByPolicies(request))) throw denied(ctx.principal, 'kms:CreateAlias', resource);
  }
}

/**
 * Register: the material, checked and wrapped in custody, becomes version 1 of the EXTERNAL key through the
 * import path, so that it has the import record of imported material (its fingerprint, a later re-import
 * must match it; KEY_MATERIAL_DOES_NOT_EXPIRE). The import store takes material only with a token: a
 * registration token without a wrapping key, used in this same transaction (ADR 0027). The key is Enabled after it.
 */
async function register(deps: Pick<ServiceDeps, 'importer' | 'imports'>, key: KeyRecord, material: Parameters<KeyImporter['acceptRegistered']>[1], now: Date): Promise<void> {
  const accepted = await deps.importer.acceptRegistered(key, material, now, 1);
  const tokenId = randomPublicBytes(32).toString('hex');
  await deps.imports.putToken({
    tokenId,
    keyId: key.id,
    wrappingKeySpec: 'RSA_2048',
    wrappingAlgorithm: 'RSAES_OAEP_SHA_256',
    wrappedPrivateKey: { domainKeyVersion: accepted.version.domainKeyVersion, wrapped: Buffer.alloc(0) },
    createdAt: now,
    expiresAt: now,
  });
  const record = { keyId: key.id, version: 1, fingerprint: accepted.fingerprint, expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' as const, importedAt: now };
  if (!(await deps.imports.importMaterial(tokenId, now, accepted.version, record))) throw new KmsError('Internal', `the registered material of ${key.id} was not stored`);
}

