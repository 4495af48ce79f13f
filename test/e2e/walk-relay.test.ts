// A walk's relay step in the console, in Chromium against real peers on 127.0.0.1: at "Debug the
// clients" of the 3 AM runbook, Start relay shows the address to point the client at (with a copy
// button) while it runs; a Python `websockets` client goes through it and the step's output says so;
// Stop ends it, and the session it recorded is linked from the step.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident, WalkView } from '../../shared/contract/incidents.js';
import { browserMissing, launchChromium } from '../support/browser.js';
import { cliJson, workspace, type Workspace } from '../support/cli.js';
import { PYTHON, serverScript, startPeer, type Peer } from '../support/processes.js';
import { inspectShot } from '../support/screenshots.js';
import { serve, type Served } from '../support/serve.js';

const WAIT = { timeout: 30_000 };

describe.skipIf(browserMissing())('a walk’s relay step in the console', () => {
  let browser: Browser;
  let ws: Workspace;
  let served: Served;
  let server: Peer;

  beforeAll(async () => {
    ws = workspace();
    server = await startPeer(PYTHON, [serverScript('python_ws.py')]);
    served = await serve(ws.db);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await server?.stop();
    ws?.cleanup();
  });

  it('shows where to point the client while it runs, what came through, and the session it recorded', async () => {
    const db = ['--db', ws.db];
    const { json: incident } = await cliJson<Incident>([
      'incident',
      'create',
      '--title',
      'The app drops',
      ...db,
    ]);
    const { json: started } = await cliJson<WalkView>([
      'walk',
      'start',
      String(incident.id),
      '--runbook',
      'ws-3am',
      '--target',
      `ws://127.0.0.1:${server.port}/live`,
      ...db,
    ]);
    const walk = String(started.id);
    await cliJson(['walk', 'choose', walk, ...db]);
    await cliJson(['walk', 'choose', walk, 'client', 'side', ...db]);
    const { json: at } = await cliJson<WalkView>(['walk', 'choose', walk, ...db]);
    const index = at.current.steps.find((s) => s.action?.kind === 'relay')!.index;

    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(await served.openUrl());
    await page.goto(`${served.origin}/#/incidents/${incident.id}`);
    const step = page.locator(`.node-panel .step-item[data-step="${index}"]`);
    await step.waitFor(WAIT);
    expect(await step.getByLabel('Relay duration in seconds').inputValue()).toBe('300');
    await step.getByRole('button', { name: 'Start relay' }).click();

    const run = step.locator('.run-view[data-kind=relay]');
    const address = run.getByTestId('run-relay');
    await address.waitFor(WAIT);
    const url = await address.locator('code').textContent();
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await address.getByRole('button', { name: 'Copy URL' }).count()).toBe(1);

    const client = spawn(PYTHON, [serverScript('python_ws_client.py'), `${url}feed`, '--send', 'hello'], {
      stdio: 'ignore',
    });
    const [code] = (await once(client, 'close')) as [number];
    expect(code).toBe(0);
    const output = run.getByTestId('run-output');
    await expect
      .poll(() => output.textContent(), WAIT)
      .toMatch(/client 1 from 127\.0\.0\.1:\d+: closed by the client with 1000/);
    expect(await output.textContent()).toMatch(
      /^point the client at ws:\/\/127\.0\.0\.1:\d+\/ and reproduce it/,
    );
    expect(await run.getByTestId('run-progress').textContent()).toMatch(/^\d+:\d\d · \d+ frames/);
    await inspectShot(page, 'walk-relay-running');

    await run.getByRole('button', { name: 'Stop' }).click();
    await run.and(page.locator('[data-status=stopped]')).waitFor(WAIT);
    expect(await address.count()).toBe(0);
    expect(await run.locator('.run-summary').textContent()).toMatch(
      /^session \d+: 1 client through ws:\/\/127\.0\.0\.1:\d+\/, 4 frames; client 1 closed by the client/,
    );
    await run.getByRole('link', { name: /^session #\d+$/ }).waitFor(WAIT);
    await inspectShot(page, 'walk-relay-stopped');
    expect(errors).toEqual([]);
  });
});
