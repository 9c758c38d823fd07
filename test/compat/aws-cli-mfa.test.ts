/**
 * Issue 17 (MFA slice): the AWS CLI against Arca with a virtual MFA device made by `arca mfa enable`:
 * `aws sts get-session-token --serial-number … --token-code …` (the code computed here from the seed),
 * and docs/identity.md's key-administrator template, which denies `kms:ScheduleKeyDeletion` unless MFA
 * is present (`BoolIfExists aws:MultiFactorAuthPresent false`): the long-term key and a session without MFA are
 * refused, the MFA session may schedule the deletion; a replayed or wrong code is refused.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { totpCode, totpSeedFromBase32 } from '../../src/crypto/totp.js';
import type { SecretBytes } from '../../src/crypto/secret-bytes.js';
import { cliOrSkip } from '../helpers/aws-cli.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { adminCall, createTestPrincipal, type TestPrincipal } from '../helpers/principals.js';
import { ARCA_BIN, removeDir, tempDataDir } from '../helpers/server.js';
import { identityDocTemplate } from '../helpers/doc-templates.js';

const SERIAL = 'arn:aws:iam::111122223333:mfa/alice';
const MFA_FAILED = /\(AccessDenied\) when calling the GetSessionToken operation(?: \(reached max retries: \d+\))?: MultiFactorAuthentication failed with invalid MFA one time pass code\./;


interface Creds {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

describe('AWS CLI: MFA sessions and a policy requiring MFA for ScheduleKeyDeletion (issue 17)', () => {
  let s: InProcessServer;
  let home: string;
  let alice: TestPrincipal;
  let seed: SecretBytes | undefined;
  let enableOutput = '';

  async function aws(cli: string, creds: Creds, args: string[]): Promise<{ status: number | null; json: Record<string, unknown> | undefined; stderr: string }> {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: home,
      AWS_CONFIG_FILE: `${home}/none`,
      AWS_SHARED_CREDENTIALS_FILE: `${home}/none`,
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_PAGER: '',
      AWS_MAX_ATTEMPTS: '1',
      ...(creds.sessionToken !== undefined && { AWS_SESSION_TOKEN: creds.sessionToken }),
    };
    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
      execFile(cli, [...args, '--endpoint-url', s.endpoint, '--output', 'json'], { encoding: 'utf8', env, timeout: 60_000 }, (error, stdout, stderr) => {
        done({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
      });
    });
    const out = r.stdout.trim();
    return { status: r.status, json: out === '' ? undefined : (JSON.parse(out) as Record<string, unknown>), stderr: r.stderr };
  }

  const arca = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      const env = { PATH: process.env.PATH ?? '', ARCA_ENDPOINT: s.endpoint, AWS_ACCESS_KEY_ID: s.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s.credentials.secretAccessKey, AWS_REGION: 'us-east-1' };
      execFile(process.execPath, [ARCA_BIN, ...args], { env, encoding: 'utf8' }, (error, stdout, stderr) => done({ code: error === null ? 0 : Number(error.code), stdout, stderr }));
    });

  const sessionOf = (json: Record<string, unknown> | undefined): Creds => {
    const c = json?.['Credentials'] as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  };

  before(async () => {
    home = tempDataDir('arca-aws-home-');
    s = await startInProcess();
    // The key-administrator template of docs/identity.md: destructive operations need an MFA session.
    alice = await createTestPrincipal(s, 'alice', { policy: identityDocTemplate('key-admin-requires-mfa') });
    const enabled = await arca('mfa', 'enable', '--name', 'alice');
    assert.equal(enabled.code, 0, enabled.stderr);
    enableOutput = enabled.stdout;
    const b32 = /Base32StringSeed: ([A-Z2-7]+)/.exec(enabled.stdout)?.[1];
    assert.ok(b32 !== undefined, enabled.stdout);
    seed = totpSeedFromBase32(b32);
  });
  after(async () => {
    seed?.dispose();
    await s.close();
    removeDir(home);
  });

  const code = () => totpCode(seed as SecretBytes, new Date());

  it('arca mfa enable prints the serial number, the otpauth URI and a terminal QR code; arca principal get lists the device', async () => {
    assert.match(enableOutput, new RegExp(`SerialNumber: ${SERIAL}`));
    assert.match(enableOutput, /OtpauthUri: otpauth:\/\/totp\/[^\s]*secret=[A-Z2-7]+/);
    assert.match(enableOutput, /[█▀▄]{8}/, 'a QR code drawn with block characters');
    const got = await arca('principal', 'get', '--name', 'alice', '--output', 'json');
    assert.deepEqual((JSON.parse(got.stdout) as { MfaDevices: { SerialNumber: string }[] }).MfaDevices.map((d) => d.SerialNumber), [SERIAL]);
    assert.equal((await arca('mfa', 'enable', '--name', 'alice')).code, 1, 'a second device is refused');
  });

  it('ScheduleKeyDeletion is denied to the long-term key and to a session without MFA, allowed to the MFA session; replayed and wrong codes are refused', async (t) => {
    const cli = cliOrSkip(t);
    if (cli === undefined) return;
    const created = await aws(cli, alice, ['kms', 'create-key']);
    assert.equal(created.status, 0, created.stderr);
    const keyId = String((created.json?.['KeyMetadata'] as { KeyId: string }).KeyId);
    const schedule = (creds: Creds) => aws(cli, creds, ['kms', 'schedule-key-deletion', '--key-id', keyId, '--pending-window-in-days', '7']);

    assert.match((await schedule(alice)).stderr, /AccessDeniedException/, 'the long-term key: aws:MultiFactorAuthPresent is absent');
    const plain = await aws(cli, alice, ['sts', 'get-session-token', '--duration-seconds', '900']);
    assert.equal(plain.status, 0, plain.stderr);
    assert.match((await schedule(sessionOf(plain.json))).stderr, /AccessDeniedException/, 'a session without MFA: the key is false');

    const current = code();
    const mfa = await aws(cli, alice, ['sts', 'get-session-token', '--duration-seconds', '900', '--serial-number', SERIAL, '--token-code', current]);
    assert.equal(mfa.status, 0, mfa.stderr);
    const scheduled = await schedule(sessionOf(mfa.json));
    assert.equal(scheduled.status, 0, scheduled.stderr);
    assert.equal(scheduled.json?.['KeyState'], 'PendingDeletion');
    const events = (await adminCall(s, 'ListAuditEvents', { Limit: 30 }))['Events'] as { eventName: string; errorCode?: string; userIdentity: { accessKeyId?: string; sessionContext?: { attributes: { mfaAuthenticated: string } } } }[];
    const mfaFlags = (id: string) => events.filter((e) => e.eventName === 'ScheduleKeyDeletion' && e.userIdentity.accessKeyId === id).map((e) => e.userIdentity.sessionContext?.attributes.mfaAuthenticated);
    assert.deepEqual(mfaFlags(sessionOf(mfa.json).accessKeyId), ['true'], 'CloudTrail\'s sessionContext says the session was MFA-authenticated');
    assert.deepEqual(mfaFlags(sessionOf(plain.json).accessKeyId), ['false']);

    assert.match((await aws(cli, alice, ['sts', 'get-session-token', '--serial-number', SERIAL, '--token-code', current])).stderr, MFA_FAILED, 'a replayed code');
    const wrong = String((Number(code()) + 500_000) % 1_000_000).padStart(6, '0');
    assert.match((await aws(cli, alice, ['sts', 'get-session-token', '--serial-number', SERIAL, '--token-code', wrong])).stderr, MFA_FAILED, 'a wrong code');
  });

  it('arca mfa disable removes the device: its codes are refused from then on', async (t) => {
    const cli = cliOrSkip(t);
    if (cli === undefined) return;
    assert.equal((await arca('mfa', 'disable', '--name', 'alice')).code, 0);
    assert.match((await aws(cli, alice, ['sts', 'get-session-token', '--serial-number', SERIAL, '--token-code', code()])).stderr, MFA_FAILED);
  });
});
