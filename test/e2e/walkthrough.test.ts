// The whole 3 AM walkthrough, as the on-call engineer does it, at the two window sizes and in both
// themes: a price feed behind nginx whose proxy_read_timeout cuts idle sockets after 2 s. Attach
// (the cut is seen), probe it (the idle timeout is found with its seconds), diagnose the recorded
// session, walk the 3 AM flowchart to the balancer with a confirmed, edited shell step, and reload.
// At every stop the page is measured for clipped text: nothing may be cut, hidden under a neighbour
// or pushed out of the window. The flowchart's Fit must fit, and its zoom row must stay in its pane.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NGINX, startNginx, type Proxy } from '../servers/proxies.js';
import { wsServer, type WsScenario } from '../servers/scenarios.js';
import { browserMissing, launchChromium } from '../support/browser.js';
import { workspace, type Workspace } from '../support/cli.js';
import { clipsText, findClippedText } from '../support/layout.js';
import { inspectShot } from '../support/screenshots.js';
import { confirmWithCode, serve, type Served } from '../support/serve.js';
import { existsSync } from 'node:fs';

const WAIT = { timeout: 20_000, interval: 50 };
const PROBE_WAIT = { timeout: 45_000, interval: 100 };
const SUBSCRIBE = '{"op":"subscribe","symbol":"FRML"}';

const SIZES = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
] as const;
const THEMES = ['dark', 'light'] as const;

function skipReason(): string | null {
  return browserMissing() ?? (existsSync(NGINX) ? null : `nginx missing at ${NGINX} (apt-get install nginx)`);
}

