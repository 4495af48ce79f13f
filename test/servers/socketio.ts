// A real Socket.IO 4 server (the socket.io package of the test tools) on 127.0.0.1, port 0, with
// short heartbeats: Engine.IO pings every `pingInterval` ms and drops a client that has not
// answered within `pingTimeout` ms, so a client that does not speak Engine.IO is dropped fast.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import { protocolTool } from '../support/test-tools.js';
import type { Running } from './scenarios.js';

/** The parts of socket.io's API these tests use. */
interface IoSocket {
  id: string;
  nsp: { name: string };
  handshake: { auth: Record<string, unknown> };
  on(event: string, fn: (...args: unknown[]) => void): void;
  emit(event: string, ...args: unknown[]): void;
  /** Leaves the namespace; `true` closes the underlying connection too. */
  disconnect(close?: boolean): void;
}
interface IoNamespace {
  use(fn: (socket: IoSocket, next: (err?: Error) => void) => void): void;
  on(event: 'connection', fn: (socket: IoSocket) => void): void;
}
interface IoServer extends IoNamespace {
  of(name: string): IoNamespace;
  close(fn?: () => void): void;
}
type IoServerClass = new (http: HttpServer, opts: Record<string, unknown>) => IoServer;

export interface SocketIoScenario extends Running {
  io: IoServer;
  /** Every event a client emitted, with its namespace, in order. */
  events: Array<{ namespace: string; name: string; args: unknown[] }>;
  /** Why each client socket disconnected (`ping timeout`, `client namespace disconnect`…), in order. */
  disconnects: string[];
  /** Namespace connections accepted, in order. */
  connections: Array<{ namespace: string; auth: Record<string, unknown> }>;
}

/**
 * A Socket.IO server whose namespaces record what clients emit, and answer `echo` with an ack of
 * `{ echo: payload }`. `/private` refuses, through its
 * middleware, every client whose auth has no `token: "let-me-in"`.
 */
export async function socketIoServer(
  opts: { pingInterval?: number; pingTimeout?: number } = {},
): Promise<SocketIoScenario> {
  const { Server } = protocolTool<{ Server: IoServerClass }>('socket.io');
  const http = createServer();
  const sockets = new Set<NetSocket>();
  http.on('connection', (s: NetSocket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const io = new Server(http, {
    pingInterval: opts.pingInterval ?? 300,
    pingTimeout: opts.pingTimeout ?? 200,
    transports: ['websocket'],
  });
  const events: SocketIoScenario['events'] = [];
  const disconnects: string[] = [];
  const connections: SocketIoScenario['connections'] = [];
  const record = (socket: IoSocket) => {
    connections.push({ namespace: socket.nsp.name, auth: socket.handshake.auth });
    socket.on('disconnect', (reason) => disconnects.push(String(reason)));
    // socket.io's catch-all: every event a client emits.
    (socket as unknown as { onAny(fn: (name: string, ...args: unknown[]) => void): void }).onAny(
      (name, ...args) => events.push({ namespace: socket.nsp.name, name, args }),
    );
    // An event with an acknowledgement: the ack carries what was emitted back.
    socket.on('echo', (payload, ack) => {
      if (typeof ack === 'function') (ack as (answer: unknown) => void)({ echo: payload });
    });
    socket.emit('welcome', { namespace: socket.nsp.name });
  };
  io.on('connection', record);
  const priv = io.of('/private');
  priv.use((socket, next) =>
    next(socket.handshake.auth.token === 'let-me-in' ? undefined : new Error('not authorized: bad token')),
  );
  priv.on('connection', record);
  io.of('/chat').on('connection', record);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`,
    port,
    io,
    events,
    disconnects,
    connections,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        io.close(() => resolve());
      }),
  };
}
