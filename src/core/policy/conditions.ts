import { assertNever } from '../errors.js';
import type { Condition, ConditionOperator, Effect } from './document.js';
import { cidrContains, parseCidr, parseIp, type Cidr } from './ip.js';
import { wildcardMatch } from './wildcard.js';

/**
 * The request context: condition key (lower-cased: AWS treats key names case-insensitively) → values.
 * A single-valued key has one value; a multivalued key ({@link MULTIVALUED_KEYS}) has any number,
 * possibly none. A single-valued key can still carry several values when the request spelled it several
 * ways: `kms:EncryptionContext:tenant` and `kms:EncryptionContext:TENANT` are two context entries (the
 * encryption context is case-sensitive data) but one condition key. {@link conditionHolds} then reads it
 * conservatively, so that no spelling can hide a value from a condition.
 */
export type RequestContext = ReadonlyMap<string, readonly string[]>;

/** The keys that are sets by nature (lower-cased); every other key is single-valued (IAM's MULTI rules). */
export const MULTIVALUED_KEYS: ReadonlySet<string> = new Set(['aws:tagkeys', 'kms:encryptioncontextkeys', 'kms:grantoperations', 'kms:resourcealiases']);

/**
 * Builds a {@link RequestContext} from a plain record, lower-casing the keys. Entries whose names differ
 * only in case are one condition key: their values are all kept (never "last one wins", which would let
 * a request hide `tenant=restricted` behind a `TENANT` entry), in the record's order, without repeats.
 */
export function contextFrom(entries: Readonly<Record<string, string | readonly string[] | undefined>>): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  for (const [k, v] of Object.entries(entries)) {
    if (v === undefined) continue;
    const key = k.toLowerCase();
    const values = typeof v === 'string' ? [v] : v;
    const earlier = out.get(key);
    out.set(key, earlier === undefined ? values : [...earlier, ...values.filter((x) => !earlier.includes(x))]);
  }
  return out;
}

/** Whether the operator is a negated one: it is true when no value matches (and when the key is absent). */
const NEGATED: Record<ConditionOperator, boolean> = {
  StringEquals: false,
  StringNotEquals: true,
  StringEqualsIgnoreCase: false,
  StringNotEqualsIgnoreCase: true,
  StringLike: false,
  StringNotLike: true,
  NumericEquals: false,
  NumericNotEquals: true,
  NumericLessThan: false,
  NumericLessThanEquals: false,
  NumericGreaterThan: false,
  NumericGreaterThanEquals: false,
  DateEquals: false,
  DateNotEquals: true,
  DateLessThan: false,
  DateLessThanEquals: false,
  DateGreaterThan: false,
  DateGreaterThanEquals: false,
  Bool: false,
  BinaryEquals: false,
  IpAddress: false,
  NotIpAddress: true,
  ArnEquals: false,
  ArnLike: false,
  ArnNotEquals: true,
  ArnNotLike: true,
  Null: false,
};

function toNumber(s: string): number | undefined {
  if (!/^-?\d+(\.\d+)?$/.test(s.trim())) return undefined;
  return Number(s);
}

