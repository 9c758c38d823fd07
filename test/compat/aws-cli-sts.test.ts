/**
 * Issue 17 (first slice): the AWS CLI against Arca's STS endpoint (`aws sts … --endpoint-url`; the CLI
 * v2, found by test/helpers/aws-cli.ts): assume-role, get-caller-identity with the
 * session's credentials, get-session-token, and AWS's error codes in the CLI's words.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { cliOrSkip } from '../helpers/aws-cli.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { adminCall, createTestPrincipal, type TestPrincipal } from '../helpers/principals.js';
import { ARCA_BIN, removeDir, tempDataDir } from '../helpers/server.js';

const ACCOUNT = '111122223333';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/ci-deployer`;


interface Creds {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

describe('AWS CLI: aws sts against Arca (issue 17)', () => {
  let s: InProcessServer;
  let home: string;
  let alice: TestPrincipal;

  /** Runs the CLI without blocking the event loop (the server runs in this process). */
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
      execFile(cli, ['sts', ...args, '--endpoint-url', s.endpoint, '--output', 'json'], { encoding: 'utf8', env, timeout: 60_000 }, (error, stdout, stderr) => {
        done({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
      });
    });
    const out = r.stdout.trim();
    return { status: r.status, json: out === '' ? undefined : (JSON.parse(out) as Record<string, unknown>), stderr: r.stderr };
  }

  before(async () => {
    home = tempDataDir('arca-aws-home-');
    s = await startInProcess();
    alice = await createTestPrincipal(s, 'alice');
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] };
    await adminCall(s, 'CreatePrincipal', { PrincipalName: 'ci-deployer', PrincipalType: 'role', AssumeRolePolicyDocument: JSON.stringify(trust), MaxSessionDuration: 7200 });
    // The trust policy names the account: the caller's identity policy must allow sts:AssumeRole too.
    await adminCall(s, 'PutPrincipalPolicy', {
      PrincipalName: 'alice',
      PolicyName: 'assume',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: ROLE_ARN }] }),
    });
  });
  after(async () => {
    await s.close();
    removeDir(home);
  });

  it('get-caller-identity answers the access key owner', async (t) => {
    const cli = cliOrSkip(t);
    if (cli === undefined) return;
    const r = await aws(cli, alice, ['get-caller-identity']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.json?.['Arn'], alice.arn);
    assert.equal(r.json?.['Account'], ACCOUNT);
    assert.match(String(r.json?.['UserId']), /^AIDA/);
  });

  it('assume-role (account-root trust + identity policy), then get-caller-identity with the session', async (t) => {
    const cli = cliOrSkip(t);
    if (cli === undefined) return;
    const r = await aws(cli, alice, ['assume-role', '--role-arn', ROLE_ARN, '--role-session-name', 'deploy', '--duration-seconds', '7200']);
    assert.equal(r.status, 0, r.stderr);
    const c = r.json?.['Credentials'] as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string };
    assert.match(c.AccessKeyId, /^ASIA/);
    const lifetime = (Date.parse(c.Expiration) - Date.now()) / 1000;
    assert.ok(lifetime > 7100 && lifetime <= 7200, `lifetime ${lifetime}`);
    const who = await aws(cli, { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken }, ['get-caller-identity']);
    assert.equal(who.status, 0, who.stderr);
    assert.equal(who.json?.['Arn'], `arn:aws:sts::${ACCOUNT}:assumed-role/ci-deployer/deploy`);
    assert.match(String(who.json?.['UserId']), /^AROA[A-Z2-7]{17}:deploy$/);
  });

  it('a caller whose identity policy does not allow it is refused AccessDenied by assume-role', async (t) => {
    const cli = cliOrSkip(t);
    if (cli === undefined) return;
    const bob = await createTestPrincipal(s, 'bob');
    const r = await aws(cli, bob, ['assume-role', '--role-arn', ROLE_ARN, '--role-session-name', 'deploy']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /\(AccessDenied\) when calling the AssumeRole operation(?: \(reached max retries: \d+\))?: User: arn:aws:iam::111122223333:user\/bob is not authorized to perform: sts:AssumeRole/);
  });

  it('get-session-token gives the caller session credentials; an MFA code without a device is AccessDenied; a tampered token is InvalidClientTokenId', async (t) => {
    const cli = cliOrSkip(t);
    if (cli === undefined) return;
    const r = await aws(cli, alice, ['get-session-token', '--duration-seconds', '900']);
    assert.equal(r.status, 0, r.stderr);
    const c = r.json?.['Credentials'] as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
    const session = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    const who = await aws(cli, session, ['get-caller-identity']);
    assert.equal(who.json?.['Arn'], alice.arn);
    const again = await aws(cli, session, ['get-session-token']);
    assert.match(again.stderr, /\(AccessDenied\) when calling the GetSessionToken operation(?: \(reached max retries: \d+\))?: Cannot call GetSessionToken with session credentials/);
    const mfa = await aws(cli, alice, ['get-session-token', '--serial-number', 'arn:aws:iam::111122223333:mfa/alice', '--token-code', '123456']);
    assert.match(mfa.stderr, /\(AccessDenied\) when calling the GetSessionToken operation(?: \(reached max retries: \d+\))?: MultiFactorAuthentication failed with invalid MFA one time pass code\./, 'no MFA device');
    const tampered = await aws(cli, { ...session, sessionToken: `${c.SessionToken.slice(0, -4)}AAAA` }, ['get-caller-identity']);
    assert.match(tampered.stderr, /\(InvalidClientTokenId\) when calling the GetCallerIdentity operation(?: \(reached max retries: \d+\))?: The security token included in the request is invalid/);
  });

  it('arca principal creates a role with a trust policy, updates it, and revokes its sessions (the arca CLI)', async (t) => {
    const cli = cliOrSkip(t);
    if (cli === undefined) return;
    const arca = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
        const env = { PATH: process.env.PATH ?? '', ARCA_ENDPOINT: s.endpoint, AWS_ACCESS_KEY_ID: s.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s.credentials.secretAccessKey, AWS_REGION: 'us-east-1' };
        execFile(process.execPath, [ARCA_BIN, ...args], { env, encoding: 'utf8' }, (error, stdout, stderr) => done({ code: error === null ? 0 : Number(error.code), stdout, stderr }));
      });
    const trust = (who: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: who }, Action: 'sts:AssumeRole' }] });
    const created = await arca('principal', 'create', '--name', 'cli-role', '--type', 'role', '--trust-policy', trust(`arn:aws:iam::${ACCOUNT}:user/nobody`), '--max-session-duration', '7200', '--output', 'json');
    assert.equal(created.code, 0, created.stderr);
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/cli-role`;
    assert.match((await aws(cli, alice, ['assume-role', '--role-arn', roleArn, '--role-session-name', 'cli-x'])).stderr, /AccessDenied/);
    assert.equal((await arca('principal', 'update-trust-policy', '--name', 'cli-role', '--trust-policy', trust(alice.arn))).code, 0);
    const got = JSON.parse((await arca('principal', 'get', '--name', 'cli-role', '--output', 'json')).stdout) as { AssumeRolePolicyDocument: string; MaxSessionDuration: number };
    assert.deepEqual([got.AssumeRolePolicyDocument, got.MaxSessionDuration], [trust(alice.arn), 7200]);
    const r = await aws(cli, alice, ['assume-role', '--role-arn', roleArn, '--role-session-name', 'cli-x']);
    assert.equal(r.status, 0, r.stderr);
    const c = r.json?.['Credentials'] as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
    const session = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    assert.equal((await aws(cli, session, ['get-caller-identity'])).status, 0);
    const revoked = await arca('principal', 'revoke-sessions', '--name', 'cli-role', '--output', 'json');
    assert.equal((JSON.parse(revoked.stdout) as { RevokedSessions: number }).RevokedSessions, 1);
    assert.match((await aws(cli, session, ['get-caller-identity'])).stderr, /InvalidClientTokenId/);
  });
});
