import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KmsError } from '../errors.js';
import { parsePolicy, type PolicyKind } from './document.js';
import { cidrContains, parseCidr, parseIp } from './ip.js';
import { wildcardMatch } from './wildcard.js';

const ok = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' };
const doc = (...s: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: s });

const MALFORMED: readonly { text: string; kind?: PolicyKind; message: RegExp }[] = [
  { text: '{"Version":', message: /not valid JSON/ },
  { text: '[]', message: /must be a JSON object/ },
  { text: JSON.stringify({ Version: '2012-10-17' }), message: /Missing required field Statement/ },
  { text: JSON.stringify({ Version: '2019-01-01', Statement: [ok] }), message: /unsupported Version: 2019-01-01/ },
  { text: JSON.stringify({ Version: '2012-10-17', Statement: [ok], Extra: 1 }), message: /unknown field: Extra/ },
  { text: doc({ ...ok, Effect: undefined }), message: /Missing required field Effect/ },
  { text: doc({ ...ok, Effect: 'Permit' }), message: /invalid Effect: Permit/ },
  { text: doc({ ...ok, Principal: undefined }), message: /Missing required field Principal/ },
  { text: doc({ ...ok, Principal: { AWS: 'bob' } }), message: /one or more invalid principals/ },
  { text: doc({ ...ok, Principal: { Federated: 'x' } }), message: /one or more invalid principals/ },
  { text: doc({ ...ok, Action: undefined }), message: /must contain actions/ },
  { text: doc({ ...ok, Action: 'Encrypt' }), message: /invalid action: Encrypt/ },
  { text: doc({ ...ok, NotAction: 'kms:Encrypt' }), message: /both Action and NotAction/ },
  { text: doc({ ...ok, Condition: { StringEqualz: { 'aws:SourceIp': 'x' } } }), message: /invalid condition operator: StringEqualz/ },
  { text: doc({ ...ok, Condition: { 'ForAllValues:NullIfExists': { 'aws:TagKeys': 'true' } } }), message: /invalid condition operator/ },
  { text: doc({ ...ok, Condition: { StringEquals: { 'aws:TagKeys': [] } } }), message: /no values/ },
  { text: doc({ ...ok, Condition: { StringEquals: { 'aws:TagKeys': { a: 1 } } } }), message: /not a string, number or boolean/ },
  { text: doc({ ...ok, Sid: 'a' }, { ...ok, Sid: 'a' }), message: /must be unique/ },
  { text: doc({ ...ok, Principal: '*', Effect: 'Allow', NotPrincipal: undefined }, { Effect: 'Allow', NotPrincipal: { AWS: '*' }, Action: 'kms:*' }), message: /NotPrincipal may only be used with Effect Deny/ },
  { text: doc({ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }), kind: 'identity', message: /should not specify a principal/ },
  { text: doc({ Effect: 'Allow', Action: 'kms:*' }), kind: 'identity', message: /must contain resources/ },
  { text: doc({ ...ok, Bogus: 1 }), message: /unknown field: Bogus/ },
];

describe('policy documents', () => {
  for (const row of MALFORMED) {
    it(`refuses ${row.text.slice(0, 90)} with ${String(row.message)}`, () => {
      assert.throws(
        () => parsePolicy(row.text, row.kind ?? 'key'),
        (e: unknown) => e instanceof KmsError && e.code === 'MalformedPolicyDocument' && row.message.test(e.message),
      );
    });
  }

  it('accepts single strings or lists and normalizes them', () => {
    const p = parsePolicy(doc({ Sid: 's', Effect: 'Deny', Principal: '*', NotAction: ['kms:Encrypt'], Condition: { 'ForAnyValue:StringLikeIfExists': { 'aws:TagKeys': ['a*', 1, true] } } }), 'key');
    const s = p.statements[0];
    assert.ok(s);
    assert.deepEqual(s.action, { not: true, patterns: ['kms:encrypt'] });
    assert.deepEqual(s.resource, { not: false, patterns: ['*'] });
    assert.deepEqual(s.conditions, [{ operator: 'StringLike', qualifier: 'ForAnyValue', ifExists: true, key: 'aws:TagKeys', values: ['a*', '1', 'true'] }]);
  });

  it('refuses a policy larger than 32 KiB', () => {
    assert.throws(() => parsePolicy(doc({ ...ok, Sid: 'x'.repeat(33_000) }), 'key'), /maximum size/);
  });
});

describe('IP and CIDR matching', () => {
  const rows: readonly [string, string, boolean][] = [
    ['10.0.0.0/8', '10.255.1.2', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['203.0.113.5', '203.0.113.5', true],
    ['0.0.0.0/0', '198.51.100.1', true],
    ['2001:DB8:1234:5678::/64', '2001:db8:1234:5678:ffff::1', true],
    ['2001:DB8:1234:5678::/64', '2001:db8:1234:5679::1', false],
    ['::1/128', '::1', true],
    ['10.0.0.0/8', '::ffff:10.1.1.1', true],
    ['10.0.0.0/8', '2001:db8::1', false],
    ['2001:db8::/32', '10.0.0.1', false],
  ];
  for (const [block, ip, expected] of rows) {
    it(`${block} ${expected ? 'contains' : 'does not contain'} ${ip}`, () => {
      const b = parseCidr(block);
      const a = parseIp(ip);
      assert.ok(b && a);
      assert.equal(cidrContains(b, a), expected);
    });
  }
  for (const bad of ['10.0.0.256', '10.0.0', '1:2:3:4:5:6:7:8:9', '1::2::3', '10.0.0.0/33', '::/129', 'localhost', '01.2.3.4']) {
    it(`refuses ${bad}`, () => assert.equal(parseCidr(bad), undefined));
  }
});

describe('wildcards', () => {
  const rows: readonly [string, string, boolean][] = [
    ['kms:*', 'kms:Encrypt', true],
    ['kms:Gen*Key', 'kms:GenerateDataKey', true],
    ['kms:Gen*Key', 'kms:GenerateDataKeyPair', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['*', '', true],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyy', false],
  ];
  for (const [p, v, expected] of rows) it(`${p} ${expected ? 'matches' : 'does not match'} ${v}`, () => assert.equal(wildcardMatch(p, v), expected));
});
