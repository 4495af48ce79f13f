// The Diagnose panel probes with the attach form's Protocol fieldset, in a real browser against real
// servers on 127.0.0.1: a Socket.IO 4 server (Engine.IO pinging every 300 ms, dropping a silent
// client 200 ms later) at a URL that does not say Socket.IO, and a graphql-ws server that is given
// the init payload's token.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { graphqlWsServer } from '../servers/graphql-ws.js';
import { socketIoServer } from '../servers/socketio.js';
import { browserMissing, launchChromium } from '../support/browser.js';
import { workspace, type Workspace } from '../support/cli.js';
import { inspectShot } from '../support/screenshots.js';
import { serve, type Served } from '../support/serve.js';
import { protocolToolMissing } from '../support/test-tools.js';
import type { Running } from '../servers/scenarios.js';

const WAIT = { timeout: 30_000, interval: 50 };
const missing =
  browserMissing() ||
  protocolToolMissing('socket.io') ||
  protocolToolMissing('graphql-ws') ||
  protocolToolMissing('graphql');

describe.skipIf(missing)('the Diagnose panel speaks the attach form’s protocol', () => {
  let browser: Browser;
  let ws: Workspace;
  let served: Served;
  let page: Page;
  let pageErrors: string[];
  const servers: Running[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    ws = workspace();
    served = await serve(ws.db);
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    pageErrors = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(await served.openUrl());
    await page.getByText('Engine connected').waitFor(WAIT);
  });
  afterEach(async () => {
    expect(pageErrors).toEqual([]);
    await page?.close();
    await served?.stop();
    for (const s of servers.splice(0)) await s.close();
    ws?.cleanup();
  });

  const panel = () => page.getByTestId('diagnose-panel');
  const row = (check: string) => panel().locator(`[data-check="${check}"]`);
  const card = (id: string) => panel().locator(`[data-finding="${id}"]`);

  async function chooseProtocol(protocol: string, initPayload?: string): Promise<void> {
    await page.locator('.connect-bar').getByRole('button', { name: 'Options' }).click();
    const options = page.locator('#attach-options');
    await options.getByLabel('Protocol', { exact: true }).selectOption(protocol);
    if (initPayload !== undefined) await options.getByLabel('Init payload (JSON)').fill(initPayload);
  }

  async function runProbe(idleLimit: string): Promise<void> {
    await panel().getByRole('button', { name: 'Options' }).click();
    await panel().getByLabel('Idle limit (s)').fill(idleLimit);
    await panel().getByRole('button', { name: 'Run probe' }).click();
    await panel().getByRole('region', { name: 'Probe findings' }).waitFor(WAIT);
  }

  it('probes a Socket.IO server at a bare URL as Socket.IO: the Engine.IO heartbeat, no warning', async () => {
    const server = await socketIoServer();
    servers.push(server);
    // The URL alone does not say Socket.IO: the Protocol fieldset does.
    await page.getByLabel('WebSocket URL').fill(`ws://127.0.0.1:${server.port}/`);
    await chooseProtocol('socket.io');
    expect(await panel().locator('.diag-summary').textContent()).toContain('speaks socket.io');
    await runProbe('2');

    expect(await row('upgrade').getAttribute('data-state')).toBe('ok');
    expect(await row('heartbeat').getAttribute('data-state')).toBe('ok');
    // Engine.IO's own pings, at the interval its open packet gave.
    expect(await row('heartbeat').textContent()).toMatch(/socket\.io heartbeat every 0\.3 s \([1-9]\d* in/);
    expect(await card('no-heartbeat').count()).toBe(0);
    expect(await card('app-heartbeat-unanswered').count()).toBe(0);
    expect(await panel().locator('[data-severity="critical"], [data-severity="warning"]').count()).toBe(0);
    // Spoken, not just connected: the default namespace joined, and its pings answered.
    expect(server.connections.map((c) => c.namespace)).toContain('/');
    expect(server.disconnects).not.toContain('ping timeout');
    await inspectShot(page, 'diagnose-protocol-socketio');
  });

  it('probes a graphql-ws server with the init payload: the token reaches the server, nothing refused', async () => {
    const server = await graphqlWsServer();
    servers.push(server);
    await page.getByLabel('WebSocket URL').fill(server.url);
    await chooseProtocol('graphql-ws', '{"token":"let-me-in"}');
    expect(await panel().locator('.diag-summary').textContent()).toContain('init payload');
    await runProbe('1');

    expect(await row('upgrade').getAttribute('data-state')).toBe('ok');
    expect(server.accepted).toContainEqual({ token: 'let-me-in' });
    expect(await card('subprotocol-refused').count()).toBe(0);
    expect(await card('auth-refused').count()).toBe(0);
    expect(await panel().locator('[data-severity="critical"], [data-severity="warning"]').count()).toBe(0);
  });

  it('says what is wrong with an init payload that is not JSON, before probing', async () => {
    const server = await graphqlWsServer();
    servers.push(server);
    await page.getByLabel('WebSocket URL').fill(server.url);
    await chooseProtocol('graphql-ws', '{"token":');
    await panel().getByRole('button', { name: 'Run probe' }).click();
    await panel()
      .getByText(/The init payload is not JSON/)
      .waitFor(WAIT);
    expect(server.received).toEqual([]);
  });
});
