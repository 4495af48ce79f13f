// What a page may make the engine do with this machine's files and interfaces, in browser mode over
// serve's real WebSocket: it cannot name a file for the engine to read (certificates come from the
// page as their PEM text, bounded), and a mock it starts listens on loopback unless `serve` itself
// was started on another address.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { echo, wsServer, type WsScenario } from '../../servers/scenarios.js';
import { selfSigned } from '../../support/certs.js';
import { workspace, type Workspace } from '../../support/cli.js';
import { recordQuotes } from '../../support/replay.js';
import { cookieFor, openApi, serve, type ApiSocket, type Served } from '../../support/serve.js';

let ws: Workspace;
let served: Served | undefined;
let page: ApiSocket | undefined;
let server: WsScenario | undefined;

beforeEach(() => {
  ws = workspace();
});
afterEach(async () => {
  page?.close();
  await served?.stop();
  await server?.close();
  served = page = server = undefined;
  ws.cleanup();
});

async function open(extra: string[] = []): Promise<ApiSocket> {
  served = await serve(ws.db, extra);
  page = await openApi(served, await cookieFor(served));
  return page;
}

describe('certificates from the page', () => {
  it('are never read from a path the page names: capture, probe and replay refuse caFile, certFile, keyFile', async () => {
    const cert = selfSigned(ws.dir, 'server', 'localhost');
    server = await wsServer(echo, { tls: { cert: cert.cert, key: cert.key } });
    const url = server.url.replace('127.0.0.1', 'localhost');
    await open();
    for (const [channel, payload] of [
      ['capture:start', { url, caFile: cert.certFile }],
      ['capture:start', { url, insecure: true, certFile: cert.certFile, keyFile: cert.keyFile }],
      ['diagnose:probe', { url, caFile: cert.certFile, idleLimitSeconds: 1 }],
      ['replay:run', { sessionId: 1, to: url, caFile: cert.certFile }],
    ] as const) {
      const r = await page!.call(channel, payload);
      expect(r, channel).toMatchObject({
        ok: false,
        error: {
          code: 'bad-request',
          message: expect.stringMatching(/reads no file a request names.*PEM text/),
        },
      });
    }
    expect(server.requests).toHaveLength(0);
  });

  it('come as PEM text: a capture trusts the CA it was sent', async () => {
    const cert = selfSigned(ws.dir, 'server', 'localhost');
    server = await wsServer(echo, { tls: { cert: cert.cert, key: cert.key } });
    const url = server.url.replace('127.0.0.1', 'localhost');
    await open();
    const r = await page!.call('capture:start', {
      url,
      caPem: readFileSync(cert.certFile, 'utf8'),
      sends: ['a'],
      durationSeconds: 5,
    });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const { sessionId } = (r as { value: { sessionId: number } }).value;
    let connections: Array<{ status: number | null; error: unknown }> = [];
    const deadline = Date.now() + 15_000;
    while (connections.length === 0 && Date.now() < deadline) {
      const got = await page!.call('sessions:get', { id: sessionId });
      connections = (got as { value: { connections: typeof connections } }).value.connections;
      if (connections.length === 0) await new Promise((res) => setTimeout(res, 20));
    }
    expect(connections[0]).toMatchObject({ status: 101, error: null });
    // Not PEM, or past the bound: refused with a sentence, nothing opened.
    for (const caPem of ['not a certificate', `-----BEGIN CERTIFICATE-----\n${'A'.repeat(1024 * 1024)}`]) {
      const bad = await page!.call('capture:start', { url, caPem });
      expect(bad).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    }
  });
});

describe('a mock started from the page', () => {
  it('listens on loopback only when serve does', async () => {
    const sessionId = await recordQuotes(ws.db);
    await open();
    for (const host of ['0.0.0.0', '::']) {
      const r = await page!.call('mock:start', { sessionId, host });
      expect(r, host).toMatchObject({
        ok: false,
        error: { code: 'forbidden', message: expect.stringMatching(/loopback.*frameline serve --host/) },
      });
    }
    const local = await page!.call('mock:start', { sessionId, host: '127.0.0.1' });
    expect(local).toMatchObject({
      ok: true,
      value: { url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/$/) },
    });
    await page!.call('mock:stop', { sessionId: (local as { value: { sessionId: number } }).value.sessionId });
  });

  it('may listen on every interface when serve itself was started on one', async () => {
    const sessionId = await recordQuotes(ws.db);
    await open(['--host', '0.0.0.0']);
    const r = await page!.call('mock:start', { sessionId, host: '0.0.0.0' });
    expect(r).toMatchObject({ ok: true, value: { state: 'listening' } });
    await page!.call('mock:stop', { sessionId: (r as { value: { sessionId: number } }).value.sessionId });
  });
});
