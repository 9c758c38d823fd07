import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadServerConfig } from './config.js';
import { oidcProviders } from './identity-config.js';

const base = 'dataDir: /tmp/x\ntls: { enabled: false }\n';
const errorsOf = (yaml: string): readonly string[] => {
  const r = loadServerConfig(yaml, {});
  return r.ok ? [] : r.errors;
};

describe('identity.oidcProviders in arca.yaml (issue 17)', () => {
  it('takes an issuer with audiences and a jwksUri, with the defaults filled in', () => {
    const r = loadServerConfig(`${base}identity: { oidcProviders: [{ issuer: 'https://token.actions.githubusercontent.com', audiences: [arca], jwksUri: 'https://token.actions.githubusercontent.com/.well-known/jwks' }] }\n`, {});
    assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
    const [p] = oidcProviders(r.config.identity);
    assert.deepEqual(p, {
      issuer: 'https://token.actions.githubusercontent.com',
      audiences: ['arca'],
      jwks: { uri: 'https://token.actions.githubusercontent.com/.well-known/jwks' },
      algorithms: ['RS256', 'ES256'],
      clockSkewSeconds: 60,
      claimTags: {},
      jwksCooldownSeconds: 30,
    });
  });

  it('reads a static jwksFile, and refuses none/HMAC algorithms, http issuers, and both or neither key source', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'arca-jwks-')), 'jwks.json');
    writeFileSync(file, JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b' }] }));
    const r = loadServerConfig(`${base}identity: { oidcProviders: [{ issuer: 'https://kubernetes.default.svc', audiences: [sts.amazonaws.com], jwksFile: '${file}' }] }\n`, {});
    assert.ok(r.ok);
    assert.deepEqual(oidcProviders(r.config.identity)[0]?.jwks, { keys: { keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b' }] } });
    const p = (extra: string) => `${base}identity: { oidcProviders: [{ issuer: 'https://i.example', audiences: [a], ${extra} }] }\n`;
    for (const alg of ['none', 'HS256']) assert.ok(errorsOf(p(`jwksUri: 'https://i.example/k', algorithms: [${alg}]`)).some((e) => e.includes('none and HMAC are refused')), alg);
    assert.ok(errorsOf(p(`jwksUri: 'https://i.example/k', jwksFile: /k`)).some((e) => e.includes('exactly one of jwksUri and jwksFile')));
    assert.ok(errorsOf(p('')).some((e) => e.includes('exactly one of jwksUri and jwksFile')));
    for (const key of ['arca:DevicePosture', 'aws:PrincipalTag']) assert.ok(errorsOf(p(`jwksUri: 'https://i.example/k', claimTags: { posture: '${key}' }`)).some((e) => e.includes('may not begin with aws: or arca:')), key);
    assert.ok(errorsOf(p(`jwksUri: 'http://i.example/k'`)).some((e) => e.includes('http:// only on loopback')));
    assert.deepEqual(errorsOf(p(`jwksUri: 'http://127.0.0.1:8080/jwks'`)), []);
    assert.ok(errorsOf(`${base}identity: { oidcProviders: [{ issuer: 'http://i.example', audiences: [a], jwksUri: 'https://i.example/k' }] }\n`).some((e) => e.includes('must be an https:// URL')));
  });
});
