/**
 * Issue 18: just-in-time access end to end through a real server. A rule naming RequestKeyAccess holds
 * the request; an approver approves; ExecuteApproved makes a grant to the requester that works at once,
 * inside its window, and not after it (time moved by an injected clock, the clients moved with it), and
 * its use after expiry raises an alert. Decrypt goes through @aws-sdk/client-kms.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { CreateKeyCommand, DecryptCommand, DisableKeyCommand, EnableKeyCommand, EncryptCommand, KMSClient, ListGrantsCommand } from '@aws-sdk/client-kms';
import { GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { callOperation } from '../../src/cli/client.js';
import { totpCode, totpSeedFromBase32 } from '../../src/crypto/totp.js';
import type { Clock } from '../../src/core/ports.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { adminCall, callAs, createTestPrincipal, type TestPrincipal } from '../helpers/principals.js';
import { docTemplate } from '../helpers/doc-templates.js';
import { ARCA_BIN } from '../helpers/server.js';

const ACCOUNT = '111122223333';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;

/** A clock the test moves; clients get the same offset so that SigV4's clock-skew check still passes. */
let offsetMs = 0;
const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };

const failure = (p: Promise<unknown>): Promise<{ name: string; message: string }> =>
  p.then(
    () => ({ name: 'ok', message: '' }),
    (e: Error) => ({ name: e.name, message: e.message }),
  );
const approvalIdIn = (message: string): string => /apr-[0-9a-f]{32}/.exec(message)?.[0] ?? assert.fail(`no approval id in: ${message}`);
const template = (name: string): Record<string, unknown> => docTemplate('governance.md', name);

