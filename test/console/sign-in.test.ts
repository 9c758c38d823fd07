import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import { providerName } from '../../src/core/web-identity.js';
import { chromiumOrSkip, launchConsoleBrowser, signInWithKey, type ConsoleBrowser } from '../helpers/console-browser.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { pkcePair, startOidcTestProvider, type OidcTestProvider } from '../helpers/oidc-test-provider.js';
import { adminCall, createTestPrincipal } from '../helpers/principals.js';

const ACCOUNT = '111122223333';
let server: InProcessServer;
let sso: { server: InProcessServer; provider: OidcTestProvider } | undefined;
let browser: ConsoleBrowser | undefined;
before(async () => {
  server = await startInProcess();
});
after(async () => {
  await browser?.close();
  await server.close();
  await sso?.server.close();
  await sso?.provider.close();
});
const chromium = async () => (browser ??= await launchConsoleBrowser());

/** Everything the page keeps outside its memory: both storages, cookies, and the address. */
const keptByPage = (page: Page): Promise<{ local: string; session: string; cookie: string; url: string }> =>
  page.evaluate('({ local: JSON.stringify({ ...localStorage }), session: JSON.stringify({ ...sessionStorage }), cookie: document.cookie, url: location.href })');

test('an access key signs in, the session is the caller, and sign-out forgets it', async (t) => {
  if (!chromiumOrSkip(t)) return;
  const page = await (await chromium()).newPage();
  await signInWithKey(page, server.endpoint, server.credentials);
  assert.match(await page.locator('.who').innerText(), /^arn:aws:sts::111122223333:federated-user\/|^arn:aws:iam::111122223333:user\/admin$/);
  await page.goto(`${server.endpoint}/ui/#/audit`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in to Arca' }).waitFor();
  assert.equal(await page.evaluate('localStorage.length + sessionStorage.length'), 0);
  assert.equal(new URL(page.url()).hash, '', 'sign-out clears the hash (what was being looked at)');
  assert.deepEqual((await chromium()).problems, []);
});

test('MFA: a wrong code is AccessDenied and stays on sign-in; the right one signs in; no secret is kept anywhere', async (t) => {
  if (!chromiumOrSkip(t)) return;
  const alice = await createTestPrincipal(server, 'alice-mfa');
  const device = (await adminCall(server, 'EnableMfaDevice', { PrincipalName: alice.name }))['MfaDevice'] as { SerialNumber: string; Base32StringSeed: string };
  const totp = new TOTP({ secret: Secret.fromBase32(device.Base32StringSeed), algorithm: 'SHA1', digits: 6, period: 30 });
  // A code outside the window the server accepts (the previous, current and next 30-second steps).
  const near = new Set([-30_000, 0, 30_000].map((d) => totp.generate({ timestamp: Date.now() + d })));
  let wrong = 0;
  while (near.has(String(wrong).padStart(6, '0'))) wrong += 1;
  const page = await (await chromium()).newPage();
  await page.goto(`${server.endpoint}/ui/`);
  await page.getByLabel('Access key ID').fill(alice.accessKeyId);
  await page.getByLabel('Secret access key').fill(alice.secretAccessKey);
  await page.getByLabel('MFA device serial number').fill(device.SerialNumber);
  await page.getByLabel('MFA code').fill(String(wrong).padStart(6, '0'));
  await page.getByRole('button', { name: 'Sign in' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /^AccessDenied: MultiFactorAuthentication failed with invalid MFA one time pass code\./);
  assert.equal(await page.getByRole('heading', { name: 'Sign in to Arca' }).count(), 1, 'still on the sign-in page');
  assert.equal(await page.getByLabel('Secret access key').inputValue(), '', 'the secret field is cleared after submit');
  assert.equal(await page.getByLabel('MFA code').inputValue(), '');

  await page.getByLabel('Secret access key').fill(alice.secretAccessKey);
  await page.getByLabel('MFA code').fill(totp.generate());
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  const who = await page.locator('.who').innerText();
  assert.match(who, /^arn:aws:(sts|iam)::111122223333:/);
  assert.ok(who.includes(alice.name), `the shell shows the principal's session: ${who}`);
  assert.match(await page.getByRole('timer', { name: 'Session time left' }).innerText(), /^Session: 1[45]:\d\d left$/);
  const kept = await keptByPage(page);
  for (const [where, value] of Object.entries(kept)) assert.ok(!value.includes(alice.secretAccessKey), `the secret access key is in ${where}`);
  assert.equal(kept.local, '{}');
  assert.equal(kept.session, '{}');
  assert.equal(kept.cookie, '');
});

test('at the end of the session the console signs out and says the session expired', async (t) => {
  if (!chromiumOrSkip(t)) return;
  const page = await (await chromium()).newPage();
  await page.clock.install();
  await signInWithKey(page, server.endpoint, server.credentials);
  await page.goto(`${server.endpoint}/ui/#/status`);
  const clock = page.getByRole('timer', { name: 'Session time left' });
  const before = await clock.innerText();
  await page.clock.fastForward('05:00');
  await page.getByText(/^Session: (9|10):\d\d left$/).waitFor();
  assert.notEqual(await clock.innerText(), before, 'the clock counts down');
  await page.clock.fastForward('10:01'); // past the 900-second session
  await page.getByRole('heading', { name: 'Sign in to Arca' }).waitFor();
  assert.match(await page.getByRole('status').filter({ hasText: 'expired' }).innerText(), /Your session expired/);
  assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);
  assert.equal(new URL(page.url()).hash, '');
});

/** Arca trusting the test provider, its console configured for SSO (and MFA required for access keys). */
async function startSso(): Promise<{ server: InProcessServer; provider: OidcTestProvider }> {
  const provider = await startOidcTestProvider();
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/console-sso`;
  const s = await startInProcess({
    // The JWKS given (not fetched): Arca would not trust the provider's throwaway CA.
    oidcProviders: [{ issuer: provider.issuer, audiences: [provider.clientId], jwks: { keys: provider.jwks }, algorithms: ['RS256'], clockSkewSeconds: 60, claimTags: {}, jwksCooldownSeconds: 30 }],
    console: { enabled: true, sessionSeconds: 900, requireMfa: true, oidc: { issuer: provider.issuer, clientId: provider.clientId, roleArn, scopes: ['openid', 'email'] } },
  });
  provider.allow(s.endpoint);
  const trust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Federated: providerName(provider.issuer) }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${providerName(provider.issuer)}:aud`]: provider.clientId } } }],
  };
  await adminCall(s, 'CreatePrincipal', { PrincipalName: 'console-sso', PrincipalType: 'role', AssumeRolePolicyDocument: JSON.stringify(trust) });
  // The role may read keys, so the console's first view loads for its session.
  const reader = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:List*', 'kms:Describe*', 'arca:ListAuditEvents'], Resource: '*' }] };
  await adminCall(s, 'PutPrincipalPolicy', { PrincipalName: 'console-sso', PolicyName: 'read-keys', PolicyDocument: JSON.stringify(reader) });
  return { server: s, provider };
}

