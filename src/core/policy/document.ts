import { KmsError } from '../errors.js';

/**
 * IAM policy documents (key policies and identity policies) as validated data. A document is parsed once
 * (when it is stored) into this normalized shape; evaluation never sees raw JSON. Grammar: AWS's IAM JSON
 * policy reference, with AWS-like `MalformedPolicyDocumentException` messages for what it refuses.
 */

export type Effect = 'Allow' | 'Deny';

/** A list of patterns, or its complement (`NotAction`, `NotResource`, `NotPrincipal`). */
export interface PatternSet {
  readonly not: boolean;
  readonly patterns: readonly string[];
}

/** The set operator prefix of a condition operator. */
export type SetQualifier = 'ForAnyValue' | 'ForAllValues';

export interface Condition {
  /** The base operator, without qualifier or `IfExists` (`StringEquals`, `IpAddress`, `Null`, ...). */
  readonly operator: ConditionOperator;
  readonly qualifier: SetQualifier | undefined;
  readonly ifExists: boolean;
  /** The condition key as written; lookups ignore case (AWS: key names are case-insensitive). */
  readonly key: string;
  readonly values: readonly string[];
}

export interface Statement {
  readonly sid: string | undefined;
  readonly effect: Effect;
  /** `undefined` in identity policies (the caller is the principal). AWS principals are ARNs, account ids or `*`. */
  readonly principal: PatternSet | undefined;
  /** Lower-cased (action names are case-insensitive). */
  readonly action: PatternSet;
  readonly resource: PatternSet;
  readonly conditions: readonly Condition[];
}

export interface PolicyDocument {
  readonly version: '2012-10-17' | '2008-10-17';
  readonly id: string | undefined;
  readonly statements: readonly Statement[];
}

export const CONDITION_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
  'Null',
] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

/** Which kind of policy a document is: key policies need a Principal, identity policies must not have one. */
/** `key`: a key policy; `identity`: a principal's; `trust`: a role's AssumeRolePolicyDocument (Principal required, no Resource). */
export type PolicyKind = 'key' | 'identity' | 'trust';

/** The largest key policy AWS accepts (32 KiB); identity policies get the same bound here. */
export const MAX_POLICY_BYTES = 32_768;

const malformed = (message: string) => new KmsError('MalformedPolicyDocument', message);

const STATEMENT_FIELDS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown, what: string): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) throw malformed(`Policy statement has an empty ${what}.`);
  return list.map((x) => {
    if (typeof x !== 'string' || x.length === 0) throw malformed(`Policy statement has an invalid ${what}: each entry must be a non-empty string.`);
    return x;
  });
}

function patternSet(raw: Record<string, unknown>, positive: string, negative: string, required: boolean, what: string): PatternSet | undefined {
  const has = positive in raw;
  const hasNot = negative in raw;
  if (has && hasNot) throw malformed(`Policy statement must not contain both ${positive} and ${negative}.`);
  if (!has && !hasNot) {
    if (required) throw malformed(`Policy statement must contain ${what}.`);
    return undefined;
  }
  return { not: hasNot, patterns: stringList(has ? raw[positive] : raw[negative], what) };
}

