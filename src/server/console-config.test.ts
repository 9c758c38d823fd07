import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadServerConfig } from './config.js';
import { consoleClientConfig } from './console-config.js';
import { consoleHeaders } from './console-static.js';

const ISSUER = 'https://sso.example.com/realms/arca';
const provider = { issuer: ISSUER, audiences: ['arca-console', 'arca-cli'], jwksUri: `${ISSUER}/jwks` };
const sso = { issuer: ISSUER, clientId: 'arca-console', roleArn: 'arn:aws:iam::111122223333:role/console' };
const load = (doc: Record<string, unknown>) => loadServerConfig(JSON.stringify({ dataDir: '/tmp/x', tls: { enabled: false }, ...doc }), {});

describe('console: configuration', () => {
  test('console.oidc is accepted when its issuer is a configured OIDC provider and its client id one of its audiences', () => {
    const r = load({ identity: { oidcProviders: [provider] }, console: { oidc: sso } });
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.config.console?.oidc?.scopes, ['openid']);
  });

  test('an issuer that identity.oidcProviders does not list is refused (AssumeRoleWithWebIdentity would refuse its tokens)', () => {
    const none = load({ console: { oidc: sso } });
    assert.ok(!none.ok);
    assert.ok(none.errors.some((e) => e.startsWith('console.oidc.issuer: https://sso.example.com/realms/arca is not one of identity.oidcProviders')), none.errors.join('; '));
    const other = load({ identity: { oidcProviders: [{ ...provider, issuer: 'https://other.example.com' }] }, console: { oidc: sso } });
    assert.ok(!other.ok);
    assert.ok(other.errors.some((e) => e.startsWith('console.oidc.issuer:')), other.errors.join('; '));
  });

  test('a client id that is not one of the provider\'s audiences is refused', () => {
    const r = load({ identity: { oidcProviders: [provider] }, console: { oidc: { ...sso, clientId: 'someone-else' } } });
    assert.ok(!r.ok);
    assert.deepEqual(r.errors, ['console.oidc.clientId: someone-else is not one of the audiences of the identity.oidcProviders entry for https://sso.example.com/realms/arca']);
  });

  test('without console.oidc, identity providers alone need no console setting', () => {
    assert.ok(load({ identity: { oidcProviders: [provider] } }).ok);
    assert.ok(load({ console: { requireMfa: true } }).ok);
  });
});

describe('consoleClientConfig', () => {
  test('defaults: a 15-minute session, MFA optional, no single sign-on', () => {
    assert.deepEqual(consoleClientConfig(undefined, 'eu-west-1'), { region: 'eu-west-1', sessionSeconds: 900, requireMfa: false });
  });

  test('gives the browser the session length, the MFA rule and the SSO settings, with the default scope', () => {
    const c = consoleClientConfig({ enabled: true, sessionSeconds: 3600, requireMfa: true, oidc: { ...sso, scopes: ['openid', 'email'] } }, 'us-east-1');
    assert.deepEqual(c, { region: 'us-east-1', sessionSeconds: 3600, requireMfa: true, oidc: { ...sso, scopes: ['openid', 'email'] } });
    assert.deepEqual(consoleClientConfig({ enabled: true, sessionSeconds: 900, requireMfa: false, oidc: { ...sso, scopes: ['openid'] } }, 'us-east-1').oidc?.scopes, ['openid']);
  });

  test('refuses a session shorter than 15 minutes or longer than 12 hours', () => {
    assert.throws(() => consoleClientConfig({ enabled: true, sessionSeconds: 60, requireMfa: false }, 'us-east-1'));
    assert.throws(() => consoleClientConfig({ enabled: true, sessionSeconds: 43_201, requireMfa: false }, 'us-east-1'));
  });
});

describe('consoleHeaders', () => {
  const directives = (h: Record<string, string>) => new Map((h['content-security-policy'] ?? '').split('; ').map((d) => [d.split(' ')[0] ?? '', d.split(' ').slice(1)] as const));

  test('the CSP allows no inline script or style, no eval, no framing, and only this origin', () => {
    const h = consoleHeaders(undefined);
    const csp = h['content-security-policy'] ?? '';
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|data:|\*/);
    const d = directives(h);
    assert.deepEqual(d.get('default-src'), ["'none'"]);
    assert.deepEqual(d.get('script-src'), ["'self'"]);
    assert.deepEqual(d.get('style-src'), ["'self'"]);
    assert.deepEqual(d.get('connect-src'), ["'self'"]);
    assert.deepEqual(d.get('form-action'), ["'self'"]);
    assert.deepEqual(d.get('frame-ancestors'), ["'none'"]);
    assert.equal(h['x-frame-options'], 'DENY');
    assert.equal(h['referrer-policy'], 'no-referrer');
  });

  test('with single sign-on, the issuer\'s origin (not its path) is added to connect-src and form-action only', () => {
    const d = directives(consoleHeaders(ISSUER));
    assert.deepEqual(d.get('connect-src'), ["'self'", 'https://sso.example.com']);
    assert.deepEqual(d.get('form-action'), ["'self'", 'https://sso.example.com']);
    assert.deepEqual(d.get('script-src'), ["'self'"]);
    assert.deepEqual(d.get('default-src'), ["'none'"]);
    assert.doesNotMatch(consoleHeaders(ISSUER)['content-security-policy'] ?? '', /unsafe-inline/);
  });
});
