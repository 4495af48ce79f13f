// A load test from the console: the engineer opens a recorded session's Export dialog, picks
// Artillery, reads that the recorded secrets become environment variables, and saves the file; the
// real Artillery runs it against a `frameline mock` of the same session, with the secrets set in
// its environment. At 1440×900 and 1024×700, light and dark.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, launchChromium } from '../support/browser.js';
import { workspace, type Workspace } from '../support/cli.js';
import { artilleryMissing, runArtillery } from '../support/load-tests.js';
import { recordQuotes, startMock } from '../support/replay.js';
import { serve, type Served } from '../support/serve.js';

const WAIT = { timeout: 30_000 };
const SECRETS = ['s3cret-token-123', 'tok-3b1f9c2e7d', 'k-55aa'];

describe.skipIf(browserMissing() || artilleryMissing)('a load test exported from the console', () => {
  let ws: Workspace;
  let served: Served;
  let browser: Browser;
  let session: number;

  beforeAll(async () => {
    ws = workspace();
    session = await recordQuotes(ws.db);
    served = await serve(ws.db);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    ws?.cleanup();
  });

  it(
    'saves an Artillery file whose secrets are environment variables, and Artillery runs it',
    async () => {
      const problems: string[] = [];
      let file = '';
      for (const [width, height, theme] of [
        [1440, 900, 'light'],
        [1024, 700, 'dark'],
      ] as const) {
        const page = await browser.newPage({ viewport: { width, height }, acceptDownloads: true });
        page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
        await page.goto(await served.openUrl());
        if (theme === 'light') await page.getByRole('button', { name: 'Light theme' }).click();
        expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
        await page.goto(`${served.origin}/#/sessions`);
        await page.locator(`tr[data-session-id="${session}"]`).click();
        await page.getByRole('button', { name: 'Export…' }).click();
        const dialog = page.getByRole('dialog', { name: `Export session ${session}` });
        await dialog.waitFor(WAIT);
        await dialog.getByRole('radio', { name: 'Artillery' }).click();
        expect(await dialog.getByTestId('export-secrets').textContent()).toMatch(
          /never written: the script reads environment variables instead/,
        );
        const button = dialog.getByRole('button', { name: 'Export Artillery' });
        expect(await button.isVisible()).toBe(true);
        const box = (await dialog.boundingBox())!;
        expect(box.y + box.height).toBeLessThanOrEqual(height);
        const [download] = await Promise.all([page.waitForEvent('download', WAIT), button.click()]);
        expect(download.suggestedFilename()).toBe(`session-${session}.artillery.yml`);
        file = join(ws.dir, `console-${width}.yml`);
        await download.saveAs(file);
        const done = await dialog.getByTestId('export-done').textContent();
        expect(done).toContain(`Saved session-${session}.artillery.yml.`);
        expect(done).toMatch(/Set these environment variables before running it .*AUTHORIZATION/);
        await page.close();
      }
      expect(problems).toEqual([]);

      const script = readFileSync(file, 'utf8');
      for (const s of SECRETS) expect(script).not.toContain(s);
      expect(script).toContain('"Authorization": "Bearer {{ $env.AUTHORIZATION }}"');
      const mock = await startMock([String(session), '--mode', 'reactive', '--db', ws.db]);
      try {
        writeFileSync(
          file,
          script.replace(
            /target: .*/,
            `target: "${mock.url.replace(/\/$/, '')}/quotes?api_key={{ $env.API_KEY }}"`,
          ),
        );
        const run = await runArtillery(ws.dir, file, {
          AUTHORIZATION: 'ci-bearer',
          TOKEN: 'ci-token',
          API_KEY: 'ci-key',
        });
        expect(run.code, `${run.stdout}${run.stderr}`.slice(-3000)).toBe(0);
        expect(run.counters).toMatchObject({ 'websocket.messages_received': 4, 'vusers.completed': 1 });
      } finally {
        await mock.stop();
      }
    },
    // One Artillery run: a Node program that starts in seconds here and in tens of seconds beside a CPU hog.
    180_000,
  );
});