const problems: string[] = [];
/** A page whose context accepts the test provider's certificate (its throwaway CA is not in Chromium's store). */
async function ssoPage(): Promise<Page> {
  const context = await (await chromium()).browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => (m.type() === 'error' ? problems.push(`console: ${m.text()}`) : undefined));
  return page;
}

test('single sign-on: through the provider with PKCE, back to the console as the assumed role, nothing left behind', async (t) => {
  if (!chromiumOrSkip(t)) return;
  sso ??= await startSso();
  const { server: s, provider } = sso;
  const page = await ssoPage();
  await page.goto(`${s.endpoint}/ui/`);
  await page.getByRole('button', { name: 'Sign in with single sign-on' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  assert.equal(await page.locator('.who').innerText(), `arn:aws:sts::${ACCOUNT}:assumed-role/console-sso/${provider.user.email}`);
  await page.getByRole('heading', { name: 'Keys', level: 1 }).waitFor();
  assert.deepEqual(provider.log.filter((l) => /authorize|token/.test(l)), ['GET /authorize -> 302', 'POST /token -> 200']);
  const kept = await keptByPage(page);
  assert.equal(kept.session, '{}', 'the PKCE verifier, state and nonce are gone after the callback');
  assert.equal(kept.local, '{}');
  assert.equal(kept.cookie, '');
  assert.equal(new URL(kept.url).search, '', 'the code and state left the address bar');
  assert.deepEqual(problems, []);
});

test('single sign-on: a callback this tab did not start (forged code and state) signs nobody in', async (t) => {
  if (!chromiumOrSkip(t)) return;
  sso ??= await startSso();
  const before = sso.provider.log.length;
  const page = await ssoPage();
  await page.goto(`${sso.server.endpoint}/ui/?code=forged&state=forged`);
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /^SingleSignOnFailed: No sign-in was started in this tab/);
  assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);
  assert.equal(new URL(page.url()).search, '', 'the forged code left the address bar');
  assert.deepEqual(sso.provider.log.slice(before).filter((l) => l.includes('/token')), [], 'the forged code was never exchanged');
});

