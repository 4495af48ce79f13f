// A browser app's WebSocket through `frameline relay --tls` and through `frameline relay --proxy`,
// with Frameline's local CA made for the test's own folder (FRAMELINE_CA_DIR). Chromium pins the
// key every leaf of that CA shares (--ignore-certificate-errors-spki-list); Python's `websockets`
// client checks the relay's chain against the CA file the relay printed. Through the proxy
// (Chromium's --proxy-server, loopback not bypassed) the page itself is a plain GET that passes
// untouched and unrecorded, ws:// is tunnelled with CONNECT, and wss:// is ended inside CONNECT with
// a leaf for the server's host and sent on with TLS to a Python server whose certificate --ca trusts.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, launchChromium } from '../support/browser.js';
import { localCaLeafSpki, selfSigned } from '../support/certs.js';
import { cliJson, workspace, type Workspace } from '../support/cli.js';
import { PYTHON, serverScript, startPeer, type Peer } from '../support/processes.js';
import { startListener, type MockProcess } from '../support/replay.js';
import type { ShowJson } from '../support/session-json.js';
import { until } from '../support/wait.js';

const missing = browserMissing();

// Each ws= parameter is a socket the page opens: it sends one message, reads the server's report
// and echo, and closes with 1000.
const PAGE = `<!doctype html><meta charset="utf-8"><title>chat</title><script>
const talk = (url) => new Promise((resolve) => {
  const got = [];
  const socket = new WebSocket(url);
  socket.onopen = () => socket.send('hello from the page');
  socket.onmessage = (e) => {
    got.push(e.data);
    if (got.length === 2) socket.close(1000, 'page done');
  };
  socket.onclose = (e) => resolve({ got, code: e.code });
});
window.result = Promise.all(new URLSearchParams(location.search).getAll('ws').map(talk));
</script>`;

type PageResult = Array<{ got: string[]; code: number }>;

