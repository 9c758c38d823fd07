import { childPath, parseLocated, positionOf, type JsonValue, type Position } from './json-locate';

/**
 * Validates a key policy as the console's editor types it, mirroring what the server refuses
 * (src/core/policy/document.ts, `parsePolicy(text, 'key')`) with the same messages, plus where the problem
 * is: the size limit, then JSON syntax (line and column), then the structure. The server stays the judge;
 * this only saves a round trip and says where to look.
 */

export type PolicyProblem = {
  readonly kind: 'size' | 'syntax' | 'structure';
  readonly message: string;
  /** Where the problem is, when it is somewhere (the size limit is everywhere). */
  readonly at?: Position | undefined;
  /** The JSON path of the faulty value (`Statement[1].Effect`), for structural problems. */
  readonly path?: string | undefined;
};

export type PolicyCheck = { readonly ok: true } | ({ readonly ok: false } & PolicyProblem);

/** The largest key policy AWS accepts (32 KiB), in UTF-8 bytes. */
export const MAX_POLICY_BYTES = 32_768;

export const CONDITION_OPERATORS: readonly string[] = [
  'StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike',
  'NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals',
  'DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals',
  'Bool', 'BinaryEquals', 'IpAddress', 'NotIpAddress', 'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike', 'Null',
];

