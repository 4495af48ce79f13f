// `frameline mock` with real clients on 127.0.0.1: many at once, each recorded in the mock's own
// session; faults that reproduce an incident (an idle cut that `diagnose` then names, a refused
// upgrade, a close with a code, delayed answers, unanswered pings, a slow upgrade); a port in use.
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cli, cliJson, workspace, type Workspace } from '../../support/cli.js';
import { until } from '../../support/wait.js';
import type { ShowJson } from '../../support/session-json.js';
import { QUOTE_REQUESTS, recordQuotes, startMock } from '../../support/replay.js';

let ws: Workspace;
let source: number;

beforeEach(async () => {
  ws = workspace();
  source = await recordQuotes(ws.db);
});
afterEach(() => ws.cleanup());

/** A client that collects what it receives and how it ended. */
function client(url: string, options: WebSocket.ClientOptions = {}) {
  const c = new WebSocket(url, options);
  const messages: string[] = [];
  c.on('message', (d) => messages.push(d.toString()));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    c.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  c.on('error', () => {});
  return { ws: c, messages, closed, opened: once(c, 'open') };
}

async function mockSession(stopped: { stderr: string }): Promise<number> {
  return Number(/into session (\d+)/.exec(stopped.stderr)![1]);
}

describe('frameline mock', () => {
  it('plays the recorded server side to 50 clients at once and records every one', async () => {
    const mock = await startMock([String(source), '--db', ws.db]);
    const clients = Array.from({ length: 50 }, () => client(mock.url));
    await Promise.all(clients.map((c) => c.opened));
    // Timed mode: the greeting and the four answers at their recorded offsets, then (the client
    // closed the original) the connection stays open.
    await until(
      'every client got the five recorded messages',
      () => clients.every((c) => c.messages.length >= 5),
      30_000,
    );
    for (const c of clients) {
      expect(JSON.parse(c.messages[0]!)).toMatchObject({ type: 'hello' });
      expect(c.messages.slice(1).map((m) => (JSON.parse(m) as { id: number }).id)).toEqual([1, 2, 3, 4]);
      c.ws.close(1000, 'done');
    }
    await Promise.all(clients.map((c) => c.closed));
    const stopped = await mock.stop();
    expect(stopped.code).toBe(0);
    const id = await mockSession(stopped);
    const { json } = await cliJson<ShowJson & { session: { kind: string; sourceId: number } }>([
      'show',
      String(id),
      '--frames',
      '--db',
      ws.db,
    ]);
    expect(json.session).toMatchObject({ kind: 'mock', sourceId: source, status: 'complete' });
    expect(json.connections).toHaveLength(50);
    for (const c of json.connections)
      expect(c).toMatchObject({ status: 101, closeCode: 1000, closedBy: 'client' });
    // Seen from Frameline: "out" is what the mock sent.
    const first = json.frames!.filter((f) => f.connection === json.connections[0]!.id);
    expect(first.filter((f) => f.direction === 'out' && f.opcode === 'text')).toHaveLength(5);
  });

  it('answers reactively by id, else by order, under the live id', async () => {
    const mock = await startMock([String(source), '--mode', 'reactive', '--db', ws.db]);
    try {
      const c = client(mock.url);
      await c.opened;
      c.ws.send('{"id":3,"op":"quote","symbol":"WSKT"}');
      c.ws.send('{"id":77,"op":"quote","symbol":"ANY"}');
      // The greeting comes at its recorded offset from the open, before or between the answers.
      await until('the greeting and two answers', () => c.messages.length >= 3);
      const all = c.messages.map((m) => JSON.parse(m) as { id?: number; price?: number; type: string });
      expect(all.filter((m) => m.type === 'hello')).toHaveLength(1);
      // Each answer keeps its recorded delay after its request, so they may come in either order.
      const answers = all.filter((m) => m.type !== 'hello');
      expect(answers.find((m) => m.id === 3)).toMatchObject({ id: 3, price: 48.1 });
      // No recorded request has id 77 or that payload: the first unused one by order answers, under the live id.
      expect(answers.find((m) => m.id === 77)).toMatchObject({ id: 77, type: 'ack' });
      c.ws.close();
      await c.closed;
    } finally {
      await mock.stop();
    }
  });

  it('reproduces an idle cut that diagnose then reads as an idle timeout', async () => {
    const mock = await startMock([String(source), '--fault', 'idle-cut=1.2', '--db', ws.db]);
    for (let i = 0; i < 2; i++) {
      const c = client(mock.url);
      await c.opened;
      const closed = await c.closed;
      // Dropped without a close frame, after the recorded answers. How long the silence before the
      // cut lasted is read from the mock's own recording below (diagnose's idleSeconds): a stopwatch
      // in this process would time its own scheduling as well, which on a busy machine lags the
      // open it saw behind the one the mock's timer started from.
      expect(closed.code).toBe(1006);
      expect(c.messages).toHaveLength(5);
    }
    const stopped = await mock.stop();
    expect(stopped.stderr).toMatch(
      /client 1 ended: cut by idle-cut after 1\.2 s without traffic \(no close frame\)/,
    );
    const id = await mockSession(stopped);
    const r = await cliJson<{
      findings: Array<{ id: string; evidence: { idleSeconds: number; connections: number } }>;
    }>(['diagnose', String(id), '--db', ws.db]);
    const idle = r.json.findings.find((f) => f.id === 'idle-timeout');
    expect(idle?.evidence.connections).toBe(2);
    expect(idle?.evidence.idleSeconds).toBeGreaterThanOrEqual(1.2);
    expect(idle?.evidence.idleSeconds).toBeLessThan(2);
  });

  it('refuses the upgrade, closes with a code, delays answers, ignores pings, accepts slowly', async () => {
    const reject = await startMock([String(source), '--fault', 'reject=503', '--db', ws.db]);
    const refused = client(reject.url);
    const status = await new Promise<number>((resolve) =>
      refused.ws.on('unexpected-response', (_q, res) => resolve(res.statusCode!)),
    );
    expect(status).toBe(503);
    const rs = await reject.stop();
    const { json: shown } = await cliJson<ShowJson>(['show', String(await mockSession(rs)), '--db', ws.db]);
    expect(shown.connections[0]).toMatchObject({ status: 503, error: { kind: 'upgrade-rejected' } });

    const mock = await startMock([
      String(source),
      '--mode',
      'reactive',
      '--fault',
      'close=4001:token expired@1',
      '--fault',
      'delay=300',
      '--fault',
      'no-pong',
      '--fault',
      'slow-accept=300',
      '--db',
      ws.db,
    ]);
    try {
      const t0 = Date.now();
      const c = client(mock.url);
      await c.opened;
      expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
      const sent = Date.now();
      c.ws.send(QUOTE_REQUESTS[1]!);
      let pong = false;
      c.ws.on('pong', () => (pong = true));
      c.ws.ping('anyone?');
      await until('the delayed answer', () => c.messages.some((m) => m.includes('"id":2')));
      expect(Date.now() - sent).toBeGreaterThanOrEqual(300);
      const closed = await c.closed;
      expect(closed).toEqual({ code: 4001, reason: 'token expired' });
      expect(pong).toBe(false);
    } finally {
      await mock.stop();
    }
  });

  it('refuses a port in use, an unknown fault and a session with no server messages in one line', async () => {
    const mock = await startMock([String(source), '--db', ws.db]);
    try {
      const port = new URL(mock.url).port;
      const cases: Array<[string[], RegExp]> = [
        [[String(source), '--port', port], new RegExp(`port ${port} is in use; pick another with --port`)],
        [[String(source), '--fault', 'idle-cut=soon'], /--fault the seconds of idle-cut must be a number/],
        [[String(source), '--mode', 'random'], /--mode/],
        [[String(source), '--fault', 'no-pong', '--fault', 'no-pong'], /names a fault twice/],
      ];
      for (const [args, message] of cases) {
        const r = await cli(['mock', ...args, '--db', ws.db]);
        expect({ args, code: r.code }).toEqual({ args, code: 2 });
        expect(r.stderr).toMatch(message);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
      }
    } finally {
      await mock.stop();
    }
  });
});
