import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { CreateKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import type { Request } from 'playwright-core';
import { chromiumOrSkip, launchConsoleBrowser, signInWithKey, type ConsoleBrowser } from '../helpers/console-browser.js';
import { sqliteOf, startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { kmsClient } from '../helpers/kms-client.js';

let server: InProcessServer;
let browser: ConsoleBrowser | undefined;
before(async () => {
  server = await startInProcess();
});
after(async () => {
  await browser?.close();
  await server.close();
});

test('the live tail shows an Encrypt made elsewhere, search filters by event name, the chain verifies in the browser (then consistently), a tampered event is named and a wrong pinned key refused', async (t) => {
  if (!chromiumOrSkip(t)) return;
  browser = await launchConsoleBrowser();
  const page = await browser.newPage();
  await signInWithKey(page, server.endpoint, server.credentials);
  const kms = kmsClient(server);
  const keyId = (await kms.send(new CreateKeyCommand({ Description: 'audit console test' }))).KeyMetadata?.KeyId ?? '';

  // The session lives in the page's memory: navigate inside the app, never reload.
  await page.getByRole('link', { name: 'Audit events' }).click();
  await page.getByRole('heading', { level: 1, name: 'Audit events' }).waitFor();
  const log = page.getByRole('log', { name: 'Audit events, newest first' });
  // The CreateKey made before the page opened is listed by the search itself.
  await log.getByRole('row').filter({ hasText: 'CreateKey' }).filter({ hasText: keyId }).first().waitFor();
  await page.getByRole('button', { name: 'Start live tail' }).click();
  await page.getByRole('status').filter({ hasText: 'Live tail is on' }).waitFor();
  assert.equal(await log.getByRole('row').filter({ hasText: 'Encrypt' }).count(), 0, 'no Encrypt before the test makes one');

  await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: new TextEncoder().encode('tail me') }));
  // Appears without a reload: the tail polls ListAuditEvents and prepends what is newer.
  const encryptRow = log.getByRole('row').filter({ hasText: 'Encrypt' }).filter({ hasText: keyId });
  await encryptRow.first().waitFor({ timeout: 15_000 });
  await page.getByRole('status').filter({ hasText: /[1-9]\d* new events?/ }).waitFor();
  // The row expands to the full event.
  await encryptRow.first().getByRole('button').click();
  const json = await page.getByLabel(/^Event \d+ as JSON$/).innerText();
  assert.equal((JSON.parse(json) as { eventName: string }).eventName, 'Encrypt');
  // Hiding the tab stops the polling (document.visibilityState); showing it again resumes.
  const setVisibility = (state: string): Promise<unknown> =>
    page.evaluate(`Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => '${state}' }); document.dispatchEvent(new Event('visibilitychange'))`);
  await setVisibility('hidden');
  await page.getByRole('status').filter({ hasText: 'Live tail waits while this tab is hidden.' }).waitFor();
  await setVisibility('visible');
  await page.getByRole('status').filter({ hasText: 'Live tail is on' }).waitFor();
  await page.getByRole('button', { name: 'Pause live tail' }).click();
  await page.getByRole('status').filter({ hasText: 'Live tail is paused.' }).waitFor();

  await page.getByLabel('Event name').fill('CreateKey');
  await page.getByRole('button', { name: 'Search' }).click();
  await log.getByRole('row').filter({ hasText: 'CreateKey' }).first().waitFor();
  await log.getByRole('row').filter({ hasText: 'Encrypt' }).first().waitFor({ state: 'detached' });
  const events = await log.locator('tbody tr td:nth-child(2)').allInnerTexts();
  assert.ok(events.length > 0 && events.every((e) => e === 'CreateKey'), `only CreateKey events: ${events.join(', ')}`);

  // The chain view: verify in the browser. The tail runs when the search view is left: leaving stops it.
  await page.getByRole('button', { name: 'Start live tail' }).click();
  await page.getByRole('status').filter({ hasText: /last checked/ }).waitFor();
  let pollsAfterLeaving = 0;
  let left = false;
  const isPoll = (r: Request): boolean => r.headers()['x-amz-target'] === 'ArcaService.ListAuditEvents';
  page.on('request', (r) => void (left && isPoll(r) && pollsAfterLeaving++));
  await page.getByRole('link', { name: 'Audit chain' }).click();
  left = true;
  // Longer than one polling interval (2 s): a tail still running would ask again within it.
  const polledAgain = await page.waitForRequest(isPoll, { timeout: 3000 }).then(() => true, () => false);
  assert.equal(polledAgain, false, 'no ListAuditEvents after the search view unmounted');
  await page.getByRole('heading', { level: 1, name: 'Audit chain' }).waitFor();
  await page.getByText(/valid \(key from the server\)/).waitFor();
  const total = sqliteOf(server.app).prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM audit_events').get()?.n ?? 0;
  await page.getByRole('button', { name: 'Verify' }).click();
  const verdict = page.getByText(/^Verified: \d+ events; the chain verified up to tree size \d+/);
  await verdict.waitFor({ timeout: 20_000 });
  const size = Number(/tree size (\d+)/.exec(await verdict.innerText())?.[1]);
  assert.ok(size >= total, `verified tree size ${size} covers the ${total} events stored before`);
  const progress = page.getByRole('progressbar', { name: 'Verification progress' });
  assert.equal(await progress.getAttribute('value'), await progress.getAttribute('max'), 'the progress reached the end');
  await page.getByText(`Last verified checkpoint: size ${size}`).waitFor();

  // A second verification also proves the new head extends the one remembered.
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByText(/Consistent with the last verified checkpoint \(size \d+\): a consistency proof verified/).waitFor({ timeout: 20_000 });

  assert.equal(pollsAfterLeaving, 0, 'the live tail stopped polling when its view unmounted');

  // Tamper with the stored Encrypt event: the verification names it.
  const db = sqliteOf(server.app);
  const seq = db.prepare<[], { seq: number }>("SELECT seq FROM audit_events WHERE event_name = 'Encrypt' ORDER BY seq DESC LIMIT 1").get()?.seq ?? 0;
  assert.ok(seq > 0);
  db.prepare(`UPDATE audit_events SET body = replace(body, '"Encrypt"', '"Decrypt"') WHERE seq = ?`).run(seq);
  await page.getByRole('button', { name: 'Verify' }).click();
  const failure = page.getByRole('alert').filter({ hasText: 'Verification FAILED: modified' });
  await failure.waitFor({ timeout: 20_000 });
  assert.match(await failure.innerText(), new RegExp(`at event ${seq}\\b`));

  // A pinned key other than the trail's: the checkpoint and the verification are refused with it.
  await page.getByLabel(/Pinned public key/).fill(randomBytes(32).toString('base64'));
  await page.getByText('INVALID for this key').waitFor();
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('alert').filter({ hasText: 'different signing key than the pinned one' }).waitFor({ timeout: 20_000 });
  assert.deepEqual(browser.problems, []);
});
