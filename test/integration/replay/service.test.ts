// The replay and mock channels as every host carries them (the console's transports and the command
// line's door): FramelineService.handle('replay:run', …) against a real quote service, stopped early
// by 'replay:stop' under its run id as Ctrl+C stops `frameline replay`; 'mock:start' with real
// clients, each pushed on `mock:client` as it connects and ends when the request asks for it (and
// only then), and 'mock:stop' answering the mock as it ended.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { contract, topics, type PayloadOf, type Topic } from '../../../shared/contract.js';
import { FramelineService } from '../../../electron/engine/service.js';
import { quoteService } from '../../servers/quote-service.js';
import { cli, cliJson, workspace, type Workspace } from '../../support/cli.js';
import type { ShowJson } from '../../support/session-json.js';
import { QUOTE_REQUESTS, recordQuotes } from '../../support/replay.js';
import { callService, failedCall } from '../../support/service.js';
import { until } from '../../support/wait.js';

let ws: Workspace;
let service: FramelineService | null;
let pushes: Array<{ topic: Topic; payload: unknown }>;

beforeEach(() => {
  ws = workspace();
  service = null;
  pushes = [];
});

afterEach(async () => {
  await service?.close();
  ws.cleanup();
});

/** The service over the test's database (made once the CLI recorded what it needs), its pushes kept. */
function open(): FramelineService {
  service = new FramelineService({ dbPath: ws.db, shell: 'desktop' });
  service.onPush((topic, payload) => pushes.push({ topic, payload }));
  return service;
}

function pushed<T extends Topic>(topic: T): Array<PayloadOf<T>> {
  return pushes.filter((p) => p.topic === topic).map((p) => topics[topic].parse(p.payload) as PayloadOf<T>);
}

/** Records a client asking for a price every 150 ms for 0.8 s: a replay of it lasts a while. */
async function recordPaced(): Promise<number> {
  const server = await quoteService();
  try {
    const r = await cli([
      'capture',
      `${server.url}/quotes`,
      '--send',
      QUOTE_REQUESTS[1]!,
      '--send-every',
      '0.15',
      '--duration',
      '0.8',
      '--name',
      'paced',
      '--quiet',
      '--db',
      ws.db,
    ]);
    if (r.code !== 0) throw new Error(`capture failed: ${r.stderr}`);
  } finally {
    await server.close();
  }
  const { json } = await cliJson<Array<{ id: number; name: string }>>(['sessions', '--db', ws.db]);
  return json.find((s) => s.name === 'paced')!.id;
}

describe('replay channels', () => {
  it('stops a running replay under its run id: the run answers what it sent so far, compared and kept', async () => {
    const paced = await recordPaced();
    const server = await quoteService();
    const s = open();
    try {
      // A twentieth of the recorded pace: three seconds between requests.
      const running = s.handle('replay:run', {
        sessionId: paced,
        to: `${server.url}/quotes`,
        speed: 0.05,
        runId: 'run-7',
      });
      await until(
        'the first request sent',
        () => pushed('replay:progress').some((p) => p.runId === 'run-7' && p.sent >= 1),
        30_000,
      );
      expect(await callService(s, 'replay:stop', { runId: 'another' })).toEqual({ stopped: false });
      expect(await callService(s, 'replay:stop', { runId: 'run-7' })).toEqual({ stopped: true });
      const answer = await running;
      if (!answer.ok) throw new Error(`replay:run failed: ${answer.error.message}`);
      const result = contract.replay.run.response.parse(answer.value);
      expect(result.outcome.opened).toBe(true);
      expect(result.planned).toBeGreaterThanOrEqual(4);
      expect(result.sent).toBeGreaterThanOrEqual(1);
      expect(result.sent).toBeLessThan(result.planned);
      // Every answer to a request that the original got misses in the replay, but those of the
      // requests sent (an answer still on its way when the stop came misses too). Counted from the
      // recording, without the server's hello: on a busy machine its last requests may have gone
      // unanswered before the capture's end.
      const original = await cliJson<ShowJson>(['show', String(paced), '--frames', '--db', ws.db]);
      const answers = original.json.frames!.filter(
        (f) => f.direction === 'in' && f.opcode === 'text' && !f.payload.includes('"type":"hello"'),
      ).length;
      expect(result.missing).toBeGreaterThanOrEqual(answers - result.sent);
      // The run has ended: nothing is left to stop.
      expect(await callService(s, 'replay:stop', { runId: 'run-7' })).toEqual({ stopped: false });
      const progress = pushed('replay:progress');
      expect(new Set(progress.map((p) => p.runId))).toEqual(new Set(['run-7']));
      expect(progress.at(-1)).toMatchObject({
        state: 'done',
        sessionId: result.sessionId,
        sent: result.sent,
      });
      const stored = await callService<{ session: { kind: string; sourceId: number } }>(s, 'sessions:get', {
        id: result.sessionId,
      });
      expect(stored.session).toMatchObject({ kind: 'replay', sourceId: paced });
    } finally {
      await server.close();
    }
  });

  it('refuses a stop without a run id, naming the field', async () => {
    const s = open();
    expect(await failedCall(s, 'replay:stop', {})).toMatchObject({
      code: 'bad-request',
      message: expect.stringMatching(/^replay:stop: runId /),
    });
  });
});

