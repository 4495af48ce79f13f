// The STOMP client's frames and dialogue, checked against @stomp/stompjs's own codec: what we write,
// its parser reads as the headers we meant (escaped as STOMP 1.2 says); what it writes, our reader
// cuts correctly however the bytes are split, heart-beats between frames included; and the dialogue
// negotiates heart-beats and tells a refused SUBSCRIBE from the connection's ERROR.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StompClient, stompOptionsProblem } from '../../../../../electron/engine/capture/protocols/stomp.js';
import { recordingLink as linkRecording } from '../../../../support/protocol-link.js';
import { FrameReader, encodeFrame } from '../../../../../electron/engine/capture/protocols/stomp-frames.js';
import type { StompModule } from '../../../../support/protocol-tool-types.js';
import { importProtocolTool, protocolToolMissing } from '../../../../support/test-tools.js';

const missing = protocolToolMissing('@stomp/stompjs');
const stompjs = () => importProtocolTool<StompModule>('@stomp/stompjs');

function bytes(marshalled: string | ArrayBuffer): Buffer {
  return typeof marshalled === 'string' ? Buffer.from(marshalled) : Buffer.from(new Uint8Array(marshalled));
}

/** The shared recording link, with what was sent as text (STOMP is a text protocol). */
function recordingLink() {
  const r = linkRecording();
  const sent: string[] = [];
  const send = r.link.send;
  r.link.send = (data, binary) => {
    sent.push(data.toString());
    send(data, binary);
  };
  return { ...r, sent };
}

afterEach(() => {
  vi.useRealTimers();
});

