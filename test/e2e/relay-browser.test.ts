// A browser app's WebSocket through `frameline relay`: Chromium opens a page (served over http by
// the test) whose script does `new WebSocket('ws://127.0.0.1:RELAYPORT/chat?room=7', 'chat.v2')`
// to a Python `websockets` server behind the relay. The page gets the server's answers and the
// subprotocol it chose; a refused upgrade reaches the page as a failed connection; the relay's
// session holds the frames both ways, the page's Origin, and the refusal with its status. Through
// `--fault idle-cut=1` the same kind of page, left idle, sees its socket dropped (1006), reconnects
// on its own, is dropped again, and diagnose names the idle timeout.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, launchChromium } from '../support/browser.js';
import { cliJson, workspace, type Workspace } from '../support/cli.js';
import { PYTHON, serverScript, startPeer, type Peer } from '../support/processes.js';
import { startListener } from '../support/replay.js';
import type { ShowJson } from '../support/session-json.js';

const missing = browserMissing();

const PAGE = `<!doctype html><meta charset="utf-8"><title>chat</title><script>
const params = new URLSearchParams(location.search);
window.result = new Promise((resolve) => {
  const got = [];
  const socket = new WebSocket(params.get('ws'), ['chat.v2']);
  // The page speaks once the server has said who it is, so the recorded order is the conversation's.
  socket.onmessage = (e) => {
    got.push(e.data);
    if (got.length === 1) socket.send('hello from the page');
    if (got.length === 2) socket.close(1000, 'page done');
  };
  socket.onclose = (e) => resolve({ protocol: socket.protocol, got, code: e.code, reason: e.reason });
});
</script>`;

/** A page that opens its socket, says hello, records every event into `window.log`, and reconnects once it is dropped. */
const RECONNECTING = `<!doctype html><meta charset="utf-8"><title>ticker</title><script>
const params = new URLSearchParams(location.search);
window.log = [];
function connect(attempt) {
  const socket = new WebSocket(params.get('ws'));
  socket.onopen = () => {
    window.log.push({ attempt, event: 'open' });
    socket.send('hello ' + attempt);
  };
  socket.onmessage = (e) => window.log.push({ attempt, event: 'message', data: e.data });
  socket.onclose = (e) => {
    window.log.push({ attempt, event: 'close', code: e.code, wasClean: e.wasClean });
    if (attempt < 2) connect(attempt + 1);
  };
}
connect(1);
</script>`;

