/**
 * Issue 17 (slice 2): AssumeRoleWithWebIdentity with real clients. The AWS SDK for JavaScript's
 * web-identity provider (`fromTokenFile`, as in EKS: AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE,
 * AWS_ENDPOINT_URL_STS) gets credentials from Arca for a JWT signed by a test issuer whose JWKS Arca
 * fetches over loopback HTTP, then encrypts with @aws-sdk/client-kms. A Kubernetes-style service-account
 * token (static JWKS) needs the `:sub` its role's trust policy names. Refusals carry AWS's codes in
 * STS's XML: expired, wrong audience, unknown issuer, alg none, garbled, unknown key; a key added to the
 * JWKS by a rotation works without a restart.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateKeyCommand, EncryptCommand, DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { fromTokenFile } from '@aws-sdk/credential-provider-web-identity';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { adminCall } from '../helpers/principals.js';

const ACCOUNT = '111122223333';
const ISSUER = 'https://token.ci.example.test';
const K8S_ISSUER = 'https://kubernetes.default.svc.cluster.local';
const CI_ROLE = `arn:aws:iam::${ACCOUNT}:role/ci-deployer`;
const K8S_ROLE = `arn:aws:iam::${ACCOUNT}:role/payments-api`;

interface Signer {
  readonly kid: string;
  readonly key: CryptoKey;
  readonly jwk: JWK;
}

async function signer(kid: string, alg: 'RS256' | 'ES256' = 'RS256'): Promise<Signer> {
  const { publicKey, privateKey } = await generateKeyPair(alg);
  return { kid, key: privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

async function jwt(s: Signer, claims: Record<string, unknown>, opts: { iss?: string; aud?: string | string[]; sub?: string; exp?: number; alg?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: opts.alg ?? (s.jwk.alg as string), kid: s.kid, typ: 'JWT' })
    .setIssuer(opts.iss ?? ISSUER)
    .setAudience(opts.aud ?? 'arca')
    .setSubject(opts.sub ?? 'repo:acme/payments:ref:refs/heads/main')
    .setIssuedAt(now)
    .setExpirationTime(opts.exp ?? now + 600)
    .sign(s.key);
}

describe('STS AssumeRoleWithWebIdentity with the AWS SDK v3 (issue 17)', () => {
  let s: InProcessServer;
  let jwksServer: Server;
  let published: JWK[] = [];
  let fetches = 0;
  let ci: Signer;
  let k8s: Signer;
  let keyId: string;
  const dir = mkdtempSync(join(tmpdir(), 'arca-oidc-'));

  /** An unsigned STS Query request (as the SDK sends AssumeRoleWithWebIdentity). */
  async function raw(params: Record<string, string>): Promise<{ status: number; text: string }> {
    const body = new URLSearchParams({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleSessionName: 'job-1', ...params }).toString();
    const res = await fetch(new URL('/', s.endpoint), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body });
    return { status: res.status, text: await res.text() };
  }
  const code = (text: string) => /<Code>([^<]*)<\/Code>/.exec(text)?.[1];

  /** Credentials through the SDK's web-identity provider, configured by the environment as in EKS. */
  async function viaTokenFile(token: string, roleArn: string) {
    const file = join(dir, `token-${Math.random().toString(36).slice(2)}`);
    writeFileSync(file, token);
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ROLE_ARN: roleArn, AWS_WEB_IDENTITY_TOKEN_FILE: file, AWS_ROLE_SESSION_NAME: 'workload', AWS_ENDPOINT_URL_STS: s.endpoint, AWS_REGION: 'us-east-1' });
    try {
      return await fromTokenFile({ clientConfig: { region: 'us-east-1' } })();
    } finally {
      for (const k of ['AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_SESSION_NAME', 'AWS_ENDPOINT_URL_STS', 'AWS_REGION']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  }

  before(async () => {
    ci = await signer('ci-1');
    k8s = await signer('k8s-1', 'ES256');
    published = [ci.jwk];
    jwksServer = createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((ok) => jwksServer.listen(0, '127.0.0.1', ok));
    const jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
    s = await startInProcess({
      oidcProviders: [
        { issuer: ISSUER, audiences: ['arca'], jwks: { uri: jwksUri }, algorithms: ['RS256', 'ES256'], clockSkewSeconds: 60, claimTags: { repository: 'repo' }, jwksCooldownSeconds: 0 },
        { issuer: K8S_ISSUER, audiences: ['sts.amazonaws.com'], jwks: { keys: { keys: [k8s.jwk] } }, algorithms: ['ES256'], clockSkewSeconds: 60, claimTags: {}, jwksCooldownSeconds: 30 },
      ],
    });
    const ciTrust = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: 'token.ci.example.test' },
          Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
          Condition: { StringEquals: { 'token.ci.example.test:aud': 'arca' }, StringLike: { 'token.ci.example.test:sub': 'repo:acme/*' } },
        },
      ],
    };
    const k8sTrust = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Federated: 'kubernetes.default.svc.cluster.local' }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'kubernetes.default.svc.cluster.local:sub': 'system:serviceaccount:payments:api' } } }],
    };
    const encryptOnly = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' }] });
    for (const [name, trust] of [['ci-deployer', ciTrust], ['payments-api', k8sTrust]] as const) {
      await adminCall(s, 'CreatePrincipal', { PrincipalName: name, PrincipalType: 'role', AssumeRolePolicyDocument: JSON.stringify(trust) });
      await adminCall(s, 'PutPrincipalPolicy', { PrincipalName: name, PolicyName: 'encrypt', PolicyDocument: encryptOnly });
    }
    const admin = new KMSClient({ endpoint: s.endpoint, region: 'us-east-1', credentials: s.credentials, maxAttempts: 1 });
    keyId = (await admin.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId ?? '';
  });
  after(async () => {
    await s.close();
    await new Promise((ok) => jwksServer.close(ok));
  });

  it('fromTokenFile gets ASIA credentials for a CI token whose JWKS Arca fetches, and they encrypt as the role', async () => {
    const creds = await viaTokenFile(await jwt(ci, { repository: 'acme/payments' }), CI_ROLE);
    assert.match(creds.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.ok(creds.sessionToken !== undefined && creds.expiration !== undefined);
    assert.ok(fetches >= 1, 'the JWKS was fetched over HTTP');
    const kms = new KMSClient({ endpoint: s.endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
    const out = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('hello') }));
    const back = await kms.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob }));
    assert.equal(Buffer.from(back.Plaintext ?? []).toString(), 'hello');
  });

  it('answers AWS\'s XML: Credentials, SubjectFromWebIdentityToken, AssumedRoleUser, Provider, Audience; claims become session tags', async () => {
    const r = await raw({ RoleArn: CI_ROLE, WebIdentityToken: await jwt(ci, { repository: 'acme/payments' }) });
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /^<AssumeRoleWithWebIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">\n  <AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIA/);
    assert.match(r.text, /<\/Credentials><SubjectFromWebIdentityToken>repo:acme\/payments:ref:refs\/heads\/main<\/SubjectFromWebIdentityToken><AssumedRoleUser><AssumedRoleId>[^<:]+:job-1<\/AssumedRoleId><Arn>arn:aws:sts::111122223333:assumed-role\/ci-deployer\/job-1<\/Arn><\/AssumedRoleUser><Provider>https:\/\/token\.ci\.example\.test<\/Provider><Audience>arca<\/Audience><\/AssumeRoleWithWebIdentityResult>/);
  });

  it('a Kubernetes service-account token assumes the role whose trust policy names its :sub, and no other', async () => {
    const token = (sub: string) => jwt(k8s, { 'kubernetes.io': { namespace: 'payments' } }, { iss: K8S_ISSUER, aud: ['sts.amazonaws.com'], sub });
    const creds = await viaTokenFile(await token('system:serviceaccount:payments:api'), K8S_ROLE);
    assert.match(creds.accessKeyId, /^ASIA/);
    const other = await raw({ RoleArn: K8S_ROLE, WebIdentityToken: await token('system:serviceaccount:default:default') });
    assert.deepEqual([other.status, code(other.text)], [403, 'AccessDenied']);
    const wrongRole = await raw({ RoleArn: CI_ROLE, WebIdentityToken: await token('system:serviceaccount:payments:api') });
    assert.deepEqual([wrongRole.status, code(wrongRole.text)], [403, 'AccessDenied'], 'the CI role does not trust the cluster');
  });

  it('refuses expired, wrong-audience, unknown-issuer, alg none, garbled and wrongly signed tokens with AWS\'s codes', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await raw({ RoleArn: CI_ROLE, WebIdentityToken: await jwt(ci, {}, { exp: now - 3600 }) });
    assert.deepEqual([expired.status, code(expired.text)], [400, 'ExpiredTokenException']);
    assert.match(expired.text, /<Type>Sender<\/Type>/);
    const aud = await raw({ RoleArn: CI_ROLE, WebIdentityToken: await jwt(ci, {}, { aud: 'someone-else' }) });
    assert.deepEqual([aud.status, code(aud.text)], [400, 'InvalidIdentityToken']);
    assert.match(aud.text, /Incorrect token audience/);
    const iss = await raw({ RoleArn: CI_ROLE, WebIdentityToken: await jwt(ci, {}, { iss: 'https://evil.example.test' }) });
    assert.deepEqual([iss.status, code(iss.text)], [400, 'InvalidIdentityToken']);
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: ISSUER, aud: 'arca', sub: 'repo:acme/x', exp: now + 600, iat: now })}.`;
    assert.equal(code((await raw({ RoleArn: CI_ROLE, WebIdentityToken: none })).text), 'InvalidIdentityToken');
    assert.equal(code((await raw({ RoleArn: CI_ROLE, WebIdentityToken: 'not-a-jwt-at-all' })).text), 'InvalidIdentityToken');
    const good = await jwt(ci, {});
    const [h, p] = good.split('.');
    const forged = `${h}.${p}.${Buffer.from('forged-signature').toString('base64url')}`;
    assert.equal(code((await raw({ RoleArn: CI_ROLE, WebIdentityToken: forged })).text), 'InvalidIdentityToken');
    const stranger = await signer('ci-1');
    assert.equal(code((await raw({ RoleArn: CI_ROLE, WebIdentityToken: await jwt(stranger, {}) })).text), 'InvalidIdentityToken', 'same kid, another key');
    const tampered = `${h}.${b64({ iss: ISSUER, aud: 'arca', sub: 'repo:acme/admin', exp: now + 600 })}.${good.split('.')[2]}`;
    assert.equal(code((await raw({ RoleArn: CI_ROLE, WebIdentityToken: tampered })).text), 'InvalidIdentityToken');
    const sub = await raw({ RoleArn: CI_ROLE, WebIdentityToken: await jwt(ci, {}, { sub: 'repo:evil/x' }) });
    assert.deepEqual([sub.status, code(sub.text)], [403, 'AccessDenied'], 'the trust policy\'s :sub condition');
  });

  it('a key added to the JWKS by a rotation is fetched on its first unknown kid; a key never published is refused', async () => {
    const next = await signer('ci-2', 'ES256');
    const before = await raw({ RoleArn: CI_ROLE, WebIdentityToken: await jwt(next, {}) });
    assert.equal(code(before.text), 'InvalidIdentityToken', 'not published yet');
    published = [ci.jwk, next.jwk];
    const after = await raw({ RoleArn: CI_ROLE, WebIdentityToken: await jwt(next, {}) });
    assert.equal(after.status, 200, after.text);
  });

  it('the token\'s device_posture and risk_score stay with the session: a key policy on arca:DevicePosture decides each later request', async () => {
    const arn = (await new KMSClient({ endpoint: s.endpoint, region: 'us-east-1', credentials: s.credentials, maxAttempts: 1 }).send(new CreateKeyCommand({
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
          { Effect: 'Deny', Principal: '*', Action: 'kms:Encrypt', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalArn': CI_ROLE }, StringNotEquals: { 'arca:DevicePosture': 'compliant' } } },
          { Effect: 'Deny', Principal: '*', Action: 'kms:Encrypt', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalArn': CI_ROLE }, NumericGreaterThan: { 'arca:RiskScore': '50' } } },
        ],
      }),
    }))).KeyMetadata?.Arn ?? '';
    const encrypt = async (claims: Record<string, unknown>) => {
      const creds = await viaTokenFile(await jwt(ci, claims), CI_ROLE);
      const kms = new KMSClient({ endpoint: s.endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
      return kms.send(new EncryptCommand({ KeyId: arn, Plaintext: Buffer.from('x') })).then(() => 'ok', (e: Error) => e.name);
    };
    assert.equal(await encrypt({ device_posture: 'compliant', risk_score: 10 }), 'ok');
    assert.equal(await encrypt({ device_posture: 'jailbroken', risk_score: 10 }), 'AccessDeniedException');
    assert.equal(await encrypt({ device_posture: 'compliant', risk_score: 80 }), 'AccessDeniedException');
  });

  it('successes and refusals are audited under sts as CloudTrail does (WebIdentityUser, webIdFederationData), with the subject but never the token', async () => {
    const token = await jwt(ci, {}, { sub: 'repo:acme/audited' });
    const ok = await raw({ RoleArn: CI_ROLE, WebIdentityToken: token, RoleSessionName: 'audited' });
    assert.equal(ok.status, 200);
    assert.equal(code((await raw({ RoleArn: CI_ROLE, WebIdentityToken: `${token}x` })).text), 'InvalidIdentityToken');
    assert.equal(code((await raw({ RoleArn: K8S_ROLE, WebIdentityToken: token })).text), 'AccessDenied');
    const accessKeyId = /<AccessKeyId>([^<]+)</.exec(ok.text)?.[1] ?? '';
    const secretAccessKey = /<SecretAccessKey>([^<]+)</.exec(ok.text)?.[1] ?? '';
    const sessionToken = /<SessionToken>([^<]+)</.exec(ok.text)?.[1] ?? '';
    await new KMSClient({ endpoint: s.endpoint, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey, sessionToken }, maxAttempts: 1 }).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));
    type Event = { eventName: string; eventSource: string; errorCode?: string; userIdentity: Record<string, unknown> };
    const events = (await adminCall(s, 'ListAuditEvents', { Limit: 30 }))['Events'] as Event[];
    const mine = events.filter((e) => e.eventName === 'AssumeRoleWithWebIdentity' && e.eventSource === 'sts');
    assert.ok(mine.some((e) => e.errorCode === undefined) && mine.some((e) => e.errorCode === 'InvalidIdentityToken'), JSON.stringify(mine.map((e) => e.errorCode)));
    const webUser = { type: 'WebIdentityUser', principalId: 'token.ci.example.test:arca:repo:acme/audited', userName: 'repo:acme/audited', identityProvider: 'token.ci.example.test', accountId: ACCOUNT };
    assert.deepEqual(mine.find((e) => e.errorCode === undefined)?.userIdentity, webUser, 'a success names the web identity');
    assert.deepEqual(mine.find((e) => e.errorCode === 'AccessDenied')?.userIdentity, webUser, 'so does a refusal after the token was verified');
    assert.deepEqual(mine.find((e) => e.errorCode === 'InvalidIdentityToken')?.userIdentity, { type: 'Anonymous' }, 'an unverified token names no one');
    const enc = events.find((e) => e.eventName === 'Encrypt' && e.userIdentity['accessKeyId'] === accessKeyId);
    const session = enc?.userIdentity['sessionContext'] as { webIdFederationData?: { federatedProvider: string }; attributes: { mfaAuthenticated: string } } | undefined;
    assert.equal(session?.webIdFederationData?.federatedProvider, `arn:aws:iam::${ACCOUNT}:oidc-provider/token.ci.example.test`);
    assert.equal(session?.attributes.mfaAuthenticated, 'false');
    const text = JSON.stringify(events);
    assert.ok(text.includes('repo:acme/audited'), 'the subject is recorded');
    assert.ok(!text.includes(token.split('.')[2] ?? '?'), 'the token is not');
  });
});
