// `frameline serve` stops and starts again while the console is open on a session: the page says
// what happened and what to do, takes the new URL the command printed, and opens it at the same
// screen; a reload with the old token gets a page that says what to do instead of a bare refusal.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../servers/proxies.js';
import { browserMissing, launchChromium } from '../support/browser.js';
import { workspace, type Workspace } from '../support/cli.js';
import { recordGateway, type Recorded } from '../support/fixtures-sessions.js';
import { inspectShot } from '../support/screenshots.js';
import { serve, type Served } from '../support/serve.js';

const WAIT = { timeout: 15_000 };

describe.skipIf(browserMissing())('when frameline serve restarts', () => {
  let ws: Workspace;
  let browser: Browser;
  let gateway: Recorded;
  const running: Served[] = [];

  beforeAll(async () => {
    ws = workspace();
    gateway = await recordGateway(ws.db);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    for (const s of running) await s.stop();
    ws?.cleanup();
  });

  it('says what to do, and opens the new URL at the same session', async () => {
    const port = await freePort();
    const first = await serve(ws.db, ['--port', String(port)]);
    running.push(first);
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(first.url);
    await page.getByText('Engine connected').waitFor(WAIT);
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Sessions' }).click();
    await page.locator(`tr[data-session-id="${gateway.id}"]`).click();
    await page.locator('.session-name').waitFor(WAIT);
    expect(page.url()).toMatch(new RegExp(`#/sessions/${gateway.id}$`));

    // The server goes away and comes back with a new token.
    await first.stop();
    const lost = page.getByRole('alert').filter({ hasText: 'lost the link to the engine' });
    await lost.waitFor(WAIT);
    const second = await serve(ws.db, ['--port', String(port)]);
    running.push(second);
    expect(second.token).not.toBe(first.token);
    expect(await lost.textContent()).toContain('frameline serve');
    expect(await lost.textContent()).toMatch(/paste the URL it prints/i);
    await inspectShot(page, 'serve-lost');

    // A reload with the old token would get this: a page that says what to do, not a bare 401.
    const stale = await context.newPage();
    const answer = await stale.goto(`${second.origin}/`);
    expect(answer?.status()).toBe(401);
    expect(await stale.textContent('body')).toMatch(/frameline serve.*restarted.*open the URL it printed/is);
    await stale.close();

    // The new URL, pasted where the page asks for it, opens at the same session.
    await lost.getByLabel('New console URL').fill(second.url);
    await lost.getByLabel('New console URL').press('Enter');
    await page.getByText('Engine connected').waitFor(WAIT);
    await expect.poll(() => page.url(), WAIT).toBe(`${second.origin}/#/sessions/${gateway.id}`);
    await page.locator('.session-name').filter({ hasText: 'prices gateway' }).waitFor(WAIT);
    expect(errors).toEqual([]);
    await context.close();
  });
});
