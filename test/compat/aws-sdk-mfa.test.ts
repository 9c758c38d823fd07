/**
 * Issue 17 (MFA slice) with the AWS SDK for JavaScript v3: @aws-sdk/client-sts sends GetSessionToken and
 * AssumeRole with SerialNumber + TokenCode (the code computed here from the seed EnableMfaDevice returns),
 * and @aws-sdk/client-kms uses the sessions. docs/identity.md's key-administrator template lets only an
 * MFA session schedule a key's deletion; its MFA trust-policy template lets a role be assumed only with a
 * code. Each principal proves one code (a code is accepted once per 30-second step).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateKeyCommand, KMSClient, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, GetSessionTokenCommand, STSClient, STSServiceException, type Credentials } from '@aws-sdk/client-sts';
import { totpCode, totpSeedFromBase32 } from '../../src/crypto/totp.js';
import type { SecretBytes } from '../../src/crypto/secret-bytes.js';
import { identityDocTemplate } from '../helpers/doc-templates.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { expectKmsError } from '../helpers/kms-client.js';
import { adminCall, createTestPrincipal, type TestPrincipal } from '../helpers/principals.js';

const ACCOUNT = '111122223333';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/key-admin`;

interface Creds {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

describe('AWS SDK v3: MFA sessions with @aws-sdk/client-sts, used by @aws-sdk/client-kms (issue 17)', () => {
  let s: InProcessServer;
  let alice: TestPrincipal;
  let bob: TestPrincipal;
  const seeds = new Map<string, SecretBytes>();

  const sts = (c: Creds) => new STSClient({ endpoint: s.endpoint, region: 'us-east-1', credentials: c, maxAttempts: 1 });
  const kms = (c: Creds) => new KMSClient({ endpoint: s.endpoint, region: 'us-east-1', credentials: c, maxAttempts: 1 });
  const longTerm = (p: TestPrincipal): Creds => ({ accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey });
  const session = (c: Credentials | undefined): Creds => {
    assert.ok(c?.AccessKeyId !== undefined && c.SecretAccessKey !== undefined && c.SessionToken !== undefined);
    assert.match(c.AccessKeyId, /^ASIA/);
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  };
  const mfa = (p: TestPrincipal) => ({ SerialNumber: `arn:aws:iam::${ACCOUNT}:mfa/${p.name}`, TokenCode: totpCode(seeds.get(p.name) as SecretBytes, new Date()) });

  const newKey = async (): Promise<string> => {
    const admin = kms(s.credentials);
    try {
      return String((await admin.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId);
    } finally {
      admin.destroy();
    }
  };
  const schedule = async (c: Creds, keyId: string): Promise<string | undefined> => {
    const client = kms(c);
    try {
      return (await client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }))).KeyState;
    } finally {
      client.destroy();
    }
  };

  before(async () => {
    s = await startInProcess();
    const keyAdmin = identityDocTemplate('key-admin-requires-mfa');
    alice = await createTestPrincipal(s, 'alice', { policy: keyAdmin });
    bob = await createTestPrincipal(s, 'bob');
    for (const p of [alice, bob]) {
      const device = (await adminCall(s, 'EnableMfaDevice', { PrincipalName: p.name }))['MfaDevice'] as { Base32StringSeed: string };
      seeds.set(p.name, totpSeedFromBase32(device.Base32StringSeed));
    }
    // The role: the MFA trust-policy template of docs/identity.md (it names user/bob); the key-administrator policy.
    const trust = JSON.stringify(identityDocTemplate('trust-requires-mfa'));
    assert.ok(trust.includes(bob.arn), trust);
    await adminCall(s, 'CreatePrincipal', { PrincipalName: 'key-admin', PrincipalType: 'role', AssumeRolePolicyDocument: trust });
    await adminCall(s, 'PutPrincipalPolicy', { PrincipalName: 'key-admin', PolicyName: 'key-admin', PolicyDocument: JSON.stringify(keyAdmin) });
  });
  after(async () => {
    for (const seed of seeds.values()) seed.dispose();
    await s.close();
  });

  it('GetSessionTokenCommand with SerialNumber + TokenCode: the session may ScheduleKeyDeletion, the long-term key and a session without MFA may not', async () => {
    const keyId = await newKey();
    const client = sts(longTerm(alice));
    try {
      await expectKmsError(schedule(longTerm(alice), keyId), 'AccessDeniedException', 400);
      const plain = session((await client.send(new GetSessionTokenCommand({ DurationSeconds: 900 }))).Credentials);
      await expectKmsError(schedule(plain, keyId), 'AccessDeniedException', 400);
      const withMfa = session((await client.send(new GetSessionTokenCommand({ DurationSeconds: 900, ...mfa(alice) }))).Credentials);
      assert.equal(await schedule(withMfa, keyId), 'PendingDeletion');
    } finally {
      client.destroy();
    }
  });

  it('AssumeRoleCommand into a role whose trust policy requires MFA: AccessDenied without a code, a session that may ScheduleKeyDeletion with one', async () => {
    const keyId = await newKey();
    const client = sts(longTerm(bob));
    try {
      const request = { RoleArn: ROLE_ARN, RoleSessionName: 'ops', DurationSeconds: 900 };
      const refused = await client.send(new AssumeRoleCommand(request)).then(
        () => assert.fail('AssumeRole without MFA was allowed'),
        (e: unknown) => e,
      );
      assert.ok(refused instanceof STSServiceException, String(refused));
      assert.equal(refused.name, 'AccessDenied');
      assert.equal(refused.$metadata.httpStatusCode, 403);
      const assumed = await client.send(new AssumeRoleCommand({ ...request, ...mfa(bob) }));
      assert.equal(assumed.AssumedRoleUser?.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/key-admin/ops`);
      assert.equal(await schedule(session(assumed.Credentials), keyId), 'PendingDeletion', 'the role session carries aws:MultiFactorAuthPresent');
    } finally {
      client.destroy();
    }
  });
});