describe('mock channels', () => {
  /** A client that takes the five recorded messages, then closes with 1000. */
  async function visit(url: string): Promise<void> {
    const c = new WebSocket(url);
    let got = 0;
    c.on('message', () => got++);
    c.on('error', () => {});
    const closed = new Promise<void>((resolve) => c.on('close', () => resolve()));
    await until('the greeting and the four answers', () => got >= 5, 20_000);
    c.close(1000, 'done');
    await closed;
  }

  it('pushes each client of a mock that asks as it connects and ends, and answers the mock as it ended', async () => {
    const source = await recordQuotes(ws.db);
    const s = open();
    const started = contract.mock.start.response.parse(
      await callService(s, 'mock:start', { sessionId: source, clientEvents: true }),
    );
    expect(started).toMatchObject({ source, state: 'listening', loopback: true, connections: 0 });
    expect(started.url).toBe(`ws://127.0.0.1:${started.port}/`);
    await visit(started.url);
    await until('the client’s end pushed', () => pushed('mock:client').some((e) => e.event === 'ended'));
    const events = pushed('mock:client');
    expect(events.map((e) => [e.sessionId, e.event, e.client.ordinal])).toEqual([
      [started.sessionId, 'connected', 1],
      [started.sessionId, 'ended', 1],
    ]);
    expect(events[0]!.client).toMatchObject({
      state: 'open',
      ending: null,
      remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
    });
    expect(events[1]!.client).toMatchObject({
      state: 'closed',
      ending: 'closed by the client with 1000 "done"',
    });
    expect(events[1]!.client.framesOut).toBeGreaterThanOrEqual(5);

    const stopped = contract.mock.stop.response.parse(
      await callService(s, 'mock:stop', { sessionId: started.sessionId }),
    );
    expect(stopped).toMatchObject({ sessionId: started.sessionId, state: 'stopped', connections: 1 });
    expect(stopped.clients).toEqual([events[1]!.client]);
    expect(pushed('mock:status').at(-1)).toEqual(stopped);
    expect(await failedCall(s, 'mock:stop', { sessionId: started.sessionId })).toMatchObject({
      code: 'not-found',
    });
  });

  it('pushes no client events for a mock that does not ask (the console reads mock:status)', async () => {
    const source = await recordQuotes(ws.db);
    const s = open();
    const started = contract.mock.start.response.parse(
      await callService(s, 'mock:start', { sessionId: source }),
    );
    await visit(started.url);
    await until('the status with the client ended', () =>
      pushed('mock:status').some(
        (m) => m.sessionId === started.sessionId && m.clients.some((c) => c.state === 'closed'),
      ),
    );
    const stopped = contract.mock.stop.response.parse(
      await callService(s, 'mock:stop', { sessionId: started.sessionId }),
    );
    expect(stopped.connections).toBe(1);
    expect(pushed('mock:client')).toEqual([]);
  });
});
