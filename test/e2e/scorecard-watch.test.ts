// The scorecard and the watch in the console, in a real browser: a session recorded against the
// Python `websockets` peer (two upgrades refused, a message left unanswered, each connection closed
// with 1011) shows its success metrics in the session view and, linked to an incident, in the
// incident's post-mortem; a `frameline watch` started in a terminal on the same database is a line
// of the status bar while it runs, and the line goes once it is stopped with SIGTERM.
import { createInterface } from 'node:readline';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, launchChromium } from '../support/browser.js';
import { cli, cliJson, finished, startCli, workspace, type Workspace } from '../support/cli.js';
import { PYTHON, serverScript, startPeer, type Peer } from '../support/processes.js';
import { recordRefusals } from '../support/fixtures-sessions.js';
import { serve, type Served } from '../support/serve.js';

const WAIT = { timeout: 30_000 };

describe.skipIf(browserMissing())('the scorecard and a running watch in the console', () => {
  let ws: Workspace;
  let healthy: Peer;
  let served: Served;
  let browser: Browser;
  let page: Page;
  let session: number;
  let incident: number;
  const problems: string[] = [];

  beforeAll(async () => {
    ws = workspace();
    healthy = await startPeer(PYTHON, [serverScript('python_ws.py'), '--ping-interval', '0.5']);
    session = await recordRefusals(ws.db);
    incident = (await cliJson<{ id: number }>(['incident', 'create', '--title', 'Refusals', '--db', ws.db]))
      .json.id;
    await cli(['incident', 'link', String(incident), '--session', String(session), '--db', ws.db]);
    served = await serve(ws.db);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(await served.openUrl());
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await healthy?.stop();
    ws?.cleanup();
  });

  it('shows a session its scorecard, and an incident the scorecard of its linked sessions', async () => {
    await page.goto(`${served.origin}/#/sessions/${session}`);
    const card = page.getByTestId('scorecard');
    const connections = card.locator('tr[data-metric="connectionSuccess"]');
    await connections.getByText('2 of 4 connections opened').waitFor(WAIT);
    expect(await connections.textContent()).toMatch(/connection success50 %> 99\.5 %fail/);
    expect(await card.locator('tr[data-metric="heartbeat"]').textContent()).toMatch(/n\/a.*no data/);
    expect(await card.locator('tr[data-metric="reconnection"]').textContent()).toContain(
      '1 of 2 drops reconnected (3 attempts after a drop)',
    );

    await page.goto(`${served.origin}/#/incidents/${incident}`);
    await page.getByRole('tab', { name: 'Post-mortem' }).click();
    const linked = page.getByRole('region', { name: 'Scorecard of the linked sessions' });
    await linked
      .locator('tr[data-metric="delivery"]')
      .getByText('1 of 2 requests answered (paired by id)')
      .waitFor(WAIT);
    expect(problems).toEqual([]);
  });

  it('says in the status bar that a watch runs, until it is stopped', async () => {
    const watch = startCli([
      'watch',
      `ws://127.0.0.1:${healthy.port}/`,
      '--every',
      '2',
      '--idle-limit',
      '1',
      '--db',
      ws.db,
    ]);
    const exit = finished(watch, 60_000);
    try {
      const first = await new Promise<string>((resolve) =>
        createInterface({ input: watch.stdout! }).once('line', resolve),
      );
      expect(first).toMatch(/^metrics http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const line = page.getByTestId('watches');
      await line.getByText(`Watching ws://127.0.0.1:${healthy.port}/ every 2 s`).waitFor(WAIT);
      // After its first round, what the round found.
      await line.getByText(/\d+ rounds?, last: no finding/).waitFor(WAIT);
    } finally {
      watch.kill('SIGTERM');
    }
    expect((await exit).code).toBe(0);
    await page.getByTestId('watches').waitFor({ state: 'detached', ...WAIT });
    expect(problems).toEqual([]);
  });
});
