import { ArcaCallError } from './client.js';

/**
 * `arca report compliance` (issue 23): the findings a security review asks for, gathered through the
 * public operations only (so the report needs read rights, nothing more): keys whose rotation is off or
 * overdue, keys unused for N days, key policies without any Condition, principals whose identity policies
 * allow `kms:*` or `*`, grants without expiry, imported material expiring soon, keys pending deletion.
 */

/** One thing the report flags. `Finding` is a stable code scripts can filter on. */
export type Finding = {
  readonly Finding: FindingCode;
  /** The key ARN, principal ARN or grant id the finding is about. */
  readonly Resource: string;
  readonly Detail: string;
};

export type FindingCode =
  | 'ROTATION_DISABLED'
  | 'ROTATION_OVERDUE'
  | 'KEY_UNUSED'
  | 'POLICY_WITHOUT_CONDITION'
  | 'PRINCIPAL_ALLOWS_ALL_KMS'
  | 'GRANT_WITHOUT_EXPIRY'
  | 'IMPORTED_MATERIAL_EXPIRING'
  | 'PENDING_DELETION';

/** Calls one operation (`TrentService.ListKeys`, ...) and answers its output. */
export type Call = (target: string, input: Record<string, unknown>) => Promise<Record<string, unknown>>;

export interface ComplianceOptions {
  /** A key is unused when no cryptographic operation used it for this many days. */
  readonly unusedDays: number;
  /** Imported material expiring within this many days is flagged. */
  readonly expiringDays: number;
  readonly now: Date;
}

const DAY_MS = 86_400_000;

/** `v` as a plain record (an empty one when it is not an object). */
export function record(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v)) : {};
}