const ACTION_RE = /^(\*|[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+)$/;
const PRINCIPAL_RE = /^(\*|\d{12}|arn:aws[a-z-]*:(iam|sts)::\d{12}:[A-Za-z0-9+=,.@_/*?-]+)$/;

/** A web-identity provider in a trust policy's `Principal.Federated`: the issuer URL without `https://`. */
const FEDERATED_RE = /^[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~%/-]*)?$/;

/** The pattern a trust policy's `Federated` principal is stored as: it never equals an IAM ARN. */
export function federatedPrincipal(provider: string): string {
  return `federated:${provider}`;
}

function principalSet(raw: Record<string, unknown>, kind: PolicyKind): PatternSet | undefined {
  const positive = 'Principal' in raw;
  const value = positive ? raw['Principal'] : raw['NotPrincipal'];
  if (value === undefined) return undefined;
  const invalid = () => malformed('Policy contains a statement with one or more invalid principals.');
  let list: string[];
  if (value === '*') list = ['*'];
  else if (isObject(value)) {
    const keys = Object.keys(value);
    // Trust policies may also name web-identity providers (AssumeRoleWithWebIdentity, issue 17).
    const allowed = kind === 'trust' ? ['AWS', 'Federated'] : ['AWS'];
    if (keys.length === 0 || keys.some((k) => !allowed.includes(k))) throw invalid();
    try {
      list = 'AWS' in value ? stringList(value['AWS'], 'principal') : [];
      if (!list.every((p) => PRINCIPAL_RE.test(p))) throw invalid();
      const federated = 'Federated' in value ? stringList(value['Federated'], 'principal') : [];
      if (!federated.every((p) => FEDERATED_RE.test(p))) throw invalid();
      list = [...list, ...federated.map(federatedPrincipal)];
    } catch {
      throw invalid();
    }
    return { not: !positive, patterns: list };
  } else throw invalid();
  if (!list.every((p) => PRINCIPAL_RE.test(p))) throw invalid();
  return { not: !positive, patterns: list };
}

function conditionValues(v: unknown): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) throw malformed('Policy statement has a condition with no values.');
  return list.map((x) => {
    if (typeof x === 'string') return x;
    if (typeof x === 'number' || typeof x === 'boolean') return String(x);
    throw malformed('Policy statement has a condition value that is not a string, number or boolean.');
  });
}

