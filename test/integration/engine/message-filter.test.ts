// The frame list's filter on decoded messages over a session captured from a real Socket.IO 4
// server: the frames it lets through, page by page, are exactly those whose message (as `show`
// decodes it) has that type or names that event, alone or with the filter's other conditions.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FrameRecord, ResponseOf } from '../../../shared/contract.js';
import { matchesMessage, messageKey, parseMessageQuery } from '../../../shared/protocols/message-filter.js';
import { FramelineService } from '../../../electron/engine/service.js';
import { captured } from '../../support/captured.js';
import { workspace, type Workspace } from '../../support/cli.js';
import { callService } from '../../support/service.js';
import { protocolToolMissing } from '../../support/test-tools.js';
import { until } from '../../support/wait.js';
import { socketIoServer, type SocketIoScenario } from '../../servers/socketio.js';

type Page = ResponseOf<'sessions', 'frames'>;

const missing = protocolToolMissing('socket.io');
describe.skipIf(missing)(`filter on decoded messages${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let ws: Workspace;
  let server: SocketIoScenario;
  let service: FramelineService;
  let sessionId: number;
  let frames: FrameRecord[];

  beforeEach(async () => {
    ws = workspace();
    server = await socketIoServer({ pingInterval: 150, pingTimeout: 1000 });
    const { code, data } = await captured(ws.db, [
      server.url,
      '--send',
      '42["chat",{"text":"hello"}]',
      '--send',
      '42["typing",{"who":"oncall"}]',
      '--send',
      '42["chat",{"text":"anyone there?"}]',
      '--send',
      '42["chat-history",{"last":10}]',
      '--duration',
      '0.8',
    ]);
    expect(code).toBe(0);
    await until('the events to reach the server', () => server.events.length === 4);
    sessionId = data.session.id;
    frames = data.frames ?? [];
    service = new FramelineService({ dbPath: ws.db, shell: 'browser' });
  });

  afterEach(async () => {
    await service.close();
    await server.close();
    ws.cleanup();
  });

  const page = (filter: Record<string, unknown>, offset = 0, limit = 100) =>
    callService<Page>(service, 'sessions:frames', { id: sessionId, filter, offset, limit });
  /** The seqs `show` says match: every frame decoded, the filter applied to each. */
  const expected = (query: string, keep: (f: FrameRecord) => boolean = () => true) => {
    const words = parseMessageQuery(query);
    return frames
      .filter((f) => keep(f) && matchesMessage(words, messageKey(f.message ?? null)))
      .map((f) => f.seq);
  };

  it('lets through exactly the frames of one event, of one type, or of a pattern', async () => {
    const chat = await page({ message: 'chat' });
    expect(chat.frames.map((f) => f.preview)).toEqual([
      '42["chat",{"text":"hello"}]',
      '42["chat",{"text":"anyone there?"}]',
    ]);
    expect(chat.total).toBe(2);
    expect(chat.frames.map((f) => f.message)).toEqual([
      expect.objectContaining({ protocol: 'socket.io', type: 'EVENT', name: 'chat' }),
      expect.objectContaining({ protocol: 'socket.io', type: 'EVENT', name: 'chat' }),
    ]);

    for (const query of [
      'chat',
      'EVENT chat',
      'event',
      'chat*',
      'typing',
      'welcome',
      'ping',
      'pong',
      'CONNECT',
    ]) {
      const answer = await page({ message: query });
      expect(
        answer.frames.map((f) => f.seq),
        query,
      ).toEqual(expected(query));
      expect(answer.total, query).toBe(expected(query).length);
    }
    // Engine.IO's heartbeats: the server pinged and the capture answered, more than once in 0.8 s.
    expect(expected('ping').length).toBeGreaterThanOrEqual(2);
    expect(expected('EVENT').length).toBe(5);
    expect((await page({ message: 'chat-typing' })).total).toBe(0);
  });

  it("carries a live session's filter on with the frames it records", async () => {
    let status = { sessionId: 0, framesIn: 0 };
    service.onPush((topic, payload) => {
      if (topic === 'capture:status') status = payload as typeof status;
    });
    const { sessionId: live } = await callService<{ sessionId: number }>(service, 'capture:start', {
      url: server.url,
    });
    // The open packet, then the namespace connect's answer.
    await until('the namespace connect', () => status.framesIn >= 2);
    const chats = async () =>
      (
        await callService<Page>(service, 'sessions:frames', {
          id: live,
          filter: { message: 'EVENT chat' },
          offset: 0,
          limit: 100,
        })
      ).frames.map((f) => f.preview);
    expect(await chats()).toEqual([]);
    for (const n of [1, 2]) {
      await callService(service, 'capture:send', {
        sessionId: live,
        data: `42["chat",{"n":${n}}]`,
        kind: 'text',
      });
      await until(`chat ${n} to reach the server`, () => server.events.length === 4 + n);
      await until(`chat ${n} in the filtered view`, async () => (await chats()).length === n);
    }
    expect(await chats()).toEqual(['42["chat",{"n":1}]', '42["chat",{"n":2}]']);
    await callService(service, 'capture:stop', { sessionId: live });
  });

  it('combines with direction and full-text search, and pages over the whole view', async () => {
    const sent = await page({ message: 'EVENT', direction: 'out' });
    expect(sent.frames.map((f) => f.message?.name)).toEqual(['chat', 'typing', 'chat', 'chat-history']);
    const received = await page({ message: 'EVENT', direction: 'in' });
    expect(received.frames.map((f) => f.message?.name)).toEqual(['welcome']);
    const searched = await page({ message: 'chat', text: 'anyone' });
    expect(searched.frames.map((f) => f.preview)).toEqual(['42["chat",{"text":"anyone there?"}]']);

    const all = expected('chat*');
    const oneByOne: number[] = [];
    for (let offset = 0; offset < all.length; offset++) {
      const one = await page({ message: 'chat*' }, offset, 1);
      expect(one.total).toBe(all.length);
      oneByOne.push(...one.frames.map((f) => f.seq));
    }
    expect(oneByOne).toEqual(all);
    expect((await page({ message: 'chat*' }, all.length, 10)).frames).toEqual([]);
  });
});
