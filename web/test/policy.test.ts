import { describe, expect, it } from 'vitest';
import { checkPolicy, defaultKeyPolicy, describeProblem, isConditionOperator, MAX_POLICY_BYTES, type PolicyCheck } from '../src/lib/policy';

const ROOT = 'arn:aws:iam::111122223333:root';
const stmt = (extra: Record<string, unknown> = {}) => ({ Sid: 'a', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*', ...extra });
const doc = (...statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2);
const problem = (c: PolicyCheck) => {
  if (c.ok) throw new Error('expected a problem');
  return c;
};

describe('checkPolicy: valid documents', () => {
  it('accepts the default key policy and a Deny with conditions', () => {
    expect(checkPolicy(defaultKeyPolicy('111122223333'))).toEqual({ ok: true });
    const deny = stmt({ Sid: 'b', Effect: 'Deny', Principal: { AWS: ['arn:aws:iam::111122223333:user/mallory'] }, Action: ['kms:Encrypt', 'kms:Decrypt'], Condition: { 'ForAnyValue:StringLikeIfExists': { 'kms:EncryptionContextKeys': ['tenant'] }, Bool: { 'aws:MultiFactorAuthPresent': false } } });
    expect(checkPolicy(doc(stmt(), deny))).toEqual({ ok: true });
  });
  it('accepts a single statement object, Principal "*", NotAction and a missing Resource (key policies may omit it)', () => {
    expect(checkPolicy(JSON.stringify({ Statement: { Effect: 'Allow', Principal: '*', NotAction: 'kms:ScheduleKeyDeletion' } }))).toEqual({ ok: true });
  });
});

describe('checkPolicy: JSON syntax, with line and column', () => {
  it('a missing comma is reported on its line', () => {
    const c = problem(checkPolicy('{\n  "Version": "2012-10-17"\n  "Statement": []\n}'));
    expect(c.kind).toBe('syntax');
    expect(c.at).toMatchObject({ line: 3, column: 3 });
    expect(describeProblem(c)).toMatch(/^Line 3, column 3: The policy document is not valid JSON: Expected ',' or '}'/);
  });
  it('a trailing comma, an unterminated string, a bare word and trailing text are syntax errors', () => {
    expect(problem(checkPolicy('{"Statement": [1,]}')).at).toMatchObject({ line: 1, column: 18 });
    expect(problem(checkPolicy('{"Version": "2012')).message).toMatch(/Unterminated string/);
    expect(problem(checkPolicy("{'Version': 1}")).message).toMatch(/property name in double quotes/);
    expect(problem(checkPolicy('{} x')).message).toMatch(/Expected end of input/);
    expect(problem(checkPolicy('')).message).toMatch(/Expected a JSON value but found end of input/);
  });
});

describe('checkPolicy: structure, with the server messages and where', () => {
  const cases: [string, string, RegExp, string?][] = [
    ['not an object', '[]', /must be a JSON object/],
    ['unknown top-level field', JSON.stringify({ Version: '2012-10-17', Statements: [] }), /unknown field: Statements/],
    ['unsupported Version', JSON.stringify({ Version: '2020-01-01', Statement: [stmt()] }), /unsupported Version: 2020-01-01/, 'Version'],
    ['Id not a string', JSON.stringify({ Id: 3, Statement: [stmt()] }), /Id must be a string/, 'Id'],
    ['missing Statement', JSON.stringify({ Version: '2012-10-17' }), /Missing required field Statement/],
    ['empty Statement', doc(), /at least one statement/, 'Statement'],
    ['statement not an object', doc('x'), /statement must be a JSON object/, 'Statement[0]'],
    ['unknown statement field', doc(stmt({ Actions: 'kms:*' })), /unknown field: Actions/, 'Statement[0].Actions'],
    ['Sid not a string', doc(stmt({ Sid: 1 })), /Sid must be a string/, 'Statement[0].Sid'],
    ['missing Effect', doc({ Principal: { AWS: ROOT }, Action: 'kms:*' }), /Missing required field Effect/, 'Statement[0]'],
    ['Effect Maybe', doc(stmt({ Effect: 'Maybe' })), /invalid Effect: Maybe\. Effect must be Allow or Deny/, 'Statement[0].Effect'],
    ['missing Principal', doc({ Effect: 'Allow', Action: 'kms:*' }), /Missing required field Principal/],
    ['invalid principal', doc(stmt({ Principal: { AWS: 'bob' } })), /invalid principals/, 'Statement[0].Principal'],
    ['principal with a non-AWS key', doc(stmt({ Principal: { Service: 'x' } })), /invalid principals/],
    ['Principal and NotPrincipal', doc(stmt({ NotPrincipal: { AWS: ROOT } })), /both Principal and NotPrincipal/],
    ['NotPrincipal with Allow', doc({ Effect: 'Allow', NotPrincipal: { AWS: ROOT }, Action: 'kms:*' }), /NotPrincipal may only be used with Effect Deny/],
    ['no Action', doc({ Effect: 'Allow', Principal: '*' }), /must contain actions/],
    ['Action and NotAction', doc(stmt({ NotAction: 'kms:Encrypt' })), /both Action and NotAction/],
    ['empty Action list', doc(stmt({ Action: [] })), /empty actions/],
    ['invalid action', doc(stmt({ Action: ['kms:Encrypt', 'Encrypt'] })), /invalid action: Encrypt/, 'Statement[0].Action[1]'],
    ['Resource not a string', doc(stmt({ Resource: [1] })), /invalid resources/, 'Statement[0].Resource[0]'],
    ['Condition not an object', doc(stmt({ Condition: [] })), /Condition must be a JSON object/, 'Statement[0].Condition'],
    ['unknown condition operator', doc(stmt({ Condition: { StringEqualz: { 'kms:CallerAccount': '1' } } })), /invalid condition operator: StringEqualz/],
    ['empty condition block', doc(stmt({ Condition: { StringEquals: {} } })), /non-empty JSON object of condition keys/],
    ['invalid condition key', doc(stmt({ Condition: { StringEquals: { 'no colon': 'x' } } })), /invalid condition key: no colon/],
    ['condition with no values', doc(stmt({ Condition: { StringEquals: { 'kms:CallerAccount': [] } } })), /condition with no values/],
    ['condition value an object', doc(stmt({ Condition: { StringEquals: { 'kms:CallerAccount': { a: 1 } } } })), /not a string, number or boolean/],
    ['duplicate Sid', doc(stmt(), stmt()), /SID\) in a single policy must be unique/, 'Statement[1].Sid'],
  ];
  for (const [name, text, message, path] of cases) {
    it(name, () => {
      const c = problem(checkPolicy(text));
      expect(c.kind).toBe('structure');
      expect(c.message).toMatch(message);
      if (path !== undefined) expect(c.path).toBe(path);
    });
  }
  it('points at the faulty value: Effect "Maybe" in the second statement is on its own line', () => {
    const text = doc(stmt(), stmt({ Sid: 'b', Effect: 'Maybe' }));
    const c = problem(checkPolicy(text));
    const line = text.split('\n').findIndex((l) => l.includes('"Maybe"')) + 1;
    expect(c.at?.line).toBe(line);
    expect(describeProblem(c)).toBe(`Line ${line}, column ${c.at?.column}: Policy statement has an invalid Effect: Maybe. Effect must be Allow or Deny. (at Statement[1].Effect)`);
  });
});

describe('checkPolicy: size', () => {
  it('refuses more than 32 KiB of UTF-8 (multi-byte characters count as bytes), as the server does, before parsing', () => {
    const pad = (n: number) => doc(stmt({ Sid: 'x'.repeat(n) }));
    const base = pad(0).length;
    expect(checkPolicy(pad(MAX_POLICY_BYTES - base))).toEqual({ ok: true });
    expect(problem(checkPolicy(pad(MAX_POLICY_BYTES - base + 1))).kind).toBe('size');
    const c = problem(checkPolicy(doc(stmt({ Sid: 'é'.repeat(Math.ceil((MAX_POLICY_BYTES - base) / 2) + 1) }))));
    expect(c.message).toMatch(/exceeds the maximum size of 32768 bytes/);
  });
});

describe('isConditionOperator', () => {
  it('knows qualifiers and IfExists, but not on Null', () => {
    expect(isConditionOperator('ForAllValues:StringEqualsIfExists')).toBe(true);
    expect(isConditionOperator('NumericLessThan')).toBe(true);
    expect(isConditionOperator('Null')).toBe(true);
    expect(isConditionOperator('NullIfExists')).toBe(false);
    expect(isConditionOperator('ForAnyValue:Null')).toBe(false);
    expect(isConditionOperator('IfExists')).toBe(false);
  });
});
