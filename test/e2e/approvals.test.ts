/**
 * Issue 18: separation of duties with approval rules, end to end through a real server and real clients
 * (@aws-sdk/client-kms for the held KMS calls, Arca's client for ArcaService). The rules and role
 * templates are those of docs/governance.md, read from the page.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { CreateAliasCommand, CreateGrantCommand, CreateKeyCommand, DecryptCommand, DeleteAliasCommand, DescribeKeyCommand, DisableKeyCommand, EncryptCommand, KMSClient, ScheduleKeyDeletionCommand, UpdateAliasCommand } from '@aws-sdk/client-kms';
import { GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { callOperation } from '../../src/cli/client.js';
import { totpCode, totpSeedFromBase32 } from '../../src/crypto/totp.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { adminCall, callAs, createTestPrincipal, type TestPrincipal } from '../helpers/principals.js';
import { docTemplate } from '../helpers/doc-templates.js';
import { ARCA_BIN } from '../helpers/server.js';

const template = (name: string): Record<string, unknown> => docTemplate('governance.md', name);

/** Both policies at once: the key administrator who also approves others' requests. */
function merged(...names: string[]): object {
  return { Version: '2012-10-17', Statement: names.flatMap((n) => template(n)['Statement'] as object[]) };
}

const failure = (p: Promise<unknown>): Promise<{ name: string; message: string }> =>
  p.then(
    () => ({ name: 'ok', message: '' }),
    (e: Error) => ({ name: e.name, message: e.message }),
  );
const approvalIdIn = (message: string): string => /apr-[0-9a-f]{32}/.exec(message)?.[0] ?? assert.fail(`no approval id in: ${message}`);

