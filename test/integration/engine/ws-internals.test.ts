// The private parts of ws that capture/wire.ts relies on (see the top of that file for why), checked
// on real connections of the installed ws, as a client and as a server: if an upgrade of ws moves
// or changes one of them, a test here fails and names it.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { WIRE_SOCKET_OPTIONS } from '../../../electron/engine/capture/wire.js';
import { accept, rawPeer, serverFrame, type RawPeer } from '../../servers/raw-peer.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const require = createRequire(import.meta.url);

type Call = [string, ...unknown[]];

/** What wire.ts reads and wraps on a connection. */
interface Internals {
  _sender: Record<string, unknown>;
  _receiver: NodeJS.EventEmitter & { _opcode: unknown; _compressed: unknown };
  _socket: unknown;
}
const internals = (ws: WebSocket) => ws as unknown as Internals;

/** Records every call to the Sender's four methods (as wire.ts wraps them), in order. */
function spySender(ws: WebSocket, calls: Call[]): void {
  const sender = internals(ws)._sender;
  for (const name of ['send', 'ping', 'pong', 'close']) {
    const original = (sender[name] as (...args: unknown[]) => unknown).bind(sender);
    sender[name] = (...args: unknown[]) => {
      calls.push([`sender.${name}`, ...args]);
      return original(...args);
    };
  }
}

const events = <T>(emitter: NodeJS.EventEmitter, name: string) =>
  new Promise<T>((resolve) => emitter.once(name, (...args: unknown[]) => resolve(args as T)));

let server: Server | null = null;
let peer: RawPeer | null = null;
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await peer?.close();
  peer = null;
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

/** Our own ws server on 127.0.0.1 port 0, upgrading with handleUpgrade as the mock does. */
async function pair(): Promise<{
  client: WebSocket;
  clientSocket: Duplex;
  accepted: WebSocket;
  acceptedSocket: Duplex;
}> {
  const wss = new WebSocketServer({ noServer: true, ...WIRE_SOCKET_OPTIONS });
  let resolveAccepted!: (v: { ws: WebSocket; socket: Duplex }) => void;
  const acceptedP = new Promise<{ ws: WebSocket; socket: Duplex }>((r) => (resolveAccepted = r));
  server = createServer();
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) =>
    wss.handleUpgrade(req, socket, head, (ws) => resolveAccepted({ ws, socket })),
  );
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new WebSocket(`ws://127.0.0.1:${port}/`, { ...WIRE_SOCKET_OPTIONS });
  sockets.push(client);
  const upgraded = events<[IncomingMessage]>(client, 'upgrade');
  await events(client, 'open');
  const [res] = await upgraded;
  const { ws: accepted, socket } = await acceptedP;
  sockets.push(accepted);
  return { client, clientSocket: res.socket, accepted, acceptedSocket: socket };
}

describe('the ws that wire.ts was written against', () => {
  it('is pinned in package.json and package-lock.json to the exact version installed', () => {
    const installed = (require('ws/package.json') as { version: string }).version;
    const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const lock = JSON.parse(readFileSync(`${root}/package-lock.json`, 'utf8')) as {
      packages: Record<string, { version?: string; dependencies?: Record<string, string> }>;
    };
    expect(pkg.dependencies.ws).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.dependencies.ws).toBe(installed);
    expect(lock.packages['']!.dependencies!.ws).toBe(installed);
    expect(lock.packages['node_modules/ws']!.version).toBe(installed);
  });
});

