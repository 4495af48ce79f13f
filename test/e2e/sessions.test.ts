// The Sessions journey, as an engineer does it the morning after: sessions recorded with the
// command line against real peers, the console served from the same database, opened in Chromium.
// Find the session, open it, search its payloads, read how each connection ended, rename and tag it,
// delete the one that does not matter, and be told why a live one cannot go yet.
import type { ChildProcess } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echo, wsServer, type WsScenario } from '../servers/scenarios.js';
import { browserMissing, launchChromium } from '../support/browser.js';
import { screenshot } from '../support/screenshots.js';
import { cli, cliJson, startCli, workspace, type Workspace } from '../support/cli.js';
import { recordFlaky, recordGateway, type Recorded } from '../support/fixtures-sessions.js';
import { serverScript, startPeer } from '../support/processes.js';
import { serve, type Served } from '../support/serve.js';

const WAIT = { timeout: 15_000, interval: 50 };

interface ListedSession {
  id: number;
  name: string;
  status: string;
  frames: number;
}

describe.skipIf(browserMissing())('sessions screen', () => {
  let ws: Workspace;
  let served: Served;
  let browser: Browser;
  let echoServer: WsScenario;
  let liveCapture: ChildProcess;
  let gateway: Recorded;
  let flaky: Recorded;
  let scratch: Recorded;
  let live: ListedSession;

  beforeAll(async () => {
    ws = workspace();
    gateway = await recordGateway(ws.db);
    flaky = await recordFlaky(ws.db);
    scratch = await recordGateway(ws.db, 'scratch run');
    // A capture that is still running in another process while the console is open.
    echoServer = await wsServer(echo);
    liveCapture = startCli([
      'capture',
      `${echoServer.url}/tail`,
      '--name',
      'live tail',
      '--quiet',
      '--db',
      ws.db,
    ]);
    await new Promise<void>((resolve, reject) => {
      let stderr = '';
      liveCapture.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/connected/.test(stderr)) resolve();
      });
      liveCapture.once('exit', (code) =>
        reject(new Error(`the live capture exited with ${code}: ${stderr}`)),
      );
    });
    const { json } = await cliJson<ListedSession[]>(['sessions', '--db', ws.db]);
    live = json.find((s) => s.name === 'live tail')!;
    expect(live.status).toBe('live');
    served = await serve(ws.db);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    if (liveCapture && liveCapture.exitCode === null) {
      const exited = new Promise((resolve) => liveCapture.once('exit', resolve));
      liveCapture.kill('SIGTERM');
      await exited;
    }
    await echoServer?.close();
    ws?.cleanup();
  });

  async function openSessions(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.url);
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Sessions' }).click();
    await page.locator('tr[data-session-id]').first().waitFor(WAIT);
    expect(errors).toEqual([]);
    return page;
  }

  const row = (page: Page, id: number) => page.locator(`tr[data-session-id="${id}"]`);
  const rowIds = (page: Page) =>
    page
      .locator('tr[data-session-id]')
      .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-session-id'))));

  it('finds a session, searches its frames, charts it, shows how each connection ended, renames and tags it', async () => {
    const page = await openSessions();

    // Every session is listed, newest first, with its status and frame count.
    expect(await rowIds(page)).toEqual([live.id, scratch.id, flaky.id, gateway.id]);
    const gatewayRow = row(page, gateway.id);
    expect(await gatewayRow.locator('.col-name').textContent()).toContain('prices gateway');
    expect(await gatewayRow.locator('.col-target').textContent()).toMatch(
      /^ws:\/\/127\.0\.0\.1:\d+\/prices$/,
    );
    expect(await gatewayRow.locator('[data-status]').getAttribute('data-status')).toBe('complete');
    expect(await gatewayRow.locator('.col-frames').textContent()).toBe('10');
    expect(await row(page, live.id).locator('[data-status]').getAttribute('data-status')).toBe('live');

    // The search looks at names and targets; the status filter narrows too.
    await page.getByLabel('Search sessions by name, target or tag').fill('orders');
    await expect.poll(() => rowIds(page), WAIT).toEqual([flaky.id]);
    await page.getByLabel('Search sessions by name, target or tag').fill('');
    await page.getByRole('radio', { name: 'Live' }).click();
    await expect.poll(() => rowIds(page), WAIT).toEqual([live.id]);
    await page.getByRole('radio', { name: 'All' }).click();
    await expect.poll(() => rowIds(page), WAIT).toHaveLength(4);

    // Open the gateway: the header, the 1011 close on the timeline, the rate chart with every frame.
    await gatewayRow.click();
    await page.locator('.session-name').waitFor(WAIT);
    expect(await page.locator('.session-name').textContent()).toContain('prices gateway');
    expect(await page.locator('.session-target').textContent()).toContain('/prices');
    const bar = page.locator('[data-testid=connection-timeline] [data-connection="1"]');
    expect(await bar.getAttribute('data-close-code')).toBe('1011');
    expect(await bar.getAttribute('aria-label')).toMatch(
      /1011 Internal Error[\s\S]*pricing backend unavailable[\s\S]*closed by the server/,
    );
    const chart = page.locator('[data-testid=rate-chart]');
    await chart.waitFor(WAIT);
    expect(Number(await chart.getAttribute('data-frames'))).toBe(10);
    expect(await chart.locator('path.rate-in').getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+L/);

    // The frames are in the shared frame view; full-text search narrows them to the one alert.
    const count = page.locator('.frame-view .filter-count');
    await expect.poll(() => count.textContent(), WAIT).toBe('10 frames');
    await page.getByLabel('Search frames').fill('margin');
    await expect.poll(() => count.textContent(), WAIT).toBe('1 of 10 frames');
    await expect.poll(() => page.locator('.frame-view [role=row][data-seq]').count(), WAIT).toBe(1);
    expect(await page.locator('.frame-view [role=row][data-seq]').textContent()).toContain('margin-call');
    await page.getByLabel('Search frames').fill('FRML');
    await expect.poll(() => count.textContent(), WAIT).toBe('5 of 10 frames');

    // Rename in place, and tag it.
    await page.locator('.session-name-button').click();
    await page.getByLabel('Session name').fill('prices gateway — INC-4821');
    await page.getByLabel('Session name').press('Enter');
    await expect.poll(() => page.locator('.session-name').textContent(), WAIT).toContain('INC-4821');
    await page.locator('.tag-add').click();
    for (const tag of ['INC-4821', 'prod']) {
      await page.getByLabel('New tag').fill(tag);
      await page.getByLabel('New tag').press('Enter');
      await page.locator('.tag-chip', { hasText: tag }).waitFor(WAIT);
    }
    await page.getByLabel('New tag').press('Escape');

    // The flaky feed: a restart, a drop with no close frame, an application code, then refusals.
    await page.locator('.session-crumbs button', { hasText: 'Sessions' }).click();
    await row(page, flaky.id).click();
    const bars = page.locator('[data-testid=connection-timeline] [data-connection]');
    await expect.poll(() => bars.count(), WAIT).toBe(5);
    const outcomes = await bars.evaluateAll((els) =>
      els.map((e) => e.getAttribute('data-close-code') ?? e.getAttribute('data-error-kind')),
    );
    expect(outcomes).toEqual(['1001', '1006', '4001', 'refused', 'refused']);
    expect(await bars.evaluateAll((els) => els.map((e) => e.getAttribute('data-class')))).toEqual([
      'restart',
      'abnormal',
      'app',
      'failed',
      'failed',
    ]);
    expect(
      await page.locator('[data-testid=connection-timeline] [data-event=reconnect-scheduled]').count(),
    ).toBe(4);
    await page.locator('[data-testid=rate-chart]').waitFor(WAIT);
    // Hovering the 1006 bar explains it.
    const drop = page.locator('[data-testid=connection-timeline] [data-connection="2"] .timeline-bar');
    await drop.hover();
    const tooltip = page.getByRole('tooltip');
    await tooltip.waitFor(WAIT);
    expect(await tooltip.textContent()).toMatch(/Connection 2: 1006 Abnormal Closure[\s\S]*no close frame/);
    await screenshot(page, 'sessions-detail.png');

    // Back in the list, the new name and tags are there, and a tag finds the session.
    await page.locator('.session-crumbs button', { hasText: 'Sessions' }).click();
    await expect
      .poll(() => row(page, gateway.id).locator('.col-name').textContent(), WAIT)
      .toContain('INC-4821');
    expect(await row(page, gateway.id).locator('.tag-chip').allTextContents()).toEqual(['INC-4821', 'prod']);
    await page.mouse.move(0, 0);
    await screenshot(page, 'sessions.png');
    await page.getByLabel('Search sessions by name, target or tag').fill('prod');
    await expect.poll(() => rowIds(page), WAIT).toEqual([gateway.id]);

    // And the engine kept them.
    const { json } = await cliJson<Array<ListedSession & { name: string }>>(['sessions', '--db', ws.db]);
    expect(json.find((s) => s.id === gateway.id)?.name).toBe('prices gateway — INC-4821');
    await page.close();
  });

  it('deletes a session after asking, and says why a live one cannot be deleted yet', async () => {
    const page = await openSessions();
    const dialog = page.getByRole('dialog');

    // A live capture: the engine refuses, and its reason is shown in the dialog.
    await row(page, live.id).hover();
    await row(page, live.id)
      .getByRole('button', { name: `Delete session ${live.id}` })
      .click();
    await dialog.waitFor(WAIT);
    await dialog.getByRole('button', { name: 'Delete session' }).click();
    await dialog.getByRole('alert').waitFor(WAIT);
    expect(await dialog.getByRole('alert').textContent()).toMatch(
      /still being captured.*stop it before deleting it/,
    );
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached', ...WAIT });

    // Cancelling keeps it; confirming deletes it.
    await row(page, scratch.id).hover();
    await row(page, scratch.id)
      .getByRole('button', { name: `Delete session ${scratch.id}` })
      .click();
    expect(await dialog.textContent()).toMatch(/scratch run.*10 frames.*cannot be undone/);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached', ...WAIT });
    expect(await rowIds(page)).toContain(scratch.id);

    await row(page, scratch.id).hover();
    await row(page, scratch.id)
      .getByRole('button', { name: `Delete session ${scratch.id}` })
      .click();
    await dialog.getByRole('button', { name: 'Delete session' }).click();
    await dialog.waitFor({ state: 'detached', ...WAIT });
    await expect.poll(() => rowIds(page), WAIT).not.toContain(scratch.id);
    expect(await page.locator('.sessions-notice').textContent()).toContain(`Deleted session ${scratch.id}`);
    const { json } = await cliJson<ListedSession[]>(['sessions', '--db', ws.db]);
    expect(json.map((s) => s.id)).not.toContain(scratch.id);
    expect(json.map((s) => s.id)).toContain(live.id);

    // The detail header deletes too.
    await row(page, flaky.id).click();
    await page.getByRole('button', { name: 'Delete…' }).click();
    await dialog.getByRole('button', { name: 'Delete session' }).click();
    await page.locator('.sessions-table').waitFor(WAIT);
    await expect.poll(() => rowIds(page), WAIT).toEqual([live.id, gateway.id]);
    await page.close();
  });
});

