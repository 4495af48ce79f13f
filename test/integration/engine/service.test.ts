// The contract as both shells carry it: FramelineService.handle(channel, payload) with a real
// capture against a local server, then every session channel on what it recorded.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PayloadOf } from '../../../shared/contract.js';
import { FramelineService } from '../../../electron/engine/service.js';
import { workspace, type Workspace } from '../../support/cli.js';
import { echo, wsServer, type WsScenario } from '../../servers/scenarios.js';
import { callService } from '../../support/service.js';
import { until } from '../../support/wait.js';

let ws: Workspace;
let service: FramelineService;
let server: WsScenario;
let statuses: Array<PayloadOf<'capture:status'>>;

beforeEach(async () => {
  ws = workspace();
  service = new FramelineService({ dbPath: ws.db, shell: 'browser' });
  statuses = [];
  service.onPush((topic, payload) => {
    if (topic === 'capture:status') statuses.push(payload as PayloadOf<'capture:status'>);
  });
  server = await wsServer(echo);
});

afterEach(async () => {
  await service.close();
  await server.close();
  ws.cleanup();
});

const call = <T = unknown>(channel: string, payload: unknown) => callService<T>(service, channel, payload);

const last = () => statuses[statuses.length - 1]!;

/** Attaches to the echo server, sends messages, and disconnects; returns the session id. */
async function recordEcho(messages: string[]): Promise<number> {
  const { sessionId } = await call<{ sessionId: number }>('capture:start', { url: server.url, name: 'echo' });
  await until('the handshake', () =>
    statuses.some((s) => s.sessionId === sessionId && s.state === 'open' && s.connection !== null),
  );
  for (const m of messages) await call('capture:send', { sessionId, data: m, kind: 'text' });
  await until('the echoes', () => last().framesIn >= messages.length);
  await call('capture:stop', { sessionId });
  await until('the end', () => last().state === 'ended');
  return sessionId;
}

describe('capture channels', () => {
  it('attaches, pushes coalesced status with counters and the handshake, sends, and stops cleanly', async () => {
    const id = await recordEcho(['{"id":1,"op":"hello"}', 'plain words']);
    // The handshake reaches the console once committed: a status while open carries it.
    const open = statuses.find((s) => s.state === 'open' && s.connection !== null)!;
    expect(open.connection).toMatchObject({ status: 101, url: `${server.url}/`, closeCode: null });
    const end = last();
    expect(end).toMatchObject({ sessionId: id, state: 'ended', framesIn: 3, framesOut: 3, committed: 6 });
    expect(end.connection).toMatchObject({ closeCode: 1000, closedBy: 'client' });
    // Coalesced: far fewer pushes than frames would allow at 10 a second, and never two in a millisecond burst.
    expect(statuses.length).toBeLessThan(50);
    expect(await call('capture:list', {})).toEqual([]);
  });

  it('sends binary as hex and refuses malformed hex with a sentence', async () => {
    const { sessionId } = await call<{ sessionId: number }>('capture:start', { url: server.url });
    await until('open', () => statuses.some((s) => s.state === 'open'));
    await call('capture:send', { sessionId, data: '01 ff 7a', kind: 'binary' });
    const bad = await service.handle('capture:send', { sessionId, data: 'xyz', kind: 'binary' });
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: expect.stringMatching(/hex digits in pairs/) },
    });
    await until('the echo', () => last().framesIn >= 1);
    await call('capture:stop', { sessionId });
    await until('the end', () => last().state === 'ended');
    const page = await call<{ frames: Array<{ opcode: string; preview: string }> }>('sessions:frames', {
      id: sessionId,
      offset: 0,
      limit: 10,
    });
    expect(page.frames.filter((f) => f.opcode === 'binary').map((f) => f.preview)).toEqual([
      '01 ff 7a',
      '01 ff 7a',
    ]);
  });

  it('reports a failed attach in the status message', async () => {
    const { sessionId } = await call<{ sessionId: number }>('capture:start', { url: 'ws://127.0.0.1:9/' });
    await until('the end', () => statuses.some((s) => s.sessionId === sessionId && s.state === 'ended'));
    expect(statuses.map((s) => s.message).join(' ')).toMatch(/connection refused/);
  });

  it('refuses bad input before connecting', async () => {
    expect(await service.handle('capture:start', { url: 'http://example.com' })).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: expect.stringMatching(/use ws:\/\//) },
    });
    expect(await service.handle('capture:send', { sessionId: 5, data: 'x', kind: 'text' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
  });
});