describe.skipIf(missing !== null)(`STOMP frames${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('writes frames that stompjs reads back, header values escaped as 1.2 says', async () => {
    const { Parser, FrameImpl } = await stompjs();
    const read: Array<{ command: string; headers: Record<string, string>; body: string }> = [];
    const parser = new Parser(
      (raw) => read.push(FrameImpl.fromRawFrame(raw, true)),
      () => {},
    );
    parser.parseChunk(
      encodeFrame('SUBSCRIBE', { id: 'sub-0', destination: '/topic/a:back\\slash\nd\re' }, '1.2'),
    );
    parser.parseChunk(encodeFrame('SEND', { destination: '/queue/x' }, '1.2', 'hello'));
    expect(read).toEqual([
      expect.objectContaining({
        command: 'SUBSCRIBE',
        headers: { id: 'sub-0', destination: '/topic/a:back\\slash\nd\re' },
      }),
      expect.objectContaining({ command: 'SEND', body: 'hello' }),
    ]);
    // CONNECT is never escaped.
    expect(encodeFrame('CONNECT', { passcode: 'a:b' }, '1.2')).toContain('passcode:a:b\n');
  });

  it('ends a frame written without its NUL (a command line cannot carry one) as stompjs reads it', async () => {
    const { Parser, FrameImpl } = await stompjs();
    const read: Array<{ command: string; headers: Record<string, string>; body: string }> = [];
    const parser = new Parser(
      (raw) => read.push(FrameImpl.fromRawFrame(raw, true)),
      () => {},
    );
    const client = new StompClient({ subscribe: [] }, new URL('ws://x/ws'));
    const written = 'SEND\ndestination:/queue/x\n\nhello';
    expect(client.framed(written)).toBe(`${written}\0`);
    parser.parseChunk(client.framed(written));
    expect(read).toEqual([
      expect.objectContaining({ command: 'SEND', headers: { destination: '/queue/x' }, body: 'hello' }),
    ]);
    // A whole frame, a heart-beat and text that is no frame go out as written.
    expect(client.framed(`${written}\0`)).toBe(`${written}\0`);
    expect(client.framed('\n')).toBe('\n');
    expect(client.framed('{"op":"hi"}')).toBe('{"op":"hi"}');
  });

  it('cuts what stompjs writes into frames and heart-beats wherever the messages split it', async () => {
    const { FrameImpl } = await stompjs();
    const stream = Buffer.concat([
      bytes(
        FrameImpl.marshall({
          command: 'MESSAGE',
          headers: { destination: '/queue/a:b', 'message-id': '1' },
          body: 'plain',
          escapeHeaderValues: true,
        }),
      ),
      Buffer.from('\n\r\n'),
      bytes(
        FrameImpl.marshall({
          command: 'MESSAGE',
          headers: { destination: '/queue/bin' },
          binaryBody: Uint8Array.from([1, 0, 2, 0]),
          escapeHeaderValues: true,
        }),
      ),
      Buffer.from('\n'),
      bytes(
        FrameImpl.marshall({
          command: 'RECEIPT',
          headers: { 'receipt-id': 'sub-0' },
          escapeHeaderValues: true,
        }),
      ),
    ]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const reader = new FrameReader();
      reader.version = '1.2';
      const a = reader.push(stream.subarray(0, cut));
      const b = reader.push(stream.subarray(cut));
      const frames = [...a.frames, ...b.frames];
      expect(frames.map((f) => f.command)).toEqual(['MESSAGE', 'MESSAGE', 'RECEIPT']);
      expect(frames[0]!.headers['destination']).toBe('/queue/a:b');
      expect(frames[0]!.body.toString()).toBe('plain');
      expect([...frames[1]!.body]).toEqual([1, 0, 2, 0]);
      expect(a.heartbeats + b.heartbeats).toBeGreaterThanOrEqual(3);
    }
  });

  it('keeps the first of a repeated header and refuses an undefined escape', () => {
    const reader = new FrameReader();
    reader.version = '1.2';
    expect(reader.push(Buffer.from('MESSAGE\nfoo:1\nfoo:2\n\n\0')).frames[0]!.headers).toEqual({ foo: '1' });
    expect(() => reader.push(Buffer.from('MESSAGE\nfoo:a\\tb\n\n\0'))).toThrow(
      /undefined escape sequence \\t/,
    );
  });
});

describe('STOMP client dialogue', () => {
  const CONNECTED = (headers: string) => Buffer.from(`CONNECTED\n${headers}\n\n\0`);

  it("sends the URL's host unless the payload names a vhost, and says what a payload it cannot take is wrong with", () => {
    const { link, sent } = recordingLink();
    new StompClient({ subscribe: [] }, new URL('wss://broker.example:15673/ws')).opened(link);
    new StompClient(
      { subscribe: [], initPayload: { host: '/', login: 'ops', passcode: 'p' } },
      new URL('ws://x/ws'),
    ).opened(link);
    expect(sent[0]).toBe(
      'CONNECT\naccept-version:1.0,1.1,1.2\nhost:broker.example\nheart-beat:10000,10000\n\n\0',
    );
    expect(sent[1]).toContain('host:/\nheart-beat:10000,10000\nlogin:ops\npasscode:p\n');
    expect(stompOptionsProblem({ subscribe: [], initPayload: { heartBeat: '10s' } })).toMatch(
      /^--init-payload for STOMP .*heartBeat is "cx,cy"/,
    );
    expect(stompOptionsProblem({ subscribe: [], initPayload: ['guest'] })).toMatch(/is an object of/);
    expect(stompOptionsProblem({ subscribe: [], initPayload: { host: '/' } })).toBeNull();
  });

  it('sends heart-beats at max(cx, sy) and reports silence past twice max(cy, sx)', async () => {
    vi.useFakeTimers();
    const client = new StompClient(
      { subscribe: [], initPayload: { heartBeat: '1000,3000' } },
      new URL('ws://x'),
    );
    const { link, sent, events } = recordingLink();
    client.opened(link);
    client.received(CONNECTED('version:1.2\nheart-beat:5000,2000'), false, link);
    await client.ready;
    expect(events[0]!.detail).toMatchObject({
      version: '1.2',
      heartBeat: { sendEveryMs: 2000, expectEveryMs: 5000 },
    });
    vi.advanceTimersByTime(6000);
    expect(sent.filter((s) => s === '\n')).toHaveLength(3);
    vi.advanceTimersByTime(4000);
    expect(events.some((e) => e.kind === 'heartbeat-missed')).toBe(false);
    vi.advanceTimersByTime(6000);
    expect(events.find((e) => e.kind === 'heartbeat-missed')?.detail).toMatchObject({ expectEveryMs: 5000 });
    client.dispose();
    vi.advanceTimersByTime(10_000);
    expect(sent.filter((s) => s === '\n')).toHaveLength(8);
  });

  it('takes a CONNECTED without version as STOMP 1.0, with no heart-beats', async () => {
    vi.useFakeTimers();
    const client = new StompClient({ subscribe: ['/queue/a'] }, new URL('ws://x'));
    const { link, sent, events } = recordingLink();
    client.opened(link);
    client.received(CONNECTED('session:1'), false, link);
    await client.ready;
    expect(events[0]!.detail).toMatchObject({
      version: '1.0',
      heartBeat: { sendEveryMs: 0, expectEveryMs: 0 },
    });
    vi.advanceTimersByTime(60_000);
    expect(sent.at(-1)).toBe('SUBSCRIBE\nid:sub-0\ndestination:/queue/a\nack:auto\nreceipt:sub-0\n\n\0');
  });

  it('ties an ERROR to the SUBSCRIBE its receipt-id names, and else to the connection', async () => {
    const client = new StompClient({ subscribe: ['/queue/a', '/queue/b'] }, new URL('ws://x'));
    const { link, events } = recordingLink();
    client.opened(link);
    client.received(CONNECTED('version:1.2'), false, link);
    await client.ready;
    client.received(
      Buffer.from(
        'ERROR\nreceipt-id:sub-1\nmessage:access refused\n\nno\\cway\0RECEIPT\nreceipt-id:sub-0\n\n\0ERROR\nmessage:bye\n\n\0',
      ),
      false,
      link,
    );
    expect(events.slice(1)).toEqual([
      {
        kind: 'subscription-refused',
        detail: expect.objectContaining({
          destination: '/queue/b',
          id: 'sub-1',
          message: 'access refused: no\\cway',
        }),
      },
      { kind: 'subscribed', detail: expect.objectContaining({ destination: '/queue/a' }) },
      { kind: 'protocol-error', detail: expect.objectContaining({ message: 'bye' }) },
    ]);
  });
});
