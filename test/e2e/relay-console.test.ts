// The Relay screen in Chromium against real peers on 127.0.0.1: a relay started in the console to a
// Python `websockets` echo server, Python's `websockets` client pointed at the URL it shows; the
// client is listed while it is connected and its JSON-RPC frames appear live with their Message
// column; stopping the relay closes the held client with 1001 and lists how it ended; the session is
// on the Sessions screen as a relay. The form is kept across a reload and listens on loopback only.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, launchChromium } from '../support/browser.js';
import { workspace, type Workspace } from '../support/cli.js';
import { PYTHON, serverScript, startPeer, type Peer } from '../support/processes.js';
import { inspectShot } from '../support/screenshots.js';
import { consoleScreen, serve, type Served } from '../support/serve.js';

const WAIT = { timeout: 30_000, interval: 50 };

const SUBSCRIBE = '{"jsonrpc":"2.0","method":"subscribe","params":["prices"],"id":1}';
const UNSUBSCRIBE = '{"jsonrpc":"2.0","method":"unsubscribe","params":["prices"],"id":2}';

describe.skipIf(browserMissing())('the Relay screen', () => {
  let browser: Browser;
  let ws: Workspace;
  let served: Served;
  let server: Peer;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ws = workspace();
    server = await startPeer(PYTHON, [serverScript('python_ws.py')]);
    served = await serve(ws.db);
    browser = await launchChromium();
    page = await consoleScreen(browser, served, 'Relay', pageErrors);
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await server?.stop();
    ws?.cleanup();
  });

  it('relays a real client, lists it and its frames live, and stops with the session on the Sessions screen', async () => {
    const screen = page.getByRole('main', { name: 'Relay' });
    await screen.getByText('Record a real client through a relay').waitFor(WAIT);
    await inspectShot(page, 'relay-empty');

    await screen.getByLabel('Upstream URL').fill(`ws://127.0.0.1:${server.port}/live`);
    await screen.getByRole('button', { name: 'Start relay' }).click();
    const url = await screen.getByTestId('relay-url').textContent({ timeout: 30_000 });
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await screen.locator('.relay-state').textContent()).toBe('listening');
    await screen.getByText('No client yet: point one at the URL above.').waitFor(WAIT);

    // A real client through it, holding its connection open after its two calls are answered.
    const client = spawn(
      PYTHON,
      [
        serverScript('python_ws_client.py'),
        `${url}feed?v=2`,
        '--send',
        SUBSCRIBE,
        '--send',
        UNSUBSCRIBE,
        '--hold',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let said = '';
    client.stdout.on('data', (d: Buffer) => (said += d.toString()));
    const ended = once(client, 'close');
    try {
      const card = screen.locator('.relay-client[data-client="1"]');
      await expect.poll(() => card.getAttribute('data-state'), WAIT).toBe('open');
      expect(await card.locator('.relay-client-url').textContent()).toBe(
        `ws://127.0.0.1:${server.port}/live/feed?v=2`,
      );
      await expect.poll(() => card.locator('.relay-client-counts').textContent(), WAIT).toBe('2 out2 in');

      // The status line says what runs.
      const footer = page.locator('footer.status-line');
      await expect
        .poll(() => footer.textContent(), WAIT)
        .toMatch(new RegExp(`Relaying to ws://127\\.0\\.0\\.1:${server.port}/live`));

      // The relay's session, live: both calls each way, in the protocol's words.
      const list = screen.locator('.frame-view');
      const rows = list.locator('[role=row][data-seq]');
      await expect.poll(() => rows.count(), WAIT).toBe(4);
      expect(await list.locator('.frame-list-head .cell-message').textContent()).toBe('Message');
      // (The echo server sends each call back: both directions read as the request.)
      await expect
        .poll(() => rows.locator('.cell-message').allTextContents(), WAIT)
        .toEqual(['request subscribe', 'request subscribe', 'request unsubscribe', 'request unsubscribe']);
      expect(await rows.locator('.cell-preview').allTextContents()).toEqual([
        SUBSCRIBE,
        SUBSCRIBE,
        UNSUBSCRIBE,
        UNSUBSCRIBE,
      ]);
      await inspectShot(page, 'relay-live');
      await expect.poll(() => said, WAIT).toContain('"holding": true');

      // Stop: the held client is closed with 1001, and the card says how it ended.
      await screen.getByRole('button', { name: 'Stop' }).click();
      await expect.poll(() => screen.locator('.relay-state').textContent(), WAIT).toBe('stopped');
      await ended;
    } finally {
      client.kill();
      await ended;
    }
    expect(said).toContain('{"closed": 1001');
    await expect
      .poll(() => page.locator('footer.status-line').textContent(), WAIT)
      .toContain('No live capture or probe');
    const card = screen.locator('.relay-client[data-client="1"]');
    expect(await card.getAttribute('data-state')).toBe('closed');
    expect(await card.locator('.relay-client-ending').textContent()).toMatch(/1001/);
    expect(await screen.getByRole('button', { name: 'Copy URL' }).count()).toBe(0);
    await inspectShot(page, 'relay-stopped');

    // The session is on the Sessions screen, a relay, from its link.
    const sessionLink = screen.getByTestId('relay-status').getByRole('link', { name: /^session #\d+$/ });
    const id = Number(/#(\d+)/.exec((await sessionLink.textContent())!)![1]);
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Sessions' }).click();
    const row = page.locator(`tr[data-session-id="${id}"]`);
    await row.waitFor(WAIT);
    await row.click();
    await expect.poll(() => page.locator('.session-kind').textContent(), WAIT).toBe('relay');
    await inspectShot(page, 'relay-session');
    expect(pageErrors).toEqual([]);
  });

  it('keeps the form across a reload, offers loopback addresses only and checks the port', async () => {
    // A reload, as a person gets one: a new link from serve's terminal.
    await page.goto(await served.openUrl());
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Relay' }).click();
    const screen = page.getByRole('main', { name: 'Relay' });
    // Nothing listens any more: the screen starts from its introduction, the last upstream kept.
    await screen.getByText('Record a real client through a relay').waitFor(WAIT);
    expect(await screen.getByLabel('Upstream URL').inputValue()).toBe(`ws://127.0.0.1:${server.port}/live`);
    // The form offers loopback addresses only.
    expect(await screen.getByLabel('Listen address').locator('option').allTextContents()).toEqual([
      '127.0.0.1',
      '::1',
    ]);
    await screen.getByLabel('Listen port').fill('70000');
    await screen.getByRole('button', { name: 'Start relay' }).click();
    await screen
      .getByText('The port is a whole number from 0 to 65535 (empty or 0: any free port).')
      .waitFor(WAIT);
    await inspectShot(page, 'relay-error');
    await screen.getByLabel('Listen port').fill('');
    expect(pageErrors).toEqual([]);
  });
});
