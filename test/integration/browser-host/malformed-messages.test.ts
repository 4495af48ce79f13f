// Browser mode's WebSocket fed what no console sends: JSON that is not a request (null, scalars,
// arrays), odd ids, unknown channels, non-JSON text and binary frames. Each gets an error answer or
// nothing; `frameline serve` keeps running, keeps answering, and a capture it runs stays live.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../../shared/contract.js';
import { echo, wsServer, type WsScenario } from '../../servers/scenarios.js';
import { workspace, type Workspace } from '../../support/cli.js';
import { cookieFor, openApi, serve, type ApiSocket, type Served } from '../../support/serve.js';
import { until } from '../../support/wait.js';

let ws: Workspace;
let served: Served;
let peer: WsScenario;
let api: ApiSocket;

beforeAll(async () => {
  ws = workspace();
  peer = await wsServer(echo);
  served = await serve(ws.db);
  api = await openApi(served, await cookieFor(served));
});

afterAll(async () => {
  api?.close();
  await served?.stop();
  await peer?.close();
  ws?.cleanup();
});

async function value<T>(channel: string, payload: unknown): Promise<T> {
  const r = await api.call(channel, payload);
  if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
  return r.value as T;
}

interface Status {
  sessionId: number;
  state: string;
  framesIn: number;
}

const MALFORMED: Array<[string, string | Buffer]> = [
  ['null', 'null'],
  ['a number', '42'],
  ['a string', '"app:info"'],
  ['true', 'true'],
  ['an empty array', '[]'],
  ['an array of a request', JSON.stringify([{ id: 1, channel: 'app:info' }])],
  ['an empty object', '{}'],
  ['an id and no channel', '{"id":7}'],
  ['a channel and no id', '{"channel":"app:info"}'],
  ['a string id', '{"id":"7","channel":"app:info"}'],
  ['a fractional id', '{"id":1.5,"channel":"app:info"}'],
  ['a negative id', '{"id":-3,"channel":"app:info"}'],
  ['a huge id', '{"id":1e308,"channel":"app:info"}'],
  ['an id past 2^53', '{"id":123456789012345678901234567890,"channel":"app:info"}'],
  ['an object id', '{"id":{"a":1},"channel":"app:info"}'],
  ['a null id', '{"id":null,"channel":"app:info"}'],
  ['a number channel', '{"id":8,"channel":5}'],
  ['an unknown channel', '{"id":9,"channel":"fs:readFile","payload":{"path":"/etc/passwd"}}'],
  ['a prototype channel', '{"id":10,"channel":"__proto__"}'],
  ['a constructor channel', '{"id":11,"channel":"constructor"}'],
  ['a null payload', '{"id":12,"channel":"sessions:get","payload":null}'],
  ['a scalar payload', '{"id":13,"channel":"sessions:get","payload":"x"}'],
  [
    'a deeply nested payload',
    `{"id":14,"channel":"sessions:list","payload":${'['.repeat(5000)}${']'.repeat(5000)}}`,
  ],
  ['a __proto__ payload', '{"id":15,"channel":"sessions:get","payload":{"__proto__":{"id":1}}}'],
  ['text that is not JSON', 'hello'],
  ['truncated JSON', '{"id":16,"channel":"app:in'],
  ['an empty text frame', ''],
  ['a binary frame of JSON', Buffer.from(JSON.stringify({ id: 17, channel: 'app:info' }))],
  ['a binary frame of garbage', Buffer.from([0xff, 0x00, 0xfe, 0x01])],
];

describe('frameline serve fed malformed API messages', () => {
  it('answers each with an error or nothing, keeps answering, and keeps a live capture live', async () => {
    const { sessionId } = await value<{ sessionId: number }>('capture:start', {
      url: peer.url,
      name: 'kept live',
    });
    const live = async () =>
      (await value<Status[]>('capture:list', {})).find((s) => s.sessionId === sessionId);
    await until('the capture to open', async () => (await live())?.state === 'open');

    for (const [what, data] of MALFORMED) {
      const before = api.received.length;
      api.socket.send(data);
      // The next request is answered: the socket and the server are still up.
      const info = await api.call('app:info', {});
      expect(info, what).toMatchObject({ ok: true, value: { shell: 'browser' } });
      const answers = api.received
        .slice(before)
        .filter((m) => typeof m !== 'object' || m === null || !('topic' in m))
        .filter((m) => (m as { id?: unknown }).id !== undefined && (m as { id?: number }).id! < 1_000_000);
      for (const answer of answers)
        expect((answer as { result: Result<unknown> }).result, what).toMatchObject({
          ok: false,
          error: { code: 'bad-request', message: expect.any(String) },
        });
      expect(served.child.exitCode, what).toBeNull();
    }

    // Requests with a usable id got their error under that id.
    const byId = (id: number) =>
      api.received.find((m) => (m as { id?: unknown }).id === id) as { result: Result<unknown> } | undefined;
    expect(byId(9)?.result).toMatchObject({ ok: false, error: { message: /unknown channel "fs:readFile"/ } });
    expect(byId(12)?.result).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(byId(13)?.result).toMatchObject({ ok: false, error: { code: 'bad-request' } });

    // The capture is still live and still recording.
    const framesBefore = (await live())!.framesIn;
    for (const c of peer.clients) c.send('still here');
    await until('a frame after the malformed messages', async () => (await live())!.framesIn > framesBefore);
    expect(await live()).toMatchObject({ state: 'open' });
    const { session } = await value<{ session: { status: string } }>('sessions:get', { id: sessionId });
    expect(session.status).toBe('live');
    expect(served.stderr()).not.toMatch(/TypeError|unexpected failure/);
  });
});
