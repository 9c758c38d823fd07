/**
 * Issue 17 (first slice): Arca's STS endpoint with real clients. The AWS SDK for JavaScript v3's STS
 * client (from @aws-sdk/nested-clients, which the SDK's credential providers use) assumes a role against
 * Arca; the temporary credentials then encrypt through @aws-sdk/client-kms, and are refused what the
 * role may not do, after expiry, when tampered with and after revocation, with AWS's error codes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/nested-clients/sts';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { adminCall, createTestPrincipal, type TestPrincipal } from '../helpers/principals.js';
import { expectKmsError } from '../helpers/kms-client.js';
import { TestClock } from '../helpers/lifecycle.js';

const ACCOUNT = '111122223333';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/app-encryptor`;

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

describe('STS AssumeRole with the AWS SDK v3 (issue 17)', () => {
  const clock = new TestClock();
  let s: InProcessServer;
  let alice: TestPrincipal;
  let bob: TestPrincipal;
  let keyId: string;

  const offset = () => clock.now().getTime() - Date.now();
  const sts = (c: Creds) => new STSClient({ endpoint: s.endpoint, region: 'us-east-1', credentials: c, maxAttempts: 1, systemClockOffset: offset() });
  const kms = (c: Creds) => new KMSClient({ endpoint: s.endpoint, region: 'us-east-1', credentials: c, maxAttempts: 1, systemClockOffset: offset() });
  const creds = (p: TestPrincipal): Creds => ({ accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey });

  async function assume(who: Creds, extra: Partial<{ ExternalId: string; DurationSeconds: number; RoleSessionName: string; Tags: { Key: string; Value: string }[]; TransitiveTagKeys: string[] }> = {}) {
    const out = await sts(who).send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'build-42', ExternalId: 'ext-7', ...extra }));
    const c = out.Credentials;
    assert.ok(c?.AccessKeyId !== undefined && c.SecretAccessKey !== undefined && c.SessionToken !== undefined && c.Expiration !== undefined);
    return { creds: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken }, expiration: c.Expiration, user: out.AssumedRoleUser };
  }

  async function expectStsError(call: Promise<unknown>, name: string, status: number): Promise<STSServiceException> {
    try {
      await call;
    } catch (e) {
      assert.ok(e instanceof STSServiceException, `expected an STS service exception, got: ${String(e)}`);
      assert.equal(e.name, name, `wrong error name (message: ${e.message})`);
      assert.equal(e.$metadata.httpStatusCode, status);
      return e;
    }
    assert.fail(`expected ${name}, but the call succeeded`);
  }

  before(async () => {
    s = await startInProcess({ clock });
    alice = await createTestPrincipal(s, 'alice');
    bob = await createTestPrincipal(s, 'bob', { policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] } });
    const trust = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'ext-7' } } },
        { Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:TagSession', Condition: { StringEquals: { 'aws:RequestTag/team': 'payments' } } },
      ],
    };
    await adminCall(s, 'CreatePrincipal', { PrincipalName: 'app-encryptor', PrincipalType: 'role', AssumeRolePolicyDocument: JSON.stringify(trust) });
    await adminCall(s, 'PutPrincipalPolicy', {
      PrincipalName: 'app-encryptor',
      PolicyName: 'encrypt-only',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }] }),
    });
    const admin = kms({ accessKeyId: s.credentials.accessKeyId, secretAccessKey: s.credentials.secretAccessKey });
    keyId = (await admin.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId ?? '';
  });
  after(() => s.close());

  it('a user the trust policy names gets ASIA credentials that encrypt as the assumed role, and nothing more', async () => {
    const { creds: session, expiration, user } = await assume(creds(alice));
    assert.match(session.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(user?.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app-encryptor/build-42`);
    assert.match(user?.AssumedRoleId ?? '', /^AROA[A-Z2-7]{17}:build-42$/);
    // Expiration travels in whole seconds (AWS's timestamp form), so it may read up to a second early.
    const lifetime = (expiration.getTime() - clock.now().getTime()) / 1000;
    assert.ok(lifetime > 3598.9 && lifetime <= 3600, `lifetime ${lifetime}`);
    const blob = await kms(session).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('hello') }));
    assert.ok(blob.CiphertextBlob !== undefined);
    const denied = await expectKmsError(kms(session).send(new DecryptCommand({ CiphertextBlob: blob.CiphertextBlob })), 'AccessDeniedException', 400);
    assert.match(denied.message, /assumed-role\/app-encryptor\/build-42 is not authorized to perform: kms:Decrypt/);
  });

  it('the audit trail shows the session as CloudTrail does (AssumedRole, sessionContext) and AssumeRole from sts', async () => {
    const { creds: session } = await assume(creds(alice), { RoleSessionName: 'audited' });
    await kms(session).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));
    const events = (await adminCall(s, 'ListAuditEvents', { Limit: 20 }))['Events'] as { eventName: string; eventSource: string; userIdentity: Record<string, unknown>; requestParameters: Record<string, unknown> | null; responseElements: Record<string, unknown> | null }[];
    const enc = events.find((e) => e.eventName === 'Encrypt' && e.userIdentity['accessKeyId'] === session.accessKeyId);
    assert.equal(enc?.userIdentity['type'], 'AssumedRole');
    assert.equal(enc?.userIdentity['arn'], `arn:aws:sts::${ACCOUNT}:assumed-role/app-encryptor/audited`);
    assert.equal(enc?.userIdentity['accessKeyId'], session.accessKeyId);
    const ctx = enc?.userIdentity['sessionContext'] as { sessionIssuer: { type: string; arn: string }; attributes: { mfaAuthenticated: string } };
    assert.deepEqual([ctx.sessionIssuer.type, ctx.sessionIssuer.arn, ctx.attributes.mfaAuthenticated], ['Role', ROLE_ARN, 'false']);
    const assumed = events.find((e) => e.eventName === 'AssumeRole' && e.requestParameters?.['roleSessionName'] === 'audited');
    assert.equal(assumed?.eventSource, 'sts');
    assert.equal(assumed?.userIdentity['arn'], alice.arn);
    assert.equal((assumed?.responseElements?.['credentials'] as { accessKeyId: string }).accessKeyId, session.accessKeyId);
    const text = JSON.stringify(events);
    assert.ok(!text.includes(session.secretAccessKey) && !text.includes(session.sessionToken ?? '-'), 'no secret or token in the trail');
  });

  it('a wrong or missing ExternalId, and a caller the trust policy does not name, are AccessDenied', async () => {
    await expectStsError(assume(creds(alice), { ExternalId: 'ext-8' }), 'AccessDenied', 403);
    await expectStsError(sts(creds(alice)).send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'x1' })), 'AccessDenied', 403);
    // bob's identity policy allows sts:AssumeRole on every role, but the trust policy does not name him.
    const e = await expectStsError(assume(creds(bob)), 'AccessDenied', 403);
    assert.match(e.message, /user\/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role\/app-encryptor/);
    await expectStsError(sts(creds(alice)).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/nope`, RoleSessionName: 'x1' })), 'AccessDenied', 403);
  });

  it('session tags need sts:TagSession with matching conditions; DurationSeconds above the role maximum is a ValidationError', async () => {
    const tagged = await assume(creds(alice), { Tags: [{ Key: 'team', Value: 'payments' }] });
    assert.match(tagged.creds.accessKeyId, /^ASIA/);
    await expectStsError(assume(creds(alice), { Tags: [{ Key: 'team', Value: 'other' }] }), 'AccessDenied', 403);
    // Posture keys are never a caller's to assert, whatever the trust policy allows.
    const reserved = await expectStsError(assume(creds(alice), { Tags: [{ Key: 'arca:DevicePosture', Value: 'compliant' }] }), 'ValidationError', 400);
    assert.match(reserved.message, /session tag key 'arca:DevicePosture' is reserved/);
    const e = await expectStsError(assume(creds(alice), { DurationSeconds: 7200 }), 'ValidationError', 400);
    assert.match(e.message, /DurationSeconds exceeds the MaxSessionDuration set for this role/);
    await expectStsError(assume(creds(alice), { DurationSeconds: 899 }), 'ValidationError', 400);
  });

  it('a tampered token and an unknown session are InvalidClientTokenId-style refusals (UnrecognizedClientException on KMS)', async () => {
    const { creds: session } = await assume(creds(alice));
    const token = session.sessionToken ?? '';
    const tampered = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
    await expectKmsError(kms({ ...session, sessionToken: tampered }).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })), 'UnrecognizedClientException', 400);
    // The session's key without its token is no access key.
    await expectKmsError(kms({ accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey }).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })), 'UnrecognizedClientException', 400);
    // A long-term key presented with a token is not a session.
    await expectKmsError(kms({ ...creds(alice), sessionToken: token }).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })), 'UnrecognizedClientException', 400);
  });

  it('RevokeRoleSessions stops every session issued before it on the next request; later sessions work', async () => {
    const { creds: old } = await assume(creds(alice));
    await kms(old).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));
    clock.advance(1000);
    const revoked = await adminCall(s, 'RevokeRoleSessions', { PrincipalName: 'app-encryptor' });
    assert.ok((revoked['RevokedSessions'] as number) >= 1);
    await expectKmsError(kms(old).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })), 'UnrecognizedClientException', 400);
    clock.advance(1000);
    const { creds: fresh } = await assume(creds(alice));
    await kms(fresh).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));
  });

  it('role chaining: a session assumes a role that trusts its role, inherits transitive tags, and is capped at one hour', async () => {
    await adminCall(s, 'CreatePrincipal', {
      PrincipalName: 'chained',
      PrincipalType: 'role',
      MaxSessionDuration: 43_200,
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ROLE_ARN }, Action: 'sts:AssumeRole' }] }),
    });
    // The chained role may encrypt only for sessions tagged team=payments.
    await adminCall(s, 'PutPrincipalPolicy', {
      PrincipalName: 'chained',
      PolicyName: 'tagged',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'payments' } } }] }),
    });
    const chainedArn = `arn:aws:iam::${ACCOUNT}:role/chained`;
    const tagged = await assume(creds(alice), { Tags: [{ Key: 'team', Value: 'payments' }], TransitiveTagKeys: ['team'] });
    const untagged = await assume(creds(alice));
    const hop = async (from: Creds, extra: { DurationSeconds?: number } = {}) => (await sts(from).send(new AssumeRoleCommand({ RoleArn: chainedArn, RoleSessionName: 'hop', ...extra }))).Credentials!;
    const t = await hop(tagged.creds);
    await kms({ accessKeyId: t.AccessKeyId!, secretAccessKey: t.SecretAccessKey!, sessionToken: t.SessionToken }).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));
    const u = await hop(untagged.creds);
    await expectKmsError(kms({ accessKeyId: u.AccessKeyId!, secretAccessKey: u.SecretAccessKey!, sessionToken: u.SessionToken }).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })), 'AccessDeniedException', 400);
    const e = await expectStsError(hop(tagged.creds, { DurationSeconds: 3601 }), 'ValidationError', 400);
    assert.match(e.message, /1 hour session limit for roles assumed by role chaining/);
    // alice herself is not trusted by the chained role.
    await expectStsError(hop(creds(alice)), 'AccessDenied', 403);
  });

  it('a 900 s session works until it expires, then answers ExpiredTokenException', async () => {
    const { creds: short } = await assume(creds(alice), { DurationSeconds: 900 });
    clock.advance(899_000);
    await kms(short).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));
    clock.advance(1_000);
    const e = await expectKmsError(kms(short).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })), 'ExpiredTokenException', 400);
    assert.equal(e.message, 'The security token included in the request is expired');
    await expectStsError(sts(short).send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'chained' })), 'ExpiredToken', 400);
  });
});
