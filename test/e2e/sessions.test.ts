// The Sessions journey, as an engineer does it the morning after: sessions recorded with the
// command line against real peers, the console served from the same database, opened in Chromium.
// Find the session, open it, search its payloads, read how each connection ended, rename and tag it,
// delete the one that does not matter, and be told why a live one cannot go yet.
import type { ChildProcess } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echo, wsServer, type WsScenario } from '../servers/scenarios.js';
import { browserMissing, launchChromium } from '../support/browser.js';
import { cli, cliJson, startCli, workspace, type Workspace } from '../support/cli.js';
import { recordFlaky, recordGateway, type Recorded } from '../support/fixtures-sessions.js';
import { clipsText, findClippedText } from '../support/layout.js';
import { serverScript, startPeer } from '../support/processes.js';
import { inspectShot, readmeShot } from '../support/screenshots.js';
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

  async function openSessions(
    viewport = { width: 1440, height: 900 },
    options: { timezoneId?: string } = {},
  ): Promise<Page> {
    const page = await browser.newPage({ viewport, ...options });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(await served.openUrl());
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Sessions' }).click();
    await page.locator('tr[data-session-id]').first().waitFor(WAIT);
    expect(errors).toEqual([]);
    return page;
  }

  const row = (page: Page, id: number) => page.locator(`tr[data-session-id="${id}"]`);
  /** True when a select's chosen option is drawn whole inside it (a select cuts its text, no ellipsis). */
  const selectShowsItsText = (select: ReturnType<Page['locator']>) =>
    select.evaluate((el) => {
      const s = el as HTMLSelectElement;
      const st = getComputedStyle(s);
      const ctx = document.createElement('canvas').getContext('2d')!;
      ctx.font = st.font;
      const arrow = st.appearance === 'none' ? 0 : 18;
      const room = s.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight) - arrow;
      return ctx.measureText(s.selectedOptions[0]?.text ?? '').width <= room + 1;
    });
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
    // How the connections ended, at a glance.
    expect(await gatewayRow.locator('.col-outcome').textContent()).toBe('1011');
    expect(await row(page, flaky.id).locator('.col-outcome').textContent()).toBe('1001 1006 4001 refused ×2');
    expect(await row(page, live.id).locator('.col-outcome').textContent()).toBe('open');

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
    // The match is marked in the payload, in the list and in the frame's detail.
    await expect
      .poll(() => page.locator('.frame-view [role=row][data-seq] mark').allTextContents(), WAIT)
      .toEqual(['margin']);
    await page.locator('.frame-view [role=row][data-seq]').click();
    const detail = page.getByRole('complementary', { name: /^Frame \d+$/ });
    await expect.poll(() => detail.locator('mark').allTextContents(), WAIT).toEqual(['margin']);
    await page.keyboard.press('Escape');
    await page.getByLabel('Search frames').fill('FRML');
    await expect.poll(() => count.textContent(), WAIT).toBe('5 of 10 frames');

    // Clicking the title selects it like any text; renaming is its own button.
    await page.locator('.session-name-text').click();
    expect(await page.getByLabel('Session name').count()).toBe(0);
    await page.getByRole('button', { name: 'Rename' }).click();
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
    // Picking a connection narrows the frames to it.
    await page.locator('.connection-item[data-connection-id] .connection-summary').nth(1).click();
    const flakyCount = page.locator('.frame-view .filter-count');
    await expect.poll(() => flakyCount.textContent(), WAIT).toMatch(/^\d+ of \d+ frames$/);
    await expect
      .poll(() => page.locator('.frame-view [role=row][data-seq] .cell-conn').allTextContents(), WAIT)
      .toSatisfy((cells: string[]) => cells.length > 0 && cells.every((c) => c.endsWith('#2')));
    // Hovering the 1006 bar explains it.
    const drop = page.locator('[data-testid=connection-timeline] [data-connection="2"] .timeline-bar');
    await drop.hover();
    const tooltip = page.getByRole('tooltip');
    await tooltip.waitFor(WAIT);
    expect(await tooltip.textContent()).toMatch(/Connection 2: 1006 Abnormal Closure[\s\S]*no close frame/);
    await readmeShot(page, 'sessions-detail');

    // Back in the list, the new name and tags are there, and a tag finds the session.
    await page.locator('.session-crumbs button', { hasText: 'Sessions' }).click();
    await expect
      .poll(() => row(page, gateway.id).locator('.col-name').textContent(), WAIT)
      .toContain('INC-4821');
    expect(await row(page, gateway.id).locator('.tag-chip').allTextContents()).toEqual(['INC-4821', 'prod']);
    await page.mouse.move(0, 0);
    await readmeShot(page, 'sessions');
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

  it('fits the list and a session at 1024×700: ages, outcomes, findings, connection cards, probe lanes and a one-frame rate', async () => {
    // A probe (its connections overlap in time), a session of one message, and a diagnosed gateway.
    const probe = await cli([
      'probe',
      `${echoServer.url}/probe`,
      '--direct',
      `${echoServer.url}/direct`,
      '--idle-limit',
      '1',
      '--name',
      'probe of the tail',
      '--db',
      ws.db,
    ]);
    expect(probe.code).toBe(0);
    const once = await wsServer((socket) => {
      socket.send('{"type":"hello"}');
      socket.close(1000, 'bye');
    });
    try {
      expect(
        (await cli(['capture', `${once.url}/once`, '--name', 'one message', '--quiet', '--db', ws.db])).code,
      ).toBe(0);
    } finally {
      await once.close();
    }
    expect((await cli(['diagnose', String(gateway.id), '--db', ws.db])).code).toBe(0);
    const flakyAgain = await recordFlaky(ws.db, 'orders feed, the night after');
    const incidentTitle = 'Prices feed drops after 60 s on the gateway during the evening peak';
    expect((await cli(['incident', 'create', '--title', incidentTitle, '--db', ws.db])).code).toBe(0);
    const { json } = await cliJson<ListedSession[]>(['sessions', '--db', ws.db]);
    const probeId = json.find((s) => s.name === 'probe of the tail')!.id;
    const onceId = json.find((s) => s.name === 'one message')!.id;

    const page = await openSessions({ width: 1024, height: 700 });
    await expect.poll(() => rowIds(page), WAIT).toContain(onceId);
    expect(clipsText(await findClippedText(page))).toBe('');
    for (const id of await rowIds(page))
      expect(await row(page, id).locator('.session-age').isVisible()).toBe(true);
    // The diagnosed gateway carries its findings; the others none.
    expect(await row(page, gateway.id).locator('[data-findings]').getAttribute('data-findings')).toBe(
      'warning',
    );
    expect(await row(page, gateway.id).locator('[data-findings]').getAttribute('title')).toBe('1 warning');
    expect(await row(page, onceId).locator('[data-findings]').count()).toBe(0);
    // Filters by kind.
    await page.getByLabel('Kind').selectOption('probe');
    await expect.poll(() => rowIds(page), WAIT).toEqual([probeId]);
    await page.getByLabel('Kind').selectOption('');
    // The incident filter shows the incident it is set to, not its first few words cut off; its
    // whole title is one hover away.
    const incident = page.getByLabel('Incident');
    await incident.selectOption({ index: 1 });
    expect(await selectShowsItsText(incident)).toBe(true);
    expect(await incident.getAttribute('title')).toContain(incidentTitle);
    await incident.selectOption('');
    // The status bar keeps the database's file name whole, clear of the UTC/Local switch.
    const dbFile = page.locator('.status-db-file');
    expect(await dbFile.textContent()).toBe(ws.db.split('/').at(-1));
    const placed = await dbFile.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const db = el.closest('.status-db')!.getBoundingClientRect();
      const zone = document.querySelector('.status-zone')!.getBoundingClientRect();
      return { inside: r.width > 0 && r.right <= db.right + 1, clear: db.right <= zone.left };
    });
    expect(placed).toEqual({ inside: true, clear: true });
    await inspectShot(page, 'sessions-1024');

    // A probe's connections overlap in time: each gets its own lane.
    await row(page, probeId).click();
    const bars = page.locator('[data-testid=connection-timeline] [data-connection] .timeline-bar');
    await expect.poll(() => bars.count(), WAIT).toBeGreaterThan(3);
    const boxes = await bars.evaluateAll((els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
      }),
    );
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i]!, boxes[j]!];
        const inTime = a.left < b.right - 1 && b.left < a.right - 1;
        const inLane = a.top < b.bottom - 1 && b.top < a.bottom - 1;
        expect(inTime && inLane, `bars ${i + 1} and ${j + 1} overlap`).toBe(false);
      }
    expect(clipsText(await findClippedText(page))).toBe('');
    await inspectShot(page, 'session-probe-1024');

    // A flaky feed's connection cards are whole.
    await page.locator('.session-crumbs button', { hasText: 'Sessions' }).click();
    await row(page, flakyAgain.id).click();
    await page.locator('.connection-item').first().waitFor(WAIT);
    expect(clipsText(await findClippedText(page))).toBe('');

    // A session of one message is not "1k/s" at its peak: its narrow buckets are drawn, and their
    // peak said, per bucket, beside the busiest second.
    await page.locator('.session-crumbs button', { hasText: 'Sessions' }).click();
    await row(page, onceId).click();
    const legend = page.locator('.overview-legend .legend-note').first();
    await expect.poll(() => legend.textContent(), WAIT).toMatch(/^peak \d+ per /);
    expect(await legend.textContent()).toMatch(/^peak [1-3] per [\d.]+ (µs|ms) · busiest second 3 frames$/);
    expect(await page.locator('.overview-legend .overview-title').textContent()).toMatch(
      /^Frames per [\d.]+ (µs|ms)$/,
    );
    await page.close();
  });

  it('shows times in local time when asked, and remembers it', async () => {
    const page = await openSessions({ width: 1440, height: 900 }, { timezoneId: 'America/New_York' });
    const created = () => row(page, gateway.id).locator('.col-created .mono').textContent();
    const utc = await created();
    expect(await page.locator('.sessions-table thead .col-created').textContent()).toBe('Created (UTC)');
    await page.getByRole('radiogroup', { name: 'Times' }).getByRole('radio', { name: 'Local' }).click();
    await expect
      .poll(() => page.locator('.sessions-table thead .col-created').textContent(), WAIT)
      .toBe('Created (local)');
    const local = await created();
    const hours = (t: string | null) => Number(t!.slice(11, 13));
    expect([4, 5]).toContain((hours(utc) - hours(local) + 24) % 24);
    await page.reload();
    await page.locator('tr[data-session-id]').first().waitFor(WAIT);
    expect(await created()).toBe(local);
    await row(page, gateway.id).click();
    await page.locator('.frame-list-head .time-toggle').click();
    expect(await page.locator('.frame-list-head .time-toggle').textContent()).toBe('Time local');
    await page.getByRole('radiogroup', { name: 'Times' }).getByRole('radio', { name: 'UTC' }).click();
    await expect
      .poll(() => page.locator('.frame-list-head .time-toggle').textContent(), WAIT)
      .toBe('Time UTC');
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
    await page.goto(await served.openUrl());
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
