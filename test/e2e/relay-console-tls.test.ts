// The Relay screen's start options in Chromium against real peers on 127.0.0.1: a relay started from
// the console that serves wss:// with a leaf of Frameline's local CA (made in the test's own folder,
// FRAMELINE_CA_DIR) and speaks wss:// to a Python `websockets` server whose self-signed certificate
// is chosen as the upstream CA; a second Chromium, trusting only the key every leaf of that CA
// shares, opens a page whose script connects through it, and its frames appear live. Then the same
// screen starts a forward proxy and shows the address to copy and how to trust the CA.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, launchChromium } from '../support/browser.js';
import { localCaLeafSpki, selfSigned } from '../support/certs.js';
import { workspace, type Workspace } from '../support/cli.js';
import { PYTHON, serverScript, startPeer, type Peer } from '../support/processes.js';
import { inspectShot } from '../support/screenshots.js';
import { consoleScreen, serve, type Served } from '../support/serve.js';

const WAIT = { timeout: 30_000, interval: 50 };

// The page's socket speaks after the server's greeting (its report of the handshake), reads the
// echo, and stays open until the test closes it.
const PAGE = `<!doctype html><meta charset="utf-8"><title>app</title><script>
const socket = new WebSocket(new URLSearchParams(location.search).get('ws'));
const got = [];
window.echoed = new Promise((resolve) => {
  socket.onmessage = (e) => {
    got.push(e.data);
    if (got.length === 1) socket.send('hello through the tls relay');
    if (got.length === 2) resolve(got);
  };
});
window.ended = new Promise((resolve) => (socket.onclose = (e) => resolve(e.code)));
</script>`;

