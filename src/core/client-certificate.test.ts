import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { certificateMatches, globMatches, principalForCertificate, type ClientCertificate } from './client-certificate.js';

const cert = (over: Partial<ClientCertificate> = {}): ClientCertificate => ({
  verified: true,
  subject: 'O=Example,CN=app',
  issuer: 'CN=test-ca',
  sans: { uri: ['spiffe://example.org/ns/prod/sa/app'], dns: ['app.example.org'], email: ['ops@example.org'], ip: [] },
  fingerprint: 'AB:CD',
  ...over,
});

describe('client certificate rules', () => {
  test('globs: * is any run, ? one character, everything else literal', () => {
    assert.ok(globMatches('spiffe://example.org/*', 'spiffe://example.org/ns/prod/sa/app'));
    assert.ok(globMatches('app-?', 'app-1'));
    assert.ok(!globMatches('app-?', 'app-12'));
    assert.ok(!globMatches('a.b', 'axb'), 'a dot is literal');
    assert.ok(!globMatches('CN=app', 'CN=APP'), 'case-sensitive');
  });

  test('a subject pattern without a comma matches one RDN; with one, the whole subject', () => {
    assert.ok(certificateMatches({ subject: 'CN=app' }, cert()));
    assert.ok(certificateMatches({ subject: 'O=Example,CN=app' }, cert()));
    assert.ok(!certificateMatches({ subject: 'CN=app,O=Example' }, cert()), 'RDN order counts');
    assert.ok(!certificateMatches({ subject: 'CN=ap' }, cert()));
  });

  test('every field given must match; typed SAN fields look only at their type', () => {
    assert.ok(certificateMatches({ san: 'app.example.org', subject: 'CN=app' }, cert()));
    assert.ok(!certificateMatches({ san: 'app.example.org', subject: 'CN=other' }, cert()));
    assert.ok(certificateMatches({ dns: '*.example.org' }, cert()));
    assert.ok(!certificateMatches({ uri: '*.example.org' }, cert()));
    assert.ok(certificateMatches({ email: 'ops@*' }, cert()));
    assert.ok(!certificateMatches({}, cert()), 'an empty match matches nothing');
  });

  test('the first matching rule wins, and an unverified certificate maps to no one', () => {
    const rules = [
      { match: { uri: 'spiffe://example.org/ns/dev/*' }, principal: 'dev' },
      { match: { uri: 'spiffe://example.org/*' }, principal: 'any' },
      { match: { subject: 'CN=app' }, principal: 'never' },
    ];
    assert.equal(principalForCertificate(rules, cert()), 'any');
    assert.equal(principalForCertificate(rules, cert({ sans: { uri: ['spiffe://example.org/ns/dev/x'], dns: [], email: [], ip: [] } })), 'dev');
    assert.equal(principalForCertificate(rules, cert({ verified: false, verifyError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })), undefined);
    assert.equal(principalForCertificate(rules, cert({ subject: 'CN=x', sans: { uri: [], dns: [], email: [], ip: [] } })), undefined);
  });
});
