/**
 * Issue 24, the operations views in a real browser against a real server: a held request approved by a
 * second person in the console (and refused to its own requester), an alert listed and acknowledged, a
 * circuit breaker released, and the status page (seal, node, metrics from /metrics).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import type { Page } from 'playwright-core';
import { callOperation } from '../../src/cli/client.js';
import { chromiumOrSkip, launchConsoleBrowser, signInWithKey, type ConsoleBrowser } from '../helpers/console-browser.js';
import { docTemplate } from '../helpers/doc-templates.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { adminCall, createTestPrincipal, type TestPrincipal } from '../helpers/principals.js';
import { opsServerOptions } from './ops-seed.js';

const template = (name: string): Record<string, unknown> => docTemplate('governance.md', name);
const merged = (...names: string[]): object => ({ Version: '2012-10-17', Statement: names.flatMap((n) => template(n)['Statement'] as object[]) });
const approvalIdIn = (message: string): string => /apr-[0-9a-f]{32}/.exec(message)?.[0] ?? assert.fail(`no approval id in: ${message}`);

/** Failed API answers (4xx) are logged by Chromium as resource errors: expected where the test provokes them. */
const unexpected = (problems: readonly string[]): string[] => problems.filter((p) => !/Failed to load resource: the server responded with a status of (400|401|404)/.test(p));

