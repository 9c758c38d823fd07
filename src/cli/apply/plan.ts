import type { Manifest, ManifestApprovalRule, ManifestGrant, ManifestKey, ManifestPrincipal } from '../../manifest/schema.js';
import { MANAGED_TAG, isNotFound, managedKeys, readApprovalRules, readKey, readPrincipal, rec, str, type Caller, type LiveGrant, type LiveKey, type LivePrincipal } from './live.js';

/** What `arca apply` would do: the changes, each a resource and its field changes (issue 23). */
export type Action = 'create' | 'update' | 'replace' | 'delete';
export const ACTIONS: readonly Action[] = ['create', 'update', 'replace', 'delete'];

/** One field: `from` absent means added, `to` absent means removed. */
export interface FieldChange {
  readonly field: string;
  readonly from?: unknown;
  readonly to?: unknown;
}

export interface PlannedChange {
  readonly action: Action;
  readonly resource: 'key' | 'principal' | 'approvalRule';
  /** The key's alias, the principal's or the rule's name. */
  readonly name: string;
  readonly region?: string | undefined;
  /** The existing key (update, replace, delete). */
  readonly keyId?: string | undefined;
  readonly changes: readonly FieldChange[];
}

export interface Plan {
  readonly changes: readonly PlannedChange[];
  readonly summary: Record<Action, number>;
}

export interface PlanOptions {
  readonly homeRegion: string;
  readonly prune: boolean;
}

const DEFAULT_SPEC = 'SYMMETRIC_DEFAULT';
export const DEFAULT_DELETION_WINDOW = 30;

/** Reads the live state of everything the file names (and, with prune, the managed keys) and diffs it. */
export async function buildPlan(call: Caller, manifest: Manifest, options: PlanOptions): Promise<Plan> {
  const changes: PlannedChange[] = [];
  const listed = new Map<string, Set<string>>();
  for (const [i, k] of (manifest.keys ?? []).entries()) {
    if (k.alias === undefined) throw new Error(`keys.${i}: arca apply finds keys by alias: give each key an alias`);
    if (k.insecureMaterial !== undefined || k.id !== undefined) throw new Error(`keys.${i} (${k.alias}): id and insecureMaterial are for dev seeds only`);
    const region = k.region ?? options.homeRegion;
    const aliases = aliasesOf(k);
    const seen = listed.get(region) ?? new Set<string>();
    const twice = aliases.find((a) => seen.has(a));
    if (twice !== undefined) throw new Error(`keys.${i}: ${twice} names two keys of ${region}`);
    aliases.forEach((a) => seen.add(a));
    listed.set(region, seen);
    const live = await readKey(call, k.alias, region);
    const owners = new Map<string, string | undefined>();
    for (const a of aliases) owners.set(a, a === k.alias ? live?.keyId : await aliasTarget(call, a, region));
    const change = diffKey(k, live, owners, region);
    if (change !== undefined) changes.push(change);
    // With --prune, a replaced key apply made is scheduled for deletion once its aliases have moved.
    if (options.prune && change?.action === 'replace' && live !== undefined && live.tags[MANAGED_TAG.key] === MANAGED_TAG.value) {
      changes.push({ action: 'delete', resource: 'key', name: k.alias, region, keyId: live.keyId, changes: [{ field: 'pendingWindowInDays', to: manifest.deletionWindowInDays ?? DEFAULT_DELETION_WINDOW }] });
    }
  }
  for (const p of manifest.principals ?? []) {
    const change = diffPrincipal(p, await readPrincipal(call, p.name));
    if (change !== undefined) changes.push(change);
  }
  if (manifest.approvalRules !== undefined && manifest.approvalRules.length > 0) {
    const live = await readApprovalRules(call);
    for (const r of manifest.approvalRules) {
      const change = diffApprovalRule(r, live.get(r.name));
      if (change !== undefined) changes.push(change);
    }
  }
  if (options.prune) {
    const regions = new Set([options.homeRegion, ...listed.keys()]);
    for (const region of regions) {
      for (const m of await managedKeys(call, region)) {
        if (m.aliases.some((a) => listed.get(region)?.has(a) === true)) continue;
        const window = manifest.deletionWindowInDays ?? DEFAULT_DELETION_WINDOW;
        changes.push({ action: 'delete', resource: 'key', name: m.aliases[0] ?? m.keyId, region, keyId: m.keyId, changes: [{ field: 'pendingWindowInDays', to: window }] });
      }
    }
  }
  const summary = { create: 0, update: 0, replace: 0, delete: 0 };
  for (const c of changes) summary[c.action]++;
  return { changes, summary };
}

export function aliasesOf(k: ManifestKey): string[] {
  return [...new Set([...(k.alias === undefined ? [] : [k.alias]), ...(k.aliases ?? [])])];
}