describe.skipIf(skipReason())('the 3 AM walkthrough at every size and theme', () => {
  let ws: Workspace;
  let served: Served;
  let browser: Browser;
  let feed: WsScenario;
  let proxy: Proxy;

  beforeAll(async () => {
    ws = workspace();
    feed = await wsServer((socket) => {
      socket.on('message', () => {
        socket.send(JSON.stringify({ type: 'quote', symbol: 'FRML', bid: 101.25, ask: 101.27 }));
        socket.send(JSON.stringify({ type: 'quote', symbol: 'FRML', bid: 101.26, ask: 101.29 }));
      });
    });
    proxy = await startNginx({ upstreamPort: feed.port, websocket: true, readTimeoutSeconds: 2 });
    // The walk edits a shell command in the dialog: browser mode runs it only when allowed, and with
    // the code serve shows in its terminal.
    served = await serve(ws.db, ['--allow-any-command']);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await proxy?.stop();
    await feed?.close();
    ws?.cleanup();
  });

  async function noClips(page: Page, where: string): Promise<void> {
    const clips = await findClippedText(page);
    expect(clipsText(clips), `clipped text on ${where}`).toBe('');
  }

  const screens = (page: Page, name: string) =>
    page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name }).click();

  for (const size of SIZES)
    for (const theme of THEMES) {
      const tag = `${size.width}-${theme}`;
      it(`attaches, probes, diagnoses, walks and reloads at ${size.width}×${size.height} in the ${theme} theme with no clipped text`, async () => {
        const page = await browser.newPage({ viewport: size });
        const problems: string[] = [];
        page.on('pageerror', (e) => problems.push(e.message));
        await page.goto(await served.openUrl());
        await page.getByText('Engine connected').waitFor(WAIT);
        if (theme === 'light') await page.getByRole('button', { name: 'Light theme' }).click();
        expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
        const target = `${proxy.url}/prices/${tag}`;

        // Attach: the subscription goes out on open, the quotes come back, nginx cuts the idle socket.
        await page.getByLabel('WebSocket URL').fill(target);
        await page.locator('.connect-bar').getByRole('button', { name: 'Options' }).click();
        await page.locator('#attach-options').getByLabel('Send on open').fill(SUBSCRIBE);
        await page.locator('.connect-bar').getByRole('button', { name: 'Options' }).click();
        await page.getByLabel('WebSocket URL').press('Enter');
        await page.getByTestId('capture-state').filter({ hasText: 'Open' }).waitFor(WAIT);
        await expect
          .poll(
            () =>
              page
                .getByRole('grid', { name: 'Frames' })
                .getByRole('row')
                .filter({ hasText: 'quote' })
                .count(),
            WAIT,
          )
          .toBe(2);
        await noClips(page, `attach, open (${tag})`);
        await page.getByTestId('capture-state').filter({ hasText: 'Ended' }).waitFor(WAIT);
        const close = page.getByRole('region', { name: 'Close', exact: true });
        await expect.poll(() => close.textContent(), WAIT).toContain('1006');
        await page.getByRole('region', { name: 'Handshake' }).waitFor(WAIT);
        await noClips(page, `attach, cut (${tag})`);
        await inspectShot(page, `walkthrough-${tag}-attach`);

        // Probe from the Diagnose tab: the side pane keeps its width, the search keeps its words.
        const side = page.getByRole('complementary', { name: 'Connection' });
        const before = (await side.boundingBox())!.width;
        const tabs = page.getByRole('tablist', { name: 'Side panels' });
        await tabs.getByRole('tab', { name: 'Diagnose' }).click();
        expect((await side.boundingBox())!.width).toBe(before);
        const search = page.getByLabel('Search frames');
        expect(
          await search.evaluate((input) => {
            const el = input as HTMLInputElement;
            const ctx = document.createElement('canvas').getContext('2d')!;
            ctx.font = getComputedStyle(el).font;
            const pad =
              parseFloat(getComputedStyle(el).paddingLeft) + parseFloat(getComputedStyle(el).paddingRight);
            return ctx.measureText(el.placeholder).width <= el.clientWidth - pad + 1;
          }),
        ).toBe(true);
        const panel = page.getByTestId('diagnose-panel');
        await panel.getByRole('button', { name: 'Options' }).click();
        await panel.getByLabel('Idle limit (s)').fill('6');
        await panel.getByRole('button', { name: 'Run probe' }).click();
        const idle = panel.locator('[data-finding="idle-timeout"]');
        await idle.waitFor(PROBE_WAIT);
        await noClips(page, `probe findings (${tag})`);
        await idle.scrollIntoViewIfNeeded();
        await inspectShot(page, `walkthrough-${tag}-probe`);

        // Diagnose the session the attach recorded.
        await screens(page, 'Sessions');
        await page
          .locator('tr[data-session-id]', { hasText: `/prices/${tag}` })
          .filter({ hasNotText: 'probe' })
          .click();
        const diagnosis = page.getByRole('region', { name: 'Diagnosis' });
        await diagnosis.getByRole('button', { name: 'Diagnose this session' }).click();
        await diagnosis.and(page.locator('[data-state="done"]')).waitFor(WAIT);
        await page.locator('[data-testid=rate-chart]').waitFor(WAIT);
        await noClips(page, `session diagnosis (${tag})`);
        await inspectShot(page, `walkthrough-${tag}-session`);

        // Walk the 3 AM flowchart to the balancer.
        await screens(page, 'Incidents');
        await page.getByLabel('Incident title').fill(`Prices stop after a few seconds (${tag})`);
        await page.getByRole('button', { name: 'Open incident' }).click();
        const start = page.getByRole('form', { name: 'Start a walk' });
        await expect.poll(() => start.getByLabel('Runbook').inputValue(), WAIT).toBe('ws-3am');
        await start.getByLabel('Endpoint').fill(target);
        await start.getByRole('button', { name: 'Start the walk' }).click();
        const at = (node: string) =>
          page.locator(`[data-testid=flowchart][data-current="${node}"]`).waitFor(WAIT);
        const choose = (label: string) =>
          page.getByRole('group', { name: 'Ways on' }).locator(`button[data-choice="${label}"]`).click();
        await at('ALERT');
        await choose('next');
        await at('SCOPE');
        await choose('Load balancer');
        await at('BALANCER');
        await choose('next');
        await at('LB_DEBUG');

        // The flowchart: readable by default, its tools inside its pane, and Fit fits.
        const chart = page.locator('.flowchart');
        const chartBox = (await chart.boundingBox())!;
        const tools = (await page.locator('.flowchart-tools').boundingBox())!;
        const zoom = (await page.getByRole('radiogroup', { name: 'Zoom' }).boundingBox())!;
        expect(zoom.x + zoom.width).toBeLessThanOrEqual(chartBox.x + chartBox.width + 1);
        expect(tools.x + tools.width).toBeLessThanOrEqual(chartBox.x + chartBox.width + 1);
        const textPx = () =>
          page.getByTestId('flowchart').evaluate((svg) => {
            const s = svg as SVGSVGElement;
            const scale = s.getBoundingClientRect().width / s.viewBox.baseVal.width;
            const t = s.querySelector('.flow-node text')!;
            return parseFloat(getComputedStyle(t).fontSize) * scale;
          });
        expect(await textPx()).toBeGreaterThanOrEqual(11);
        await page.getByTestId('flowchart-minimap').waitFor(WAIT);
        await inspectShot(page, `walkthrough-${tag}-chart`);
        await page.getByRole('radiogroup', { name: 'Zoom' }).getByRole('radio', { name: 'Fit' }).click();
        const scroller = page.locator('.flowchart-scroll');
        await expect
          .poll(
            () =>
              scroller.evaluate(
                (el) => el.scrollWidth <= el.clientWidth + 1 && el.scrollHeight <= el.clientHeight + 1,
              ),
            WAIT,
          )
          .toBe(true);
        const svg = (await page.getByTestId('flowchart').boundingBox())!;
        const pane = (await scroller.boundingBox())!;
        expect(svg.x).toBeGreaterThanOrEqual(pane.x - 1);
        expect(svg.y).toBeGreaterThanOrEqual(pane.y - 1);
        expect(svg.x + svg.width).toBeLessThanOrEqual(pane.x + pane.width + 1);
        expect(svg.y + svg.height).toBeLessThanOrEqual(pane.y + pane.height + 1);
        await noClips(page, `walk (${tag})`);

        // A shell step, confirmed and edited.
        const step = page.locator('.node-panel .step-item[data-step="1"]');
        await step.getByRole('button', { name: 'Run…' }).click();
        const dialog = page.getByRole('dialog', { name: 'Run this command?' });
        await dialog.waitFor(WAIT);
        await noClips(page, `run dialog (${tag})`);
        await inspectShot(page, `walkthrough-${tag}-dialog`);
        await dialog.getByLabel('Command').fill('echo ok');
        const offset = served.stderr().length;
        await dialog.getByRole('button', { name: 'Run the edited command' }).click();
        // The code serve shows in its terminal, typed into the page (nothing runs on the page's word).
        await dialog.getByLabel('Code from the terminal').waitFor(WAIT);
        await noClips(page, `run dialog asking for the code (${tag})`);
        await inspectShot(page, `walkthrough-${tag}-code`);
        await confirmWithCode(served, dialog, offset);
        await step.locator('.run-view[data-kind=shell][data-status=ok]').waitFor(WAIT);
        await noClips(page, `walk after the run (${tag})`);
        await inspectShot(page, `walkthrough-${tag}-walk`);

        // Reload: the same walk, at the same node, with its run.
        await page.reload();
        await at('LB_DEBUG');
        await step.locator('.run-view[data-kind=shell][data-status=ok]').waitFor(WAIT);
        await noClips(page, `walk after a reload (${tag})`);
        expect(problems).toEqual([]);
        await page.close();
      });
    }
});
