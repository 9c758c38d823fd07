import { ArcaCallError } from '../client.js';

/**
 * The live state `arca apply` compares the file with, read through the operation protocol only
 * (DescribeKey, ListResourceTags, GetKeyPolicy, GetKeyRotationStatus, ListGrants, ListKeys, GetPrincipal,
 * GetPrincipalPolicy, ListApprovalRules): what a client with the right permissions can see.
 */

/** One operation call, signed for `region` (default the command's region); throws ArcaCallError. */
export type Caller = (target: string, input: Record<string, unknown>, region?: string) => Promise<Record<string, unknown>>;

export const MANAGED_TAG = { key: 'managed-by', value: 'arca-apply' } as const;

export interface LiveGrant {
  readonly grantId: string;
  readonly name: string;
  readonly granteePrincipal: string;
  readonly retiringPrincipal?: string | undefined;
  readonly operations: readonly string[];
  readonly encryptionContextSubset?: Record<string, string> | undefined;
  readonly encryptionContextEquals?: Record<string, string> | undefined;
}

export interface LiveKey {
  readonly keyId: string;
  readonly region: string;
  readonly keySpec: string;
  readonly keyUsage: string;
  readonly keyState: string;
  readonly description: string;
  readonly tags: Record<string, string>;
  readonly policy: string;
  /** The rotation period while automatic rotation is on; undefined when off. */
  readonly rotationPeriodInDays?: number | undefined;
  readonly grants: readonly LiveGrant[];
}

export interface LivePrincipal {
  readonly name: string;
  readonly type: string;
  readonly tags: Record<string, string>;
  readonly policies: Record<string, string>;
}

export const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
export const rec = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v)) : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strMap = (v: unknown): Record<string, string> | undefined => (v === undefined || v === null ? undefined : Object.fromEntries(Object.entries(rec(v)).map(([k, x]) => [k, str(x)])));
const tagMap = (v: unknown): Record<string, string> => Object.fromEntries(arr(v).map((t) => [str(rec(t)['TagKey']), str(rec(t)['TagValue'])]));

export function isNotFound(e: unknown): boolean {
  return e instanceof ArcaCallError && (e.type === 'NotFoundException' || e.type === 'NoSuchEntity' || e.type === 'NoSuchEntityException');
}

/** Every item of a paged list operation (Marker / NextMarker / Truncated). */
export async function listAll(call: Caller, target: string, input: Record<string, unknown>, field: string, region?: string): Promise<unknown[]> {
  const out: unknown[] = [];
  let marker: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const r = await call(target, { ...input, ...(marker !== undefined && { Marker: marker }) }, region);
    out.push(...arr(r[field]));
    if (r['Truncated'] !== true || typeof r['NextMarker'] !== 'string') break;
    marker = r['NextMarker'];
  }
  return out;
}

/** The key `keyId` (an id, ARN or alias) in `region`, or undefined when there is none. */
export async function readKey(call: Caller, keyId: string, region: string): Promise<LiveKey | undefined> {
  let described: Record<string, unknown>;
  try {
    described = rec((await call('TrentService.DescribeKey', { KeyId: keyId }, region))['KeyMetadata']);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
  const id = str(described['KeyId']);
  const base = {
    keyId: id,
    region,
    keySpec: str(described['KeySpec'] ?? described['CustomerMasterKeySpec']),
    keyUsage: str(described['KeyUsage']),
    keyState: str(described['KeyState']),
    description: str(described['Description']),
  };
  if (base.keyState === 'PendingDeletion' || base.keyState === 'PendingReplicaDeletion') return { ...base, tags: {}, policy: '', grants: [] };
  const tags = tagMap(await listAll(call, 'TrentService.ListResourceTags', { KeyId: id }, 'Tags', region));
  const policy = str((await call('TrentService.GetKeyPolicy', { KeyId: id, PolicyName: 'default' }, region))['Policy']);
  const rotation: Record<string, unknown> = await call('TrentService.GetKeyRotationStatus', { KeyId: id }, region).catch((e: unknown) => {
    // Asymmetric and HMAC keys do not rotate: AWS answers UnsupportedOperationException.
    if (e instanceof ArcaCallError && e.type === 'UnsupportedOperationException') return {};
    throw e;
  });
  const grants = (await listAll(call, 'TrentService.ListGrants', { KeyId: id }, 'Grants', region)).map((g): LiveGrant => {
    const r = rec(g);
    const c = rec(r['Constraints']);
    return {
      grantId: str(r['GrantId']),
      name: str(r['Name']),
      granteePrincipal: str(r['GranteePrincipal']),
      retiringPrincipal: r['RetiringPrincipal'] === undefined ? undefined : str(r['RetiringPrincipal']),
      operations: arr(r['Operations']).map(str),
      encryptionContextSubset: strMap(c['EncryptionContextSubset']),
      encryptionContextEquals: strMap(c['EncryptionContextEquals']),
    };
  });
  const period = rotation['KeyRotationEnabled'] === true && typeof rotation['RotationPeriodInDays'] === 'number' ? rotation['RotationPeriodInDays'] : undefined;
  return { ...base, tags, policy, rotationPeriodInDays: period, grants };
}

/** The principal `name`, or undefined when there is none. */
export async function readPrincipal(call: Caller, name: string): Promise<LivePrincipal | undefined> {
  let p: Record<string, unknown>;
  try {
    p = rec((await call('ArcaService.GetPrincipal', { PrincipalName: name }))['Principal']);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
  const policies: Record<string, string> = {};
  for (const policyName of arr(p['PolicyNames']).map(str)) {
    policies[policyName] = str((await call('ArcaService.GetPrincipalPolicy', { PrincipalName: name, PolicyName: policyName }))['PolicyDocument']);
  }
  return { name, type: str(p['PrincipalType'] ?? p['Type']), tags: tagMap(p['Tags']), policies };
}

/** The approval rules by name, as the wire shows them (without their timestamps). */
export async function readApprovalRules(call: Caller): Promise<Map<string, Record<string, unknown>>> {
  const rules = arr((await call('ArcaService.ListApprovalRules', {}))['Rules']).map(rec);
  return new Map(rules.map((r) => {
    const { CreatedAt: _c, UpdatedAt: _u, ...rest } = r;
    return [str(r['RuleName']), rest];
  }));
}

/** The keys of `region` tagged managed-by=arca-apply and not pending deletion, with their aliases. */
export async function managedKeys(call: Caller, region: string): Promise<{ keyId: string; aliases: string[] }[]> {
  const aliases = await listAll(call, 'TrentService.ListAliases', {}, 'Aliases', region);
  const out: { keyId: string; aliases: string[] }[] = [];
  for (const k of await listAll(call, 'TrentService.ListKeys', {}, 'Keys', region)) {
    const keyId = str(rec(k)['KeyId']);
    const state = str(rec((await call('TrentService.DescribeKey', { KeyId: keyId }, region))['KeyMetadata'])['KeyState']);
    if (state === 'PendingDeletion' || state === 'PendingReplicaDeletion') continue;
    const tags = tagMap(await listAll(call, 'TrentService.ListResourceTags', { KeyId: keyId }, 'Tags', region));
    if (tags[MANAGED_TAG.key] !== MANAGED_TAG.value) continue;
    out.push({ keyId, aliases: aliases.map(rec).filter((a) => str(a['TargetKeyId']) === keyId).map((a) => str(a['AliasName'])) });
  }
  return out;
}
