import type { ApprovalDecision, ApprovalExecutor, ApprovalKeyScope, ApprovalRequest, ApproverSet } from '../core/approval.js';

/**
 * The JSON text columns every engine keeps for approval rules and requests (issue 18), written and read
 * here so that SQLite, PostgreSQL and memory hold the same bytes (a backup or `arca storage migrate`
 * copies them verbatim). Only the adapters write these columns, through the functions here; a value of
 * the wrong shape (a row edited by hand) reads as empty lists and no tag, and an unknown enum value throws.
 */

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const field = (o: unknown, name: string): unknown => (typeof o === 'object' && o !== null ? Reflect.get(o, name) : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const tagOf = (t: unknown): { key: string; value: string } | undefined => {
  const key = field(t, 'key');
  const value = field(t, 'value');
  return typeof key === 'string' && typeof value === 'string' ? { key, value } : undefined;
};
const text = (o: unknown, name: string): string => {
  const v = field(o, name);
  return typeof v === 'string' ? v : '';
};

/** A rule's key scope as JSON text. */
export const keyScopeJson = (k: ApprovalKeyScope): string => JSON.stringify({ keyArns: k.keyArns, aliases: k.aliases, tags: k.tags });

/** A rule's approver set as JSON text (`tag` and `breakGlassArns` left out when there are none). */
export const approversJson = (a: ApproverSet): string =>
  JSON.stringify({ principalArns: a.principalArns, ...(a.tag !== undefined && { tag: a.tag }), ...(a.breakGlassArns !== undefined && a.breakGlassArns.length > 0 && { breakGlassArns: a.breakGlassArns }) });

/** A stored key scope. */
export function parseKeyScope(json: string): ApprovalKeyScope {
  const v = parse(json);
  const tags = field(v, 'tags');
  return { keyArns: strings(field(v, 'keyArns')), aliases: strings(field(v, 'aliases')), tags: Array.isArray(tags) ? tags.flatMap((t: unknown) => tagOf(t) ?? []) : [] };
}

/** A stored approver set. */
export function parseApprovers(json: string): ApproverSet {
  const v = parse(json);
  const breakGlass = strings(field(v, 'breakGlassArns'));
  return { principalArns: strings(field(v, 'principalArns')), tag: tagOf(field(v, 'tag')), ...(breakGlass.length > 0 && { breakGlassArns: breakGlass }) };
}

/** A stored executor. */
export function executorOf(value: string): ApprovalExecutor {
  if (value === 'Requester' || value === 'Approver') return value;
  throw new Error(`approval store: unknown executor ${JSON.stringify(value)}`);
}

/** A stored request status (never `Expired`). */
export function storedStatusOf(value: string): ApprovalRequest['status'] {
  if (value === 'Pending' || value === 'Approved' || value === 'Denied' || value === 'Executed') return value;
  throw new Error(`approval store: unknown request status ${JSON.stringify(value)}`);
}

/** One decision as JSON text (its time in epoch milliseconds, as every engine's JSON keeps times). */
export const decisionJson = (d: ApprovalDecision): string =>
  JSON.stringify({ approverArn: d.approverArn, approverId: d.approverId, decision: d.decision, reason: d.reason, at: d.at.getTime() });

/** A list of decisions as JSON text (an array of {@link decisionJson}'s objects). */
export const decisionsJson = (ds: readonly ApprovalDecision[]): string => `[${ds.map(decisionJson).join(',')}]`;

/** A request's stored decisions, oldest first. */
export function parseDecisions(json: string): ApprovalDecision[] {
  const v = parse(json);
  if (!Array.isArray(v)) return [];
  return v.flatMap((d: unknown): ApprovalDecision[] => {
    const decision = field(d, 'decision');
    const at = field(d, 'at');
    if ((decision !== 'Approve' && decision !== 'Deny' && decision !== 'BreakGlass') || typeof at !== 'number') return [];
    return [{ approverArn: text(d, 'approverArn'), approverId: text(d, 'approverId'), decision, reason: text(d, 'reason'), at: new Date(at) }];
  });
}

/** A request's stored summary (an object; anything else reads as empty). */
export function parseSummary(json: string): Record<string, unknown> {
  const v = parse(json);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v));
}
