import { z } from 'zod';
import { randomId } from '../../crypto/random.js';
import type { PreparedKey } from '../../core/custody.js';
import { defaultKeyPolicy } from '../../core/authorization.js';
import { KmsError } from '../../core/errors.js';
import { KEY_CAPABILITIES, requireSpecRuntime, specRuntimeSupported } from '../../core/key-capabilities.js';
import { KEY_SPEC_INFO, KEY_SPECS, KEY_USAGES, ORIGINS, type KeyRecord } from '../../core/key.js';
import { keyMetadata } from './key-metadata.js';
import { defineOperation } from '../pipeline/operation.js';
import { checkNewKeyPolicy } from '../access/policy-document.js';
import { keyArn } from '../../core/arn.js';
import { newMultiRegionId, storageKeyId } from '../../core/multi-region.js';
import { str } from '../pipeline/schemas.js';
import { tagList, toKeyTags } from './tags.js';
import { customKeyStoreMembers, discardHsmKey, earlyXksCheck, generateHsmKey, planCustomKeyStoreKey, type EarlyXksCheck } from './custom-key-store-key.js';

/** A key id as Arca makes them (a lowercase UUID), for ArcaDevKeyId. */
const DEV_KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** CreateKey's work done before its transaction: a generated key pair, or the proxy's answer about an external key. */
type Prepared = { readonly material: PreparedKey } | { readonly xks: EarlyXksCheck };

