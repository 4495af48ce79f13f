// A walk's connection profile in the console, against a real server that refuses an upgrade without
// a token (Python `websockets`, HTTP 401): the "Start a walk" form takes an Authorization header; the
// walk's capture and its probe get through with it; a run that overrides it with a wrong token is
// refused; the walk screen edits the profile, keeping the secret it was not shown. The token is in no
// page text, no `walk show --json`, no report. At 1440×900 (dark) and 1024×700 (light).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident, WalkView } from '../../shared/contract/incidents.js';
import { browserMissing, launchChromium } from '../support/browser.js';
import { cli, cliJson, workspace, type Workspace } from '../support/cli.js';
import { PYTHON, serverScript, startPeer, type Peer } from '../support/processes.js';
import { serve, type Served } from '../support/serve.js';

const WAIT = { timeout: 30_000 };
const PROBE_WAIT = { timeout: 60_000 };
const TOKEN = 'tok-console-profile-5c2e';

describe.skipIf(browserMissing())('a walk’s connection profile in the console', () => {
  let browser: Browser;
  let ws: Workspace;
  let served: Served;
  let server: Peer;

  beforeAll(async () => {
    ws = workspace();
    server = await startPeer(PYTHON, [
      serverScript('python_ws.py'),
      '--require-header',
      `Authorization: Bearer ${TOKEN}`,
    ]);
    served = await serve(ws.db);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await server?.stop();
    ws?.cleanup();
  });

  const step = (page: Page, index: number) => page.locator(`.node-panel .step-item[data-step="${index}"]`);

  async function open(
    width: number,
    height: number,
    incident: number,
  ): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width, height } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(await served.openUrl());
    await page.goto(`${served.origin}/#/incidents/${incident}`);
    return { page, problems };
  }

  it('starts a walk with a token, captures and probes with it, and never shows or stores it', async () => {
    const db = ['--db', ws.db];
    const { json: incident } = await cliJson<Incident>([
      'incident',
      'create',
      '--title',
      'Prices need a token',
      ...db,
    ]);
    const url = `ws://127.0.0.1:${server.port}`;

    // 1440×900, dark: the walk starts with the token in its profile.
    const { page, problems } = await open(1440, 900, incident.id);
    const start = page.getByRole('form', { name: 'Start a walk' });
    await expect.poll(() => start.getByLabel('Runbook').inputValue(), WAIT).toBe('ws-3am');
    await start.getByLabel('Endpoint').fill(`${url}/prices`);
    await start.getByLabel('Backend, bypassing the load balancer').fill(`${url}/direct`);
    await start.getByText(/^Connection profile/).click();
    await start.getByRole('button', { name: 'Add header' }).click();
    await start.getByLabel('Header name').fill('Authorization');
    await start.getByLabel('Value of Authorization').fill(`Bearer ${TOKEN}`);
    await start.getByLabel('Send on open').fill('{"op":"hello"}');
    await start.getByRole('button', { name: 'Start the walk' }).click();
    const line = page.getByTestId('walk-profile');
    await line
      .filter({ hasText: 'connects with headers Authorization (secret); 1 message on open' })
      .waitFor(WAIT);

    // The capture gets through and sends the message on open.
    await step(page, 2).getByLabel('Capture duration in seconds').fill('1');
    await step(page, 2).getByRole('button', { name: 'Run capture' }).click();
    const capture = step(page, 2).locator('.run-view[data-kind=capture]');
    await capture.and(page.locator('[data-status=ok]')).waitFor(WAIT);
    expect(await capture.locator('.run-summary').textContent()).toMatch(
      /4 frames over 1 connection; ended: 1000 by client/,
    );

    // The probe of the next node too; a run that overrides the token with a wrong one is refused.
    await page.getByRole('group', { name: 'Ways on' }).locator('button[data-choice="next"]').click();
    await page.locator('[data-testid=flowchart][data-current="SCOPE"]').waitFor(WAIT);
    await step(page, 1).getByRole('button', { name: 'Run probe' }).click();
    const probes = step(page, 1).locator('.run-view[data-kind=probe]');
    await probes.and(page.locator('[data-status=ok]')).first().waitFor(PROBE_WAIT);
    expect(await probes.first().textContent()).not.toMatch(/upgrade-rejected/);
    const override = step(page, 1).locator('.step-run-profile');
    await override.getByText(/^This run’s connection/).click();
    await override.getByRole('button', { name: 'Add header' }).click();
    await override.getByLabel('Header name').fill('Authorization');
    await override.getByLabel('Value of Authorization').fill('Bearer wrong');
    await step(page, 1).getByRole('button', { name: 'Run probe' }).click();
    await expect.poll(() => probes.count(), PROBE_WAIT).toBe(2);
    await probes.and(page.locator('[data-status=ok]')).nth(1).waitFor(PROBE_WAIT);
    await probes.locator('[data-finding=upgrade-rejected]').first().waitFor(WAIT);

    // The walk screen edits the profile: the secret is not shown, and left empty it is kept.
    await page.getByRole('button', { name: 'Connection profile…' }).click();
    const dialog = page.getByRole('dialog', { name: /^Connection profile of walk/ });
    await dialog.waitFor(WAIT);
    expect(await dialog.getByLabel('Value of Authorization').inputValue()).toBe('');
    expect(await dialog.getByLabel('Value of Authorization').getAttribute('placeholder')).toMatch(/kept/);
    await dialog.getByLabel('Subprotocols').fill('prices.v1');
    await dialog.getByRole('button', { name: 'Save profile' }).click();
    await line.filter({ hasText: 'subprotocol prices.v1' }).waitFor(WAIT);
    expect(await line.textContent()).not.toMatch(/not held/);
    expect(await page.locator('body').textContent()).not.toContain(TOKEN);
    expect(problems).toEqual([]);
    await page.close();

    // 1024×700, light: the profile line and its dialog fit.
    const small = await open(1024, 700, incident.id);
    await small.page.getByRole('button', { name: 'Light theme' }).click();
    await small.page.getByTestId('walk-profile').filter({ hasText: 'subprotocol prices.v1' }).waitFor(WAIT);
    await small.page.getByRole('button', { name: 'Connection profile…' }).click();
    const d = small.page.getByRole('dialog', { name: /^Connection profile of walk/ });
    await d.waitFor(WAIT);
    const box = (await d.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(700);
    expect(box.x + box.width).toBeLessThanOrEqual(1024);
    await d.getByRole('button', { name: 'Cancel' }).click();
    expect(small.problems).toEqual([]);
    await small.page.close();

    // Nowhere in what the walk and the incident give out.
    const { json: walks } = await cliJson<Array<{ id: number }>>([
      'walk',
      'list',
      String(incident.id),
      ...db,
    ]);
    const shown = await cli(['walk', 'show', String(walks[0]!.id), '--json', ...db]);
    const report = await cli(['report', String(incident.id), '--format', 'md', ...db]);
    expect((JSON.parse(shown.stdout) as WalkView).profile!.profile.subprotocols).toEqual(['prices.v1']);
    for (const t of [shown.stdout, report.stdout]) expect(t).not.toContain(TOKEN);
  }, 180_000);
});
