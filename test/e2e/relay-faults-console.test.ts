// The Relay screen's faults in Chromium against real peers on 127.0.0.1: a relay started in the
// console to a Python `websockets` echo server, Python's `websockets` client connected through it;
// a fault typed wrong is refused as typed by the one parser; `idle-cut=1` switched on from the Faults
// section while the client is connected cuts it (the client sees 1006), what the fault did is listed,
// and it is switched off. Then the Sessions screen's packet-capture import in browser mode: the engine
// reads no file a page names, and the line says so and how to import it from a terminal.
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

describe.skipIf(browserMissing())(
  'the Relay screen’s faults and the Sessions screen’s capture import',
  () => {
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

    it('switches idle-cut on while a client is connected: the client is cut, the fault is listed, and off', async () => {
      const screen = page.getByRole('main', { name: 'Relay' });
      await screen.getByLabel('Upstream URL').fill(`ws://127.0.0.1:${server.port}/live`);
      await screen.getByRole('button', { name: 'Start relay' }).click();
      const url = await screen.getByTestId('relay-url').textContent({ timeout: 30_000 });
      expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
      const faults = screen.getByRole('region', { name: 'Relay faults' });
      await faults.getByText('None: clients are relayed as they are.').waitFor(WAIT);

      const client = spawn(PYTHON, [serverScript('python_ws_client.py'), `${url}feed`, '--stdin'], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let said = '';
      client.stdout.on('data', (d: Buffer) => (said += d.toString()));
      const ended = once(client, 'close');
      try {
        await expect.poll(() => said, WAIT).toContain('"open": true');
        client.stdin.write('hello\n');
        await expect.poll(() => said, WAIT).toContain('"received": "hello"');
        const card = screen.locator('.relay-client[data-client="1"]');
        await expect.poll(() => card.getAttribute('data-state'), WAIT).toBe('open');

        // A fault typed wrong: the parser's sentence under the field, and nothing to switch on.
        const field = faults.getByLabel('Fault');
        const switchOn = faults.getByRole('button', { name: 'Switch on' });
        await field.fill('idle-cut=soon');
        await faults
          .getByText('the seconds of idle-cut must be a number from 0.001 to 31536000')
          .waitFor(WAIT);
        expect(await switchOn.isDisabled()).toBe(true);
        await inspectShot(page, 'relay-fault-typed-wrong');

        // idle-cut=1 on, live: the connected client is cut without a close frame.
        await field.fill('idle-cut=1');
        expect(await switchOn.isDisabled()).toBe(false);
        await switchOn.click();
        await faults.locator('.relay-fault[data-fault="idle-cut=1"]').waitFor(WAIT);
        expect(await field.inputValue()).toBe('');
        await ended;
        expect(said).toContain('{"closed": 1006');
        const applied = faults.getByRole('list', { name: 'What faults did' });
        await expect
          .poll(() => applied.locator('li').allTextContents(), WAIT)
          .toEqual(['#1 idle-cut=1 connection-cut']);
        await expect.poll(() => card.getAttribute('data-state'), WAIT).toBe('closed');
        // Who closed, in the client's card: Frameline's relay, through its fault, with both legs' codes.
        await card
          .getByText(
            /closed by Frameline's relay \(fault idle-cut=1\), cut without a close frame; the client's leg closed with 1006, the server's with 1006/,
          )
          .waitFor(WAIT);
        await inspectShot(page, 'relay-fault-applied');
      } finally {
        client.kill();
        await ended;
      }

      // Switched off: the relay has no fault on, and what it did stays listed.
      await faults.getByRole('button', { name: 'Switch off idle-cut=1' }).click();
      await faults.getByText('None: clients are relayed as they are.').waitFor(WAIT);
      expect(await faults.locator('.relay-fault').count()).toBe(0);
      expect(await faults.getByRole('list', { name: 'What faults did' }).locator('li').count()).toBe(1);
      await inspectShot(page, 'relay-fault-off');

      await screen.getByRole('button', { name: 'Stop' }).click();
      await expect.poll(() => screen.locator('.relay-state').textContent(), WAIT).toBe('stopped');
      expect(pageErrors).toEqual([]);
    });

    it('refuses a packet capture named by the page in browser mode, saying how to import it instead', async () => {
      await page
        .getByRole('navigation', { name: 'Screens' })
        .getByRole('button', { name: 'Sessions' })
        .click();
      const screen = page.getByRole('region', { name: 'Sessions' });
      await screen.getByRole('button', { name: 'Import capture…' }).click();
      const form = screen.getByRole('form', { name: 'Import a packet capture' });
      await form.getByLabel('Capture file').fill('/tmp/outage.pcapng');
      await form.getByLabel('Key log file').fill('/tmp/keys.log');
      await form.getByRole('button', { name: 'Import' }).click();
      const alert = screen.getByRole('alert');
      await alert.waitFor(WAIT);
      expect(await alert.textContent()).toBe(
        '!The engine refused: a page may not have the engine read a file on this machine. In a terminal on that machine: frameline import /tmp/outage.pcapng --keylog /tmp/keys.log',
      );
      await inspectShot(page, 'sessions-pcap-refused');
      expect(pageErrors).toEqual([]);
    });
  },
);
