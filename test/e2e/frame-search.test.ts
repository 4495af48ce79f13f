// Searching frames as engineers expect, in the console: a session recorded with the command line
// against a real peer, opened in Chromium, searched by regular expression and by JSONPath with the
// matches marked in the list and in the detail's tree; a pattern that does not parse says why in one
// line; the Kind column of the sessions list filters by kind. One journey, at 1440×900 and
// 1024×700, in both themes, measured for clipped text at every stop.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echo, wsServer } from '../servers/scenarios.js';
import { browserMissing, launchChromium } from '../support/browser.js';
import { cli, workspace, type Workspace } from '../support/cli.js';
import { clipsText, findClippedText } from '../support/layout.js';
import { inspectShot } from '../support/screenshots.js';
import { serve, type Served } from '../support/serve.js';

const WAIT = { timeout: 20_000, interval: 50 };
const SIZES = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
] as const;

/** What the client sends (the peer echoes each): quotes, two errors, a plain-text line. */
const SENT = [
  ...Array.from({ length: 8 }, (_, i) =>
    JSON.stringify({ type: 'quote', data: { items: [{ id: `Q${i}`, price: 95 + i }] } }),
  ),
  JSON.stringify({ type: 'error', error: { code: 429 }, reason: 'Rate limit' }),
  'plain text: upstream read TIMEOUT',
  JSON.stringify({ type: 'error', error: { code: 503 }, reason: 'Upstream gone' }),
];

describe.skipIf(browserMissing())('searching frames by regular expression and JSONPath', () => {
  let ws: Workspace;
  let served: Served;
  let browser: Browser;

  beforeAll(async () => {
    ws = workspace();
    const peer = await wsServer(echo);
    try {
      const args = [
        'capture',
        `${peer.url}/prices`,
        '--name',
        'prices feed',
        '--duration',
        '1',
        '--db',
        ws.db,
      ];
      for (const m of SENT) args.push('--send', m);
      expect((await cli(args)).code).toBe(0);
    } finally {
      await peer.close();
    }
    served = await serve(ws.db);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    ws?.cleanup();
  });

  async function noClips(page: Page, where: string): Promise<void> {
    expect(clipsText(await findClippedText(page)), `clipped text on ${where}`).toBe('');
  }

  it('finds frames by pattern and by JSONPath, marks them, and says why a pattern does not parse, at both sizes and in both themes', async () => {
    const page = await browser.newPage({ viewport: SIZES[0] });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(await served.openUrl());
    await page.getByText('Engine connected').waitFor(WAIT);
    const count = page.locator('.frame-view .filter-count');
    const search = page.getByLabel('Search frames');
    const modes = page.getByRole('group', { name: 'Search mode' });
    const grid = page.getByRole('grid', { name: 'Frames' });

    for (const theme of ['dark', 'light'] as const)
      for (const size of SIZES) {
        const tag = `${size.width}-${theme}`;
        await page.setViewportSize(size);
        if (theme === 'light' && (await page.getByRole('button', { name: 'Light theme' }).count()))
          await page.getByRole('button', { name: 'Light theme' }).click();
        expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);

        // The sessions list says what kind each session is, and a kind is one click away.
        await page
          .getByRole('navigation', { name: 'Screens' })
          .getByRole('button', { name: 'Sessions' })
          .click();
        const row = page.locator('tr[data-session-id]', { hasText: 'prices feed' });
        await row.waitFor(WAIT);
        await row.locator('.col-kind').getByRole('button', { name: 'capture' }).click();
        await expect.poll(() => page.getByLabel('Kind').inputValue(), WAIT).toBe('capture');
        await noClips(page, `sessions list (${tag})`);
        await page.getByLabel('Kind').selectOption('');
        await row.click();
        await expect.poll(() => count.textContent(), WAIT).toMatch(/^2[4-9] frames$/);

        // A regular expression, with flags: the text frames whose payload matches, both ways.
        await modes.getByRole('button', { name: 'Regular expression' }).click();
        await search.fill('/timeout|rate limit/i');
        await expect.poll(() => count.textContent(), WAIT).toMatch(/^4 of \d+ frames$/);
        expect((await grid.locator('mark').allTextContents()).sort()).toEqual([
          'Rate limit',
          'Rate limit',
          'TIMEOUT',
          'TIMEOUT',
        ]);
        await noClips(page, `regular expression (${tag})`);

        // One that does not parse says why, in one line, under the bar.
        await search.fill('(open');
        const note = page.locator('.frame-view > .error-note');
        await expect
          .poll(() => note.textContent(), WAIT)
          .toContain('"(open" is not a regular expression: Unterminated group');
        expect(await note.evaluate((el) => el.getClientRects().length > 0 && el.clientHeight < 60)).toBe(
          true,
        );

        // JSONPath: an equality, marked in the list and in the detail's tree.
        await modes.getByRole('button', { name: 'JSONPath' }).click();
        await search.fill('$.type == "error"');
        await expect.poll(() => count.textContent(), WAIT).toMatch(/^4 of \d+ frames$/);
        expect(new Set(await grid.locator('mark').allTextContents())).toEqual(new Set(['"type":"error"']));
        await grid.getByRole('row').filter({ hasText: 'Upstream gone' }).first().click();
        const tree = page.getByRole('tree', { name: 'JSON payload' });
        await expect.poll(() => tree.locator('.json-line.is-match').textContent(), WAIT).toContain('"type"');
        await noClips(page, `JSONPath match and its detail (${tag})`);
        await inspectShot(page, `frame-search-${tag}`);
        await page.keyboard.press('Escape');

        // Existence, an index into an array, and a comparison of numbers.
        await search.fill('$.error');
        await expect.poll(() => count.textContent(), WAIT).toMatch(/^4 of /);
        await search.fill('$.data.items[0].price >= 100');
        await expect.poll(() => count.textContent(), WAIT).toMatch(/^6 of /);
        await search.fill('$.data.items[0].id == "Q7"');
        await expect.poll(() => count.textContent(), WAIT).toMatch(/^2 of /);
        await search.fill('$.type = "error"');
        await expect.poll(() => note.textContent(), WAIT).toMatch(/is not a JSONPath condition/);

        // Back to words for the next round.
        await search.fill('');
        await modes.getByRole('button', { name: 'Words' }).click();
        await page
          .getByRole('navigation', { name: 'Screens' })
          .getByRole('button', { name: 'Sessions' })
          .click();
      }
    expect(problems).toEqual([]);
    await page.close();
  });
});
