// Writes PNGs of the console's main views to docs/console/ (issue 24), from a real in-process server
// seeded with keys, audit events, an alert and a pending approval. Run after a build (npm run build):
// node scripts/console-screenshots.mjs. Needs Debian's Chromium (/usr/bin/chromium, or ARCA_TEST_CHROMIUM).
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const load = (path) => import(pathToFileURL(join(root, 'dist', path)).href);
const { startInProcess } = await load('test/helpers/in-process.js');
const { launchConsoleBrowser, signInWithKey } = await load('test/helpers/console-browser.js');
const { opsServerOptions, seedOps } = await load('test/console/ops-seed.js');
const { callOperation } = await load('src/cli/client.js');

const out = join(root, 'docs', 'console');
mkdirSync(out, { recursive: true });

const server = await startInProcess(opsServerOptions());
const browser = await launchConsoleBrowser();
try {
  const admin = { endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials };
  const call = (target, input) => callOperation(admin, target, input);
  // Keys of several kinds, each used a little: the audit trail has their events.
  const keys = [];
  for (const [alias, input] of [
    ['alias/orders', { Description: 'Order database envelope key' }],
    ['alias/signing', { Description: 'Release signing', KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }],
    ['alias/webhooks', { Description: 'Webhook HMAC', KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }],
  ]) {
    const keyId = (await call('TrentService.CreateKey', input))['KeyMetadata'].KeyId;
    await call('TrentService.CreateAlias', { AliasName: alias, TargetKeyId: keyId });
    keys.push(keyId);
  }
  await call('TrentService.EnableKeyRotation', { KeyId: keys[0] });
  for (let i = 0; i < 3; i++) await call('TrentService.Encrypt', { KeyId: keys[0], Plaintext: Buffer.from(`record ${i}`).toString('base64') });
  await seedOps(server);

  /** Opens a view (signed in as the administrator), waits for its answers, and writes `<name>.png`. */
  async function shoot(name, route, opts = {}, before = async () => undefined) {
    const page = await browser.newPage({ viewport: opts.viewport, colorScheme: opts.colorScheme });
    await signInWithKey(page, server.endpoint, server.credentials);
    await page.evaluate(`window.location.hash = ${JSON.stringify(route)}`);
    await page.locator('main h1').first().waitFor();
    await page.waitForFunction(`!/Loading/.test(document.querySelector('main')?.textContent ?? '')`, null, { timeout: 5000 }).catch(() => undefined);
    await before(page);
    await page.screenshot({ path: join(out, `${name}.png`), fullPage: opts.fullPage ?? true });
    await page.context().close();
    process.stdout.write(`wrote docs/console/${name}.png\n`);
  }

  await shoot('keys', '#/keys');
  await shoot('key-detail', `#/keys/${keys[0]}`);
  await shoot('create-key', '#/keys/new');
  await shoot('audit-events', '#/audit', { fullPage: false });
  await shoot('audit-chain', '#/audit/chain', {}, async (page) => {
    // The chain view's own verify button, whatever its exact label; absent (a placeholder): as it is.
    const verify = page.getByRole('button', { name: /verify/i }).first();
    if ((await verify.count()) > 0) {
      await verify.click();
      await page.waitForFunction(`!/Verifying|Loading/.test(document.querySelector('main')?.textContent ?? '')`, null, { timeout: 10000 }).catch(() => undefined);
    }
  });
  await shoot('alerts', '#/alerts');
  await shoot('approvals', '#/approvals', {}, async (page) => {
    await page.getByRole('button', { name: /^Open .* request apr-/ }).first().click();
    await page.getByTestId('approval-status').waitFor();
  });
  await shoot('principals', '#/principals');
  await shoot('status', '#/status', {}, async (page) => void (await page.getByRole('list', { name: 'Metrics overview' }).waitFor()));
  await shoot('keys-phone', '#/keys', { viewport: { width: 390, height: 844 } });
  await shoot('keys-dark', '#/keys', { colorScheme: 'dark' });
  if (browser.problems.length > 0) process.stdout.write(`browser problems:\n${browser.problems.join('\n')}\n`);
} finally {
  await browser.close();
  await server.close();
}