describe.skipIf(missing)('a browser app through frameline relay', () => {
  let browser: Browser;
  let page: Server;
  let pageOrigin: string;
  let server: Peer;
  let ws: Workspace;

  beforeAll(async () => {
    ws = workspace();
    page = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(_req.url?.startsWith('/reconnecting') ? RECONNECTING : PAGE);
    });
    page.listen(0, '127.0.0.1');
    await once(page, 'listening');
    pageOrigin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
    server = await startPeer(PYTHON, [
      serverScript('python_ws.py'),
      '--report',
      '--subprotocols',
      'chat.v2',
      '--origins',
      pageOrigin,
    ]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    page?.close();
    ws?.cleanup();
  });

  it('records the page’s conversation with its Origin and subprotocol, and a refusal passed back', async () => {
    const relay = await startListener('relay', ['--to', `ws://127.0.0.1:${server.port}`, '--db', ws.db]);
    let stopped: { code: number | null; stderr: string };
    try {
      const tab = await browser.newPage();
      await tab.goto(`${pageOrigin}/?ws=${encodeURIComponent(`${relay.url}chat?room=7`)}`);
      const result = (await tab.evaluate('window.result')) as {
        protocol: string;
        got: string[];
        code: number;
        reason: string;
      };
      expect(result.protocol).toBe('chat.v2');
      expect(JSON.parse(result.got[0]!)).toMatchObject({
        path: '/chat?room=7',
        origin: pageOrigin,
        subprotocol: 'chat.v2',
      });
      expect(result.got[1]).toBe('hello from the page');
      expect(result.code).toBe(1000);

      // The same page from another origin: the server refuses it with 403, and the page's socket fails.
      const other = await browser.newPage();
      await other.goto(
        `http://localhost:${(page.address() as AddressInfo).port}/?ws=${encodeURIComponent(`${relay.url}chat`)}`,
      );
      const refused = (await other.evaluate('window.result')) as { code: number; got: string[] };
      expect(refused).toMatchObject({ code: 1006, got: [] });
    } finally {
      stopped = await relay.stop();
    }
    expect(stopped.code).toBe(0);
    const id = Number(/into session (\d+)/.exec(stopped.stderr)![1]);
    const { json } = await cliJson<ShowJson>(['show', String(id), '--frames', '--db', ws.db]);
    expect(json.session.kind).toBe('relay');
    const [first, second] = json.connections;
    expect(first).toMatchObject({ status: 101, subprotocol: 'chat.v2', closedBy: 'client', closeCode: 1000 });
    expect(first!.url).toBe(`ws://127.0.0.1:${server.port}/chat?room=7`);
    expect(first!.requestHeaders).toMatchObject({ Origin: pageOrigin, 'Sec-WebSocket-Protocol': 'chat.v2' });
    expect(json.frames!.filter((f) => f.connection === 1).map((f) => `${f.direction} ${f.opcode}`)).toEqual([
      'in text',
      'out text',
      'in text',
      'out close',
      'in close',
    ]);
    expect(second).toMatchObject({ status: 403, error: { kind: 'upgrade-rejected' } });
  });

  it('an idle cut on the live path drops the page’s socket (1006), the page reconnects and is dropped again; diagnose names the idle timeout', async () => {
    const relay = await startListener('relay', [
      '--to',
      `ws://127.0.0.1:${server.port}`,
      '--fault',
      'idle-cut=1',
      '--db',
      ws.db,
    ]);
    let stopped: { code: number | null; stderr: string };
    let log: Array<{ attempt: number; event: string; code?: number; wasClean?: boolean; data?: string }>;
    try {
      const tab = await browser.newPage();
      await tab.goto(`${pageOrigin}/reconnecting?ws=${encodeURIComponent(`${relay.url}ticker`)}`);
      await tab.waitForFunction(
        () =>
          (window as unknown as { log: { event: string }[] }).log.filter((e) => e.event === 'close')
            .length === 2,
        undefined,
        { timeout: 30_000 },
      );
      log = (await tab.evaluate('window.log')) as typeof log;
    } finally {
      stopped = await relay.stop();
    }
    expect(stopped.code).toBe(0);
    // Each attempt: opened, got the handshake report and its echo, then sat idle until the relay cut it.
    for (const attempt of [1, 2]) {
      const mine = log.filter((e) => e.attempt === attempt);
      expect(mine.map((e) => e.event)).toEqual(['open', 'message', 'message', 'close']);
      expect(mine[2]!.data).toBe(`hello ${attempt}`);
      expect(mine[3]).toMatchObject({ code: 1006, wasClean: false });
    }
    const id = Number(/into session (\d+)/.exec(stopped.stderr)![1]);
    const { json } = await cliJson<ShowJson>(['show', String(id), '--db', ws.db]);
    expect(json.connections).toHaveLength(2);
    for (const c of json.connections)
      expect(c).toMatchObject({
        status: 101,
        closeCode: 1006,
        closedBy: 'relay',
        closeFault: 'idle-cut=1',
        upstreamCloseCode: 1006,
      });
    const report = await cliJson<{ findings: Array<{ id: string; evidence: Record<string, unknown> }> }>([
      'diagnose',
      String(id),
      '--db',
      ws.db,
    ]);
    const idle = report.json.findings.find((f) => f.id === 'idle-timeout');
    expect(idle, JSON.stringify(report.json.findings)).toBeDefined();
    expect(Math.abs(Number(idle!.evidence.idleSeconds) - 1)).toBeLessThanOrEqual(0.5);
  });
});