describe.each(['client', 'server'] as const)('a connection ws opened as the %s', (side) => {
  it('has a Sender whose send, ping, pong and close take the arguments wire.ts passes on', async () => {
    const p = await pair();
    const ws = side === 'client' ? p.client : p.accepted;
    const sender = internals(ws)._sender;
    // send(data, options, cb), ping(data, mask, cb), pong(data, mask, cb), close(code, data, mask, cb)
    expect(
      Object.fromEntries(['send', 'ping', 'pong', 'close'].map((m) => [m, (sender[m] as () => void).length])),
    ).toEqual({ send: 3, ping: 3, pong: 3, close: 4 });
    const calls: Call[] = [];
    spySender(ws, calls);
    ws.send('text');
    ws.send(Buffer.from([1, 2]));
    ws.ping(Buffer.from('p'));
    ws.pong(Buffer.from('q'));
    const mask = side === 'client';
    expect(calls.map((c) => [c[0], c[1], c[2]])).toEqual([
      ['sender.send', 'text', expect.objectContaining({ binary: false, mask })],
      ['sender.send', Buffer.from([1, 2]), expect.objectContaining({ binary: true, mask })],
      ['sender.ping', Buffer.from('p'), mask],
      ['sender.pong', Buffer.from('q'), mask],
    ]);
  });

  it('writes to the socket its public events hand over (what wire.ts corks)', async () => {
    const p = await pair();
    const [ws, socket] = side === 'client' ? [p.client, p.clientSocket] : [p.accepted, p.acceptedSocket];
    expect(internals(ws)._socket).toBe(socket);
  });

  it("tells its Receiver's 'conclude' of a close frame before it echoes the close through its Sender", async () => {
    const p = await pair();
    const [ws, other] = side === 'client' ? [p.client, p.accepted] : [p.accepted, p.client];
    const calls: Call[] = [];
    spySender(ws, calls);
    internals(ws)._receiver.prependListener('conclude', (code: number, reason: Buffer) =>
      calls.push(['receiver.conclude', code, reason.toString()]),
    );
    const closed = events<[number, Buffer]>(ws, 'close');
    other.close(4001, 'bye');
    const [code] = await closed;
    expect(code).toBe(4001);
    expect(calls.map((c) => c.slice(0, 3))).toEqual([
      ['receiver.conclude', 4001, 'bye'],
      ['sender.close', 4001, Buffer.from('bye')],
    ]);
  });

  it('answers no ping by itself with autoPong off, and hands the ping to its listeners', async () => {
    const p = await pair();
    const [ws, other] = side === 'client' ? [p.client, p.accepted] : [p.accepted, p.client];
    const calls: Call[] = [];
    spySender(ws, calls);
    const pinged = events<[Buffer]>(ws, 'ping');
    other.ping(Buffer.from('hb'));
    const [data] = await pinged;
    expect(data.toString()).toBe('hb');
    expect(calls).toEqual([]);
  });
});

describe('a server that breaks the protocol', () => {
  it("makes the Receiver emit 'error' while _opcode and _compressed say what was parsed, then ws closes through its Sender", async () => {
    // A ping with 126 bytes: control frames carry at most 125.
    peer = await rawPeer({ open: (socket) => socket.write(serverFrame(9, Buffer.alloc(126, 0x61))) });
    const ws = new WebSocket(peer.url, { ...WIRE_SOCKET_OPTIONS });
    sockets.push(ws);
    ws.on('error', () => {});
    const calls: Call[] = [];
    ws.once('open', () => {
      spySender(ws, calls);
      const receiver = internals(ws)._receiver;
      receiver.prependListener('error', (err: NodeJS.ErrnoException) =>
        calls.push(['receiver.error', err.code, receiver._opcode, receiver._compressed]),
      );
    });
    await events(ws, 'close');
    expect(calls.map((c) => c.slice(0, 4))).toEqual([
      ['receiver.error', 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH', 9, false],
      ['sender.close', 1002, undefined, true],
    ]);
    expect(peer.closeCode()).toBe(1002);
  });

  it('has a Receiver whose _compressed says the message that failed to inflate was compressed', async () => {
    // permessage-deflate negotiated, then a compressed text message whose bytes do not inflate.
    peer = await rawPeer({
      response: (key) =>
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(key)}\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n`,
      open: (socket) => socket.write(serverFrame(1, Buffer.from([0xff, 0xff, 0xff, 0xff]), { rsv: 4 })),
    });
    const ws = new WebSocket(peer.url, { ...WIRE_SOCKET_OPTIONS, perMessageDeflate: true });
    sockets.push(ws);
    ws.on('error', () => {});
    const seen: unknown[] = [];
    let extensions = '';
    ws.once('open', () => {
      extensions = ws.extensions;
      const receiver = internals(ws)._receiver;
      receiver.prependListener('error', (err: NodeJS.ErrnoException) =>
        seen.push([err.code, receiver._opcode, receiver._compressed]),
      );
    });
    await events(ws, 'close');
    // The public `extensions` is what wire.ts reads for permessage-deflate.
    expect(extensions.split(',')).toContain('permessage-deflate');
    expect(seen).toEqual([[expect.stringMatching(/^Z_/), 1, true]]);
    expect(peer.closeCode()).toBe(1007);
  });
});
