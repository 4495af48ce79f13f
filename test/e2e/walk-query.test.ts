// A walk's query steps in the console, in Chromium against Debian's Prometheus scraping an exporter
// the test controls: the incident's server set in the incident view, then at 1440×900 a step that
// meets its threshold and one that does not, each with its verdict and its chart (the series' line
// and the threshold dashed); at 1024×700 the same, nothing clipped.
import type { Browser } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident, WalkView } from '../../shared/contract/incidents.js';
import { browserMissing, launchChromium } from '../support/browser.js';
import { cliJson, cli, workspace, type Workspace } from '../support/cli.js';
import { clipsText, findClippedText } from '../support/layout.js';
import {
  startExporter,
  startPrometheus,
  type Exporter,
  type PrometheusServer,
} from '../support/prometheus.js';
import { inspectShot, readmeShot } from '../support/screenshots.js';
import { serve, type Served } from '../support/serve.js';

const WAIT = { timeout: 30_000 };
const RUNBOOK = fileURLToPath(new URL('../fixtures/runbooks/prometheus-checks.md', import.meta.url));

describe.skipIf(browserMissing())('a walk’s query steps in the console', () => {
  let browser: Browser;
  let ws: Workspace;
  let served: Served;
  let exporter: Exporter;
  let prometheus: PrometheusServer;

  beforeAll(async () => {
    ws = workspace();
    exporter = await startExporter({ connections: 2, latency: 0.5, observations: 20 });
    prometheus = await startPrometheus({ targets: [exporter.target] });
    await prometheus.untilScraped(2);
    // Connections climb and fall back, so that the chart has a shape: each value held until Prometheus
    // has scraped nothing else for 3 s (the range query's points are 2 s apart over a 5 min window).
    const held = 'min_over_time(sum(websocket_connections_active{environment="production"})[3s:])';
    const most = 'max_over_time(sum(websocket_connections_active{environment="production"})[3s:])';
    for (const connections of [7, 4]) {
      await exporter.set({ connections });
      await prometheus.untilQuery(held, (v) => v === connections);
      await prometheus.untilQuery(most, (v) => v === connections);
    }
    served = await serve(ws.db);
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await prometheus?.stop();
    await exporter?.stop();
    ws?.cleanup();
  });

  it('runs a query step that passes and one that fails, each with its verdict and chart', async () => {
    const db = ['--db', ws.db];
    expect((await cli(['runbooks', 'import', RUNBOOK, ...db])).code).toBe(0);
    const { json: incident } = await cliJson<Incident>([
      'incident',
      'create',
      '--title',
      'Latency alert',
      ...db,
    ]);
    await cliJson<WalkView>(['walk', 'start', String(incident.id), '--runbook', 'prometheus-checks', ...db]);

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(await served.openUrl());
    await page.goto(`${served.origin}/#/incidents/${incident.id}`);

    // Without a server the step says what it needs; the incident view sets one.
    const first = page.locator('.node-panel .step-item[data-step="1"]');
    await first.waitFor(WAIT);
    expect(await first.textContent()).toContain('This incident names no Prometheus server');
    const line = page.getByTestId('prometheus-line');
    expect(await line.textContent()).toContain('not set');
    await line.getByRole('button', { name: 'Set…' }).click();
    const form = page.getByRole('form', { name: 'Prometheus server' });
    await form.getByLabel('Prometheus URL').fill(prometheus.url);
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => line.textContent(), WAIT).toContain(prometheus.url);

    await first.getByRole('button', { name: 'Run query' }).click();
    const passed = first.locator('.run-view[data-kind=query][data-status=ok]');
    await passed.waitFor(WAIT);
    const passedQuery = passed.getByTestId('run-query');
    expect(await passedQuery.getByTestId('query-verdict').textContent()).toBe('PASS');
    expect(await passedQuery.locator('.run-query-verdict').textContent()).toBe('= 4: meets < 10');
    const chart = passedQuery.getByTestId('query-chart');
    await chart
      .locator('path.query-series')
      .first()
      .waitFor({ ...WAIT, state: 'attached' });
    expect(await chart.locator('path.query-series').getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+L/);
    expect(await chart.getByTestId('query-threshold').textContent()).toBe('expect < 10');
    expect(await chart.locator('.query-legend').textContent()).toBe('value = 4 — meets');

    const second = page.locator('.node-panel .step-item[data-step="2"]');
    await second.getByRole('button', { name: 'Run query' }).click();
    const failed = second.locator('.run-view[data-kind=query][data-status=failed]');
    await failed.waitFor(WAIT);
    expect(await failed.getByTestId('query-verdict').textContent()).toBe('FAIL');
    expect(await failed.locator('.run-query-verdict').textContent()).toMatch(
      /^= 0\.\d+: does not meet < 0\.1$/,
    );
    await failed
      .locator('path.query-series')
      .first()
      .waitFor({ ...WAIT, state: 'attached' });
    expect(await failed.locator('.query-legend li.is-failing').count()).toBe(1);

    await first.scrollIntoViewIfNeeded();
    expect(clipsText(await findClippedText(page))).toBe('');
    await readmeShot(page, 'walk-query');

    await page.setViewportSize({ width: 1024, height: 700 });
    await second.scrollIntoViewIfNeeded();
    await expect
      .poll(async () => Number(await failed.locator('svg.query-plot').getAttribute('width')), WAIT)
      .toBeLessThan(700);
    expect(clipsText(await findClippedText(page))).toBe('');
    await inspectShot(page, 'walk-query-1024');
    expect(errors).toEqual([]);
  });
});
