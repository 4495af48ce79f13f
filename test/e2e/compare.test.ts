// The Compare journey: "did the fix work?" after raising nginx's proxy_read_timeout from 3 s to
// 3600 s. Both captures are recorded for real (the Python server behind nginx), the console is served
// from their database, and an engineer opens the after capture, picks "Compare with…", chooses the
// before one, reads the verdict, the measures, the charts and the findings that went, swaps the two,
// and looks at it at 1440×900 and 1024×700 in both themes with no clipped text.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, launchChromium } from '../support/browser.js';
import { cli, workspace, type Workspace } from '../support/cli.js';
import { BEFORE_NAME, recordIdleCutFix, type IdleCutFix } from '../support/idle-cut-fix.js';
import { clipsText, findClippedText } from '../support/layout.js';
import { inspectShot } from '../support/screenshots.js';
import { serve, type Served } from '../support/serve.js';

const WAIT = { timeout: 20_000, interval: 50 };
const SIZES = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
] as const;

describe.skipIf(browserMissing())('compare view', () => {
  let ws: Workspace;
  let fix: IdleCutFix;
  let served: Served;
  let browser: Browser;
  let incident = 0;

  beforeAll(async () => {
    ws = workspace();
    fix = await recordIdleCutFix(ws.db);
    // The incident both captures are the evidence of: its report can compare them.
    const created = await cli([
      'incident',
      'create',
      '--title',
      'Prices drop every 3 s',
      '--json',
      '--db',
      ws.db,
    ]);
    incident = (JSON.parse(created.stdout) as { id: number }).id;
    for (const id of [fix.before, fix.after])
      expect(
        (await cli(['incident', 'link', String(incident), '--session', String(id), '--db', ws.db])).code,
      ).toBe(0);
    served = await serve(ws.db);
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await fix?.stop();
    ws?.cleanup();
  });

  const verdict = (page: Page) => page.locator('.compare-verdict');
  const rowOf = (page: Page, measure: string) =>
    page.locator('.compare-table tbody tr').filter({ has: page.getByRole('rowheader', { name: measure }) });

  async function noClips(page: Page, where: string): Promise<void> {
    expect(clipsText(await findClippedText(page)), `clipped text on ${where}`).toBe('');
  }

  it('compares the capture after the fix with the one before: the idle cuts are gone', async () => {
    const page = await browser.newPage({ viewport: SIZES[0] });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(await served.openUrl());
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Sessions' }).click();
    await page.locator(`tr[data-session-id="${fix.after}"]`).click();

    // Compare with…: the other session, and which side this one is on.
    await page.getByRole('button', { name: 'Compare with…' }).click();
    const dialog = page.getByRole('dialog', { name: `Compare session ${fix.after} with…` });
    await dialog.getByLabel('The other session').selectOption(String(fix.before));
    await dialog.getByLabel('after the fix').check();
    await dialog.getByRole('button', { name: 'Compare' }).click();

    await expect
      .poll(() => page.evaluate(() => location.hash), WAIT)
      .toBe(`#/sessions/compare/${fix.before}/${fix.after}`);
    await verdict(page).waitFor(WAIT);
    expect(await verdict(page).textContent()).toMatch(/^Verdict: The \d(\.\d)? s idle cuts are gone/);
    expect(await verdict(page).getAttribute('class')).toContain('tone-better');
    expect(await page.getByLabel(`Before: session ${fix.before}`).textContent()).toContain(BEFORE_NAME);

    // The measures, each with the way it moved.
    const idle = rowOf(page, 'idle before close');
    expect(await idle.getAttribute('data-change')).toBe('better');
    expect(await idle.locator('td').first().textContent()).toMatch(/^cut after \d(\.\d)? s idle$/);
    expect(await rowOf(page, 'reconnects').getAttribute('data-change')).toBe('better');
    expect(await rowOf(page, 'closes').locator('td').first().textContent()).toMatch(/1006 ×\d+ \(network\)/);

    // The lifetimes chart: a row of short bars before (cut at 3 s), one long bar after.
    const before = await page.locator('[data-side=before] .compare-bar').count();
    expect(before).toBeGreaterThanOrEqual(2);
    expect(await page.locator('[data-side=after] .compare-bar').count()).toBe(1);
    const heights = await page
      .locator('.compare-bar')
      .evaluateAll((bars) => bars.map((b) => b.getBoundingClientRect().height));
    expect(heights.at(-1)!).toBeGreaterThan(2 * Math.max(...heights.slice(0, -2)));
    // Round trips: the answers to the request with an id, before and after.
    expect(await page.locator('.compare-latency').count()).toBeGreaterThanOrEqual(4);

    // The idle timeout is among the findings that went.
    const gone = page.getByRole('region', { name: 'Gone (before only)' });
    expect(await gone.textContent()).toContain('idle-timeout');
    expect(await page.getByRole('region', { name: 'New (after only)' }).textContent()).toContain(
      'Nothing new in the after session.',
    );
    await noClips(page, 'compare 1440 dark');
    await inspectShot(page, 'compare-1440-dark');

    // Swapped, the cuts are new: the verdict says so, and the way back is the browser's Back.
    await page.getByRole('button', { name: 'Swap before and after' }).click();
    await expect
      .poll(() => verdict(page).textContent(), WAIT)
      .toMatch(/^Verdict: New idle cuts after \d(\.\d)? s/);
    expect(await verdict(page).getAttribute('class')).toContain('tone-worse');
    await page.getByRole('button', { name: 'Swap before and after' }).click();
    await expect.poll(() => verdict(page).textContent(), WAIT).toMatch(/^Verdict: The \d(\.\d)? s idle cuts/);

    // Both sizes, both themes, nothing clipped.
    for (const size of SIZES)
      for (const theme of ['dark', 'light'] as const) {
        if (size.width === 1440 && theme === 'dark') continue;
        await page.setViewportSize(size);
        const current = await page.evaluate(() => document.documentElement.dataset.theme);
        if (current !== theme)
          await page.getByRole('button', { name: theme === 'light' ? 'Light theme' : 'Dark theme' }).click();
        expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
        await expect.poll(() => page.locator('[data-side=after] .compare-bar').count(), WAIT).toBe(1);
        await noClips(page, `compare ${size.width} ${theme}`);
        await inspectShot(page, `compare-${size.width}-${theme}`);
      }

    // The incident's report can carry the same comparison: "Before and after" in the dialog.
    await page.setViewportSize(SIZES[0]);
    await page.goto(`${new URL(page.url()).origin}/#/incidents/${incident}`);
    await page.getByRole('button', { name: 'Export report…' }).click();
    const report = page.getByRole('dialog', { name: 'Export report' });
    await report.getByLabel('Include “Before and after”').check();
    await report.getByLabel('Before the fix').selectOption(String(fix.before));
    await report.getByLabel('After the fix').selectOption(String(fix.after));
    const frame = page.frameLocator('iframe[data-testid=report-preview]');
    await expect
      .poll(
        () =>
          frame
            .locator('.verdict')
            .textContent({ timeout: 1000 })
            .catch(() => ''),
        WAIT,
      )
      .toMatch(/^Verdict: The \d(\.\d)? s idle cuts are gone/);
    expect(await frame.getByRole('heading', { name: 'Before and after' }).count()).toBe(1);
    await noClips(page, 'report dialog with before and after');
    await inspectShot(page, 'compare-report-dialog');
    expect(problems).toEqual([]);
    await page.close();
  });
});