describe('console operations views (issue 24)', () => {
  let server: InProcessServer;
  let browser: ConsoleBrowser | undefined;
  let alice: TestPrincipal;
  let bob: TestPrincipal;
  let eve: TestPrincipal;

  before(async () => {
    server = await startInProcess(opsServerOptions()); // metrics on, a rule tripped by 3 decrypt failures
    const approverTag = { 'arca-approver': 'keys' };
    alice = await createTestPrincipal(server, 'alice', { tags: approverTag, policy: merged('key-administrator', 'approver') });
    bob = await createTestPrincipal(server, 'bob', { tags: approverTag, policy: template('approver') });
    eve = await createTestPrincipal(server, 'eve', { policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' }] } });
    await adminCall(server, 'PutApprovalRule', template('rule-two-person-deletion'));
  });
  after(async () => {
    await browser?.close();
    await server.close();
  });

  const prodKey = async (): Promise<string> => (await alice.client().send(new CreateKeyCommand({ Tags: [{ TagKey: 'env', TagValue: 'prod' }] }))).KeyMetadata?.KeyId ?? assert.fail('no key');
  /** alice schedules the deletion of a new production key: held, with the approval id. */
  async function heldDeletion(): Promise<{ keyId: string; approvalId: string }> {
    const keyId = await prodKey();
    const e = await alice.client().send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 })).then(
      () => assert.fail('not held'),
      (err: Error) => err,
    );
    assert.equal(e.name, 'ApprovalRequiredException', e.message);
    return { keyId, approvalId: approvalIdIn(e.message) };
  }
  async function signedIn(who: { accessKeyId: string; secretAccessKey: string }, nav: string): Promise<Page> {
    const b = browser ?? (browser = await launchConsoleBrowser());
    const page = await b.newPage();
    await signInWithKey(page, server.endpoint, who);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: nav, exact: true }).click();
    return page;
  }
  const request = async (id: string) => (await adminCall(server, 'GetApprovalRequest', { ApprovalId: id }))['ApprovalRequest'] as { Status: string; Decisions: { ApproverArn: string; Decision: string; Reason: string }[] };

  it('a second person approves a held deletion with a reason; the requester cannot approve their own, and executes the approved one', async (t) => {
    if (!chromiumOrSkip(t)) return;
    const first = await heldDeletion();
    const page = await signedIn(bob, 'Approvals');
    await page.getByRole('heading', { name: 'Approvals', level: 1 }).waitFor();
    const row = page.getByRole('row').filter({ hasText: first.approvalId });
    assert.match(await row.innerText(), /ScheduleKeyDeletion/);
    assert.match(await row.innerText(), new RegExp(`key/${first.keyId}`));
    await page.getByRole('button', { name: `Open ScheduleKeyDeletion request ${first.approvalId}` }).click();
    const detail = page.getByRole('article');
    await detail.getByText(`arn:aws:kms:us-east-1:111122223333:key/${first.keyId}`).waitFor();
    assert.match(await detail.innerText(), /user\/alice/);
    assert.match(await detail.getByLabel('Parameters').innerText(), /"pendingWindowInDays": 7/);
    const approve = detail.getByRole('button', { name: 'Approve', exact: true });
    assert.equal(await approve.isDisabled(), true, 'a reason is required');
    await detail.getByLabel(/^Reason/).fill('ticket OPS-7: decommissioned service');
    await approve.click();
    await detail.getByTestId('approval-status').filter({ hasText: 'Approved' }).waitFor();
    await detail.getByRole('status').filter({ hasText: 'Approved: your decision is recorded.' }).waitFor();
    const decided = await request(first.approvalId);
    assert.equal(decided.Status, 'Approved');
    assert.deepEqual(decided.Decisions.map((d) => [d.ApproverArn, d.Decision, d.Reason]), [[bob.arn, 'Approve', 'ticket OPS-7: decommissioned service']]);
    assert.equal(await detail.getByRole('button', { name: 'Execute' }).count(), 0, 'bob is not the executor');

    // The requester, on another pending request of their own: the server's refusal is shown as AWS answered it.
    const second = await heldDeletion();
    const mine = await signedIn(alice, 'Approvals');
    await mine.getByRole('button', { name: `Open ScheduleKeyDeletion request ${second.approvalId}` }).click();
    const own = mine.getByRole('article');
    await own.getByLabel(/^Reason/).fill('my own');
    await own.getByRole('button', { name: 'Approve', exact: true }).click();
    const refused = own.getByRole('alert');
    await refused.waitFor();
    assert.match(await refused.innerText(), /AccessDeniedException: The requester of approval request apr-[0-9a-f]{32} cannot decide it/);
    assert.equal((await request(second.approvalId)).Status, 'Pending');

    // The approved one: alice (the rule's executor) runs it, after a confirmation.
    await own.getByRole('button', { name: 'Close' }).click();
    await mine.getByLabel('Show').selectOption('Approved');
    await mine.getByRole('button', { name: `Open ScheduleKeyDeletion request ${first.approvalId}` }).click();
    await mine.getByRole('article').getByRole('button', { name: 'Execute' }).click();
    await mine.getByRole('dialog').getByRole('button', { name: 'Run ScheduleKeyDeletion' }).click();
    await mine.getByRole('article').getByTestId('approval-status').filter({ hasText: 'Executed' }).waitFor();
    const state = (await alice.client().send(new DescribeKeyCommand({ KeyId: first.keyId }))).KeyMetadata?.KeyState;
    assert.equal(state, 'PendingDeletion');
    assert.deepEqual(unexpected(browser?.problems ?? []), []);
  });

  it('an alert is listed with its severity and acknowledged with a note; its circuit breaker is released', async (t) => {
    if (!chromiumOrSkip(t)) return;
    const key = (await callOperation({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials }, 'TrentService.CreateKey', {}))['KeyMetadata'] as { KeyId: string };
    const blob = (await eve.client().send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('secret') }))).CiphertextBlob as Uint8Array;
    const tampered = Buffer.from(blob);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    for (let i = 0; i < 3; i++) await eve.client().send(new DecryptCommand({ CiphertextBlob: tampered })).catch(() => undefined);
    let alerts: { alertId: string }[] = [];
    for (let i = 0; i < 200 && alerts.length === 0; i++) {
      alerts = (await adminCall(server, 'ListAlerts', {}))['Alerts'] as { alertId: string }[];
      if (alerts.length === 0) await new Promise((r) => setTimeout(r, 20));
    }
    const alertId = alerts[0]?.alertId ?? assert.fail('no alert raised');

    const page = await signedIn(server.credentials, 'Alerts');
    const row = page.locator(`tr[data-alert-id="${alertId}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /high/);
    assert.match(await row.innerText(), /decrypt-failures/);
    assert.match(await row.innerText(), /user\/eve/);
    await row.getByRole('button', { name: /^Acknowledge alert decrypt-failures/ }).click();
    const form = page.getByRole('form', { name: 'Acknowledge alert' });
    await form.getByLabel(/^Note/).fill('a test client with a broken key');
    await form.getByRole('button', { name: 'Acknowledge alert', exact: true }).click();
    await row.getByText('Acknowledged', { exact: true }).waitFor();
    assert.match(await row.innerText(), /a test client with a broken key/);
    const open = (await adminCall(server, 'ListAlerts', { Acknowledged: false }))['Alerts'] as unknown[];
    assert.equal(open.length, 0);

    const breakers = page.getByRole('table', { name: 'Circuit breakers' });
    assert.match(await breakers.innerText(), /block/);
    await breakers.getByRole('button', { name: 'Release' }).click();
    const dialog = page.getByRole('dialog', { name: 'Release circuit breaker' });
    assert.match(await dialog.innerText(), /will be released on this node/);
    // Under an approval rule on ReleaseBreaker the release is held: the view says so, with the id and a link.
    await adminCall(server, 'PutApprovalRule', { ...template('rule-two-person-deletion'), RuleName: 'guard-breakers', Operations: ['ReleaseBreaker'], Keys: undefined });
    await dialog.getByLabel(/^Reason/).fill('tested');
    await dialog.getByRole('button', { name: 'Release breaker' }).click();
    const held = page.getByRole('status').filter({ hasText: 'Held for approval' });
    await held.waitFor();
    assert.match(await held.innerText(), /^Held for approval apr-[0-9a-f]{32}: nothing changed yet/);
    assert.match(await held.getByRole('link', { name: 'Approvals' }).getAttribute('href') ?? '', /^#\/approvals\/apr-[0-9a-f]{32}$/);
    assert.equal(((await adminCall(server, 'ListBreakers', {}))['Breakers'] as unknown[]).length, 1, 'nothing released yet');
    await adminCall(server, 'DeleteApprovalRule', { RuleName: 'guard-breakers' });
    await breakers.getByRole('button', { name: 'Release' }).click();
    await dialog.getByLabel(/^Reason/).fill('tested');
    await dialog.getByRole('button', { name: 'Release breaker' }).click();
    await page.getByRole('status').filter({ hasText: /released: the requests it refused work again/ }).waitFor();
    assert.deepEqual((await adminCall(server, 'ListBreakers', {}))['Breakers'], []);
    assert.equal(new TextDecoder().decode((await eve.client().send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext), 'secret');
  });

  it('principals are shown read-only: type, ARN, tags, policies; no change button', async (t) => {
    if (!chromiumOrSkip(t)) return;
    const page = await signedIn(server.credentials, 'Principals');
    await page.getByRole('table', { name: 'Principals' }).getByRole('button', { name: 'alice', exact: true }).click();
    const detail = page.getByRole('article');
    await detail.getByText(alice.arn, { exact: true }).waitFor();
    assert.match(await detail.innerText(), /Type\s+user/);
    assert.match(await detail.innerText(), /arca-approver=keys/);
    await detail.getByRole('button', { name: 'test', exact: true }).click();
    assert.match(await detail.getByLabel('Policy test').innerText(), /"arca:ApproveRequest"/);
    const buttons = await page.getByRole('main').getByRole('button').allInnerTexts();
    assert.deepEqual(buttons.filter((b) => /create|delete|put|tag|attach|edit|remove/i.test(b)), [], `only reading buttons: ${buttons.join(', ')}`);
    assert.match(await page.getByRole('main').innerText(), /Read-only/);
  });

  it('status shows the seal, the node and a metrics overview read from /metrics', async (t) => {
    if (!chromiumOrSkip(t)) return;
    const page = await signedIn(server.credentials, 'Status');
    await page.getByText('Unsealed', { exact: true }).first().waitFor();
    const nodes = page.getByRole('table', { name: 'Cluster nodes' });
    await nodes.waitFor();
    assert.equal(await nodes.getByRole('row').count(), 2, 'a header and this node');
    assert.match(await nodes.innerText(), /up/);
    const requests = page.getByTestId('metric-requests');
    await requests.waitFor();
    assert.ok(Number(await requests.innerText()) > 0, 'requests counted');
    assert.match(await page.getByRole('table', { name: 'Requests by operation' }).innerText(), /GetSessionToken|CreateKey/);
  });
});

describe('console status without readable metrics (issue 24)', () => {
  let server: InProcessServer;
  let browser: ConsoleBrowser | undefined;
  before(async () => {
    server = await startInProcess({ metrics: { bearerToken: 'metrics-token-0123456789' } });
  });
  after(async () => {
    await browser?.close();
    await server.close();
  });

  it('says the metrics need a bearer token instead of showing numbers', async (t) => {
    if (!chromiumOrSkip(t)) return;
    browser = await launchConsoleBrowser();
    const page = await browser.newPage();
    await signInWithKey(page, server.endpoint, server.credentials);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Status', exact: true }).click();
    await page.getByText(/The metrics endpoint requires a bearer token/).waitFor();
    assert.equal(await page.getByTestId('metric-requests').count(), 0);
    await page.getByText('Unsealed', { exact: true }).first().waitFor();
  });
});
