// A browser's own wss:// traffic, captured with tcpdump and imported with its TLS key log: Chromium,
// started with SSLKEYLOGFILE and trusting the self-signed certificate's key, opens a page (served
// over http by the test) whose script talks to a Python `websockets` server over TLS and records
// what it sent and received into `window.log`. `frameline import FILE.pcap --keylog FILE` reads the
// connection back with every message the page says it sent and received, in order.
import { once } from 'node:events';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, launchChromium } from '../support/browser.js';
import { selfSigned } from '../support/certs.js';
import { cliJson, workspace, type Workspace } from '../support/cli.js';
import { captured, messages, type Imported } from '../support/pcap.js';
import { PYTHON, serverScript, startPeer, type Peer } from '../support/processes.js';
import type { ShowJson } from '../support/session-json.js';

const missing = browserMissing();

/** Sends text, a binary message and a large text one by one, each after the previous echo; logs everything. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>feed</title><script>
const params = new URLSearchParams(location.search);
window.log = [];
const base64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)));
const outgoing = [
  'hello over tls',
  new Uint8Array([0, 1, 2, 250, 251, 252]).buffer,
  'x'.repeat(70000),
  JSON.stringify({ subscribe: 'quotes', n: 3 }),
];
const shown = (m) => (typeof m === 'string' ? { type: 'text', data: m } : { type: 'binary', data: base64(m) });
const socket = new WebSocket(params.get('ws'));
socket.binaryType = 'arraybuffer';
let next = 0;
function sendNext() {
  if (next === outgoing.length) return socket.close(1000, 'done');
  const m = outgoing[next++];
  socket.send(m);
  window.log.push({ event: 'sent', ...shown(m) });
}
socket.onopen = () => {
  window.log.push({ event: 'open' });
  sendNext();
};
socket.onmessage = (e) => {
  window.log.push({ event: 'received', ...shown(e.data) });
  sendNext();
};
socket.onclose = (e) => window.log.push({ event: 'close', code: e.code, reason: e.reason });
</script>`;

interface Logged {
  event: string;
  type?: 'text' | 'binary';
  data?: string;
  code?: number;
  reason?: string;
}

describe.skipIf(missing)('a browser’s wss:// traffic from a packet capture with its key log', () => {
  let browser: Browser;
  let page: Server;
  let pageOrigin: string;
  let server: Peer;
  let ws: Workspace;
  let keylog: string;

  beforeAll(async () => {
    ws = workspace();
    page = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(PAGE);
    });
    page.listen(0, '127.0.0.1');
    await once(page, 'listening');
    pageOrigin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
    const pair = selfSigned(ws.dir, 'server', 'localhost');
    server = await startPeer(PYTHON, [
      serverScript('python_ws.py'),
      '--cert',
      pair.certFile,
      '--key',
      pair.keyFile,
    ]);
    // Chromium trusts the certificate by its key's SHA-256, and writes its TLS secrets to the key log.
    const spki = createHash('sha256')
      .update(new X509Certificate(pair.cert).publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64');
    keylog = join(ws.dir, 'chromium-keys.log');
    browser = await launchChromium([`--ignore-certificate-errors-spki-list=${spki}`], {
      SSLKEYLOGFILE: keylog,
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    page?.close();
    ws?.cleanup();
  });

  it('imports the page’s connection with every message it sent and received, in order', async () => {
    const url = `wss://127.0.0.1:${server.port}/feed?room=3`;
    const { file, said: log } = await captured(ws.dir, 'chromium-wss', server.port, async () => {
      const tab = await browser.newPage();
      try {
        await tab.goto(`${pageOrigin}/?ws=${encodeURIComponent(url)}`);
        await tab.waitForFunction(
          () => (window as unknown as { log: { event: string }[] }).log.some((e) => e.event === 'close'),
          undefined,
          { timeout: 30_000 },
        );
        return (await tab.evaluate('window.log')) as Logged[];
      } finally {
        await tab.close();
      }
    });
    const sent = log.filter((e) => e.event === 'sent').map(({ type, data }) => ({ type, data }));
    const received = log.filter((e) => e.event === 'received').map(({ type, data }) => ({ type, data }));
    expect(sent).toHaveLength(4);
    // The server echoes: what the page received is what it sent.
    expect(received).toEqual(sent);
    expect(log.at(-1)).toEqual({ event: 'close', code: 1000, reason: 'done' });
    expect(existsSync(keylog)).toBe(true);

    const r = await cliJson<Imported>(['import', file, '--keylog', keylog, '--db', ws.db]);
    expect(r.result.code, r.result.stderr).toBe(0);
    expect(r.json).toMatchObject({ connections: 1, skipped: 0 });
    expect(r.json.tcpEvents.missing).toBe(0);
    const { json: s } = await cliJson<ShowJson>([
      'show',
      String(r.json.sessionId),
      '--frames',
      '--db',
      ws.db,
    ]);
    expect(s.session.kind).toBe('pcap');
    const c = s.connections[0]!;
    expect(c).toMatchObject({ url, status: 101, closeCode: 1000, closeReason: 'done', closedBy: 'client' });
    expect(c.requestHeaders).toMatchObject({ Origin: pageOrigin });
    expect(c.requestHeaders['User-Agent']).toMatch(/Chrome/);
    expect(c.timings.tlsMs).toBeGreaterThanOrEqual(0);
    // Both ends offer permessage-deflate: the messages were compressed on the wire.
    expect(c.extensions).toMatch(/permessage-deflate/);
    expect(messages(s, 'out')).toEqual(sent);
    expect(messages(s, 'in')).toEqual(received);
    // In the order the page saw them: each message, then its echo.
    expect(
      s
        .frames!.filter((f) => f.opcode === 'text' || f.opcode === 'binary')
        .map((f) => `${f.direction} ${f.opcode}`),
    ).toEqual(
      log
        .filter((e) => e.event === 'sent' || e.event === 'received')
        .map((e) => `${e.event === 'sent' ? 'out' : 'in'} ${e.type}`),
    );
  });
});