describe.skipIf(missing)('a browser app through frameline relay --tls and --proxy', () => {
  let page: Server;
  let pageOrigin: string;
  /** The path of each request the page server answered. */
  let pageRequests: string[];
  let plain: Peer;
  let secure: Peer;
  let ws: Workspace;
  let caDir: string;
  let relay: MockProcess | null = null;
  let browser: Browser | null = null;

  beforeAll(async () => {
    ws = workspace();
    caDir = join(ws.dir, 'ca');
    pageRequests = [];
    page = createServer((req, res) => {
      pageRequests.push(req.url ?? '');
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(PAGE);
    });
    page.listen(0, '127.0.0.1');
    await once(page, 'listening');
    pageOrigin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
    plain = await startPeer(PYTHON, [serverScript('python_ws.py'), '--report']);
    const cert = selfSigned(ws.dir, 'server', 'localhost');
    secure = await startPeer(PYTHON, [
      serverScript('python_ws.py'),
      '--report',
      '--cert',
      cert.certFile,
      '--key',
      cert.keyFile,
    ]);
  });
  afterEach(async () => {
    await browser?.close();
    browser = null;
    if (relay) await relay.stop();
    relay = null;
  });
  afterAll(async () => {
    await plain?.stop();
    await secure?.stop();
    page?.close();
    ws?.cleanup();
  });

  async function openPage(sockets: string[]): Promise<PageResult> {
    const tab = await browser!.newPage();
    const query = sockets.map((s) => `ws=${encodeURIComponent(s)}`).join('&');
    await tab.goto(`${pageOrigin}/?${query}`);
    return (await tab.evaluate('window.result')) as PageResult;
  }

  /**
   * Stops the relay once `clients` clients ended (the page's socket closes as soon as the relay
   * answers its close; the server's answer reaches the relay after that) and reads its session.
   */
  async function stoppedSession(clients: number): Promise<{ json: ShowJson; stderr: string }> {
    await until(`${clients} clients ended`, () => relay!.stderr().split(/ ended: /).length > clients);
    const stopped = await relay!.stop();
    relay = null;
    expect(stopped.code).toBe(0);
    const id = Number(/into session (\d+)/.exec(stopped.stderr)![1]);
    const { json } = await cliJson<ShowJson>(['show', String(id), '--frames', '--db', ws.db]);
    return { json, stderr: stopped.stderr };
  }

  /**
   * "direction opcode" of each frame of a connection (by its id): its data frames sorted (the page
   * sends as it opens while the server sends its report: the two cross), then its close frames in order.
   */
  function framesOf(json: ShowJson, connection: number): string[] {
    const frames = json
      .frames!.filter((f) => f.connection === connection)
      .map((f) => `${f.direction} ${f.opcode}`);
    return [
      ...frames.filter((f) => !f.endsWith('close')).sort(),
      ...frames.filter((f) => f.endsWith('close')),
    ];
  }

  it('serves wss:// with a certificate of its own CA: Chromium and Python talk through it, recorded', async () => {
    relay = await startListener(
      'relay',
      ['--tls', '--to', `ws://127.0.0.1:${plain.port}`, '--db', ws.db],
      'ignore',
      {
        FRAMELINE_CA_DIR: caDir,
      },
    );
    expect(relay.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/$/);
    const caFile = join(caDir, 'frameline-ca.pem');
    browser = await launchChromium([`--ignore-certificate-errors-spki-list=${localCaLeafSpki(caDir)}`]);
    const [fromPage] = await openPage([`${relay.url}chat?room=7`]);
    expect(fromPage!.code).toBe(1000);
    expect(JSON.parse(fromPage!.got[0]!)).toMatchObject({ path: '/chat?room=7', origin: pageOrigin });
    expect(fromPage!.got[1]).toBe('hello from the page');

    // Python checks the chain and the name against the CA file alone.
    const python = spawn(
      PYTHON,
      [
        serverScript('python_ws_client.py'),
        `${relay.url}py`,
        '--cafile',
        caFile,
        '--expect',
        '1',
        '--send',
        'hi',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let said = '';
    let stderr = '';
    python.stdout.on('data', (d: Buffer) => (said += d.toString()));
    python.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(python, 'close')) as [number];
    expect(code, stderr).toBe(0);
    expect(said).toContain('{"received": "hi"}');

    const { json, stderr: said2 } = await stoppedSession(2);
    // How to trust the CA was said on stderr.
    expect(said2).toContain(`certificate authority: ${caFile}`);
    expect(said2).toContain(`certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n Frameline -i ${caFile}`);
    expect(json.session.kind).toBe('relay');
    expect(json.connections.map((c) => c.url)).toEqual([
      `ws://127.0.0.1:${plain.port}/chat?room=7`,
      `ws://127.0.0.1:${plain.port}/py`,
    ]);
    expect(json.connections[0]).toMatchObject({ status: 101, closedBy: 'client', closeCode: 1000 });
    expect(framesOf(json, json.connections[0]!.id)).toEqual([
      'in text',
      'in text',
      'out text',
      'out close',
      'in close',
    ]);
    expect(framesOf(json, json.connections[1]!.id)).toEqual([
      'in text',
      'in text',
      'out text',
      'out close',
      'in close',
    ]);
  });

  it('is a forward proxy: ws:// and wss:// relayed and recorded, a plain GET passed untouched', async () => {
    relay = await startListener(
      'relay',
      ['--proxy', '--ca', join(ws.dir, 'server.crt'), '--db', ws.db],
      'ignore',
      {
        FRAMELINE_CA_DIR: caDir,
      },
    );
    expect(relay.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // A plain GET with an absolute URL: the page server's own answer, byte for byte.
    pageRequests = [];
    const body = await new Promise<string>((resolve, reject) => {
      const proxy = new URL(relay!.url);
      const req = request(
        {
          host: proxy.hostname,
          port: proxy.port,
          path: `${pageOrigin}/plain`,
          headers: { Host: new URL(pageOrigin).host },
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(body).toBe(PAGE);
    expect(pageRequests).toEqual(['/plain']);

    browser = await launchChromium([
      `--proxy-server=${relay.url}`,
      '--proxy-bypass-list=<-loopback>',
      `--ignore-certificate-errors-spki-list=${localCaLeafSpki(caDir)}`,
    ]);
    const results = await openPage([
      `ws://127.0.0.1:${plain.port}/chat?room=7`,
      `wss://localhost:${secure.port}/secure`,
    ]);
    // The page itself came through the proxy.
    expect(pageRequests[1]).toMatch(/^\/\?ws=/);
    for (const r of results) {
      expect(r.code).toBe(1000);
      expect(r.got[1]).toBe('hello from the page');
    }
    expect(JSON.parse(results[0]!.got[0]!)).toMatchObject({ path: '/chat?room=7', origin: pageOrigin });
    expect(JSON.parse(results[1]!.got[0]!)).toMatchObject({ path: '/secure', origin: pageOrigin });

    const { json } = await stoppedSession(2);
    // Only the two WebSockets are connections of the session: the GETs of the page are not.
    expect(json.connections.map((c) => c.url).sort()).toEqual(
      [`ws://127.0.0.1:${plain.port}/chat?room=7`, `wss://localhost:${secure.port}/secure`].sort(),
    );
    for (const c of json.connections) {
      expect(c).toMatchObject({ status: 101, closedBy: 'client', closeCode: 1000 });
      expect(c.requestHeaders).toMatchObject({ Origin: pageOrigin });
      expect(framesOf(json, c.id)).toEqual(['in text', 'in text', 'out text', 'out close', 'in close']);
    }
  });
});