/** Splits `ForAllValues:StringEqualsIfExists` into its parts; undefined when the operator is unknown. */
export function parseOperator(text: string): { operator: ConditionOperator; qualifier: SetQualifier | undefined; ifExists: boolean } | undefined {
  let rest = text;
  let qualifier: SetQualifier | undefined;
  for (const q of ['ForAnyValue', 'ForAllValues'] as const) {
    if (rest.startsWith(`${q}:`)) {
      qualifier = q;
      rest = rest.slice(q.length + 1);
    }
  }
  let ifExists = false;
  if (rest.endsWith('IfExists') && rest !== 'IfExists') {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  const operator = CONDITION_OPERATORS.find((o) => o === rest);
  if (operator === undefined || (operator === 'Null' && (ifExists || qualifier !== undefined))) return undefined;
  return { operator, qualifier, ifExists };
}

function conditions(raw: unknown): Condition[] {
  if (raw === undefined) return [];
  if (!isObject(raw)) throw malformed('Policy statement Condition must be a JSON object.');
  const out: Condition[] = [];
  for (const [opText, block] of Object.entries(raw)) {
    const op = parseOperator(opText);
    if (op === undefined) throw malformed(`Policy statement has an invalid condition operator: ${opText}.`);
    if (!isObject(block) || Object.keys(block).length === 0) throw malformed(`Policy statement condition ${opText} must be a non-empty JSON object of condition keys.`);
    for (const [key, values] of Object.entries(block)) {
      if (!/^[a-zA-Z0-9-]+:[^\s]+$|^[A-Za-z0-9.-]+(\/[A-Za-z0-9._~%/-]*)?:[^\s]+$/.test(key)) throw malformed(`Policy statement has an invalid condition key: ${key}.`);
      out.push({ ...op, key, values: conditionValues(values) });
    }
  }
  return out;
}

function statement(raw: unknown, kind: PolicyKind): Statement {
  if (!isObject(raw)) throw malformed('Policy statement must be a JSON object.');
  for (const field of Object.keys(raw)) {
    if (!STATEMENT_FIELDS.has(field)) throw malformed(`Policy statement has an unknown field: ${field}.`);
  }
  const sid = raw['Sid'];
  if (sid !== undefined && typeof sid !== 'string') throw malformed('Policy statement Sid must be a string.');
  const effect = raw['Effect'];
  if (effect === undefined) throw malformed('Missing required field Effect.');
  if (effect !== 'Allow' && effect !== 'Deny') throw malformed(`Policy statement has an invalid Effect: ${String(effect)}. Effect must be Allow or Deny.`);
  if ('Principal' in raw && 'NotPrincipal' in raw) throw malformed('Policy statement must not contain both Principal and NotPrincipal.');
  const principal = principalSet(raw, kind);
  if (kind !== 'identity' && principal === undefined) throw malformed('Missing required field Principal.');
  if (kind === 'trust' && ('Resource' in raw || 'NotResource' in raw)) throw malformed('Has prohibited field Resource');
  if (kind === 'identity' && principal !== undefined) throw malformed('Policy document should not specify a principal.');
  if (principal?.not === true && effect === 'Allow') throw malformed('NotPrincipal may only be used with Effect Deny.');
  const action = patternSet(raw, 'Action', 'NotAction', true, 'actions');
  if (action === undefined) throw malformed('Policy statement must contain actions.');
  for (const a of action.patterns) {
    if (!ACTION_RE.test(a)) throw malformed(`Policy statement has an invalid action: ${a}.`);
  }
  // Action names are case-insensitive: patterns are kept lower-cased, and evaluation lower-cases the request's.
  const actions = { not: action.not, patterns: action.patterns.map((a) => a.toLowerCase()) };
  // Key policies may omit Resource (it can only mean the key itself); identity policies must name one.
  const resource = patternSet(raw, 'Resource', 'NotResource', kind === 'identity', 'resources') ?? { not: false, patterns: ['*'] };
  return { sid, effect, principal, action: actions, resource, conditions: conditions(raw['Condition']) };
}

/**
 * Parses and validates a policy document. Throws `MalformedPolicyDocument` with a message naming the
 * first problem found; never returns a partially valid document.
 */
export function parsePolicy(text: string, kind: PolicyKind): PolicyDocument {
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_BYTES) throw malformed(`The policy document exceeds the maximum size of ${MAX_POLICY_BYTES} bytes.`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed('The policy document is not valid JSON.');
  }
  if (!isObject(doc)) throw malformed('The policy document must be a JSON object.');
  for (const field of Object.keys(doc)) {
    if (field !== 'Version' && field !== 'Id' && field !== 'Statement') throw malformed(`The policy document has an unknown field: ${field}.`);
  }
  const version = doc['Version'] ?? '2008-10-17';
  if (version !== '2012-10-17' && version !== '2008-10-17') throw malformed(`The policy document has an unsupported Version: ${String(version)}.`);
  const id = doc['Id'];
  if (id !== undefined && typeof id !== 'string') throw malformed('The policy document Id must be a string.');
  const raw = doc['Statement'];
  if (raw === undefined) throw malformed('Missing required field Statement.');
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw malformed('The policy document must contain at least one statement.');
  const statements = list.map((s) => statement(s, kind));
  const sids = statements.map((s) => s.sid).filter((s): s is string => s !== undefined && s !== '');
  if (new Set(sids).size !== sids.length) throw malformed('Statement IDs (SID) in a single policy must be unique.');
  return { version, id, statements };
}

/**
 * `text` with the `Principal`/`NotPrincipal` AWS entries that `replace` maps swapped for its value, for
 * showing a stored key policy: AWS shows a deleted principal's unique id where its ARN was. The text is
 * returned unchanged when nothing is replaced, and re-serialized (2-space indentation) otherwise.
 */
export function replacePrincipals(text: string, replace: ReadonlyMap<string, string>): string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return text;
  }
  if (!isObject(doc)) return text;
  let changed = false;
  const swap = (v: unknown): unknown => {
    if (typeof v !== 'string' || !replace.has(v)) return v;
    changed = true;
    return replace.get(v);
  };
  const raw = doc['Statement'];
  for (const st of Array.isArray(raw) ? raw : [raw]) {
    if (!isObject(st)) continue;
    for (const field of ['Principal', 'NotPrincipal']) {
      const p = st[field];
      if (!isObject(p) || !('AWS' in p)) continue;
      p['AWS'] = Array.isArray(p['AWS']) ? p['AWS'].map(swap) : swap(p['AWS']);
    }
  }
  return changed ? JSON.stringify(doc, null, 2) : text;
}
