import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CreateKeyCommand, DescribeKeyCommand, EncryptCommand, GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { chromiumOrSkip, launchConsoleBrowser, signInWithKey, type ConsoleBrowser } from '../helpers/console-browser.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { adminCall, createTestPrincipal, type TestPrincipal } from '../helpers/principals.js';

let server: InProcessServer;
let browser: ConsoleBrowser | undefined;
let kms: KMSClient;
let mallory: TestPrincipal;
let approver: TestPrincipal;
before(async () => {
  server = await startInProcess({ regions: ['eu-west-1'] });
  const { endpoint, credentials } = server;
  kms = new KMSClient({ endpoint, region: credentials.region, credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey }, maxAttempts: 1 });
  mallory = await createTestPrincipal(server, 'mallory', { policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }] } });
  approver = await createTestPrincipal(server, 'approver');
});
after(async () => {
  await browser?.close();
  kms?.destroy();
  await server.close();
});

const encrypt = (client: KMSClient, keyId: string) => client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('console test') }));

test('keys: create in the wizard, find by alias and tag, usage sparkline, policy validation, simulation and save, disable, held deletion', async (t) => {
  if (!chromiumOrSkip(t)) return;
  browser = await launchConsoleBrowser();
  const page = await browser.newPage();
  page.setDefaultTimeout(10_000);
  await signInWithKey(page, server.endpoint, server.credentials);

  // The wizard: usage, spec, alias, tag, default policy, review, create → the key's page.
  await page.getByRole('link', { name: 'Create key' }).click();
  await page.getByRole('heading', { name: 'Create key' }).waitFor();
  await page.getByLabel('Description').fill('console test key');
  await page.getByLabel('Alias').fill('alias/console-test');
  await page.getByLabel('Tags (key=value, one per line)').fill('env=console');
  await page.getByRole('radio', { name: /Custom key policy/ }).check();
  assert.match(await page.getByLabel('Key policy (JSON)').inputValue(), /arca:SimulateKeyPolicy/);
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByText('env=console').waitFor();
  await page.getByRole('button', { name: 'Create key' }).click();
  await page.waitForURL(/#\/keys\/[0-9a-f-]{36}$/);
  const keyId = decodeURIComponent(/#\/keys\/(.+)$/.exec(page.url())?.[1] ?? '');
  await page.getByRole('heading', { name: `Key ${keyId}` }).waitFor();
  const described = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/console-test' }));
  assert.equal(described.KeyMetadata?.KeyId, keyId, 'CreateAlias pointed the alias at the new key');

  // Uses recorded in the audit trail: three by the admin, one by mallory (whom the new policy will deny).
  for (let n = 0; n < 3; n++) await encrypt(kms, keyId);
  const malloryKms = mallory.client();
  await encrypt(malloryKms, keyId);
  malloryKms.destroy();

  // The list finds it by alias and by tag, not by a non-matching one; its sparkline counts the four uses.
  await page.getByRole('link', { name: '← All keys' }).click();
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: keyId }) });
  await row.waitFor();
  await row.getByRole('img', { name: /^4 cryptographic requests in the last 14 days/ }).waitFor();
  const status = page.getByRole('status').filter({ hasText: /^Showing/ });
  await page.getByLabel('Alias contains').fill('console-te');
  await status.filter({ hasText: /^Showing 1 of/ }).waitFor();
  assert.equal(await row.count(), 1);
  await page.getByLabel('Alias contains').fill('no-such-alias');
  await status.filter({ hasText: /^Showing 0 of/ }).waitFor();
  assert.equal(await row.count(), 0);
  await page.getByLabel('Alias contains').fill('');
  await page.getByLabel('Tag (key=value)').fill('env=console');
  await status.filter({ hasText: /^Showing 1 of/ }).waitFor();
  assert.equal(await row.count(), 1);
  await page.getByLabel('Tag (key=value)').fill('env=other');
  await status.filter({ hasText: /^Showing 0 of/ }).waitFor();
  await page.getByLabel('Tag (key=value)').fill('');
  await row.getByRole('link', { name: keyId }).click();

  // The policy editor: a JSON error with its line disables Save; a structural error is shown.
  const editor = page.getByLabel('Key policy (JSON)');
  await editor.waitFor();
  const check = page.locator('#policy-check');
  await check.filter({ hasText: /^Valid key policy/ }).waitFor(); // GetKeyPolicy answered
  assert.match(await editor.inputValue(), /arca:SimulateKeyPolicy/);
  await editor.fill('{\n  "Version": "2012-10-17"\n  "Statement": []\n}');
  assert.match(await check.innerText(), /^Line 3, column 3: The policy document is not valid JSON/);
  assert.equal(await page.getByRole('button', { name: 'Save policy…' }).isDisabled(), true);
  assert.equal(await page.getByRole('button', { name: 'Simulate' }).isDisabled(), true);
  const root = 'arn:aws:iam::111122223333:root';
  const allowRoot = { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: root }, Action: ['kms:*', 'arca:SimulateKeyPolicy'], Resource: '*' };
  await editor.fill(JSON.stringify({ Version: '2012-10-17', Statement: [{ ...allowRoot, Effect: 'Maybe' }] }, null, 2));
  assert.match(await check.innerText(), /^Line 6, column \d+: Policy statement has an invalid Effect: Maybe\. Effect must be Allow or Deny\./);
  assert.equal(await page.getByRole('button', { name: 'Save policy…' }).isDisabled(), true);

  // A valid policy that denies mallory Encrypt: the simulation shows mallory's request flipping, then save.
  const candidate = JSON.stringify({ Version: '2012-10-17', Statement: [allowRoot, { Sid: 'DenyMallory', Effect: 'Deny', Principal: { AWS: mallory.arn }, Action: 'kms:Encrypt', Resource: '*' }] }, null, 2);
  await editor.fill(candidate);
  assert.match(await check.innerText(), /^Valid key policy/);
  assert.equal(await page.getByRole('button', { name: 'Save policy…' }).isDisabled(), true, 'Save waits for a simulation');
  await page.getByRole('button', { name: 'Simulate' }).click();
  const simulation = page.getByRole('region', { name: 'Simulation result' });
  await simulation.waitFor();
  // The console's own requests were made with session credentials, which the replay cannot judge: counted as unknown.
  assert.match(await simulation.innerText(), /1 would change outcome \(1 allowed → denied, 0 denied → allowed\); [1-9]\d* unknown\./);
  assert.match(await simulation.innerText(), /\d+ unknown: temporary credentials/);
  const flipped = simulation.getByRole('row').filter({ hasText: mallory.arn });
  assert.match(await flipped.innerText(), /Encrypt[\s\S]*allowed → denied/);
  await page.getByRole('button', { name: 'Save policy…' }).click();
  await page.getByRole('dialog', { name: 'Replace the key policy?' }).getByRole('button', { name: 'Save policy' }).click();
  await page.getByText('The key policy is saved.').waitFor();
  const saved = await kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }));
  assert.deepEqual(JSON.parse(saved.Policy ?? '{}'), JSON.parse(candidate));

  // Disable, confirmed: Encrypt then fails with DisabledException.
  await page.getByRole('button', { name: 'Disable key' }).click();
  const disable = page.getByRole('dialog', { name: 'Disable this key?' });
  assert.match(await disable.innerText(), /will fail from now on/);
  await disable.getByRole('button', { name: 'Disable key' }).click();
  await page.getByText('The key is disabled.').waitFor();
  await assert.rejects(encrypt(kms, keyId), (e: Error) => e.name === 'DisabledException');

  // Schedule deletion under an approval rule: held, with its id and a link to Approvals; the key stays Disabled.
  await adminCall(server, 'PutApprovalRule', { RuleName: 'hold-deletion', Operations: ['ScheduleKeyDeletion'], Approvers: { PrincipalArns: [approver.arn] }, Quorum: 1 });
  await page.getByLabel('Waiting period (days, 7–30)').fill('7');
  await page.getByRole('button', { name: 'Schedule deletion…' }).click();
  const schedule = page.getByRole('dialog', { name: 'Schedule deletion of this key?' });
  assert.match(await schedule.innerText(), /Decrypt with this key will fail from now on; the key material is destroyed on .+ unless cancelled/);
  await schedule.getByRole('button', { name: 'Schedule deletion' }).click();
  const held = page.getByRole('status').filter({ hasText: /^Held for approval apr-[0-9a-f]{32}/ });
  await held.waitFor();
  assert.match(await held.getByRole('link', { name: 'Approvals' }).getAttribute('href') ?? '', /^#\/approvals\/apr-[0-9a-f]{32}$/);
  assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState, 'Disabled');
  // The link opens that request, pending, with the operation it holds.
  const approvalId = /apr-[0-9a-f]{32}/.exec(await held.innerText())?.[0] ?? '';
  await held.getByRole('link', { name: 'Approvals' }).click();
  const request = page.getByRole('heading', { name: `Request ${approvalId}` });
  await request.waitFor();
  assert.match(await page.locator('main').innerText(), /ScheduleKeyDeletion[\s\S]*Pending|Pending[\s\S]*ScheduleKeyDeletion/);

  // The only console errors are the browser's own notes on the answers that were refusals (HTTP 400).
  assert.deepEqual(browser.problems.filter((p) => !/Failed to load resource: the server responded with a status of 400/.test(p)), []);
});