const STATEMENT_FIELDS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const ACTION_RE = /^(\*|[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+)$/;
const PRINCIPAL_RE = /^(\*|\d{12}|arn:aws[a-z-]*:(iam|sts)::\d{12}:[A-Za-z0-9+=,.@_/*?-]+)$/;
const CONDITION_KEY_RE = /^[a-zA-Z0-9-]+:[^\s]+$|^[A-Za-z0-9.-]+(\/[A-Za-z0-9._~%/-]*)?:[^\s]+$/;

/** A structural fault at a JSON path; turned into a PolicyProblem with its position by checkPolicy. */
class Fault {
  constructor(readonly message: string, readonly path: string) {}
}

type Obj = { [key: string]: JsonValue };
const isObject = (v: JsonValue | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether `ForAllValues:StringEqualsIfExists` is an operator the server knows (document.ts parseOperator). */
export function isConditionOperator(text: string): boolean {
  let rest = text;
  let qualified = false;
  for (const q of ['ForAnyValue', 'ForAllValues']) {
    if (rest.startsWith(`${q}:`)) {
      qualified = true;
      rest = rest.slice(q.length + 1);
    }
  }
  let ifExists = false;
  if (rest.endsWith('IfExists') && rest !== 'IfExists') {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  if (!CONDITION_OPERATORS.includes(rest)) return false;
  return !(rest === 'Null' && (ifExists || qualified));
}

function stringList(v: JsonValue, what: string, path: string): void {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) throw new Fault(`Policy statement has an empty ${what}.`, path);
  list.forEach((x, n) => {
    if (typeof x !== 'string' || x.length === 0) throw new Fault(`Policy statement has an invalid ${what}: each entry must be a non-empty string.`, Array.isArray(v) ? childPath(path, n) : path);
  });
}

function patternSet(raw: Obj, path: string, positive: string, negative: string, required: boolean, what: string): string[] | undefined {
  const has = positive in raw;
  const hasNot = negative in raw;
  if (has && hasNot) throw new Fault(`Policy statement must not contain both ${positive} and ${negative}.`, childPath(path, negative));
  if (!has && !hasNot) {
    if (required) throw new Fault(`Policy statement must contain ${what}.`, path);
    return undefined;
  }
  const field = has ? positive : negative;
  const v = raw[field] as JsonValue;
  stringList(v, what, childPath(path, field));
  return (Array.isArray(v) ? v : [v]).map(String);
}

function principal(raw: Obj, path: string): boolean | undefined {
  const positive = 'Principal' in raw;
  const field = positive ? 'Principal' : 'NotPrincipal';
  const value = raw[field];
  if (value === undefined) return undefined;
  const at = childPath(path, field);
  const invalid = () => new Fault('Policy contains a statement with one or more invalid principals.', at);
  if (value === '*') return !positive;
  if (!isObject(value)) throw invalid();
  const keys = Object.keys(value);
  if (keys.length === 0 || keys.some((k) => k !== 'AWS')) throw invalid();
  const aws = value['AWS'] as JsonValue;
  const list = Array.isArray(aws) ? aws : [aws];
  if (list.length === 0 || !list.every((p) => typeof p === 'string' && p.length > 0 && PRINCIPAL_RE.test(p))) throw invalid();
  return !positive;
}

function conditions(raw: JsonValue | undefined, path: string): void {
  if (raw === undefined) return;
  if (!isObject(raw)) throw new Fault('Policy statement Condition must be a JSON object.', path);
  for (const [op, block] of Object.entries(raw)) {
    const at = childPath(path, op);
    if (!isConditionOperator(op)) throw new Fault(`Policy statement has an invalid condition operator: ${op}.`, at);
    if (!isObject(block) || Object.keys(block).length === 0) throw new Fault(`Policy statement condition ${op} must be a non-empty JSON object of condition keys.`, at);
    for (const [key, values] of Object.entries(block)) {
      const keyAt = childPath(at, key);
      if (!CONDITION_KEY_RE.test(key)) throw new Fault(`Policy statement has an invalid condition key: ${key}.`, keyAt);
      const list = Array.isArray(values) ? values : [values];
      if (list.length === 0) throw new Fault('Policy statement has a condition with no values.', keyAt);
      if (list.some((x) => typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean')) throw new Fault('Policy statement has a condition value that is not a string, number or boolean.', keyAt);
    }
  }
}

function statement(raw: JsonValue, path: string): string | undefined {
  if (!isObject(raw)) throw new Fault('Policy statement must be a JSON object.', path);
  for (const field of Object.keys(raw)) {
    if (!STATEMENT_FIELDS.has(field)) throw new Fault(`Policy statement has an unknown field: ${field}.`, childPath(path, field));
  }
  const sid = raw['Sid'];
  if (sid !== undefined && typeof sid !== 'string') throw new Fault('Policy statement Sid must be a string.', childPath(path, 'Sid'));
  const effect = raw['Effect'];
  if (effect === undefined) throw new Fault('Missing required field Effect.', path);
  if (effect !== 'Allow' && effect !== 'Deny') throw new Fault(`Policy statement has an invalid Effect: ${String(effect)}. Effect must be Allow or Deny.`, childPath(path, 'Effect'));
  if ('Principal' in raw && 'NotPrincipal' in raw) throw new Fault('Policy statement must not contain both Principal and NotPrincipal.', childPath(path, 'NotPrincipal'));
  const not = principal(raw, path);
  if (not === undefined) throw new Fault('Missing required field Principal.', path);
  if (not && effect === 'Allow') throw new Fault('NotPrincipal may only be used with Effect Deny.', childPath(path, 'NotPrincipal'));
  const actions = patternSet(raw, path, 'Action', 'NotAction', true, 'actions') ?? [];
  const actionField = 'Action' in raw ? 'Action' : 'NotAction';
  actions.forEach((a, n) => {
    if (!ACTION_RE.test(a)) throw new Fault(`Policy statement has an invalid action: ${a}.`, Array.isArray(raw[actionField]) ? childPath(childPath(path, actionField), n) : childPath(path, actionField));
  });
  patternSet(raw, path, 'Resource', 'NotResource', false, 'resources');
  conditions(raw['Condition'], childPath(path, 'Condition'));
  return typeof sid === 'string' && sid !== '' ? sid : undefined;
}

function document(doc: JsonValue): void {
  if (!isObject(doc)) throw new Fault('The policy document must be a JSON object.', '');
  for (const field of Object.keys(doc)) {
    if (field !== 'Version' && field !== 'Id' && field !== 'Statement') throw new Fault(`The policy document has an unknown field: ${field}.`, field);
  }
  const version = doc['Version'] ?? '2008-10-17';
  if (version !== '2012-10-17' && version !== '2008-10-17') throw new Fault(`The policy document has an unsupported Version: ${String(version)}.`, 'Version');
  if (doc['Id'] !== undefined && typeof doc['Id'] !== 'string') throw new Fault('The policy document Id must be a string.', 'Id');
  const raw = doc['Statement'];
  if (raw === undefined) throw new Fault('Missing required field Statement.', '');
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw new Fault('The policy document must contain at least one statement.', 'Statement');
  const sids = new Set<string>();
  list.forEach((s, n) => {
    const path = Array.isArray(raw) ? childPath('Statement', n) : 'Statement';
    const sid = statement(s, path);
    if (sid === undefined) return;
    if (sids.has(sid)) throw new Fault('Statement IDs (SID) in a single policy must be unique.', childPath(path, 'Sid'));
    sids.add(sid);
  });
}

/** Checks a key policy: the first problem found, with its line and column when it has a place. */
export function checkPolicy(text: string): PolicyCheck {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_POLICY_BYTES) return { ok: false, kind: 'size', message: `The policy document exceeds the maximum size of ${MAX_POLICY_BYTES} bytes (it has ${bytes}).` };
  const parsed = parseLocated(text);
  if (!parsed.ok) return { ok: false, kind: 'syntax', message: `The policy document is not valid JSON: ${parsed.message}.`, at: parsed.at };
  try {
    document(parsed.value);
    return { ok: true };
  } catch (e) {
    if (!(e instanceof Fault)) throw e;
    const offset = parsed.offsets.get(e.path);
    return { ok: false, kind: 'structure', message: e.message, path: e.path === '' ? undefined : e.path, at: offset === undefined ? undefined : positionOf(text, offset) };
  }
}

/** The problem as one line for the editor: `Line 3, column 5: …`. */
export function describeProblem(p: PolicyProblem): string {
  const where = p.at === undefined ? '' : `Line ${p.at.line}, column ${p.at.column}: `;
  return `${where}${p.message}${p.path !== undefined ? ` (at ${p.path})` : ''}`;
}

/** The default key policy the server gives a key (authorization.ts defaultKeyPolicy): the account's IAM decides. */
export function defaultKeyPolicy(account: string, partition = 'aws'): string {
  return JSON.stringify(
    { Version: '2012-10-17', Id: 'key-default-1', Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }] },
    null,
    2,
  );
}

/**
 * The wizard's starting custom policy: the default plus `arca:SimulateKeyPolicy`, which `kms:*` does not
 * cover (docs/reports.md), so that the console can simulate later policy changes of the key.
 */
export function consoleKeyPolicy(account: string, partition = 'aws'): string {
  return JSON.stringify(
    { Version: '2012-10-17', Id: 'key-console-1', Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${account}:root` }, Action: ['kms:*', 'arca:SimulateKeyPolicy'], Resource: '*' }] },
    null,
    2,
  );
}
