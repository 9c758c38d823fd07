import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { consoleEndpoint, consoleEndpoints } from './console-static.js';

const built = mkdtempSync(join(tmpdir(), 'arca-console-'));
mkdirSync(join(built, 'assets'));
writeFileSync(join(built, 'index.html'), '<!doctype html><script type="module" src="/ui/assets/index-abc.js"></script>');
writeFileSync(join(built, 'assets', 'index-abc.js'), 'console.log(1)');
writeFileSync(join(built, 'favicon.svg'), '<svg/>');
after(() => rmSync(built, { recursive: true, force: true }));

const get = (endpoint: ReturnType<typeof consoleEndpoint>, url: string) => endpoint.answer({ url, headers: {} } as IncomingMessage);
const config = { region: 'eu-west-1', sessionSeconds: 900, requireMfa: false };

describe('the console under /ui/', () => {
  const ui = consoleEndpoint(config, built);

  it('claims /ui and every path under /ui/, nothing else', () => {
    const matches = ui.path as (p: string) => boolean;
    assert.deepEqual(['/ui', '/ui/', '/ui/assets/x.js', '/uix', '/', '/metrics', '/ui.html'].map(matches), [true, true, true, false, false, false, false]);
  });

  it('serves index.html at /ui/, uncached, with the security headers', async () => {
    const r = await get(ui, '/ui/?x=1');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'] ?? '', /^text\/html/);
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.match(String(r.body), /index-abc\.js/);
    const csp = r.headers['content-security-policy'] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['referrer-policy'], 'no-referrer');
  });

  it('caches the content-hashed assets for good, and types them', async () => {
    const js = await get(ui, '/ui/assets/index-abc.js');
    assert.equal(js.status, 200);
    assert.match(js.headers['content-type'] ?? '', /^text\/javascript/);
    assert.match(js.headers['cache-control'] ?? '', /immutable/);
    assert.equal((await get(ui, '/ui/favicon.svg')).headers['content-type'], 'image/svg+xml');
  });

  it('answers the console settings at /ui/config.json', async () => {
    const r = await get(ui, '/ui/config.json');
    assert.deepEqual(JSON.parse(String(r.body)), config);
  });

  it('redirects /ui to /ui/, and answers 404 for anything not built, never a file outside the build', async () => {
    const r = await get(ui, '/ui');
    assert.equal(r.status, 308);
    assert.equal(r.headers['location'], '/ui/');
    for (const p of ['/ui/nope.js', '/ui/../package.json', '/ui/assets/../index.html.bak', '/ui/%2e%2e/arca.db', '/ui/assets']) {
      assert.equal((await get(ui, p)).status, 404, p);
    }
  });

  it('says how to build the console when dist/web is missing', async () => {
    const r = await get(consoleEndpoint(config, join(built, 'absent')), '/ui/');
    assert.equal(r.status, 404);
    assert.match(String(r.body), /npm run build/);
  });

  it('adds the SSO issuer to connect-src and form-action only when one is configured', async () => {
    const sso = consoleEndpoint({ ...config, oidc: { issuer: 'https://login.example.com/tenant', clientId: 'arca', roleArn: 'arn:aws:iam::111122223333:role/console', scopes: ['openid'] } }, built);
    const csp = (await get(sso, '/ui/')).headers['content-security-policy'] ?? '';
    assert.match(csp, /connect-src 'self' https:\/\/login\.example\.com;/);
    assert.match(csp, /form-action 'self' https:\/\/login\.example\.com;/);
  });

  it('is off with console.enabled: false', () => {
    assert.equal(consoleEndpoints({ enabled: false, sessionSeconds: 900, requireMfa: false }, 'us-east-1').length, 0);
    assert.equal(consoleEndpoints(undefined, 'us-east-1').length, 1);
  });
});