function records(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.map(record) : [];
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

/** An AWS JSON timestamp (epoch seconds) or ISO text as a Date; undefined when absent or unreadable. */
export function wireDate(v: unknown): Date | undefined {
  if (v === undefined || v === null) return undefined;
  const d = typeof v === 'number' ? new Date(v * 1000) : new Date(String(v));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Every item of a paged list operation (`Marker`/`NextMarker`). */
export async function listAll(call: Call, target: string, input: Record<string, unknown>, member: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let marker: string | undefined;
  do {
    const page = await call(target, { ...input, ...(marker !== undefined && { Marker: marker }) });
    items.push(...records(page[member]));
    marker = page['Truncated'] === true && typeof page['NextMarker'] === 'string' ? page['NextMarker'] : undefined;
  } while (marker !== undefined);
  return items;
}

/** Whether a policy document (JSON text) has a Condition in any statement. */
export function hasCondition(policy: string): boolean {
  const doc = record(safeJson(policy));
  const statements = Array.isArray(doc['Statement']) ? doc['Statement'] : [doc['Statement']];
  return statements.some((s) => Object.keys(record(record(s)['Condition'])).length > 0);
}

/** Whether an identity policy (JSON text) has an Allow statement whose Action is `*` or `kms:*`. */
export function allowsAllKms(policy: string): boolean {
  const doc = record(safeJson(policy));
  const statements = Array.isArray(doc['Statement']) ? doc['Statement'] : [doc['Statement']];
  return statements.some((raw) => {
    const s = record(raw);
    if (s['Effect'] !== 'Allow') return false;
    const actions = Array.isArray(s['Action']) ? s['Action'] : [s['Action']];
    return actions.some((a) => typeof a === 'string' && (a === '*' || a.toLowerCase() === 'kms:*'));
  });
}

function safeJson(textValue: string): unknown {
  try {
    return JSON.parse(textValue);
  } catch {
    return undefined;
  }
}

/** Answers undefined instead of throwing when the server refuses the call for the key's state or type. */
async function optional(call: Call, target: string, input: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
  try {
    return await call(target, input);
  } catch (e) {
    if (e instanceof ArcaCallError && /InvalidState|UnsupportedOperation|NotFound/.test(e.type)) return undefined;
    throw e;
  }
}

async function keyFindings(call: Call, keyId: string, o: ComplianceOptions): Promise<Finding[]> {
  const meta = record((await call('TrentService.DescribeKey', { KeyId: keyId }))['KeyMetadata']);
  const arn = text(meta['Arn']);
  const state = text(meta['KeyState']);
  const out: Finding[] = [];
  const add = (Finding: FindingCode, Detail: string) => out.push({ Finding, Resource: arn, Detail });
  if (state === 'PendingDeletion' || state === 'PendingReplicaDeletion') {
    const when = wireDate(meta['DeletionDate']);
    add('PENDING_DELETION', when === undefined ? 'deletion scheduled' : `deletion scheduled for ${when.toISOString()}`);
    return out; // a key on its way out is reported as such, not for its rotation or policy
  }
  const symmetric = meta['KeySpec'] === 'SYMMETRIC_DEFAULT';
  if (symmetric && meta['Origin'] === 'AWS_KMS') {
    const rotation = await optional(call, 'TrentService.GetKeyRotationStatus', { KeyId: keyId });
    if (rotation !== undefined && rotation['KeyRotationEnabled'] !== true) add('ROTATION_DISABLED', 'automatic rotation is off');
    const next = wireDate(rotation?.['NextRotationDate']);
    if (rotation?.['KeyRotationEnabled'] === true && next !== undefined && next.getTime() < o.now.getTime()) add('ROTATION_OVERDUE', `rotation was due ${next.toISOString()}`);
  }
  if (symmetric && meta['Origin'] === 'EXTERNAL') {
    const rotations = await optional(call, 'TrentService.ListKeyRotations', { KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' });
    for (const r of records(rotations?.['Rotations'])) {
      const validTo = wireDate(r['ValidTo']);
      if (validTo !== undefined && validTo.getTime() - o.now.getTime() <= o.expiringDays * DAY_MS) {
        add('IMPORTED_MATERIAL_EXPIRING', `material ${text(r['KeyMaterialId']) || '(current)'} expires ${validTo.toISOString()}`);
      }
    }
  }
  const usage = await optional(call, 'TrentService.GetKeyLastUsage', { KeyId: keyId });
  if (usage !== undefined) {
    const last = wireDate(record(usage['KeyLastUsage'])['Timestamp']);
    const since = [wireDate(usage['KeyCreationDate']), wireDate(usage['TrackingStartDate'])].reduce((a, b) => (b !== undefined && (a === undefined || b > a) ? b : a), undefined);
    const reference = last ?? since;
    if (reference !== undefined && o.now.getTime() - reference.getTime() >= o.unusedDays * DAY_MS) {
      add('KEY_UNUSED', last === undefined ? `never used since ${reference.toISOString()}` : `last used ${last.toISOString()}`);
    }
  }
  const policy = await optional(call, 'TrentService.GetKeyPolicy', { KeyId: keyId, PolicyName: 'default' });
  if (policy !== undefined && !hasCondition(text(policy['Policy']))) add('POLICY_WITHOUT_CONDITION', 'no statement of the key policy has a Condition');
  for (const g of await listAll(call, 'TrentService.ListGrants', { KeyId: keyId }, 'Grants')) {
    if (g['ExpiresAt'] === undefined) out.push({ Finding: 'GRANT_WITHOUT_EXPIRY', Resource: arn, Detail: `grant ${text(g['GrantId'])} to ${text(g['GranteePrincipal'] ?? g['GranteeServicePrincipal'])} never expires` });
  }
  return out;
}

async function principalFindings(call: Call): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const p of await listAll(call, 'ArcaService.ListPrincipals', {}, 'Principals')) {
    const name = text(p['PrincipalName']);
    const names = (await call('ArcaService.ListPrincipalPolicies', { PrincipalName: name }))['PolicyNames'];
    for (const policyName of Array.isArray(names) ? names.map(text) : []) {
      const doc = await call('ArcaService.GetPrincipalPolicy', { PrincipalName: name, PolicyName: policyName });
      if (allowsAllKms(text(doc['PolicyDocument']))) out.push({ Finding: 'PRINCIPAL_ALLOWS_ALL_KMS', Resource: text(p['Arn']), Detail: `identity policy ${policyName} allows kms:* or *` });
    }
  }
  return out;
}

/** The compliance findings, keys first (in ListKeys order), then principals. */
export async function complianceFindings(call: Call, o: ComplianceOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const k of await listAll(call, 'TrentService.ListKeys', {}, 'Keys')) findings.push(...(await keyFindings(call, text(k['KeyId']), o)));
  findings.push(...(await principalFindings(call)));
  return findings;
}