test('create-key wizard on a phone: key specs follow the usage, a bad alias or policy blocks Review', async (t) => {
  if (!chromiumOrSkip(t)) return;
  browser ??= await launchConsoleBrowser();
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  page.setDefaultTimeout(10_000);
  await signInWithKey(page, server.endpoint, server.credentials);
  await page.getByRole('link', { name: 'Create key' }).click();
  await page.getByLabel('Key usage').selectOption('GENERATE_VERIFY_MAC');
  assert.deepEqual(await page.getByLabel('Key spec').locator('option').allInnerTexts(), ['HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512']);
  await page.getByLabel('Key usage').selectOption('KEY_AGREEMENT');
  assert.deepEqual(await page.getByLabel('Key spec').locator('option').allInnerTexts(), ['ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521']);
  const review = page.getByRole('button', { name: 'Review' });
  await page.getByLabel('Alias').fill('payments');
  await page.getByText('An alias name starts with alias/.').waitFor();
  assert.equal(await review.isDisabled(), true);
  await page.getByLabel('Alias').fill('alias/payments');
  assert.equal(await review.isDisabled(), false);
  await page.getByRole('radio', { name: /Custom key policy/ }).check();
  await page.getByLabel('Key policy (JSON)').fill('{"Statement": [{"Effect": "Allow", "Action": "kms:*"}]}');
  await page.getByText('Missing required field Principal.').waitFor();
  assert.equal(await review.isDisabled(), true);
  assert.deepEqual(browser.problems.filter((p) => !/Failed to load resource: the server responded with a status of 400/.test(p)), []);
});