describe('session channels', () => {
  it('pages, filters, searches and charts a recorded session', async () => {
    const id = await recordEcho([
      '{"id":1,"op":"subscribe","topic":"prices"}',
      '{"id":2,"op":"ping"}',
      'hello prices',
    ]);
    const all = await call<{
      total: number;
      frames: Array<{ seq: number; direction: string; opcode: string }>;
    }>('sessions:frames', { id, offset: 0, limit: 100 });
    expect(all.total).toBe(8);
    expect(all.frames.map((f) => `${f.direction} ${f.opcode}`)).toEqual([
      'out text',
      'out text',
      'out text',
      'in text',
      'in text',
      'in text',
      'out close',
      'in close',
    ]);
    const second = await call<{ frames: Array<{ seq: number }> }>('sessions:frames', {
      id,
      offset: 2,
      limit: 2,
    });
    expect(second.frames.map((f) => f.seq)).toEqual([3, 4]);

    const incoming = await call<{ total: number }>('sessions:frames', {
      id,
      filter: { direction: 'in' },
      offset: 0,
      limit: 100,
    });
    expect(incoming.total).toBe(4);
    const closes = await call<{ total: number }>('sessions:frames', {
      id,
      filter: { opcodes: ['close'] },
      offset: 0,
      limit: 100,
    });
    expect(closes.total).toBe(2);
    const search = await call<{ total: number; frames: Array<{ preview: string }> }>('sessions:frames', {
      id,
      filter: { text: 'prices' },
      offset: 0,
      limit: 100,
    });
    expect(search.total).toBe(4);
    expect(search.frames.every((f) => f.preview.includes('prices'))).toBe(true);
    const punctuation = await call<{ total: number }>('sessions:frames', {
      id,
      filter: { text: '{"id":2' },
      offset: 0,
      limit: 100,
    });
    expect(punctuation.total).toBe(2);
    const prefix = await call<{ total: number }>('sessions:frames', {
      id,
      filter: { text: 'subscr*', direction: 'in' },
      offset: 0,
      limit: 100,
    });
    expect(prefix.total).toBe(1);

    const detail = await call<{ payload: string; encoding: string }>('sessions:frame', { id, seq: 1 });
    expect(detail).toMatchObject({ payload: '{"id":1,"op":"subscribe","topic":"prices"}', encoding: 'text' });

    const rate = await call<{ incoming: number[]; outgoing: number[] }>('sessions:rate', { id, buckets: 10 });
    expect(rate.incoming.reduce((a, b) => a + b, 0)).toBe(4);
    expect(rate.outgoing.reduce((a, b) => a + b, 0)).toBe(4);

    const got = await call<{ connections: Array<{ closeCode: number }> }>('sessions:get', { id });
    expect(got.connections.map((c) => c.closeCode)).toEqual([1000]);
  });

  it('answers the first page of a session opened with its rate before it counts the rate', async () => {
    // Opening a session asks for both at once: its frames must not wait behind a count of them all.
    const id = await recordEcho(['one', 'two']);
    const order: string[] = [];
    const rate = service.handle('sessions:rate', { id, buckets: 10 }).then(() => order.push('rate'));
    const page = service
      .handle('sessions:frames', { id, offset: 0, limit: 64 })
      .then(() => order.push('frames'));
    await Promise.all([rate, page]);
    expect(order).toEqual(['frames', 'rate']);
  });

  it('renames, tags, finds by tag and deletes a session with its frames and index entries', async () => {
    const id = await recordEcho(['needle in the haystack']);
    await call('sessions:rename', { id, name: 'INC-42 gateway' });
    await call('sessions:tag', { id, tags: ['prod', 'INC-42'] });
    expect(await call('sessions:list', { query: 'inc-42' })).toMatchObject([
      { id, name: 'INC-42 gateway', tags: ['INC-42', 'prod'] },
    ]);
    expect(await call('sessions:list', { query: 'staging' })).toEqual([]);
    expect(await call('sessions:list', { status: 'complete' })).toHaveLength(1);
    await call('sessions:delete', { id });
    expect(await call('sessions:list', {})).toEqual([]);
    const gone = await service.handle('sessions:frames', { id, offset: 0, limit: 10 });
    expect(gone).toMatchObject({ ok: false, error: { code: 'not-found' } });
    const leftover = service.db
      .prepare("SELECT count(*) AS n FROM frame_text WHERE frame_text MATCH 'needle'")
      .get() as { n: number };
    expect(leftover.n).toBe(0);
  });

  it('lists frames with empty payloads (a bare ping, a close without a code)', async () => {
    const quiet = await wsServer((sock) => {
      sock.ping();
      sock.on('pong', () => sock.close());
    });
    try {
      const { sessionId } = await call<{ sessionId: number }>('capture:start', { url: quiet.url });
      await until('the end', () => statuses.some((s) => s.sessionId === sessionId && s.state === 'ended'));
      const page = await call<{
        frames: Array<{ direction: string; opcode: string; size: number; preview: string }>;
      }>('sessions:frames', { id: sessionId, offset: 0, limit: 10 });
      expect(page.frames.map((f) => `${f.direction} ${f.opcode} ${f.size} "${f.preview}"`)).toEqual([
        'in ping 0 ""',
        'out pong 0 ""',
        'in close 0 ""',
        'out close 0 ""',
      ]);
    } finally {
      await quiet.close();
    }
  });

  it('validates every request against the contract', async () => {
    expect(await service.handle('sessions:rename', { id: 1, name: '   ' })).toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    });
    expect(await service.handle('sessions:frames', { id: 1, offset: -1, limit: 10 })).toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    });
    expect(await service.handle('sessions:frames', { id: 1, offset: 0, limit: 100_000 })).toMatchObject({
      ok: false,
    });
    expect(await service.handle('nope:nothing', {})).toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    });
  });
});