describe('just-in-time access: an approved, expiring grant (issue 18)', () => {
  let s: InProcessServer;
  let admin: KMSClient;
  let dana: TestPrincipal;
  let rita: TestPrincipal;
  let nina: TestPrincipal;
  let plaintextBlob: Uint8Array;
  let key: string;

  const request = (p: TestPrincipal, keyId: string, seconds: number) => failure(callAs(s, p, 'RequestKeyAccess', { KeyId: keyId, Operations: ['Decrypt'], DurationSeconds: seconds, Reason: 'incident INC-7: read the failed batch' }));
  const approve = (p: TestPrincipal, id: string) => failure(callAs(s, p, 'ApproveRequest', { ApprovalId: id, Reason: `${p.name} checked the ticket` }));
  const status = async (id: string) => ((await adminCall(s, 'GetApprovalRequest', { ApprovalId: id }))['ApprovalRequest'] as { Status: string }).Status;
  const decrypt = (p: TestPrincipal, blob: Uint8Array) => failure(p.client(offsetMs).send(new DecryptCommand({ CiphertextBlob: blob })));

  /** A key tagged for the rule whose policy delegates both kms:* and arca:RequestKeyAccess to identity policies. */
  async function recordsKey(tagged = true): Promise<string> {
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'Delegate to identity policies', Effect: 'Allow', Principal: { AWS: ROOT }, Action: ['kms:*', 'arca:RequestKeyAccess'], Resource: '*' }],
    };
    const out = await admin.send(new CreateKeyCommand({ Policy: JSON.stringify(policy), ...(tagged && { Tags: [{ TagKey: 'data', TagValue: 'records' }] }) }));
    return out.KeyMetadata?.Arn ?? assert.fail('no key');
  }

  before(async () => {
    s = await startInProcess({ clock });
    admin = new KMSClient({ endpoint: s.endpoint, region: 'us-east-1', credentials: s.credentials, maxAttempts: 1 });
    const approverTag = { 'arca-approver': 'records-office' };
    dana = await createTestPrincipal(s, 'dana', { policy: template('jit-requester') });
    rita = await createTestPrincipal(s, 'rita', { tags: approverTag, policy: template('jit-approver') });
    // An approver who may approve but not create grants: her approval cannot open the key.
    nina = await createTestPrincipal(s, 'nina', { tags: approverTag, policy: template('approver') });
    await adminCall(s, 'PutApprovalRule', template('rule-jit-records'));
    key = await recordsKey();
    plaintextBlob = (await admin.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('batch 42') }))).CiphertextBlob ?? new Uint8Array();
  });
  after(async () => s.close());

  it('held, approved, executed: a grant to the requester that decrypts inside its window and not after, and its use after expiry raises an alert', async () => {
    assert.equal((await decrypt(dana, plaintextBlob)).name, 'AccessDeniedException', 'no Decrypt rights before');
    const held = await request(dana, key, 120);
    assert.equal(held.name, 'ApprovalRequiredException', held.message);
    assert.match(held.message, /RequestKeyAccess needs 1 approval\(s\) under the approval rule 'jit-records'/);
    const id = approvalIdIn(held.message);
    assert.equal((await decrypt(dana, plaintextBlob)).name, 'AccessDeniedException', 'held: nothing granted yet');
    assert.equal((await approve(dana, id)).name, 'AccessDeniedException', 'no self-approval');
    assert.equal((await approve(rita, id)).name, 'ok');
    assert.equal(await status(id), 'Approved');

    const executedAt = clock.now().getTime();
    const grant = await callAs(s, dana, 'ExecuteApproved', { ApprovalId: id });
    assert.match(String(grant['GrantId']), /^[0-9a-f]{64}$/);
    assert.equal(typeof grant['GrantToken'], 'string');
    const expiresAt = Number(grant['ExpiresAt']) * 1000;
    assert.ok(Math.abs(expiresAt - (executedAt + 120_000)) < 5_000, `expires two minutes after execution: ${new Date(expiresAt).toISOString()}`);
    assert.equal(await status(id), 'Executed');

    const listed = (await admin.send(new ListGrantsCommand({ KeyId: key }))).Grants?.find((g) => g.GrantId === grant['GrantId']);
    assert.equal(listed?.GranteePrincipal, dana.arn, 'granted to the requester');
    assert.deepEqual(listed?.Operations, ['Decrypt']);

    const plain = await dana.client(offsetMs).send(new DecryptCommand({ CiphertextBlob: plaintextBlob, GrantTokens: [String(grant['GrantToken'])] }));
    assert.equal(Buffer.from(plain.Plaintext ?? new Uint8Array()).toString(), 'batch 42');
    assert.equal((await decrypt(dana, plaintextBlob)).name, 'ok', 'effective at once, without the token');
    assert.equal((await failure(dana.client(offsetMs).send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') })))).name, 'AccessDeniedException', 'only the operations asked for');

    offsetMs += 60_000;
    try {
      assert.equal((await decrypt(dana, plaintextBlob)).name, 'ok', 'one minute in: inside the window');
      offsetMs += 61_000;
      const late = await decrypt(dana, plaintextBlob);
      assert.equal(late.name, 'AccessDeniedException', 'two minutes and one second in: expired');

      type AlertRow = { type: string; rule: string; severity: string; principal: string; keyArn?: string; details: Record<string, unknown> };
      let alert: AlertRow | undefined;
      for (let i = 0; i < 50 && alert === undefined; i++) {
        const alerts = (await adminCall(s, 'ListAlerts', {}))['Alerts'] as AlertRow[];
        alert = alerts.find((a) => a.type === 'expiredGrantUse');
        if (alert === undefined) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(alert !== undefined, 'an expiredGrantUse alert');
      assert.equal(alert.rule, 'expired-grant-use');
      assert.equal(alert.severity, 'high');
      assert.equal(alert.principal, dana.arn);
      assert.equal(alert.keyArn, key);
      assert.equal(alert.details['grantId'], grant['GrantId']);
      assert.equal(alert.details['operation'], 'Decrypt');
    } finally {
      offsetMs = 0;
    }
  });

  it('an approver who may not create that grant on the key makes the execution refused, naming her; the request stays Approved', async () => {
    const id = approvalIdIn((await request(dana, key, 60)).message);
    assert.equal((await approve(nina, id)).name, 'ok');
    const refused = await failure(callAs(s, dana, 'ExecuteApproved', { ApprovalId: id }));
    assert.equal(refused.name, 'AccessDeniedException');
    assert.match(refused.message, /The approver arn:aws:iam::111122223333:user\/nina may not create this grant on arn:aws:kms:[^ ]+ \(kms:CreateGrant of Decrypt for arn:aws:iam::111122223333:user\/dana\)/);
    assert.equal(await status(id), 'Approved', 'the failed execution rolled its mark back');
  });

  it('without a rule covering it, RequestKeyAccess is refused and grants nothing', async () => {
    const untagged = await recordsKey(false);
    const refused = await request(dana, untagged, 60);
    assert.equal(refused.name, 'AccessDeniedException');
    assert.match(refused.message, /RequestKeyAccess runs only through an approval rule: no rule covers RequestKeyAccess for this key/);
  });

  it('a disabled key is refused like CreateGrant: when asked (before any hold) and at execution', async () => {
    const other = await recordsKey();
    await admin.send(new DisableKeyCommand({ KeyId: other }));
    const asked = await request(dana, other, 60);
    assert.deepEqual([asked.name, asked.message], ['DisabledException', `${other} is disabled.`]);
    await admin.send(new EnableKeyCommand({ KeyId: other }));
    const id = approvalIdIn((await request(dana, other, 60)).message);
    assert.equal((await approve(rita, id)).name, 'ok');
    await admin.send(new DisableKeyCommand({ KeyId: other }));
    const ran = await failure(callAs(s, dana, 'ExecuteApproved', { ApprovalId: id }));
    assert.deepEqual([ran.name, ran.message], ['DisabledException', `${other} is disabled.`]);
    assert.equal(await status(id), 'Approved');
  });

  it('the schema bounds the duration to 1 second .. 12 hours', async () => {
    assert.equal((await request(dana, key, 0)).name, 'ValidationException');
    assert.equal((await request(dana, key, 43_201)).name, 'ValidationException');
  });

  it('arca access request prints the approval id; arca approvals execute prints the grant', async () => {
    const arca = (p: TestPrincipal, ...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
        const env = { PATH: process.env.PATH ?? '', ARCA_ENDPOINT: s.endpoint, AWS_ACCESS_KEY_ID: p.accessKeyId, AWS_SECRET_ACCESS_KEY: p.secretAccessKey, AWS_REGION: 'us-east-1' };
        execFile(process.execPath, [ARCA_BIN, ...args], { env, encoding: 'utf8' }, (error, stdout, stderr) => done({ code: error === null ? 0 : Number(error.code), stdout, stderr }));
      });
    const asked = await arca(dana, 'access', 'request', '--key', key, '--operations', 'Decrypt,Encrypt', '--for', '2m', '--reason', 'migration OPS-9');
    assert.equal(asked.code, 0, asked.stderr);
    const id = approvalIdIn(asked.stdout.split('\n')[0] ?? '');
    assert.match(asked.stdout, new RegExp(`arca approvals execute ${id}`));
    const shown = (await adminCall(s, 'GetApprovalRequest', { ApprovalId: id }))['ApprovalRequest'] as { Operation: string; Parameters: Record<string, unknown> };
    assert.equal(shown.Operation, 'RequestKeyAccess');
    assert.deepEqual(shown.Parameters, { keyId: key, operations: ['Decrypt', 'Encrypt'], durationSeconds: 120, reason: 'migration OPS-9' });
    assert.equal((await arca(dana, 'access', 'request', '--key', key, '--operations', 'Decrypt', '--for', 'soon', '--reason', 'x')).code, 2, 'a duration it cannot read');
    assert.equal((await approve(rita, id)).name, 'ok');
    const ran = await arca(dana, 'approvals', 'execute', id);
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(JSON.parse(ran.stdout).GrantId, /^[0-9a-f]{64}$/);
  });
  it('break-glass on a held RequestKeyAccess takes the emergency caller as an authority: refused until it may create that grant itself', async () => {
    const rule = template('rule-jit-records');
    const oncallPolicy = (withCreateGrant: boolean) => ({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['arca:BreakGlass', 'arca:RequestKeyAccess'], Resource: '*' },
        ...(withCreateGrant ? [{ Effect: 'Allow', Action: 'kms:CreateGrant', Resource: '*' }] : []),
      ],
    });
    const oncall = await createTestPrincipal(s, 'oncall', { policy: oncallPolicy(false) });
    await adminCall(s, 'PutApprovalRule', { ...rule, Approvers: { ...(rule['Approvers'] as object), BreakGlassPrincipalArns: [oncall.arn] } });
    const seed = totpSeedFromBase32(((await adminCall(s, 'EnableMfaDevice', { PrincipalName: 'oncall' }))['MfaDevice'] as { Base32StringSeed: string }).Base32StringSeed);
    try {
      const sts = new STSClient({ endpoint: s.endpoint, region: 'us-east-1', credentials: { accessKeyId: oncall.accessKeyId, secretAccessKey: oncall.secretAccessKey }, maxAttempts: 1 });
      const c = (await sts.send(new GetSessionTokenCommand({ SerialNumber: 'arn:aws:iam::111122223333:mfa/oncall', TokenCode: totpCode(seed, new Date()) }))).Credentials;
      const session = { accessKeyId: c?.AccessKeyId ?? '', secretAccessKey: c?.SecretAccessKey ?? '', sessionToken: c?.SessionToken ?? '' };
      const id = approvalIdIn((await request(dana, key, 60)).message);
      const breakGlass = () => callOperation({ endpoint: s.endpoint, region: 'us-east-1', credentials: session }, 'ArcaService.BreakGlass', { ApprovalId: id, Reason: 'INC-8: approvers unreachable' });
      const refused = await failure(breakGlass());
      assert.equal(refused.name, 'AccessDeniedException');
      assert.match(refused.message, /The approver arn:aws:iam::111122223333:user\/oncall may not create this grant/);
      assert.equal(await status(id), 'Pending', 'nothing was done');
      await adminCall(s, 'PutPrincipalPolicy', { PrincipalName: 'oncall', PolicyName: 'test', PolicyDocument: JSON.stringify(oncallPolicy(true)) });
      const grant = await breakGlass();
      assert.match(String(grant['GrantId']), /^[0-9a-f]{64}$/);
      assert.equal(await status(id), 'Executed');
      assert.equal((await decrypt(dana, plaintextBlob)).name, 'ok', 'the grant is the requester\'s');
    } finally {
      seed.dispose();
      await adminCall(s, 'PutApprovalRule', rule);
    }
  });
});
