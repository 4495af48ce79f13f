// The walk's VERIFY step in the console, against a real fix: the Python server behind nginx with
// proxy_read_timeout 3s is captured at the alert, and the walk reaches "Connections stable again?"
// before anything was captured after the fix: "Yes" asks first. Then nginx is started again at the
// same address with 3600s, the endpoint is captured at APPLY, and VERIFY compares the two captures:
// the idle cuts are gone, and "Yes" goes on to Monitor without asking. The walk is moved with the
// command line (the Walk journey drives the console's own moves); the console shows each state.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNginx, type Proxy } from '../servers/proxies.js';
import { browserMissing, launchChromium } from '../support/browser.js';
import { cli, workspace, type Workspace } from '../support/cli.js';
import { clipsText, findClippedText } from '../support/layout.js';
import { PYTHON, serverScript, startPeer, type Peer } from '../support/processes.js';
import { inspectShot } from '../support/screenshots.js';
import { serve, type Served } from '../support/serve.js';

const WAIT = { timeout: 20_000 };

describe.skipIf(browserMissing())('walk: VERIFY compares before and after', () => {
  let ws: Workspace;
  let backend: Peer;
  let proxy: Proxy | null = null;
  let served: Served;
  let browser: Browser;

  const fl = async (...args: string[]) => {
    const r = await cli([...args, '--db', ws.db], {}, 60_000);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  };

  beforeAll(async () => {
    ws = workspace();
    backend = await startPeer(PYTHON, [serverScript('python_ws.py')]);
    proxy = await startNginx({ upstreamPort: backend.port, websocket: true, readTimeoutSeconds: 3 });
    await fl('incident', 'create', '--title', 'Prices drop every 3 s');
    await fl('walk', 'start', '1', '--runbook', 'ws-3am', '--target', `${proxy.url}/prices`);
    // Long enough for two cuts at 3 s: a steady idle timeout, critical.
    await fl('walk', 'action', '1', '--step', '2', '--duration', '8');
    for (const way of ['', 'Load balancer', '', '', 'Timeouts', '', ''])
      await fl('walk', 'choose', '1', ...(way ? [way] : []));
    served = await serve(ws.db);
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await proxy?.stop();
    await backend?.stop();
    ws?.cleanup();
  });

  async function openWalk(page: Page): Promise<void> {
    await page.goto(await served.openUrl());
    await page.goto(`${new URL(page.url()).origin}/#/incidents/1/walks/1`);
    await page.locator('section.node-panel[data-node=VERIFY]').waitFor(WAIT);
  }

  it('asks before "Yes" with no capture after the fix, then shows the idle cuts gone', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await openWalk(page);
    const panel = page.getByRole('region', { name: 'Current step' });
    const beforeAfter = panel.locator('.verify-compare');
    expect(await beforeAfter.textContent()).toContain(
      'Session 1 is the capture before the fix; capture the endpoint again after it',
    );

    // "Yes" asks first, and "Not yet" stays at VERIFY.
    await panel.locator('button[data-choice=Yes]').click();
    const nudge = page.getByRole('dialog', { name: 'Choose “Yes” anyway?' });
    await nudge.waitFor(WAIT);
    expect(await nudge.textContent()).toContain(
      'No capture was made after the fix: session 1 is from before it.',
    );
    expect(clipsText(await findClippedText(page))).toBe('');
    await inspectShot(page, 'walk-verify-nudge');
    await nudge.getByRole('button', { name: 'Not yet' }).click();
    await nudge.waitFor({ state: 'detached', ...WAIT });
    expect(await panel.getAttribute('data-node')).toBe('VERIFY');

    // The fix: the same address, proxy_read_timeout 3600s; the endpoint captured again at APPLY.
    const port = proxy!.port;
    await proxy!.stop();
    proxy = null;
    proxy = await startNginx({ upstreamPort: backend.port, websocket: true, readTimeoutSeconds: 3600, port });
    await fl('walk', 'back', '1');
    // Longer than the 3 s cut it has to show gone.
    await fl('walk', 'action', '1', '--step', '1', '--duration', '5');
    await fl('walk', 'choose', '1');
    await openWalk(page);

    await beforeAfter
      .getByRole('button', { name: 'Compare session 1 (before) with session 2 (after)' })
      .click();
    const verdict = beforeAfter.locator('.verify-verdict');
    await verdict.waitFor(WAIT);
    expect(await verdict.textContent()).toMatch(/^The \d(\.\d)? s idle cuts are gone/);
    expect(await verdict.getAttribute('class')).toContain('tone-better');
    expect(await beforeAfter.getByRole('link').getAttribute('href')).toBe('#/sessions/compare/1/2');
    expect(clipsText(await findClippedText(page))).toBe('');
    await inspectShot(page, 'walk-verify-compared');

    // Now "Yes" goes on at once.
    await panel.locator('button[data-choice=Yes]').click();
    await page.locator('section.node-panel[data-node=MONITOR]').waitFor(WAIT);
    expect(await page.getByRole('dialog', { name: 'Choose “Yes” anyway?' }).count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});
