// `frameline relay` between real peers on 127.0.0.1: Python's `websockets` client through the relay
// to Python's `websockets` server. What the server saw of the handshake (path and query appended,
// Origin, Cookie, Authorization, User-Agent, the subprotocol), what came back (the chosen
// subprotocol, a refusal with its status and body), every frame recorded both ways with the
// client's directions, who closed with both legs' codes, and SIGTERM closing a held client with
// 1001 with everything committed; `diagnose` reads the relay's session.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, cliJson, workspace, type Workspace } from '../../support/cli.js';
import { PYTHON, serverScript, startPeer, stopChild, type Peer } from '../../support/processes.js';
import { startListener, type MockProcess } from '../../support/replay.js';
import type { ShowJson } from '../../support/session-json.js';

let ws: Workspace;
let server: Peer;
let relay: MockProcess | null;

beforeEach(async () => {
  ws = workspace();
  server = await startPeer(PYTHON, [
    serverScript('python_ws.py'),
    '--report',
    '--subprotocols',
    'chat.v2',
    '--origins',
    'http://app.local',
  ]);
  relay = null;
});
afterEach(async () => {
  if (relay) await relay.stop();
  await server.stop();
  ws.cleanup();
});

/** Runs the Python client to the end; its JSON lines. */
async function pythonClient(args: string[]): Promise<Array<Record<string, unknown>>> {
  const child = spawn(PYTHON, [serverScript('python_ws_client.py'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'close')) as [number];
  expect(code, stderr).toBe(0);
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A raw upgrade request: the status and body the client gets. */
function rawUpgrade(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url.replace(/^ws/, 'http'), {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('upgrade', () => reject(new Error('upgraded where a refusal was expected')));
    req.on('error', reject);
    req.end();
  });
}

describe('frameline relay', () => {
  it('relays a Python client to a Python server, passes the handshake both ways and records every frame', async () => {
    relay = await startListener('relay', ['--to', `ws://127.0.0.1:${server.port}/base/`, '--db', ws.db]);
    const lines = await pythonClient([
      `${relay.url}chat?room=7`,
      '--origin',
      'http://app.local',
      '--subprotocol',
      'chat.v1',
      '--subprotocol',
      'chat.v2',
      '--header',
      'Cookie: session=abc',
      '--header',
      'Authorization: Bearer t0ken',
      '--expect',
      '1',
      '--send',
      'hello',
      '--send',
      'again',
    ]);
    expect(lines[0]).toEqual({ open: true, subprotocol: 'chat.v2' });
    // What the server saw: the path appended to the upstream's, the query kept, the headers passed.
    const seen = JSON.parse(lines[1]!.received as string) as Record<string, string>;
    expect(seen).toMatchObject({
      path: '/base/chat?room=7',
      origin: 'http://app.local',
      cookie: 'session=abc',
      authorization: 'Bearer t0ken',
      subprotocol: 'chat.v2',
    });
    expect(seen.userAgent).toMatch(/websockets/);
    expect(lines.slice(2)).toEqual([
      { received: 'hello' },
      { received: 'again' },
      { closed: 1000, reason: 'done' },
    ]);

    // A refusal (an Origin the server does not accept) comes back with its status and body.
    const refused = await rawUpgrade(`${relay.url}chat`, { Origin: 'http://evil.local' });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatch(/Origin/i);
    expect(await pythonClient([`${relay.url}chat`, '--origin', 'http://evil.local'])).toEqual([
      { refused: 403 },
    ]);

    const stopped = await relay.stop();
    relay = null;
    expect(stopped.code).toBe(0);
    const id = Number(/into session (\d+)/.exec(stopped.stderr)![1]);
    const { json } = await cliJson<ShowJson>(['show', String(id), '--frames', '--db', ws.db]);
    expect(json.session).toMatchObject({ kind: 'relay', status: 'complete' });
    const [first, second, third] = json.connections;
    expect(json.connections).toHaveLength(3);
    expect(first).toMatchObject({
      url: `ws://127.0.0.1:${server.port}/base/chat?room=7`,
      status: 101,
      subprotocol: 'chat.v2',
      closeCode: 1000,
      closeReason: 'done',
      closedBy: 'client',
      closeFault: null,
      // Both legs' closes: the client's (closeCode) and the one with the server.
      upstreamCloseCode: 1000,
      upstreamCloseReason: 'done',
      error: null,
    });
    expect(first!.requestHeaders).toMatchObject({ Origin: 'http://app.local', Cookie: 'session=abc' });
    expect(first!.responseHeaders).toMatchObject({ 'Sec-WebSocket-Protocol': 'chat.v2' });
    // Directions from the client's point of view: out is what the client sent.
    const frames = json.frames!.filter((f) => f.connection === 1);
    expect(frames.map((f) => `${f.direction} ${f.opcode} ${f.opcode === 'text' ? f.payload : ''}`)).toEqual([
      `in text ${lines[1]!.received as string}`,
      'out text hello',
      'in text hello',
      'out text again',
      'in text again',
      'out close ',
      'in close ',
    ]);
    for (const c of [second!, third!])
      expect(c).toMatchObject({ status: 403, closedBy: null, error: { kind: 'upgrade-rejected' } });
    expect(second!.responseBodyHead).toMatch(/Origin/i);

    const db = new Database(ws.db, { readonly: true });
    try {
      const events = db
        .prepare(
          `SELECT c.ordinal, e.kind, e.detail FROM event e JOIN connection c ON c.id = e.connection_id
           WHERE e.session_id = ? ORDER BY e.id`,
        )
        .all(id) as Array<{ ordinal: number; kind: string; detail: string }>;
      const close = events.find((e) => e.ordinal === 1 && e.kind === 'relay-close');
      expect(JSON.parse(close!.detail)).toEqual({
        closedBy: 'client',
        clientCode: 1000,
        clientReason: 'done',
        serverCode: 1000,
        serverReason: 'done',
      });
      // The upstream leg's own request: the server's Host, the headers passed on.
      const upstream = events.find((e) => e.ordinal === 1 && e.kind === 'relay-upstream-request');
      expect(JSON.parse(upstream!.detail)).toMatchObject({
        requestHeaders: {
          Host: `127.0.0.1:${server.port}`,
          Origin: 'http://app.local',
          Cookie: 'session=abc',
        },
      });
    } finally {
      db.close();
    }
    const diagnosed = await cli(['diagnose', String(id), '--json', '--db', ws.db]);
    expect(diagnosed.stderr).toBe('');
    const report = JSON.parse(diagnosed.stdout) as { findings: Array<{ id: string }> };
    expect(report.findings.map((f) => f.id)).toContain('upgrade-rejected');
  });

  it('on SIGTERM closes a held client with 1001, closes its upstream and commits every frame', async () => {
    relay = await startListener('relay', ['--to', `ws://127.0.0.1:${server.port}`, '--db', ws.db]);
    const child = spawn(
      PYTHON,
      [
        serverScript('python_ws_client.py'),
        relay.url,
        '--origin',
        'http://app.local',
        '--expect',
        '1',
        '--send',
        'x',
        '--hold',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const closed = once(child, 'close');
    const lines: Array<Record<string, unknown>> = [];
    const holding = new Promise<void>((resolve) =>
      createInterface({ input: child.stdout }).on('line', (l) => {
        lines.push(JSON.parse(l) as Record<string, unknown>);
        if (lines.at(-1)!.holding) resolve();
      }),
    );
    try {
      await holding;
      const stopped = await relay.stop();
      relay = null;
      expect(stopped.code).toBe(0);
      await closed;
      expect(lines.at(-1)).toEqual({ closed: 1001, reason: 'relay stopped' });
      const id = Number(/into session (\d+)/.exec(stopped.stderr)![1]);
      const { json } = await cliJson<ShowJson>(['show', String(id), '--frames', '--db', ws.db]);
      expect(json.session.status).toBe('complete');
      // Frameline's relay ended it, on both legs.
      expect(json.connections[0]).toMatchObject({
        closeCode: 1001,
        closedBy: 'relay',
        closeFault: null,
        upstreamCloseCode: 1001,
        error: null,
      });
      const text = await cli(['show', String(id), '--db', ws.db]);
      expect(text.stdout).toMatch(/closed: +1001 Going Away by Frameline's relay \(it stopped\)/);
      expect(text.stdout).toMatch(/legs: +client 1001 "relay stopped", server 1001/);
      // The report, the message and its echo, then both peers' answers to the relay's closes (in
      // whichever order they came).
      const kinds = json.frames!.map((f) => `${f.direction} ${f.opcode}`);
      expect(kinds.slice(0, 3)).toEqual(['in text', 'out text', 'in text']);
      expect(kinds.slice(3).sort()).toEqual(['in close', 'out close']);
    } finally {
      await stopChild(child);
    }
  });
});