/** A date as ISO 8601 text or epoch seconds (AWS accepts both in Date* conditions). */
function toTime(s: string): number | undefined {
  if (/^-?\d+$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

function compare(a: number | undefined, b: number | undefined, test: (x: number, y: number) => boolean): boolean {
  return a !== undefined && b !== undefined && test(a, b);
}

function arnLike(pattern: string, value: string): boolean {
  // ArnLike matches each of the six colon-separated parts on its own, so `*` never spans a colon boundary
  // in the first five parts (AWS: "Each of the six colon-delimited components of the ARN is checked separately").
  const p = pattern.split(':');
  const v = value.split(':');
  if (p.length < 6 || v.length < 6) return false;
  const pHead = p.slice(0, 5);
  const vHead = v.slice(0, 5);
  return pHead.every((x, i) => wildcardMatch(x, vHead[i] ?? '')) && wildcardMatch(p.slice(5).join(':'), v.slice(5).join(':'));
}

const CIDRS = new Map<string, Cidr | undefined>();

/** Policy CIDR blocks parsed once each (bounded: the cache empties when full). */
function cidrOf(text: string): Cidr | undefined {
  if (CIDRS.has(text)) return CIDRS.get(text);
  const block = parseCidr(text);
  if (CIDRS.size >= 4096) CIDRS.clear();
  CIDRS.set(text, block);
  return block;
}

/** Whether one context value satisfies the positive form of `op` against one policy value. */
function matchOne(op: ConditionOperator, policy: string, value: string): boolean {
  switch (op) {
    case 'StringEquals':
    case 'StringNotEquals':
      return policy === value;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return policy.toLowerCase() === value.toLowerCase();
    case 'StringLike':
    case 'StringNotLike':
      return wildcardMatch(policy, value);
    case 'NumericEquals':
    case 'NumericNotEquals':
      return compare(toNumber(value), toNumber(policy), (x, y) => x === y);
    case 'NumericLessThan':
      return compare(toNumber(value), toNumber(policy), (x, y) => x < y);
    case 'NumericLessThanEquals':
      return compare(toNumber(value), toNumber(policy), (x, y) => x <= y);
    case 'NumericGreaterThan':
      return compare(toNumber(value), toNumber(policy), (x, y) => x > y);
    case 'NumericGreaterThanEquals':
      return compare(toNumber(value), toNumber(policy), (x, y) => x >= y);
    case 'DateEquals':
    case 'DateNotEquals':
      return compare(toTime(value), toTime(policy), (x, y) => x === y);
    case 'DateLessThan':
      return compare(toTime(value), toTime(policy), (x, y) => x < y);
    case 'DateLessThanEquals':
      return compare(toTime(value), toTime(policy), (x, y) => x <= y);
    case 'DateGreaterThan':
      return compare(toTime(value), toTime(policy), (x, y) => x > y);
    case 'DateGreaterThanEquals':
      return compare(toTime(value), toTime(policy), (x, y) => x >= y);
    case 'Bool':
      return policy.toLowerCase() === value.toLowerCase();
    case 'BinaryEquals':
      return policy === value;
    case 'IpAddress':
    case 'NotIpAddress': {
      const block = cidrOf(policy);
      const ip = parseIp(value);
      return block !== undefined && ip !== undefined && cidrContains(block, ip);
    }
    case 'ArnEquals':
    case 'ArnNotEquals':
    case 'ArnLike':
    case 'ArnNotLike':
      return arnLike(policy, value);
    case 'Null':
      return false;
    default:
      return assertNever(op);
  }
}

/**
 * Evaluates one condition (one operator, one key, its values) against the request context, following
 * the IAM reference:
 * - values of one key are ORed; a negated operator (`StringNotEquals`, `NotIpAddress`, `ArnNotLike`, ...)
 *   is true when the context value matches none of them;
 * - a missing key makes a positive operator false and a negated one true; `...IfExists` makes it true;
 * - `Null: true` means the key is absent (or an empty set), `Null: false` that it is present;
 * - a single-valued key with several values (several spellings of one name, see RequestContext) is
 *   read in the direction that refuses: an Allow needs every value to satisfy it, a Deny any value;
 * - `ForAnyValue:` is true when at least one context value satisfies the operator (false for a missing
 *   key or empty set); `ForAllValues:` when every context value does (true for a missing key or empty set).
 */
export function conditionHolds(c: Condition, context: RequestContext, effect: Effect): boolean {
  const key = c.key.toLowerCase();
  const found = context.get(key);
  const values = found ?? [];
  if (c.operator === 'Null') {
    const absent = values.length === 0 || (values.length === 1 && values[0] === '');
    return c.values.some((v) => (v.toLowerCase() === 'true') === absent);
  }
  const negated = NEGATED[c.operator];
  const satisfies = (value: string): boolean => {
    const any = c.values.some((p) => matchOne(c.operator, p, value));
    return negated ? !any : any;
  };
  if (c.qualifier === 'ForAllValues') {
    if (found === undefined && c.ifExists) return true;
    return values.every(satisfies);
  }
  if (c.qualifier === 'ForAnyValue') {
    if (found === undefined && c.ifExists) return true;
    return values.some(satisfies);
  }
  if (found === undefined || values.length === 0) return c.ifExists || negated;
  if (values.length > 1 && !MULTIVALUED_KEYS.has(key)) {
    // A single-valued key the request spelled several ways (see RequestContext): each value is a reading
    // of the request, and the statement must hold whichever reading is the right one. An Allow holds only
    // if every value satisfies the operator (tenant=a is not allowed while another spelling says
    // tenant=b); a Deny applies if any value does (no spelling escapes a Deny on tenant=restricted, nor
    // one on StringNotEquals tenant=allowed). Ambiguity is thus always resolved towards refusing.
    return effect === 'Allow' ? values.every(satisfies) : values.some(satisfies);
  }
  // A single-valued key has one value; an unqualified operator on a multivalued key asks whether any
  // value matches (positive) or whether no value matches (negated).
  return negated ? values.every(satisfies) : values.some(satisfies);
}

/** Whether every condition of a statement holds (conditions are ANDed). */
export function conditionsHold(conditions: readonly Condition[], context: RequestContext, effect: Effect): boolean {
  return conditions.every((c) => conditionHolds(c, context, effect));
}
