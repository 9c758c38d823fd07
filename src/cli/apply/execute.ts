import type { Manifest, ManifestGrant, ManifestKey } from '../../manifest/schema.js';
import { MANAGED_TAG, rec, str, type Caller } from './live.js';
import { approvalRuleInput, type FieldChange, type Plan, type PlannedChange } from './plan.js';

/**
 * Carries out a plan through the operations (issue 23): principals first (key policies and grants name
 * them), then keys, approval rules, and last the deletions `--prune` planned (ScheduleKeyDeletion only).
 */

const ORDER: Record<PlannedChange['resource'], number> = { principal: 0, key: 1, approvalRule: 2 };
const toTags = (m: Record<string, string>) => Object.entries(m).map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
const under = (f: FieldChange, prefix: string): string | undefined => (f.field.startsWith(prefix) ? f.field.slice(prefix.length) : undefined);

/** Applies `plan` (made from `manifest`); `log` hears one line per resource done. Throws on the first refusal. */
export async function executePlan(call: Caller, manifest: Manifest, plan: Plan, log: (line: string) => void): Promise<void> {
  const ordered = [...plan.changes].sort((a, b) => (a.action === 'delete' ? 1 : 0) - (b.action === 'delete' ? 1 : 0) || ORDER[a.resource] - ORDER[b.resource]);
  for (const c of ordered) {
    if (c.resource === 'principal') await principal(call, manifest, c);
    else if (c.resource === 'approvalRule') {
      const rule = (manifest.approvalRules ?? []).find((r) => r.name === c.name);
      if (rule !== undefined) await call('ArcaService.PutApprovalRule', approvalRuleInput(rule));
    } else if (c.action === 'delete') {
      const window = c.changes.find((f) => f.field === 'pendingWindowInDays')?.to;
      await call('TrentService.ScheduleKeyDeletion', { KeyId: c.keyId, PendingWindowInDays: window }, c.region);
    } else {
      const named = (manifest.keys ?? []).filter((k) => k.alias === c.name);
      const want = named.find((k) => k.region === c.region) ?? named.find((k) => k.region === undefined);
      if (want === undefined) throw new Error(`the plan names ${c.name}, which the file does not`);
      const keyId = await key(call, want, c);
      log(`${c.action}d key ${c.name} (${keyId})`);
      continue;
    }
    log(c.action === 'delete' ? `scheduled deletion of key ${c.name} (${c.keyId})` : `${c.action}d ${c.resource} ${c.name}`);
  }
}

function grantInput(keyId: string, g: ManifestGrant): Record<string, unknown> {
  const constraints = {
    ...(g.encryptionContextSubset !== undefined && { EncryptionContextSubset: g.encryptionContextSubset }),
    ...(g.encryptionContextEquals !== undefined && { EncryptionContextEquals: g.encryptionContextEquals }),
  };
  return {
    KeyId: keyId,
    Name: g.name,
    GranteePrincipal: g.granteePrincipal,
    Operations: g.operations,
    ...(g.retiringPrincipal !== undefined && { RetiringPrincipal: g.retiringPrincipal }),
    ...(Object.keys(constraints).length > 0 && { Constraints: constraints }),
  };
}

/** Creates, replaces or updates one key; returns its id. */
async function key(call: Caller, want: ManifestKey, c: PlannedChange): Promise<string> {
  const at = (target: string, input: Record<string, unknown>) => call(target, input, c.region);
  let keyId = c.keyId ?? '';
  const fresh = c.action === 'create' || c.action === 'replace';
  if (fresh) {
    const created = await at('TrentService.CreateKey', {
      KeySpec: want.keySpec, KeyUsage: want.keyUsage, Description: want.description, Policy: want.policy,
      Tags: toTags({ ...want.tags, [MANAGED_TAG.key]: MANAGED_TAG.value }),
    });
    keyId = str(rec(created['KeyMetadata'])['KeyId']);
  }
  const setTags: Record<string, string> = {};
  const unsetTags: string[] = [];
  for (const f of c.changes) {
    const tag = under(f, 'tags.');
    const alias = under(f, 'aliases.');
    const grant = under(f, 'grants.');
    if (tag !== undefined) {
      if (f.to === undefined) unsetTags.push(tag);
      else setTags[tag] = String(f.to);
    } else if (alias !== undefined) {
      await at(f.from === undefined ? 'TrentService.CreateAlias' : 'TrentService.UpdateAlias', { AliasName: alias, TargetKeyId: keyId });
    } else if (grant !== undefined) {
      if (!fresh && f.from !== undefined) await at('TrentService.RevokeGrant', { KeyId: keyId, GrantId: rec(f.from)['grantId'] });
      const g = (want.grants ?? []).find((x) => x.name === grant);
      if (f.to !== undefined && g !== undefined) await at('TrentService.CreateGrant', grantInput(keyId, g));
    } else if (f.field === 'rotationPeriodInDays') {
      await at('TrentService.EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: want.rotationPeriodInDays });
    } else if (f.field === 'enabled') {
      await at(want.enabled === false ? 'TrentService.DisableKey' : 'TrentService.EnableKey', { KeyId: keyId });
    } else if (fresh) {
      continue; // spec, usage, description and policy went into CreateKey
    } else if (f.field === 'keyState') {
      await at('TrentService.CancelKeyDeletion', { KeyId: keyId });
      if (want.enabled !== false) await at('TrentService.EnableKey', { KeyId: keyId });
    } else if (f.field === 'description') {
      await at('TrentService.UpdateKeyDescription', { KeyId: keyId, Description: want.description });
    } else if (f.field === 'policy') {
      await at('TrentService.PutKeyPolicy', { KeyId: keyId, PolicyName: 'default', Policy: want.policy });
    }
  }
  if (!fresh && Object.keys(setTags).length > 0) await at('TrentService.TagResource', { KeyId: keyId, Tags: toTags(setTags) });
  if (!fresh && unsetTags.length > 0) await at('TrentService.UntagResource', { KeyId: keyId, TagKeys: unsetTags });
  return keyId;
}

async function principal(call: Caller, manifest: Manifest, c: PlannedChange): Promise<void> {
  const want = (manifest.principals ?? []).find((p) => p.name === c.name);
  if (want === undefined) return;
  if (c.action === 'create') await call('ArcaService.CreatePrincipal', { PrincipalName: want.name, PrincipalType: want.type, Tags: toTags(want.tags ?? {}) });
  const setTags: Record<string, string> = {};
  const unsetTags: string[] = [];
  for (const f of c.changes) {
    const tag = under(f, 'tags.');
    const policy = under(f, 'policies.');
    if (tag !== undefined && c.action === 'update') {
      if (f.to === undefined) unsetTags.push(tag);
      else setTags[tag] = String(f.to);
    } else if (policy !== undefined) {
      const doc = want.policies?.[policy];
      if (doc === undefined) await call('ArcaService.DeletePrincipalPolicy', { PrincipalName: want.name, PolicyName: policy });
      else await call('ArcaService.PutPrincipalPolicy', { PrincipalName: want.name, PolicyName: policy, PolicyDocument: doc });
    }
  }
  if (Object.keys(setTags).length > 0) await call('ArcaService.TagPrincipal', { PrincipalName: want.name, Tags: toTags(setTags) });
  if (unsetTags.length > 0) await call('ArcaService.UntagPrincipal', { PrincipalName: want.name, TagKeys: unsetTags });
}
