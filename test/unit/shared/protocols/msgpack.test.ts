// Socket.IO with its msgpack parser: the frames a real server and a real socket.io-client exchange
// (taken from the server's Engine.IO socket as it writes and reads them) decode to the same words as
// the text parser's; the MessagePack reader refuses what is cut short or nested without end.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { decodeFrame, messageLabel, type WireFrame } from '../../../../shared/protocols/decode.js';
import { decodeMsgpack, MsgpackError } from '../../../../shared/protocols/msgpack.js';
import { protocolTool, protocolToolMissing } from '../../../support/test-tools.js';

interface EnginePacket {
  type: string;
  data?: string | Buffer;
}
interface RawSocket {
  on(event: 'packet' | 'packetCreate', fn: (p: EnginePacket) => void): void;
}
interface MsgpackServer {
  engine: { on(event: 'connection', fn: (raw: RawSocket) => void): void };
  of(ns: string): {
    on(
      event: 'connection',
      fn: (s: {
        on(event: string, fn: (...args: never[]) => void): void;
        emit(event: string, ...args: unknown[]): void;
      }) => void,
    ): void;
  };
  close(): void;
}
interface ClientSocket {
  on(event: string, fn: (...args: unknown[]) => void): void;
  emitWithAck(event: string, ...args: unknown[]): Promise<unknown>;
  close(): void;
}

const missing =
  protocolToolMissing('socket.io') ??
  protocolToolMissing('socket.io-client') ??
  protocolToolMissing('socket.io-msgpack-parser');

describe.skipIf(missing)('Socket.IO with the msgpack parser', () => {
  it('decodes the binary packets a real server and client exchange: CONNECT, EVENT with its name, ACK with its id', async () => {
    const { Server } = protocolTool<{ Server: new (h: unknown, o: object) => MsgpackServer }>('socket.io');
    const { io: connect } = protocolTool<{ io: (url: string, o: object) => ClientSocket }>(
      'socket.io-client',
    );
    const parser = protocolTool<object>('socket.io-msgpack-parser');
    const http = createServer();
    const io = new Server(http, { parser });
    const frames: WireFrame[] = [];
    const frameOf = (direction: 'in' | 'out', p: EnginePacket): WireFrame | null =>
      // Over WebSocket, Engine.IO writes a binary message packet as the frame itself.
      p.type === 'message' && Buffer.isBuffer(p.data)
        ? { direction, opcode: 'binary', data: new Uint8Array(p.data) }
        : null;
    io.engine.on('connection', (raw) => {
      // As the client's side sees them: what the server writes comes in, what it reads went out.
      raw.on('packetCreate', (p) => {
        const f = frameOf('in', p);
        if (f) frames.push(f);
      });
      raw.on('packet', (p) => {
        const f = frameOf('out', p);
        if (f) frames.push(f);
      });
    });
    io.of('/chat').on('connection', (s) => {
      s.on('hello', (_body: never, ack: never) => (ack as (v: unknown) => void)({ ok: true }));
      s.emit('welcome', 'to /chat');
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    const { port } = http.address() as AddressInfo;
    const client = connect(`http://127.0.0.1:${port}/chat`, { parser, transports: ['websocket'] });
    try {
      const welcomed = new Promise((resolve) => client.on('welcome', resolve));
      expect(await client.emitWithAck('hello', { room: 7 })).toEqual({ ok: true });
      await welcomed;
    } finally {
      client.close();
      io.close();
    }
    const decoded = frames.map((f) => decodeFrame(f, { protocol: 'socket.io' }));
    expect(decoded.every((m) => m?.encoding === 'msgpack')).toBe(true);
    expect(decoded.map((m) => [m!.type, m!.namespace])).toEqual([
      ['CONNECT', '/chat'],
      ['CONNECT', '/chat'],
      ...decoded.slice(2).map((m) => [m!.type, '/chat']),
    ]);
    expect(decoded[1]!.sid).toMatch(/\S+/);
    const hello = decoded.find((m) => m!.name === 'hello')!;
    expect(hello).toMatchObject({ type: 'EVENT', id: expect.stringMatching(/^\d+$/) });
    expect(decoded.find((m) => m!.type === 'ACK')).toMatchObject({ id: hello.id });
    expect(decoded.map((m) => messageLabel(m))).toContain('EVENT welcome');
  });
});

describe('the MessagePack reader', () => {
  it('refuses a value cut short, a count larger than the bytes, and endless nesting', () => {
    // fixmap of one entry whose value is missing.
    expect(() => decodeMsgpack(Uint8Array.from([0x81, 0xa1, 0x61]))).toThrow(MsgpackError);
    // array 32 announcing 4 billion values in a few bytes.
    expect(() => decodeMsgpack(Uint8Array.from([0xdd, 0xff, 0xff, 0xff, 0xff, 0x01]))).toThrow(/announced/);
    expect(() => decodeMsgpack(new Uint8Array(1000).fill(0x91))).toThrow(/nested deeper/);
    // Bytes left over after the value.
    expect(() => decodeMsgpack(Uint8Array.from([0x01, 0x02]))).toThrow(/follow/);
    // An attachment of the default parser is not mistaken for a packet.
    expect(
      decodeFrame(
        { direction: 'in', opcode: 'binary', data: Uint8Array.from([0x89, 0x50, 0x4e, 0x47]) },
        {
          protocol: 'socket.io',
        },
      ),
    ).toEqual({ protocol: 'socket.io', type: 'attachment', engineType: 'message' });
  });
});
