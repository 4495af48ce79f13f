// Replay and Mock in the console, in Chromium against real peers on 127.0.0.1: a quote session
// recorded with `frameline capture` is replayed to a deploy that changed one price (the diff shows
// $.price marked on both sides, and the new session opens from the panel), then served as a mock
// with an idle cut that a client connects to and is cut by.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEFAULT_PRICES, quoteService } from '../servers/quote-service.js';
import type { WsScenario } from '../servers/scenarios.js';
import { browserMissing, launchChromium } from '../support/browser.js';
import { workspace, type Workspace } from '../support/cli.js';
import { recordQuotes } from '../support/replay.js';
import { serve, type Served } from '../support/serve.js';

// Screenshots for a person to look at: a gitignored folder, never docs/.
const SCREENSHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
const WAIT = { timeout: 30_000, interval: 50 };

describe.skipIf(browserMissing())('replay and mock in the console', () => {
  let browser: Browser;
  let ws: Workspace;
  let served: Served;
  let source: number;
  let deployed: WsScenario;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ws = workspace();
    source = await recordQuotes(ws.db);
    deployed = await quoteService({ prices: { ...DEFAULT_PRICES, WSKT: 48.5 } });
    served = await serve(ws.db);
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
    page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(await served.openUrl());
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Sessions' }).click();
    await page.locator(`tr[data-session-id="${source}"]`).click();
    await page.locator('.session-name').waitFor(WAIT);
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await deployed?.close();
    ws?.cleanup();
  });

  it('replays a session to a changed deploy and shows the changed path side by side', async () => {
    const panel = page.getByRole('region', { name: 'Replay' });
    const target = panel.getByLabel('Replay target URL');
    expect(await target.inputValue()).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/quotes\?api_key=k-55aa$/);
    await target.fill(`${deployed.url}/quotes`);
    await panel.getByRole('button', { name: 'Go' }).click();
    const result = panel.getByTestId('replay-result');
    await result.waitFor(WAIT);
    expect(await result.locator('[data-count=matched]').textContent()).toBe('4 matched');
    expect(await result.locator('[data-count=changed]').textContent()).toBe('1 changed');
    const diff = result.locator('.replay-diff[data-kind=changed]');
    expect(await diff.count()).toBe(1);
    expect(await diff.getAttribute('data-id')).toBe('3');
    expect(await diff.getByLabel('Changed paths').textContent()).toBe('$.price');
    // The price line is marked in both columns, and only it.
    const marked = diff.locator('.replay-line.is-changed');
    expect(await marked.allTextContents()).toEqual(['"price": 48.1,', '"price": 48.5,']);
    expect(await marked.first().getAttribute('data-path')).toBe('$.price');
    await page.screenshot({ path: `${SCREENSHOTS}replay-diff.png`, fullPage: true });

    // The run is a session of its own, linked back to its source.
    await result.getByRole('button', { name: /Open replay session #\d+/ }).click();
    await expect.poll(() => page.locator('.session-kind').textContent(), WAIT).toBe('replay');
    await page.getByRole('button', { name: `Open the source session #${source}` }).click();
    await expect.poll(() => page.locator('.session-kind').textContent(), WAIT).toBe('capture');
  });

  it('serves the session as a mock with an idle cut, and lists the client it cut', async () => {
    const panel = page.getByRole('region', { name: 'Mock server' });
    await panel.getByLabel('Mock faults').fill('idle-cut=wrong');
    await panel.getByRole('button', { name: 'Start mock' }).click();
    await panel.getByText('Fault: the seconds of idle-cut must be a number').waitFor(WAIT);
    await panel.getByLabel('Mock faults').fill('idle-cut=1');
    await panel.getByRole('button', { name: 'Start mock' }).click();
    const url = await panel.getByTestId('mock-url').textContent({ timeout: 30_000 });
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
    const client = new WebSocket(url!);
    const closed = new Promise<number>((resolve) => client.on('close', (code) => resolve(code)));
    client.on('error', () => {});
    const row = panel.locator('tr[data-client="1"]');
    await expect.poll(() => row.getAttribute('data-state'), WAIT).toBe('open');
    expect(await closed).toBe(1006);
    await expect.poll(() => row.getAttribute('data-state'), WAIT).toBe('closed');
    expect(await row.textContent()).toContain('cut by idle-cut after 1 s without traffic');
    await page.screenshot({ path: `${SCREENSHOTS}mock.png`, fullPage: true });
    await panel.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => panel.locator('.mock-state').textContent(), WAIT).toBe('stopped');
    expect(pageErrors).toEqual([]);
  });
});