describe('approval rules: M-of-N, re-authorized execution, exactly once (issue 18)', () => {
  let s: InProcessServer;
  let alice: TestPrincipal;
  let bob: TestPrincipal;
  let carol: TestPrincipal;
  let mallory: TestPrincipal;

  async function prodKey(tags: { TagKey: string; TagValue: string }[] = [{ TagKey: 'env', TagValue: 'prod' }]): Promise<string> {
    return (await alice.client().send(new CreateKeyCommand({ Tags: tags }))).KeyMetadata?.KeyId ?? '';
  }
  const schedule = (p: TestPrincipal, keyId: string) => failure(p.client().send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 })));
  const keyState = async (keyId: string) => (await alice.client().send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState;
  const decide = (p: TestPrincipal, op: 'ApproveRequest' | 'DenyRequest', id: string) => failure(callAs(s, p, op, { ApprovalId: id, Reason: `${p.name} reviewed it` }));
  const execute = (p: TestPrincipal, id: string) => failure(callAs(s, p, 'ExecuteApproved', { ApprovalId: id }));
  const status = async (id: string) => ((await adminCall(s, 'GetApprovalRequest', { ApprovalId: id }))['ApprovalRequest'] as { Status: string }).Status;

  before(async () => {
    s = await startInProcess();
    const approverTag = { 'arca-approver': 'keys' };
    alice = await createTestPrincipal(s, 'alice', { tags: approverTag, policy: merged('key-administrator', 'approver') });
    bob = await createTestPrincipal(s, 'bob', { tags: approverTag, policy: merged('key-administrator', 'approver') });
    carol = await createTestPrincipal(s, 'carol', { tags: approverTag, policy: template('approver') });
    mallory = await createTestPrincipal(s, 'mallory', { policy: template('approver') });
    await adminCall(s, 'PutApprovalRule', template('rule-two-person-deletion'));
  });
  after(async () => s.close());

  it('holds a covered request with ApprovalRequiredException (nothing changes); an uncovered key is not held', async () => {
    const key = await prodKey();
    const held = await schedule(alice, key);
    assert.equal(held.name, 'ApprovalRequiredException', held.message);
    assert.match(held.message, /ScheduleKeyDeletion needs 1 approval\(s\) under the approval rule 'two-person-deletion'/);
    assert.equal(await keyState(key), 'Enabled');
    assert.equal(await status(approvalIdIn(held.message)), 'Pending');
    const dev = await prodKey([{ TagKey: 'env', TagValue: 'dev' }]);
    assert.equal((await schedule(alice, dev)).name, 'ok');
    assert.equal(await keyState(dev), 'PendingDeletion');
  });

  it('two-person rule: no self-approval, no outsider; another approver completes it; only the requester executes it, once; every step is audited with the approval id', async () => {
    const key = await prodKey();
    const id = approvalIdIn((await schedule(alice, key)).message);
    assert.equal((await decide(alice, 'ApproveRequest', id)).name, 'AccessDeniedException', 'the requester');
    assert.equal((await decide(mallory, 'ApproveRequest', id)).name, 'AccessDeniedException', 'not in the approver set');
    assert.equal((await execute(alice, id)).name, 'ConflictException', 'not approved yet');
    assert.equal((await decide(bob, 'ApproveRequest', id)).name, 'ok');
    assert.equal(await status(id), 'Approved');
    assert.equal((await execute(bob, id)).name, 'AccessDeniedException', 'the rule says the requester executes');
    assert.equal((await execute(alice, id)).name, 'ok');
    assert.equal(await keyState(key), 'PendingDeletion');
    assert.equal(await status(id), 'Executed');
    assert.equal((await execute(alice, id)).name, 'ConflictException', 'a second execution');

    type Event = { eventName: string; errorCode?: string; userIdentity: { arn?: string }; requestParameters: Record<string, unknown> | null; additionalEventData?: { approvalId?: string } };
    const events = ((await adminCall(s, 'ListAuditEvents', { Limit: 100 }))['Events'] as Event[]).filter((e) => e.eventName !== 'GetApprovalRequest' && (e.additionalEventData?.approvalId === id || e.requestParameters?.['approvalId'] === id)).reverse();
    const trail = events.map((e) => `${e.eventName} ${e.errorCode ?? 'ok'} ${e.userIdentity.arn?.split('/').at(-1) ?? ''}`);
    assert.deepEqual(trail, [
      'ScheduleKeyDeletion ApprovalRequired alice',
      'ApproveRequest AccessDenied alice',
      'ApproveRequest AccessDenied mallory',
      'ExecuteApproved Conflict alice',
      'ApproveRequest ok bob',
      'ExecuteApproved AccessDenied bob',
      'ScheduleKeyDeletion ok alice',
      'ExecuteApproved Conflict alice',
    ]);
  });

  it('the arca CLI lists, shows, approves and executes held requests', async () => {
    const arca = (p: TestPrincipal, ...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
        const env = { PATH: process.env.PATH ?? '', ARCA_ENDPOINT: s.endpoint, AWS_ACCESS_KEY_ID: p.accessKeyId, AWS_SECRET_ACCESS_KEY: p.secretAccessKey, AWS_REGION: 'us-east-1' };
        execFile(process.execPath, [ARCA_BIN, 'approvals', ...args], { env, encoding: 'utf8' }, (error, stdout, stderr) => done({ code: error === null ? 0 : Number(error.code), stdout, stderr }));
      });
    const key = await prodKey();
    const id = approvalIdIn((await schedule(alice, key)).message);
    const listed = await arca(bob, 'list', '--status', 'Pending');
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`${id}  Pending  ScheduleKeyDeletion  rule two-person-deletion`));
    const shown = await arca(bob, 'show', id);
    assert.match(shown.stdout, /requested by arn:aws:iam::111122223333:user\/alice/);
    assert.match(shown.stdout, /"pendingWindowInDays":7/);
    assert.equal((await arca(bob, 'approve', id)).code, 2, '--reason is required');
    const approved = await arca(bob, 'approve', id, '--reason', 'ticket OPS-42');
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stdout, /Approved[\s\S]*approved by arn:aws:iam::111122223333:user\/bob at [^:]+:\d\d:\d\d[^:]*: ticket OPS-42/);
    const ran = await arca(alice, 'execute', id);
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(JSON.parse(ran.stdout).KeyState, 'PendingDeletion');
    const again = await arca(alice, 'execute', id);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /ConflictException|was executed already/);
  });

  it('one denial blocks the request for good', async () => {
    const id = approvalIdIn((await schedule(alice, await prodKey())).message);
    assert.equal((await decide(carol, 'DenyRequest', id)).name, 'ok');
    assert.equal(await status(id), 'Denied');
    assert.equal((await decide(bob, 'ApproveRequest', id)).name, 'ConflictException');
    assert.equal((await execute(alice, id)).name, 'ConflictException');
  });

  it('an approved request whose requester lost the permission in between is refused at execution, and stays Approved', async () => {
    const key = await prodKey();
    const id = approvalIdIn((await schedule(bob, key)).message);
    assert.equal((await decide(carol, 'ApproveRequest', id)).name, 'ok');
    // bob keeps ExecuteApproved but loses the key administrator's permissions.
    const withoutKms = { Version: '2012-10-17', Statement: [...(template('approver')['Statement'] as object[]), { Effect: 'Allow', Action: 'arca:ExecuteApproved', Resource: '*' }] };
    await adminCall(s, 'PutPrincipalPolicy', { PrincipalName: 'bob', PolicyName: 'test', PolicyDocument: JSON.stringify(withoutKms) });
    try {
      assert.equal((await execute(bob, id)).name, 'AccessDeniedException');
      const events = (await adminCall(s, 'ListAuditEvents', { Limit: 5 }))['Events'] as { eventName: string; errorCode?: string; additionalEventData?: { approvalId?: string } }[];
      assert.deepEqual([events[0]?.eventName, events[0]?.errorCode, events[0]?.additionalEventData?.approvalId], ['ScheduleKeyDeletion', 'AccessDenied', id], 'the replayed operation was refused');
      assert.equal(await status(id), 'Approved');
      assert.equal(await keyState(key), 'Enabled');
    } finally {
      await adminCall(s, 'PutPrincipalPolicy', { PrincipalName: 'bob', PolicyName: 'test', PolicyDocument: JSON.stringify(merged('key-administrator', 'approver')) });
    }
  });

  it('concurrent approvals and concurrent executions: one of each succeeds, and the key is scheduled once', async () => {
    const key = await prodKey();
    const id = approvalIdIn((await schedule(alice, key)).message);
    const decisions = await Promise.all([decide(bob, 'ApproveRequest', id), decide(carol, 'ApproveRequest', id)]);
    assert.deepEqual(decisions.map((d) => d.name).sort(), ['ConflictException', 'ok']);
    const runs = await Promise.all([execute(alice, id), execute(alice, id), execute(alice, id)]);
    assert.deepEqual(runs.map((r) => r.name).sort(), ['ConflictException', 'ConflictException', 'ok']);
    assert.equal(await keyState(key), 'PendingDeletion');
  });

  it('a held request runs only on the keys that were approved: an alias moved in between is refused', async () => {
    await adminCall(s, 'PutApprovalRule', { ...template('rule-two-person-deletion'), RuleName: 'guard-aliases', Operations: ['DeleteAlias'] });
    const approvedKey = await prodKey();
    const otherKey = await prodKey();
    await alice.client().send(new CreateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: approvedKey }));
    const id = approvalIdIn((await failure(alice.client().send(new DeleteAliasCommand({ AliasName: 'alias/moving' })))).message);
    assert.equal((await decide(bob, 'ApproveRequest', id)).name, 'ok');
    await alice.client().send(new UpdateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: otherKey }));
    const moved = await execute(alice, id);
    assert.equal(moved.name, 'ConflictException');
    assert.match(moved.message, /was approved for .*key\/.* now resolves to/);
    assert.equal(await status(id), 'Approved');
    await adminCall(s, 'DeleteApprovalRule', { RuleName: 'guard-aliases' });
  });

  it('a request expires unexecuted after its rule\'s deadline', async () => {
    await adminCall(s, 'PutApprovalRule', { ...template('rule-two-person-deletion'), RuleName: 'short-lived', Operations: ['DisableKey'], Quorum: 2, ExpiresAfterSeconds: 1 });
    const key = await prodKey();
    const held = await failure(alice.client().send(new DisableKeyCommand({ KeyId: key })));
    const id = approvalIdIn(held.message);
    await new Promise((r) => setTimeout(r, 1300));
    assert.equal(await status(id), 'Expired');
    assert.equal((await decide(bob, 'ApproveRequest', id)).name, 'ConflictException');
    const expired = (await adminCall(s, 'ListApprovalRequests', { Status: 'Expired' }))['ApprovalRequests'] as { ApprovalId: string }[];
    assert.ok(expired.some((r) => r.ApprovalId === id));
    await adminCall(s, 'DeleteApprovalRule', { RuleName: 'short-lived' });
  });

  it('a rule that requires MFA refuses an approval signed with a long-term key, and takes one from an MFA session', async () => {
    await adminCall(s, 'PutApprovalRule', { ...template('rule-two-person-deletion'), RuleName: 'mfa-deletion', RequireMfa: true });
    try {
      const id = approvalIdIn((await schedule(alice, await prodKey())).message);
      const refused = await decide(bob, 'ApproveRequest', id);
      assert.equal(refused.name, 'AccessDeniedException');
      assert.match(refused.message, /requires an MFA session/);
      // The same approver with an STS session proved by a TOTP code: accepted.
      const seed = totpSeedFromBase32(((await adminCall(s, 'EnableMfaDevice', { PrincipalName: 'bob' }))['MfaDevice'] as { Base32StringSeed: string }).Base32StringSeed);
      try {
        const sts = new STSClient({ endpoint: s.endpoint, region: 'us-east-1', credentials: { accessKeyId: bob.accessKeyId, secretAccessKey: bob.secretAccessKey }, maxAttempts: 1 });
        const c = (await sts.send(new GetSessionTokenCommand({ SerialNumber: 'arn:aws:iam::111122223333:mfa/bob', TokenCode: totpCode(seed, new Date()) }))).Credentials;
        const session = { accessKeyId: c?.AccessKeyId ?? '', secretAccessKey: c?.SecretAccessKey ?? '', sessionToken: c?.SessionToken ?? '' };
        const approved = await failure(callOperation({ endpoint: s.endpoint, region: 'us-east-1', credentials: session }, 'ArcaService.ApproveRequest', { ApprovalId: id, Reason: 'with MFA' }));
        assert.equal(approved.name, 'ok', approved.message);
        assert.equal(await status(id), 'Approved');
      } finally {
        seed.dispose();
        await adminCall(s, 'DisableMfaDevice', { PrincipalName: 'bob' });
      }
    } finally {
      await adminCall(s, 'DeleteApprovalRule', { RuleName: 'mfa-deletion' });
    }
  });

  it('break-glass: an emergency principal with a fresh MFA session and a reason runs a pending request without the quorum; alerted, audited, listed for review', async () => {
    const oncall = await createTestPrincipal(s, 'oncall', { policy: merged('key-administrator', 'approver') });
    await adminCall(s, 'PutPrincipalPolicy', { PrincipalName: 'oncall', PolicyName: 'break-glass', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'arca:BreakGlass', Resource: '*' }] }) });
    const rule = template('rule-two-person-deletion');
    await adminCall(s, 'PutApprovalRule', { ...rule, RuleName: 'two-person-deletion', Approvers: { ...(rule['Approvers'] as object), BreakGlassPrincipalArns: [oncall.arn] } });
    const key = await prodKey();
    const id = approvalIdIn((await schedule(alice, key)).message);
    const breakGlass = (creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
      failure(callOperation({ endpoint: s.endpoint, region: 'us-east-1', credentials: creds }, 'ArcaService.BreakGlass', { ApprovalId: id, Reason: 'INC-7: prod key leaked, approvers unreachable' }));
    const plain = { accessKeyId: oncall.accessKeyId, secretAccessKey: oncall.secretAccessKey };
    const noMfa = await breakGlass(plain);
    assert.deepEqual([noMfa.name, /MFA session/.test(noMfa.message)], ['AccessDeniedException', true]);
    assert.equal((await failure(callAs(s, bob, 'BreakGlass', { ApprovalId: id, Reason: 'x' }))).name, 'AccessDeniedException', 'not a break-glass principal (nor allowed arca:BreakGlass)');
    const seed = totpSeedFromBase32(((await adminCall(s, 'EnableMfaDevice', { PrincipalName: 'oncall' }))['MfaDevice'] as { Base32StringSeed: string }).Base32StringSeed);
    try {
      const sts = new STSClient({ endpoint: s.endpoint, region: 'us-east-1', credentials: plain, maxAttempts: 1 });
      const c = (await sts.send(new GetSessionTokenCommand({ SerialNumber: 'arn:aws:iam::111122223333:mfa/oncall', TokenCode: totpCode(seed, new Date()) }))).Credentials;
      const mfaSession = { accessKeyId: c?.AccessKeyId ?? '', secretAccessKey: c?.SecretAccessKey ?? '', sessionToken: c?.SessionToken ?? '' };
      assert.equal((await breakGlass(mfaSession)).name, 'ok');
      assert.equal((await breakGlass(mfaSession)).name, 'ConflictException', 'glass breaks once');
    } finally {
      seed.dispose();
    }
    assert.equal(await keyState(key), 'PendingDeletion');
    const request = (await adminCall(s, 'GetApprovalRequest', { ApprovalId: id }))['ApprovalRequest'] as { Status: string; Decisions: { Decision: string; ApproverArn: string }[] };
    assert.equal(request.Status, 'Executed');
    assert.deepEqual(request.Decisions.map((d) => [d.Decision, d.ApproverArn]), [['BreakGlass', oncall.arn]]);
    const review = (await adminCall(s, 'ListApprovalRequests', { Review: true }))['ApprovalRequests'] as { ApprovalId: string }[];
    assert.deepEqual(review.map((r) => r.ApprovalId), [id]);
    const events = (await adminCall(s, 'ListAuditEvents', { Limit: 30 }))['Events'] as { eventName: string; errorCode?: string; additionalEventData?: Record<string, unknown> }[];
    const ran = events.find((e) => e.eventName === 'ScheduleKeyDeletion' && e.errorCode === undefined && e.additionalEventData?.['approvalId'] === id);
    assert.equal(ran?.additionalEventData?.['breakGlass'], true);
    const alerts = (await adminCall(s, 'ListAlerts', {}))['Alerts'] as { type: string; severity: string; summary: string }[];
    const alert = alerts.find((a) => a.type === 'breakGlass');
    assert.equal(alert?.severity, 'high');
    assert.match(alert?.summary ?? '', new RegExp(`broke glass on approval request ${id}.*INC-7`));
    await adminCall(s, 'PutApprovalRule', template('rule-two-person-deletion'));
  });

  it('changing the rules themselves needs approval once a rule guards them', async () => {
    await adminCall(s, 'PutApprovalRule', { ...template('rule-guard-rules'), Approvers: { PrincipalArns: [bob.arn, carol.arn] }, RequireMfa: false });
    const held = await failure(adminCall(s, 'DeleteApprovalRule', { RuleName: 'two-person-deletion' }));
    assert.equal(held.name, 'ApprovalRequiredException');
    const id = approvalIdIn(held.message);
    assert.equal((await decide(bob, 'ApproveRequest', id)).name, 'ok');
    assert.equal(await status(id), 'Pending', 'one of two');
    assert.equal((await decide(carol, 'ApproveRequest', id)).name, 'ok');
    const rules = async () => ((await adminCall(s, 'ListApprovalRules', {}))['Rules'] as { RuleName: string }[]).map((r) => r.RuleName);
    assert.ok((await rules()).includes('two-person-deletion'));
    assert.equal((await failure(adminCall(s, 'ExecuteApproved', { ApprovalId: id }))).name, 'ok');
    assert.ok(!(await rules()).includes('two-person-deletion'));
  });

  it('refuses rules naming an operation that cannot be held, or a quorum above the approvers named', async () => {
    const bad = await failure(adminCall(s, 'PutApprovalRule', { RuleName: 'x', Operations: ['Decrypt'], Approvers: { PrincipalArns: [bob.arn] }, Quorum: 1 }));
    assert.equal(bad.name, 'ValidationException');
    assert.match(bad.message, /cannot be held for approval: Decrypt/);
    const quorum = await failure(adminCall(s, 'PutApprovalRule', { RuleName: 'x', Operations: ['DisableKey'], Approvers: { PrincipalArns: [bob.arn] }, Quorum: 2 }));
    assert.match(quorum.message, /Quorum 2 is more than the 1 approver/);
  });
});

