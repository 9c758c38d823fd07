/**
 * Issue 24, accessibility: axe-core on every main view of the console, in light and dark colour schemes,
 * must find no violation of impact serious or critical (minor and moderate ones are counted and printed);
 * and the shell is operable by keyboard (skip link first, then the navigation, whose links follow Enter).
 * The routes are listed once: the lead re-runs this after merging the views built in parallel.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { callOperation } from '../../src/cli/client.js';
import { chromiumOrSkip, launchConsoleBrowser, signInWithKey, type ConsoleBrowser } from '../helpers/console-browser.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { opsServerOptions, seedOps } from './ops-seed.js';

const axeSource = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

interface Violation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: string[];
}

/** Runs axe in the page. page.evaluate goes through the DevTools protocol, which the console's CSP does not govern. */
async function axeViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(axeSource);
  return (await page.evaluate(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) })))`,
  )) as Violation[];
}

/** Waits until the view's first answers are in (no "Loading…" left in main), or gives up quietly after 3 s. */
async function settled(page: Page): Promise<void> {
  await page.locator('main h1').first().waitFor();
  await page.waitForFunction(`!/Loading/.test(document.querySelector('main')?.textContent ?? '')`, null, { timeout: 3000 }).catch(() => undefined);
}

describe('console accessibility (issue 24)', () => {
  let server: InProcessServer;
  let browser: ConsoleBrowser | undefined;
  let keyId: string;

  before(async () => {
    server = await startInProcess(opsServerOptions());
    await seedOps(server); // tables with rows, badges and buttons on the operations views
    const admin = { endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials };
    keyId = ((await callOperation(admin, 'TrentService.CreateKey', { Description: 'accessibility check' }))['KeyMetadata'] as { KeyId: string }).KeyId;
  });
  after(async () => {
    await browser?.close();
    await server.close();
  });

  /** Every main view, signed in; then the sign-in page itself. */
  const routes = (): string[] => ['#/keys', '#/keys/new', `#/keys/${keyId}`, '#/audit', '#/audit/chain', '#/alerts', '#/approvals', '#/principals', '#/status'];

  async function scan(t: TestContext, colorScheme: 'light' | 'dark'): Promise<void> {
    browser ??= await launchConsoleBrowser();
    const serious: string[] = [];
    const counts: Record<string, number> = { minor: 0, moderate: 0 };
    const record = (where: string, found: readonly Violation[]) => {
      for (const v of found) {
        if (v.impact === 'serious' || v.impact === 'critical') serious.push(`${where}: ${v.impact} ${v.id} (${v.help}) at ${v.targets.join(', ')}`);
        else counts[v.impact ?? 'minor'] = (counts[v.impact ?? 'minor'] ?? 0) + 1;
        if (v.impact !== 'serious' && v.impact !== 'critical') t.diagnostic(`${colorScheme} ${where}: ${v.impact} ${v.id} (${v.help})`);
      }
    };
    const signIn = await browser.newPage({ colorScheme });
    await signIn.goto(`${server.endpoint}/ui/`);
    await signIn.getByRole('heading', { name: 'Sign in to Arca' }).waitFor();
    record('sign-in page', await axeViolations(signIn));
    const page = await browser.newPage({ colorScheme });
    await signInWithKey(page, server.endpoint, server.credentials);
    for (const route of routes()) {
      await page.evaluate(`window.location.hash = ${JSON.stringify(route)}`);
      await settled(page);
      record(route, await axeViolations(page));
    }
    let opened = 0;
    // States behind a click: an approval request's detail, a principal's detail, the acknowledge form, the release dialog.
    for (const [route, button] of [['#/approvals', /^Open .* request apr-/], ['#/principals', /^seed-alice$/], ['#/alerts', /^Acknowledge alert /], ['#/alerts', /^Release$/]] as const) {
      await page.evaluate(`window.location.hash = ${JSON.stringify(route)}`);
      await settled(page);
      const target = page.getByRole('main').getByRole('button', { name: button }).first();
      await target.waitFor({ timeout: 3000 }).catch(() => undefined);
      if ((await target.count()) === 0) continue;
      opened += 1;
      await target.click();
      await settled(page);
      record(`${route} after ${String(button)}`, await axeViolations(page));
      await page.keyboard.press('Escape'); // closes a dialog, if one opened
    }
    // A control: the same check sees a button without a name (critical), so a clean result means something.
    await page.evaluate(`document.querySelector('main').append(Object.assign(document.createElement('button'), { id: 'axe-control' }))`);
    assert.ok((await axeViolations(page)).some((v) => v.id === 'button-name' && v.impact === 'critical' && v.targets.includes('#axe-control')), 'axe reports a nameless button');
    await page.evaluate(`document.getElementById('axe-control').remove()`);
    t.diagnostic(`${colorScheme}: ${counts['minor']} minor and ${counts['moderate']} moderate violation(s) over ${routes().length + 1} views and ${opened} opened states`);
    assert.equal(opened, 4, 'the seeded request, principal, alert and breaker were there to open');
    assert.deepEqual(serious, [], `serious or critical axe violations in the ${colorScheme} scheme`);
  }

  it('no serious or critical axe violation on any view, light scheme', async (t) => {
    if (!chromiumOrSkip(t)) return;
    await scan(t, 'light');
  });

  it('no serious or critical axe violation on any view, dark scheme', async (t) => {
    if (!chromiumOrSkip(t)) return;
    await scan(t, 'dark');
  });

  it('Tab from the top reaches the skip link, then the navigation; every nav link follows Enter', async (t) => {
    if (!chromiumOrSkip(t)) return;
    browser ??= await launchConsoleBrowser();
    const page = await browser.newPage();
    await signInWithKey(page, server.endpoint, server.credentials);
    // Start from the top of the document, as a keyboard user arriving on the page does.
    await page.evaluate(`document.activeElement?.blur(); window.getSelection()?.removeAllRanges()`);
    const focused = async (): Promise<string> => (await page.evaluate(`(document.activeElement?.getAttribute('aria-label') || document.activeElement?.textContent || '').trim()`)) as string;
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'Skip to content', 'the skip link comes first');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(`document.activeElement?.id`), 'main', 'the skip link moves focus to the content');

    await page.evaluate(`document.activeElement?.blur()`);
    const navLinks = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts();
    assert.ok(navLinks.length >= 7, `the navigation lists the views: ${navLinks.join(', ')}`);
    const reached: string[] = [];
    for (let i = 0; i < 30 && reached.length < navLinks.length; i++) {
      await page.keyboard.press('Tab');
      const inNav = (await page.evaluate(`!!document.activeElement?.closest('nav[aria-label="Main"]')`)) as boolean;
      if (inNav) reached.push(await focused());
    }
    assert.deepEqual(reached, navLinks, 'every navigation link is reached by Tab, in order');

    // Each link, focused and activated with Enter, opens its view (and is then marked as the current page).
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const label of navLinks) {
      const link = nav.getByRole('link', { name: label, exact: true });
      const href = (await link.getAttribute('href')) ?? '';
      await link.focus();
      await page.keyboard.press('Enter');
      await page.waitForFunction(`window.location.hash === ${JSON.stringify(href)}`);
      assert.equal(await link.getAttribute('aria-current'), 'page', `${label} is the current page`);
      await page.locator('main h1').first().waitFor();
    }
  });
});
