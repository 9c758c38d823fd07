import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (package chromium), which .ci/run installs; Playwright never downloads a browser here. */
export const CHROMIUM = process.env['ARCA_TEST_CHROMIUM'] ?? '/usr/bin/chromium';

/**
 * Whether the browser tests can run: without Chromium they skip with the reason printed, except in CI
 * (CI=true), where a missing browser fails the test.
 */
export function chromiumOrSkip(t: TestContext): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env['CI'] === 'true') throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
  t.skip(`${CHROMIUM} is not installed (apt-get install chromium); the console's browser tests are skipped`);
  return false;
}

export interface ConsoleBrowser {
  readonly browser: Browser;
  /** A new isolated context (its own storage: a second user), with a phone or laptop viewport. */
  newPage(opts?: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' }): Promise<Page>;
  /** Every console message and page error seen, for assertions that the console logged no error. */
  readonly problems: string[];
  close(): Promise<void>;
}

/**
 * Headless Chromium with the flags this machine needs (no sandbox as root, no GPU, no background
 * networking: the network is closed); Playwright gives each launch a fresh empty profile.
 */
export async function launchConsoleBrowser(): Promise<ConsoleBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];
  return {
    browser,
    problems,
    async newPage(opts = {}) {
      const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1366, height: 800 }, colorScheme: opts.colorScheme ?? 'light' });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('console', (m) => (m.type() === 'error' ? problems.push(`console: ${m.text()}`) : undefined));
      return page;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
    },
  };
}

/** Opens the console and signs in with an access key (and an MFA code when given); waits for the shell. */
export async function signInWithKey(page: Page, endpoint: string, key: { accessKeyId: string; secretAccessKey: string }, mfa?: { serial: string; code: string }): Promise<void> {
  await page.goto(`${endpoint}/ui/`);
  await page.getByLabel('Access key ID').fill(key.accessKeyId);
  await page.getByLabel('Secret access key').fill(key.secretAccessKey);
  if (mfa !== undefined) {
    await page.getByLabel('MFA device serial number').fill(mfa.serial);
    await page.getByLabel('MFA code').fill(mfa.code);
  }
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}