describe('docs/governance.md: the role templates and the hospital example, as written (issue 18)', () => {
  let s: InProcessServer;
  after(async () => s?.close());

  it('key user, auditor and custodian can do what their template says and nothing destructive', async () => {
    s = await startInProcess();
    const user = await createTestPrincipal(s, 'app', { policy: template('key-user') });
    const auditor = await createTestPrincipal(s, 'auditor', { policy: template('auditor') });
    const custodian = await createTestPrincipal(s, 'custodian', { policy: template('custodian') });
    const keyId = (await new KMSClient({ endpoint: s.endpoint, region: 'us-east-1', credentials: s.credentials, maxAttempts: 1 }).send(new CreateKeyCommand({}))).KeyMetadata?.KeyId ?? '';
    assert.equal((await failure(user.client().send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })))).name, 'ok');
    assert.equal((await failure(user.client().send(new ScheduleKeyDeletionCommand({ KeyId: keyId })))).name, 'AccessDeniedException');
    assert.equal((await failure(callAs(s, auditor, 'ListAuditEvents', { Limit: 1 }))).name, 'ok');
    assert.equal((await failure(callAs(s, auditor, 'ListApprovalRequests', {}))).name, 'ok');
    assert.equal((await failure(callAs(s, auditor, 'ApproveRequest', { ApprovalId: `apr-${'0'.repeat(32)}`, Reason: 'x' }))).name, 'AccessDeniedException');
    assert.equal((await failure(auditor.client().send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })))).name, 'AccessDeniedException');
    assert.equal((await failure(callAs(s, custodian, 'ListClusterNodes', {}))).name, 'ok');
    assert.equal((await failure(custodian.client().send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })))).name, 'AccessDeniedException');
  });

  it('the hospital: clinical decryption off the hospital network is denied by the key policy; a grant on alias/patient-records is held for two records officers', async () => {
    const admin = new KMSClient({ endpoint: s.endpoint, region: 'us-east-1', credentials: s.credentials, maxAttempts: 1 });
    const keyId = (await admin.send(new CreateKeyCommand({ Policy: JSON.stringify(template('hospital-key-policy')) }))).KeyMetadata?.KeyId ?? '';
    await admin.send(new CreateAliasCommand({ AliasName: 'alias/patient-records', TargetKeyId: keyId }));
    await adminCall(s, 'PutApprovalRule', template('hospital-rule'));
    const clinical = await createTestPrincipal(s, 'ward-app', { tags: { app: 'clinical' }, policy: template('key-user') });
    const analytics = await createTestPrincipal(s, 'analytics', { policy: template('key-user') });
    const engineer = await createTestPrincipal(s, 'engineer', { policy: template('key-administrator') });
    const blob = (await admin.send(new EncryptCommand({ KeyId: 'alias/patient-records', Plaintext: Buffer.from('record') }))).CiphertextBlob;
    // The tests call from 127.0.0.1, outside 10.20.0.0/16: the clinical app is refused whatever the hour.
    assert.equal((await failure(clinical.client().send(new DecryptCommand({ CiphertextBlob: blob })))).name, 'AccessDeniedException');
    assert.equal((await failure(analytics.client().send(new DecryptCommand({ CiphertextBlob: blob })))).name, 'ok', 'the denials are for clinical apps only');
    const held = await failure(engineer.client().send(new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: analytics.arn, Operations: ['Decrypt'] })));
    assert.equal(held.name, 'ApprovalRequiredException', 'the rule names the key by its alias');
    assert.match(held.message, /CreateGrant needs 2 approval\(s\) under the approval rule 'patient-records-bulk-access'/);
    const other = (await admin.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId ?? '';
    assert.equal((await failure(engineer.client().send(new CreateGrantCommand({ KeyId: other, GranteePrincipal: analytics.arn, Operations: ['Decrypt'] })))).name, 'ok', 'another key is not covered');
  });
});