describe.skipIf(browserMissing())('the Relay screen with TLS and as a forward proxy', () => {
  let browser: Browser;
  let appBrowser: Browser | null = null;
  let ws: Workspace;
  let caDir: string;
  let served: Served;
  let server: Peer;
  let pageServer: Server;
  let pageOrigin: string;
  let page: Page;
  let upstreamCa: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ws = workspace();
    caDir = join(ws.dir, 'ca');
    const cert = selfSigned(ws.dir, 'upstream', 'localhost');
    upstreamCa = cert.certFile;
    server = await startPeer(PYTHON, [
      serverScript('python_ws.py'),
      '--report',
      '--cert',
      cert.certFile,
      '--key',
      cert.keyFile,
    ]);
    pageServer = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(PAGE);
    });
    pageServer.listen(0, '127.0.0.1');
    await once(pageServer, 'listening');
    pageOrigin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;
    served = await serve(ws.db, [], { FRAMELINE_CA_DIR: caDir });
    browser = await launchChromium();
    page = await consoleScreen(browser, served, 'Relay', pageErrors);
  });
  afterAll(async () => {
    await appBrowser?.close();
    await browser?.close();
    await served?.stop();
    await server?.stop();
    pageServer?.close();
    ws?.cleanup();
  });

  it("starts a wss:// relay with Frameline's CA to a wss:// upstream, a browser page's frames appear live; then a forward proxy shows its address", async () => {
    const screen = page.getByRole('main', { name: 'Relay' });
    await screen.getByLabel('Upstream URL').fill(`wss://localhost:${server.port}/live`);
    const options = screen.getByRole('group', { name: 'Relay options' });
    await options.getByRole('radio', { name: "wss:// (Frameline's CA)" }).click();
    // The upstream speaks TLS: its CA is chosen from a file, and no certificate is accepted blindly.
    await options.getByLabel('Upstream CA certificate').setInputFiles(upstreamCa);
    await options.getByTestId('pem-file-name').getByText('upstream.crt').waitFor(WAIT);
    expect(await options.getByRole('switch').isChecked()).toBe(false);
    await inspectShot(page, 'relay-tls-options');
    await screen.getByRole('button', { name: 'Start relay' }).click();

    const url = (await screen.getByTestId('relay-url').textContent({ timeout: 30_000 }))!;
    expect(url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/$/);
    const status = screen.getByTestId('relay-status');
    await status.getByText(`Relaying to wss://localhost:${server.port}/live`).waitFor(WAIT);
    const trust = screen.getByTestId('relay-trust');
    expect(await trust.locator('code').first().textContent()).toBe(join(caDir, 'frameline-ca.pem'));
    await trust.getByText('How to trust it').click();
    expect(await trust.locator('li').allTextContents()).toContain(
      `curl: --cacert ${join(caDir, 'frameline-ca.pem')}; Python: ssl.create_default_context(cafile="${join(caDir, 'frameline-ca.pem')}"); Node: NODE_EXTRA_CA_CERTS=${join(caDir, 'frameline-ca.pem')}`,
    );
    await trust.getByText('How to trust it').click();

    // The app: a browser that trusts only the relay's leaf key (nothing else, no blanket exception).
    appBrowser = await launchChromium([`--ignore-certificate-errors-spki-list=${localCaLeafSpki(caDir)}`]);
    const app = await appBrowser.newPage();
    await app.goto(`${pageOrigin}/?ws=${encodeURIComponent(`${url}feed?room=9`)}`);
    const got = (await app.evaluate('window.echoed')) as string[];
    expect(JSON.parse(got[0]!)).toMatchObject({ path: '/live/feed?room=9' });
    expect(got[1]).toBe('hello through the tls relay');

    // Live in the console while the page's socket is still open: its card and its frames.
    const card = screen.locator('.relay-client[data-client="1"]');
    await expect.poll(() => card.getAttribute('data-state'), WAIT).toBe('open');
    const rows = screen.locator('.frame-view [role=row][data-seq]');
    await expect.poll(() => rows.count(), WAIT).toBe(3);
    const previews = await rows.locator('.cell-preview').allTextContents();
    // The server's report (its preview cut short), the page's message and its echo.
    expect(got[0]!.startsWith(previews[0]!)).toBe(true);
    expect(previews.slice(1)).toEqual(['hello through the tls relay', 'hello through the tls relay']);
    await inspectShot(page, 'relay-tls-live');
    await page.setViewportSize({ width: 1024, height: 700 });
    await inspectShot(page, 'relay-tls-live-1024');
    await page.setViewportSize({ width: 1440, height: 900 });

    await app.evaluate('socket.close(1000, "page done")');
    expect(await app.evaluate('window.ended')).toBe(1000);
    await expect.poll(() => card.getAttribute('data-state'), WAIT).toBe('closed');
    expect(await card.locator('.relay-client-ending').textContent()).toMatch(
      /^closed by the client with 1000; the client's leg closed with 1000, the server's with 1000$/,
    );
    await screen.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => screen.locator('.relay-state').textContent(), WAIT).toBe('stopped');

    // A forward proxy: no upstream to give; the address to copy, and how to trust the CA.
    await options.getByRole('radio', { name: 'Forward proxy' }).click();
    expect(await screen.getByLabel('Upstream URL').isDisabled()).toBe(true);
    expect(await options.getByRole('radio', { name: "wss:// (Frameline's CA)" }).count()).toBe(0);
    await screen.getByRole('button', { name: 'Start proxy' }).click();
    await status.getByRole('heading', { name: 'Proxy address' }).waitFor(WAIT);
    const address = await screen.getByTestId('relay-url').textContent();
    expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await status.getByRole('button', { name: 'Copy proxy address' }).waitFor(WAIT);
    await status.getByText(`Chromium: --proxy-server=${address}`, { exact: false }).waitFor(WAIT);
    await screen.getByText('No client yet: set the address above as its HTTP proxy.').waitFor(WAIT);
    expect(await screen.getByTestId('relay-trust').locator('code').first().textContent()).toBe(
      join(caDir, 'frameline-ca.pem'),
    );
    await inspectShot(page, 'relay-proxy');
    await page.setViewportSize({ width: 1024, height: 700 });
    await inspectShot(page, 'relay-proxy-1024');
    await page.setViewportSize({ width: 1440, height: 900 });
    await screen.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => screen.locator('.relay-state').textContent(), WAIT).toBe('stopped');
    expect(pageErrors).toEqual([]);
  });
});
