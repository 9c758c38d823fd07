import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chromiumOrSkip, launchConsoleBrowser, signInWithKey, type ConsoleBrowser } from '../helpers/console-browser.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';

let server: InProcessServer;
let browser: ConsoleBrowser | undefined;
before(async () => {
  server = await startInProcess();
});
after(async () => {
  await browser?.close();
  await server.close();
});

test('an access key signs in, the session is the caller, and sign-out forgets it', async (t) => {
  if (!chromiumOrSkip(t)) return;
  browser = await launchConsoleBrowser();
  const page = await browser.newPage();
  await signInWithKey(page, server.endpoint, server.credentials);
  assert.match(await page.locator('.who').innerText(), /^arn:aws:sts::111122223333:federated-user\/|^arn:aws:iam::111122223333:user\/admin$/);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in to Arca' }).waitFor();
  assert.equal(await page.evaluate('localStorage.length + sessionStorage.length'), 0);
  assert.deepEqual(browser.problems, []);
});
