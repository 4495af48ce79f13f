// Where the connection went: a price feed whose idle connections are cut (no close frame, 1006) is
// attached with reconnect on and a subscription sent on open. The subscription goes out again on
// every reconnect; the frame list says which connection each frame came on and marks the drop
// between them; a connection picked in the side pane filters the list to its frames; the close panel
// gives the silence before the cut; and the command line prints the cut with its time.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { wsServer, type WsScenario } from '../servers/scenarios.js';
import { browserMissing, launchChromium } from '../support/browser.js';
import { cli, cliJson, workspace, type Workspace } from '../support/cli.js';
import { inspectShot } from '../support/screenshots.js';
import { serve, type Served } from '../support/serve.js';

const WAIT = { timeout: 15_000, interval: 50 };
const IDLE_CUT_MS = 400;
const SUBSCRIBE = '{"op":"subscribe","symbol":"FRML"}';

/** Answers a subscription with two quotes, and drops the connection after IDLE_CUT_MS of silence. */
function idleCuttingFeed(received: string[][]): Promise<WsScenario> {
  return wsServer((ws) => {
    const mine: string[] = [];
    received.push(mine);
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => ws.terminate(), IDLE_CUT_MS);
    };
    arm();
    ws.on('message', (m) => {
      mine.push(m.toString());
      ws.send(JSON.stringify({ type: 'quote', symbol: 'FRML', bid: 101.25 }));
      ws.send(JSON.stringify({ type: 'quote', symbol: 'FRML', bid: 101.26 }));
      arm();
    });
    ws.on('close', () => clearTimeout(timer));
  });
}

describe.skipIf(browserMissing())('where the connection went', () => {
  let browser: Browser;
  let ws: Workspace;
  let served: Served;
  let feed: WsScenario;
  let received: string[][];
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    ws = workspace();
    received = [];
    feed = await idleCuttingFeed(received);
    served = await serve(ws.db);
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    pageErrors = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(await served.openUrl());
    await page.getByText('Engine connected').waitFor(WAIT);
  });
  afterEach(async () => {
    await page?.close();
    await served?.stop();
    await feed?.close();
    ws?.cleanup();
  });

  const grid = () => page.getByRole('grid', { name: 'Frames' });
  const rowsOf = (ordinal: number) =>
    grid()
      .locator('[role=row][data-seq]')
      .filter({ has: page.locator('.cell-conn', { hasText: `#${ordinal}` }) });

  it('sends the subscription on every reconnect, marks the drop between connections, filters by connection, and gives the silence before the cut', async () => {
    await page.getByLabel('WebSocket URL').fill(`${feed.url}/prices`);
    await page.locator('.connect-bar').getByRole('button', { name: 'Options' }).click();
    const options = page.locator('#attach-options');
    await options.getByLabel('Send on open').fill(SUBSCRIBE);
    await options.getByText('Reconnect with exponential backoff and jitter').click();
    await options.getByLabel('First delay (ms)').fill('100');
    await options.getByLabel('Longest delay (ms)').fill('200');
    await page.getByLabel('WebSocket URL').press('Enter');

    // Three connections, each subscribed by itself: nothing typed.
    await expect.poll(() => received.length, WAIT).toBeGreaterThanOrEqual(3);
    await expect
      .poll(() => received.slice(0, 3).map((r) => r[0]), WAIT)
      .toEqual([SUBSCRIBE, SUBSCRIBE, SUBSCRIBE]);
    await page.keyboard.press('Control+d');
    await page.getByTestId('capture-state').filter({ hasText: 'Ended' }).waitFor(WAIT);

    // Each frame says its connection; the first frame of a new one marks the drop before it.
    await page.locator('.frame-list-head .cell-conn', { hasText: 'Conn' }).waitFor(WAIT);
    await expect.poll(() => rowsOf(1).count(), WAIT).toBe(3);
    await expect.poll(() => rowsOf(2).count(), WAIT).toBe(3);
    const start = grid().locator('[role=row][data-connection-start="2"]');
    await start.waitFor(WAIT);
    expect(await start.locator('.conn-marker').getAttribute('title')).toMatch(
      /connection 1 ended: 1006 Abnormal Closure.*reconnected as connection 2/i,
    );
    expect(await grid().locator('[role=row][data-connection-start="1"]').count()).toBe(0);

    // Picking connection 2 in the side pane narrows the frame list to it.
    await page.getByRole('tablist', { name: 'Connections' }).getByRole('tab', { name: /#2/ }).click();
    const count = page.locator('.frame-view .filter-count');
    await expect.poll(() => count.textContent(), WAIT).toMatch(/^3 of \d+ frames$/);
    await expect.poll(() => grid().locator('[role=row][data-seq]').count(), WAIT).toBe(3);
    expect(await rowsOf(2).count()).toBe(3);
    expect(await page.getByLabel('Frames of connection').inputValue()).not.toBe('');

    // Connection 1's close: the cut, and how long nothing had crossed before it.
    await page.getByRole('tablist', { name: 'Connections' }).getByRole('tab', { name: /#1/ }).click();
    const close = page.getByRole('region', { name: 'Close', exact: true });
    await expect.poll(() => close.textContent(), WAIT).toContain('1006');
    const silence = /No traffic for ([\d.]+) s before the cut/.exec((await close.textContent()) ?? '');
    expect(silence).not.toBeNull();
    expect(Number(silence![1])).toBeGreaterThanOrEqual(0.3);
    expect(Number(silence![1])).toBeLessThan(2);
    await inspectShot(page, 'attach-reconnect');

    // The command line says when each cut happened.
    const { json } = await cliJson<Array<{ id: number }>>(['sessions', '--db', ws.db]);
    const shown = await cli(['show', String(json[0]!.id), '--db', ws.db]);
    expect(shown.stdout).toMatch(
      /closed: {4}1006 Abnormal Closure by network at \d\d:\d\d:\d\d\.\d{3} UTC, [\d.]+ s after the last frame/,
    );
    expect(pageErrors).toEqual([]);
  });

  it('prints the time of a cut while capturing from the command line', async () => {
    const result = await cli([
      'capture',
      `${feed.url}/prices`,
      '--send',
      SUBSCRIBE,
      '--quiet',
      '--db',
      ws.db,
    ]);
    expect(result.stderr).toMatch(/closed by network at \d\d:\d\d:\d\d\.\d{3} UTC: 1006 Abnormal Closure/);
  });
});