test('keys in another region: the list signs for the region it shows, and that key\'s page reads and changes it there', async (t) => {
  if (!chromiumOrSkip(t)) return;
  browser ??= await launchConsoleBrowser();
  const { endpoint, credentials } = server;
  const eu = new KMSClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey }, maxAttempts: 1 });
  t.after(() => eu.destroy());
  const euKey = (await eu.send(new CreateKeyCommand({ Description: 'eu key' }))).KeyMetadata?.KeyId ?? '';
  const page = await browser.newPage();
  page.setDefaultTimeout(10_000);
  await signInWithKey(page, endpoint, credentials);
  const status = page.getByRole('status').filter({ hasText: /^Showing/ });
  await status.filter({ hasText: / keys in us-east-1\.$/ }).waitFor();
  assert.equal(await page.getByRole('link', { name: euKey }).count(), 0, 'us-east-1 does not list the eu-west-1 key');
  await page.getByRole('combobox', { name: 'Region' }).fill('eu-west-1');
  await page.getByRole('button', { name: 'Show region' }).click();
  await status.filter({ hasText: /^Showing 1 of 1 keys in eu-west-1\.$/ }).waitFor();
  await page.getByRole('link', { name: euKey }).click();
  await page.getByRole('heading', { name: `Key ${euKey}` }).waitFor();
  assert.match(await page.locator('dl.props').innerText(), /arn:aws:kms:eu-west-1:111122223333:key\//);
  await page.locator('#policy-check').filter({ hasText: /^Valid key policy/ }).waitFor();
  await page.getByRole('button', { name: 'Disable key' }).click();
  await page.getByRole('dialog', { name: 'Disable this key?' }).getByRole('button', { name: 'Disable key' }).click();
  await page.getByText('The key is disabled.').waitFor();
  assert.equal((await eu.send(new DescribeKeyCommand({ KeyId: euKey }))).KeyMetadata?.KeyState, 'Disabled');
  assert.deepEqual(browser.problems.filter((p) => !/Failed to load resource: the server responded with a status of 400/.test(p)), []);
});
