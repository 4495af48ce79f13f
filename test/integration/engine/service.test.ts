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

  it('pushes the events of a capture started with them, in order, and its end last; none for the console’s', async () => {
    await server.close();
    server = await wsServer((peer) => {
      peer.send('one');
      peer.send('two');
      peer.close(4001, 'done');
    });
    const events: Array<PayloadOf<'capture:event'>> = [];
    service.onPush((topic, payload) => {
      if (topic === 'capture:event') events.push(payload as PayloadOf<'capture:event'>);
    });
    const { sessionId } = await call<{ sessionId: number }>('capture:start', {
      url: server.url,
      events: true,
    });
    await until('the end', () => events.some((e) => e.event === 'ended'));
    expect(events).toEqual([
      { sessionId, event: 'opened', connection: 1 },
      {
        sessionId,
        event: 'closed',
        connection: 1,
        closeCode: 4001,
        closeReason: 'done',
        closedBy: 'server',
        error: null,
      },
      {
        sessionId,
        event: 'ended',
        stoppedBy: 'peer',
        opened: true,
        failure: null,
        scriptFailure: null,
        waitingInSpool: null,
        skippedFrames: 0,
      },
    ]);
    // Everything was committed when the end was pushed.
    const detail = await call<{ session: { frames: number } }>('sessions:get', { id: sessionId });
    expect(detail.session.frames).toBe(4);

    const quiet = await call<{ sessionId: number }>('capture:start', { url: server.url });
    await until('the console’s capture to end', () =>
      statuses.some((st) => st.sessionId === quiet.sessionId && st.state === 'ended'),
    );
    expect(events.filter((e) => e.sessionId === quiet.sessionId)).toEqual([]);
  });

  it('says a capture that never connected, with the reason, in its events', async () => {
    const events: Array<PayloadOf<'capture:event'>> = [];
    service.onPush((topic, payload) => {
      if (topic === 'capture:event') events.push(payload as PayloadOf<'capture:event'>);
    });
    await call('capture:start', { url: 'ws://127.0.0.1:9/', events: true });
    await until('the end', () => events.some((e) => e.event === 'ended'));
    expect(events.map((e) => e.event)).toEqual(['closed', 'ended']);
    expect(events[0]).toMatchObject({ error: { kind: 'refused' }, closeCode: null });
    expect(events[1]).toMatchObject({ opened: false, stoppedBy: 'peer', failure: null });
  });

  it('pushes up to liveFrames frames a second with the head of each, and counts the rest', async () => {
    const TOTAL = 300;
    const big = 'x'.repeat(2000);
    await server.close();
    server = await wsServer((peer) => {
      peer.send(big);
      for (let i = 2; i <= TOTAL; i++) peer.send(`message ${i}`);
      peer.close(1000);
    });
    const frames: Array<PayloadOf<'capture:frame'>> = [];
    let end: Extract<PayloadOf<'capture:event'>, { event: 'ended' }> | null = null;
    service.onPush((topic, payload) => {
      if (topic === 'capture:frame') frames.push(payload as PayloadOf<'capture:frame'>);
      const e = payload as PayloadOf<'capture:event'>;
      if (topic === 'capture:event' && e.event === 'ended') end = e;
    });
    const { sessionId } = await call<{ sessionId: number }>('capture:start', {
      url: server.url,
      events: true,
      liveFrames: 10,
    });
    await until('the end', () => end !== null);
    const ended = end!;
    // The first frames are pushed as recorded, in order, with the head of the payload and its whole size.
    expect(frames.slice(0, 10).map((f) => [f.seq, f.skipped])).toEqual(
      Array.from({ length: 10 }, (_, i) => [i + 1, 0]),
    );
    expect(frames[0]).toMatchObject({
      sessionId,
      connection: 1,
      direction: 'in',
      opcode: 'text',
      size: 2000,
    });
    expect(Buffer.from(frames[0]!.head, 'base64').toString()).toBe(big.slice(0, 512));
    expect(Buffer.from(frames[1]!.head, 'base64').toString()).toBe('message 2');
    // No frame is lost to the count: pushed, plus skipped before a push, plus skipped at the end.
    const detail = await call<{ session: { frames: number } }>('sessions:get', { id: sessionId });
    const counted = frames.length + frames.reduce((n, f) => n + f.skipped, 0) + ended.skippedFrames;
    expect(counted).toBe(detail.session.frames);
    // At most 10 in each second the capture lasted.
    const seconds = (frames[frames.length - 1]!.ts - frames[0]!.ts) / 1e6;
    expect(frames.length).toBeLessThanOrEqual(10 * (Math.floor(seconds) + 2));
    expect(frames.length).toBeLessThan(detail.session.frames);
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