// How fast this opens is measured by the console benchmark (npm run bench), not here.
describe.skipIf(browserMissing())('a large session', () => {
  let ws: Workspace;
  let served: Served;
  let browser: Browser;

  beforeAll(async () => {
    ws = workspace();
    const peer = await startPeer(process.execPath, [serverScript('flood-peer.mjs'), 'fast', '200000']);
    try {
      const result = await cli(
        ['capture', `ws://127.0.0.1:${peer.port}/ticks`, '--name', 'flood', '--quiet', '--db', ws.db],
        {},
        120_000,
      );
      expect(result.stderr).toMatch(/200002 frames/);
    } finally {
      await peer.stop();
    }
    served = await serve(ws.db);
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    ws?.cleanup();
  });

  it('opens with its header, timeline and first frames, and charts every frame', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(served.url);
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Sessions' }).click();
    const flood = page.locator('tr[data-session-id]', { hasText: 'flood' });
    await flood.waitFor(WAIT);
    expect(await flood.locator('.col-frames').textContent()).toBe('200,002');

    await flood.click();
    await page.locator('[data-testid=connection-timeline] [data-close-code="1000"]').waitFor(WAIT);
    await page.locator('.frame-view [role=row][data-seq="1"]').waitFor(WAIT);
    expect(await page.locator('.frame-view .filter-count').textContent()).toBe('200,002 frames');

    const chart = page.locator('[data-testid=rate-chart]');
    await chart.waitFor(WAIT);
    expect(Number(await chart.getAttribute('data-frames'))).toBe(200_002);
    await page.close();
  });
});