test('with requireMfa, the console does not send an access key sign-in without an MFA code', async (t) => {
  if (!chromiumOrSkip(t)) return;
  sso ??= await startSso();
  const page = await (await chromium()).newPage();
  const posts: string[] = [];
  page.on('request', (r) => (r.method() === 'POST' ? posts.push(r.url()) : undefined));
  await page.goto(`${sso.server.endpoint}/ui/`);
  await page.getByLabel('Access key ID').fill(sso.server.credentials.accessKeyId);
  await page.getByLabel('Secret access key').fill(sso.server.credentials.secretAccessKey);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  assert.equal(await page.getByLabel('MFA code').evaluate((el) => (el as unknown as { validity: { valueMissing: boolean } }).validity.valueMissing), true);
  assert.equal(await page.getByRole('heading', { name: 'Sign in to Arca' }).count(), 1);
  assert.deepEqual(posts, [], 'nothing was sent to STS');
});

test('the test provider really checks PKCE: a wrong verifier is refused and burns the code', async () => {
  sso ??= await startSso();
  const { provider, server: s } = sso;
  const redirect = `${s.endpoint}/ui/`;
  const { verifier, challenge } = pkcePair();
  const base = { client_id: provider.clientId, redirect_uri: redirect, response_type: 'code', scope: 'openid', state: 'st-1', nonce: 'n-1', code_challenge_method: 'S256' };
  assert.equal((await provider.authorize({ ...base, code_challenge_method: 'plain', code_challenge: verifier })).status, 400, 'plain PKCE is refused');
  assert.equal((await provider.authorize({ ...base, redirect_uri: 'https://evil.example/ui/', code_challenge: challenge })).status, 400, 'an unregistered redirect URI gets no redirect');
  const code = async () => new URL((await provider.authorize({ ...base, code_challenge: challenge })).location ?? '').searchParams.get('code') ?? '';
  const exchange = (c: string, v: string) => provider.token({ grant_type: 'authorization_code', code: c, client_id: provider.clientId, redirect_uri: redirect, code_verifier: v });
  const first = await code();
  const refused = await exchange(first, pkcePair().verifier);
  assert.equal(refused.status, 400);
  assert.deepEqual(refused.body, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
  assert.equal((await exchange(first, verifier)).status, 400, 'the code was burnt by the failed attempt');
  const good = await exchange(await code(), verifier);
  assert.equal(good.status, 200);
  assert.equal(typeof good.body['id_token'], 'string');
});
