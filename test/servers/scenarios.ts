// Scenario servers on 127.0.0.1, port 0: each reproduces one way a WebSocket endpoint behaves or
// fails in production. Every start function returns the URL and a close() that frees everything.
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { connect as netConnect } from 'node:net';
import { WebSocketServer, type WebSocket, type ServerOptions } from 'ws';

export interface Running {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface WsScenario extends Running {
  /** Upgrade requests the server saw, in order. */
  requests: IncomingMessage[];
  /** Open server-side sockets. */
  clients: Set<WebSocket>;
}

function listen(server: Server | ReturnType<typeof createNetServer>): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

function trackSockets(server: Server | ReturnType<typeof createNetServer>): () => void {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return () => {
    for (const s of sockets) s.destroy();
  };
}

/** A `ws` server; `onConnection` scripts its behaviour. */
export async function wsServer(
  onConnection: (ws: WebSocket, req: IncomingMessage) => void,
  options: Partial<ServerOptions> & {
    tls?: { cert: Buffer; key: Buffer; ca?: Buffer; requestCert?: boolean };
  } = {},
): Promise<WsScenario> {
  const { tls, ...wsOptions } = options;
  const server = tls
    ? createHttpsServer({
        cert: tls.cert,
        key: tls.key,
        ...(tls.ca ? { ca: tls.ca } : {}),
        requestCert: tls.requestCert ?? false,
        rejectUnauthorized: tls.requestCert ?? false,
      })
    : createHttpServer();
  const destroyAll = trackSockets(server);
  const wss = new WebSocketServer({ server, ...wsOptions });
  const requests: IncomingMessage[] = [];
  const clients = new Set<WebSocket>();
  wss.on('connection', (ws, req) => {
    requests.push(req);
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.on('error', () => {});
    onConnection(ws, req);
  });
  const port = await listen(server);
  return {
    url: `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}`,
    port,
    requests,
    clients,
    close: () =>
      new Promise((resolve) => {
        for (const c of clients) c.terminate();
        wss.close();
        destroyAll();
        server.close(() => resolve());
      }),
  };
}

/** Echoes every message back with the same type. */
export function echo(ws: WebSocket): void {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
}

/**
 * Answers every upgrade with a plain HTTP response (403 by default) and a body; with `keepAlive`
 * the connection stays open afterwards, as proxies answering a request they did not upgrade do.
 */
export async function rejectingServer(
  status = 403,
  body = 'origin not allowed',
  keepAlive = false,
): Promise<Running> {
  const server = createHttpServer((_req, res) => {
    res.writeHead(404).end();
  });
  server.on('upgrade', (_req: IncomingMessage, socket: Socket) => {
    const answer = `HTTP/1.1 ${status} Forbidden\r\nContent-Type: text/plain\r\nX-Reason: test-scenario\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n${body}`;
    if (keepAlive) socket.write(answer);
    else socket.end(answer);
  });
  const destroyAll = trackSockets(server);
  const port = await listen(server);
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    close: () => new Promise((resolve) => (destroyAll(), server.close(() => resolve()))),
  };
}

/** Accepts TCP connections and never answers the upgrade request. */
export async function silentServer(): Promise<Running> {
  const server = createNetServer(() => {});
  const destroyAll = trackSockets(server);
  const port = await listen(server);
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    close: () => new Promise((resolve) => (destroyAll(), server.close(() => resolve()))),
  };
}

/** A port with nothing listening on it (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An HTTP proxy that supports CONNECT, recording the targets it was asked for. */
export async function connectProxy(): Promise<Running & { targets: string[] }> {
  const targets: string[] = [];
  const server = createHttpServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    targets.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = netConnect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const destroyAll = trackSockets(server);
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    targets,
    close: () => new Promise((resolve) => (destroyAll(), server.close(() => resolve()))),
  };
}