export const createKey = defineOperation({
  service: 'TrentService',
  name: 'CreateKey',
  description: 'Creates a KMS key: symmetric encryption, asymmetric (encryption, signing or key agreement) or HMAC.',
  effect: 'write',
  uses: ['keys', 'provisioner', 'clock', 'realm', 'principals', 'policyChecks', 'dev', 'customKeyStores'] as const,
  input: z.object({
    Policy: str(1, 32768).optional().describe('The key policy to attach to the KMS key (a JSON policy document); without it the key gets the default key policy.'),
    Description: str(0, 8192).optional().describe('A description of the KMS key, for your own use; do not put secrets in it.'),
    KeyUsage: z.enum(KEY_USAGES).optional().describe('What the KMS key is for: ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT or ENCAPSULATE_DECAPSULATE.'),
    CustomerMasterKeySpec: z.enum(KEY_SPECS).optional().describe('Deprecated older name of KeySpec; use KeySpec.'),
    KeySpec: z.enum(KEY_SPECS).optional().describe('The type of KMS key to create: SYMMETRIC_DEFAULT (the default), or an RSA, ECC, HMAC, ML-DSA or ML-KEM key spec.'),
    Origin: z.enum(ORIGINS).optional().describe('The source of the key material: AWS_KMS (generated here, the default), EXTERNAL (imported later), EXTERNAL_KEY_STORE or AWS_CLOUDHSM (in a custom key store).'),
    CustomKeyStoreId: str(1, 64).optional().describe('Creates the KMS key in this custom key store (with Origin EXTERNAL_KEY_STORE or AWS_CLOUDHSM); the store must be connected.'),
    BypassPolicyLockoutSafetyCheck: z.boolean().optional().describe('Skips the check that the key policy still lets the caller change it later; use with care.'),
    Tags: tagList.optional().describe('Tags (TagKey and TagValue pairs) to attach to the KMS key.'),
    MultiRegion: z.boolean().optional().describe('Creates a multi-Region primary key when true; the default false creates a single-Region key.'),
    XksKeyId: str(1, 128).optional().describe('The external key (in the external key store proxy) that backs a KMS key with Origin EXTERNAL_KEY_STORE.'),
    ArcaDevKeyId: z.string().regex(DEV_KEY_ID, 'must be a lowercase UUID').optional().describe('Dev mode only (arca dev --seed): the id to give the new key, for tests that name fixed ids. Not an AWS member.'),
  }),
  conditions: (c) => [c.scalar('kms:KeyUsage', (i) => i.KeyUsage), c.scalar('kms:KeySpec', (i) => i.KeySpec ?? i.CustomerMasterKeySpec), c.scalar('kms:KeyOrigin', (i) => i.Origin), c.scalar('kms:BypassPolicyLockoutSafetyCheck', (i) => i.BypassPolicyLockoutSafetyCheck), c.requestTags((i) => i.Tags)],
  keys: {},
  // Before the audit transaction opens: a key pair (RSA-4096 takes up to seconds) is generated and wrapped in
  // custody, or an external key store key's external key is checked in its proxy (a network call).
  async prepare(input, deps, caller): Promise<Prepared | undefined> {
    const keySpec = input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
    if (input.Origin === 'EXTERNAL_KEY_STORE') {
      const keyId = input.ArcaDevKeyId ?? randomId();
      const cksRequest = { origin: input.Origin, customKeyStoreId: input.CustomKeyStoreId, xksKeyId: input.XksKeyId, keySpec, keyUsage: input.KeyUsage ?? 'ENCRYPT_DECRYPT', multiRegion: input.MultiRegion === true };
      return { xks: await earlyXksCheck(deps.customKeyStores, deps.realm.region, cksRequest, { ...caller, keyId, keyArn: keyArn(deps.realm, keyId) }) };
    }
    const info = KEY_SPEC_INFO[keySpec];
    const usable = info.available && specRuntimeSupported(keySpec) && info.usages.includes(input.KeyUsage ?? 'ENCRYPT_DECRYPT') && (input.Origin ?? 'AWS_KMS') === 'AWS_KMS';
    return usable && KEY_CAPABILITIES[keySpec].keyPair !== undefined ? { material: await deps.provisioner.prepareKey(keySpec) } : undefined;
  },
  async execute(input, ctx, deps, prepared) {
    if (input.KeySpec !== undefined && input.CustomerMasterKeySpec !== undefined) {
      throw new KmsError('ValidationFailed', 'You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.');
    }
    const keySpec = input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
    const info = KEY_SPEC_INFO[keySpec];
    // As in AWS, KeyUsage defaults to ENCRYPT_DECRYPT, for symmetric encryption keys only: any other spec must name its usage.
    if (input.KeyUsage === undefined && keySpec !== 'SYMMETRIC_DEFAULT') {
      throw new KmsError('ValidationFailed', 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
    }
    const keyUsage = input.KeyUsage ?? 'ENCRYPT_DECRYPT';
    if (!info.usages.includes(keyUsage)) {
      throw new KmsError('ValidationFailed', `KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}`);
    }
    if (!info.available) throw new KmsError('UnsupportedOperation', `KeySpec ${keySpec} is not supported by this version of Arca yet.`);
    requireSpecRuntime(keySpec);
    const origin = input.Origin ?? 'AWS_KMS';
    const multiRegion = input.MultiRegion === true;
    if (multiRegion && input.ArcaDevKeyId !== undefined) throw new KmsError('ValidationFailed', 'ArcaDevKeyId names a single-Region key: it cannot be combined with MultiRegion.');
    const tags = toKeyTags(input.Tags ?? []);
    // Prepared material is bound to the key id it was wrapped for: the key takes that id.
    if (input.ArcaDevKeyId !== undefined && deps.dev === undefined) throw new KmsError('UnsupportedOperation', 'ArcaDevKeyId is available in dev mode only (arca dev).');
    if (input.ArcaDevKeyId !== undefined && (await deps.keys.getKey(input.ArcaDevKeyId)) !== undefined) throw new KmsError('AlreadyExists', `Key '${input.ArcaDevKeyId}' already exists`);
    // Prepared material is bound to the single-Region id it was wrapped for (a multi-Region key has its own).
    const material = prepared !== undefined && 'material' in prepared ? prepared.material : undefined;
    const ready = material?.keySpec === keySpec && input.ArcaDevKeyId === undefined && !multiRegion ? material : undefined;
    const early = prepared !== undefined && 'xks' in prepared ? prepared.xks : undefined;
    const id = multiRegion ? storageKeyId(newMultiRegionId(), deps.realm.region) : (input.ArcaDevKeyId ?? ready?.keyId ?? early?.keyId ?? randomId());
    // The default key policy names only the account root: no principal to resolve.
    const policyPrincipals = input.Policy === undefined ? {} : await checkNewKeyPolicy(deps, ctx, keyArn(deps.realm, id), input.Policy, input.BypassPolicyLockoutSafetyCheck);
    // A key in a custom key store (ADR 0024): the store connected here, the external key checked in its proxy.
    const cksRequest = { origin, customKeyStoreId: input.CustomKeyStoreId, xksKeyId: input.XksKeyId, keySpec, keyUsage, multiRegion };
    const asked = early !== undefined && early.keyId === id && early.customKeyStoreId === input.CustomKeyStoreId && early.xksKeyId === input.XksKeyId ? early : undefined;
    const inStore = await planCustomKeyStoreKey(deps.customKeyStores, deps.realm.region, cksRequest, { principalArn: ctx.principal.arn, requestId: ctx.requestId, keyArn: keyArn(deps.realm, id) }, asked);

    const now = deps.clock.now();
    const key: KeyRecord = {
      id,
      region: deps.realm.region,
      ...(multiRegion && { primaryRegion: deps.realm.region }),
      createdAt: now,
      description: input.Description ?? '',
      keySpec,
      keyUsage,
      origin,
      state: origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled',
      primaryVersion: 1,
      policy: input.Policy ?? defaultKeyPolicy(deps.realm.account, deps.realm.partition),
    };
    if (inStore !== undefined) {
      // An HSM key's material lives only in the HSM (label = key id); an external key store key also has Arca material (double encryption).
      const inHsm = inStore.store.type === 'AWS_CLOUDHSM';
      if (inHsm) await generateHsmKey(deps.customKeyStores, inStore.store, key.id);
      try {
        await deps.keys.createKey(key, inHsm ? undefined : await deps.provisioner.newVersion(key, 1, now), tags);
        await deps.keys.putPolicyPrincipals(key.id, policyPrincipals);
        await deps.customKeyStores.store.linkKey({ keyId: key.id, storeId: inStore.store.id, externalKeyId: inStore.xksKeyId ?? key.id });
      } catch (e) {
        if (inHsm) await discardHsmKey(deps.customKeyStores, inStore.store, key.id);
        throw e;
      }
      return { KeyMetadata: { ...keyMetadata(deps.realm, key), ...customKeyStoreMembers(inStore.store, inStore.xksKeyId) } };
    }
    if (origin === 'EXTERNAL') {
      // Bring your own key: no material until ImportKeyMaterial.
      await deps.keys.createKey(key, undefined, tags);
      await deps.keys.putPolicyPrincipals(key.id, policyPrincipals);
      return { KeyMetadata: keyMetadata(deps.realm, key) };
    }
    const firstVersion = await deps.provisioner.newVersion(key, 1, now, ready);
    await deps.keys.createKey(key, firstVersion, tags);
    await deps.keys.putPolicyPrincipals(key.id, policyPrincipals);
    return { KeyMetadata: keyMetadata(deps.realm, key) };
  },
  auditRequest: (i) => ({
    description: i.Description,
    keySpec: i.KeySpec ?? i.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT',
    keyUsage: i.KeyUsage,
    origin: i.Origin,
    customKeyStoreId: i.CustomKeyStoreId,
    xksKeyId: i.XksKeyId,
    tagKeys: i.Tags?.map((t) => t.TagKey),
  }),
  auditResponse: (o) => ({ keyId: o.KeyMetadata.KeyId, arn: o.KeyMetadata.Arn }),
});