async function aliasTarget(call: Caller, alias: string, region: string): Promise<string | undefined> {
  try {
    return str(rec((await call('TrentService.DescribeKey', { KeyId: alias }, region))['KeyMetadata'])['KeyId']);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** A policy document, indented for reading; text that is not JSON is shown as it is. */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => [k, sorted(x)]));
  return v;
}

/** Equal as JSON documents (member order aside). */
export function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(sorted(JSON.parse(a))) === JSON.stringify(sorted(JSON.parse(b)));
  } catch {
    return a === b;
  }
}

const sameMap = (a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean => JSON.stringify(sorted(a ?? {})) === JSON.stringify(sorted(b ?? {}));

function grantShape(g: ManifestGrant | LiveGrant): Record<string, unknown> {
  return {
    granteePrincipal: g.granteePrincipal,
    ...(g.retiringPrincipal !== undefined && g.retiringPrincipal !== '' && { retiringPrincipal: g.retiringPrincipal }),
    operations: [...g.operations].sort(),
    ...(g.encryptionContextSubset !== undefined && { encryptionContextSubset: g.encryptionContextSubset }),
    ...(g.encryptionContextEquals !== undefined && { encryptionContextEquals: g.encryptionContextEquals }),
  };
}

function sameGrant(want: ManifestGrant, live: LiveGrant): boolean {
  const w = grantShape(want);
  const l = grantShape(live);
  return JSON.stringify(sorted(w)) === JSON.stringify(sorted(l)) && sameMap(want.encryptionContextSubset, live.encryptionContextSubset) && sameMap(want.encryptionContextEquals, live.encryptionContextEquals);
}

/** The tag changes from `live` to `want` (when the file gives tags; the managed-by tag is never removed). */
function tagChanges(prefix: string, want: Record<string, string> | undefined, live: Record<string, string>): FieldChange[] {
  if (want === undefined) return [];
  const out: FieldChange[] = [];
  for (const [k, v] of Object.entries(want)) if (live[k] !== v) out.push({ field: `${prefix}.${k}`, ...(live[k] !== undefined && { from: live[k] }), to: v });
  for (const [k, v] of Object.entries(live)) if (!(k in want) && k !== MANAGED_TAG.key) out.push({ field: `${prefix}.${k}`, from: v });
  return out;
}

/** The change that makes `live` (or nothing) into the key the file describes; undefined when none is needed. */
export function diffKey(want: ManifestKey, live: LiveKey | undefined, aliasOwners: ReadonlyMap<string, string | undefined>, region: string): PlannedChange | undefined {
  const name = want.alias ?? '';
  const spec = want.keySpec ?? DEFAULT_SPEC;
  const pending = live !== undefined && (live.keyState === 'PendingDeletion' || live.keyState === 'PendingReplicaDeletion');
  const replace = live !== undefined && !pending && (live.keySpec !== spec || (want.keyUsage !== undefined && live.keyUsage !== want.keyUsage));
  if (live === undefined || replace) {
    const changes: FieldChange[] = [
      { field: 'keySpec', ...(live !== undefined && { from: live.keySpec }), to: spec },
      ...(want.keyUsage !== undefined || live !== undefined ? [{ field: 'keyUsage', ...(live !== undefined && { from: live.keyUsage }), to: want.keyUsage ?? '(default)' }] : []),
      ...(want.description !== undefined ? [{ field: 'description', to: want.description }] : []),
      ...(want.policy !== undefined ? [{ field: 'policy', to: prettyJson(want.policy) }] : []),
      ...Object.entries(want.tags ?? {}).map(([k, v]) => ({ field: `tags.${k}`, to: v })),
      ...(want.rotationPeriodInDays !== undefined ? [{ field: 'rotationPeriodInDays', to: want.rotationPeriodInDays }] : []),
      ...(want.enabled === false ? [{ field: 'enabled', to: false }] : []),
      ...[...aliasOwners].map(([a, owner]) => ({ field: `aliases.${a}`, ...(owner !== undefined && { from: owner }), to: 'this key' })),
      ...(want.grants ?? []).map((g) => ({ field: `grants.${g.name}`, to: grantShape(g) })),
    ];
    return { action: live === undefined ? 'create' : 'replace', resource: 'key', name, region, keyId: live?.keyId, changes };
  }
  const changes: FieldChange[] = [];
  if (pending) changes.push({ field: 'keyState', from: live.keyState, to: 'Enabled (CancelKeyDeletion)' });
  if (want.description !== undefined && want.description !== live.description) changes.push({ field: 'description', from: live.description, to: want.description });
  if (want.enabled !== undefined && !pending && want.enabled !== (live.keyState === 'Enabled')) changes.push({ field: 'enabled', from: live.keyState === 'Enabled', to: want.enabled });
  if (want.rotationPeriodInDays !== undefined && want.rotationPeriodInDays !== live.rotationPeriodInDays) {
    changes.push({ field: 'rotationPeriodInDays', ...(live.rotationPeriodInDays !== undefined && { from: live.rotationPeriodInDays }), to: want.rotationPeriodInDays });
  }
  if (want.policy !== undefined && (pending || !sameJson(want.policy, live.policy))) changes.push({ field: 'policy', ...(live.policy !== '' && { from: prettyJson(live.policy) }), to: prettyJson(want.policy) });
  if (!pending) changes.push(...tagChanges('tags', want.tags, live.tags));
  else for (const [k, v] of Object.entries(want.tags ?? {})) changes.push({ field: `tags.${k}`, to: v });
  for (const [a, owner] of aliasOwners) if (owner !== live.keyId) changes.push({ field: `aliases.${a}`, ...(owner !== undefined && { from: owner }), to: 'this key' });
  if (want.grants !== undefined) {
    const byName = new Map(want.grants.map((g) => [g.name, g]));
    for (const g of live.grants) {
      const w = byName.get(g.name);
      if (w === undefined) changes.push({ field: `grants.${g.name === '' ? g.grantId : g.name}`, from: { grantId: g.grantId, ...grantShape(g) } });
      else if (!sameGrant(w, g)) changes.push({ field: `grants.${g.name}`, from: { grantId: g.grantId, ...grantShape(g) }, to: grantShape(w) });
    }
    for (const w of want.grants) if (!live.grants.some((g) => g.name === w.name)) changes.push({ field: `grants.${w.name}`, to: grantShape(w) });
  }
  return changes.length === 0 ? undefined : { action: 'update', resource: 'key', name, region, keyId: live.keyId, changes };
}

export function diffPrincipal(want: ManifestPrincipal, live: LivePrincipal | undefined): PlannedChange | undefined {
  const policies = (have: Record<string, string>): FieldChange[] => {
    if (want.policies === undefined) return [];
    const out: FieldChange[] = [];
    for (const [n, doc] of Object.entries(want.policies)) if (have[n] === undefined || !sameJson(doc, have[n])) out.push({ field: `policies.${n}`, ...(have[n] !== undefined && { from: prettyJson(have[n]) }), to: prettyJson(doc) });
    for (const [n, doc] of Object.entries(have)) if (!(n in want.policies)) out.push({ field: `policies.${n}`, from: prettyJson(doc) });
    return out;
  };
  if (live === undefined) {
    const changes = [{ field: 'type', to: want.type ?? 'user' }, ...tagChanges('tags', want.tags, {}), ...policies({})];
    return { action: 'create', resource: 'principal', name: want.name, changes };
  }
  const changes = [...tagChanges('tags', want.tags, live.tags), ...policies(live.policies)];
  return changes.length === 0 ? undefined : { action: 'update', resource: 'principal', name: want.name, changes };
}

/** The PutApprovalRule input for a rule of the file. */
export function approvalRuleInput(r: ManifestApprovalRule): Record<string, unknown> {
  return {
    RuleName: r.name,
    Operations: r.operations,
    Keys: { KeyArns: r.keys?.keyArns ?? [], Aliases: r.keys?.aliases ?? [], Tags: (r.keys?.tags ?? []).map((t) => ({ TagKey: t.key, TagValue: t.value })) },
    Approvers: {
      PrincipalArns: r.approvers.principalArns ?? [],
      ...(r.approvers.tag !== undefined && { Tag: { TagKey: r.approvers.tag.key, TagValue: r.approvers.tag.value } }),
      BreakGlassPrincipalArns: r.approvers.breakGlassPrincipalArns ?? [],
    },
    Quorum: r.quorum,
    RequireMfa: r.requireMfa ?? false,
    Executor: r.executor ?? 'Requester',
    ExpiresAfterSeconds: r.expiresAfterSeconds ?? 86400,
    ...(r.description !== undefined && { Description: r.description }),
  };
}

function normalRule(wire: Record<string, unknown>): string {
  const ops = Array.isArray(wire['Operations']) ? [...new Set(wire['Operations'].map(str))].sort() : [];
  const { Description: description, ...rest } = wire;
  // An absent description reads back as "".
  return JSON.stringify(sorted({ ...rest, Operations: ops, Description: str(description) }));
}

export function diffApprovalRule(want: ManifestApprovalRule, live: Record<string, unknown> | undefined): PlannedChange | undefined {
  const input = approvalRuleInput(want);
  if (live === undefined) return { action: 'create', resource: 'approvalRule', name: want.name, changes: [{ field: 'rule', to: JSON.stringify(input, null, 2) }] };
  if (normalRule(input) === normalRule(live)) return undefined;
  return { action: 'update', resource: 'approvalRule', name: want.name, changes: [{ field: 'rule', from: JSON.stringify(live, null, 2), to: JSON.stringify(input, null, 2) }] };
}
