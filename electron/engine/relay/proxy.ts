// `frameline relay --proxy`: a forward HTTP proxy for clients that can only be pointed at one. A
// WebSocket upgrade is relayed and recorded by the relay like a reverse relay's client, wherever it
// comes from: an absolute-URL request (`GET http://host/path` with Upgrade), or a request read
// inside a CONNECT tunnel — in the clear (ws://), or after ending the client's TLS with a leaf
// certificate for the tunnel's host signed by Frameline's local CA (wss://; the upstream is then
// reached with TLS of its own). Everything else passes untouched and unrecorded: other requests are
// forwarded, and a tunnel whose first bytes are neither TLS nor HTTP is piped to its host.
import {
  createServer,
  request as httpRequest,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';
import { passedHeaders } from './headers.js';
import type { LocalCa } from './local-ca.js';

/** The TLS the proxy uses towards wss:// and https:// servers (the relay's --ca, --cert/--key, --insecure). */
export interface UpstreamTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
}

export interface ProxyOptions {
  ca: LocalCa;
  upstreamTls: UpstreamTls;
  /** Relays and records one WebSocket upgrade to `url` (the relay's per-client path). */
  relay(req: IncomingMessage, socket: Socket, head: Buffer, url: URL): void;
}

/** Where a tunnelled connection leads: its CONNECT authority, and whether the proxy ended TLS in it. */
const tunnels = new WeakMap<Socket, { authority: string; secure: boolean }>();

/** A request target that is an absolute http:// URL (what a client sends its proxy), else null. */
function absoluteUrl(target: string | undefined): URL | null {
  if (!target || !/^http:\/\//i.test(target)) return null;
  try {
    return new URL(target);
  } catch {
    return null;
  }
}

/** A short plain answer on a raw socket (an upgrade or a tunnel the proxy does not take). */
function answerRaw(socket: Socket, status: number, text: string): void {
  const body = `Frameline proxy: ${text}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Raw header lines without the hop's own, as flat raw lines again. */
function endToEnd(raw: readonly string[]): string[] {
  return passedHeaders(raw).flat();
}

/** Forwards a request that is no WebSocket upgrade as it is, and its answer back (nothing recorded). */
function passThrough(req: IncomingMessage, res: ServerResponse, url: URL, tls: UpstreamTls): void {
  const secure = url.protocol === 'https:';
  const up = (secure ? httpsRequest : httpRequest)(
    url,
    {
      method: req.method,
      headers: endToEnd(req.rawHeaders) as unknown as Record<string, string>,
      ...(secure ? tls : {}),
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.rawHeaders));
      answer.pipe(res);
    },
  );
  up.on('error', (err) => {
    if (res.headersSent) res.destroy();
    else {
      res.writeHead(502, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`Frameline proxy: ${url.host} could not be reached: ${err.message}\n`);
    }
  });
  req.pipe(up);
}

/** Makes `server` a forward proxy whose WebSocket upgrades `options.relay` relays. */
export function attachProxy(server: Server, options: ProxyOptions): void {
  // Requests read inside CONNECT tunnels: an HTTP server that never listens, fed the tunnels.
  const inner = createServer();
  const base = (socket: Socket, ws: boolean) => {
    const t = tunnels.get(socket)!;
    return `${ws ? (t.secure ? 'wss' : 'ws') : t.secure ? 'https' : 'http'}://${t.authority}`;
  };
  const upgrade = (req: IncomingMessage, socket: Socket, head: Buffer, url: URL) => {
    if (req.headers.upgrade?.toLowerCase() !== 'websocket')
      return answerRaw(socket, 501, `only WebSocket upgrades are relayed, not "${req.headers.upgrade}"`);
    options.relay(req, socket, head, url);
  };
  inner.on('request', (req: IncomingMessage, res: ServerResponse) =>
    passThrough(req, res, new URL(req.url ?? '/', base(req.socket, false)), options.upstreamTls),
  );
  inner.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) =>
    upgrade(req, socket, head, new URL(req.url ?? '/', base(socket, true))),
  );

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = absoluteUrl(req.url);
    if (url) return passThrough(req, res, url, options.upstreamTls);
    res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(
      "Frameline proxy: this is a forward proxy; set it as your client's HTTP proxy (http://HOST:PORT) rather than connecting to it\n",
    );
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = absoluteUrl(req.url);
    if (!url)
      return answerRaw(socket, 400, 'a proxied upgrade names its server: GET ws://HOST/PATH or CONNECT');
    url.protocol = 'ws:';
    upgrade(req, socket, head, url);
  });
  server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const authority = req.url ?? '';
    const m = /^(\[[0-9a-fA-F:.]+\]|[^\s/:[\]]+):(\d{1,5})$/.exec(authority);
    if (!m) return answerRaw(socket, 400, `CONNECT needs HOST:PORT, not "${authority}"`);
    const host = m[1]!;
    const port = Number(m[2]);
    socket.on('error', () => socket.destroy());
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    const first = (chunk: Buffer) => {
      socket.pause();
      socket.unshift(chunk);
      if (chunk[0] === 0x16) {
        // A TLS handshake record: the proxy answers as the host, with a leaf its CA signed.
        options.ca.leaf([host]).then(
          (leaf) => {
            if (socket.destroyed) return;
            const secured = new TLSSocket(socket, {
              isServer: true,
              secureContext: createSecureContext(leaf),
              ALPNProtocols: ['http/1.1'],
            });
            secured.on('error', () => secured.destroy());
            tunnels.set(secured, { authority, secure: true });
            inner.emit('connection', secured);
          },
          () => socket.destroy(),
        );
      } else if (
        /^[A-Z]{3,10} \S+ HTTP\/1\.[01]\r?$/m.test(chunk.subarray(0, 2048).toString('latin1').split('\n')[0]!)
      ) {
        tunnels.set(socket, { authority, secure: false });
        inner.emit('connection', socket);
        socket.resume();
      } else {
        // Neither TLS nor HTTP: bytes piped to the host, untouched.
        const up = connect(port, host.replace(/^\[|\]$/g, ''));
        up.on('error', () => socket.destroy());
        socket.on('close', () => up.destroy());
        up.on('close', () => socket.destroy());
        up.once('connect', () => {
          socket.pipe(up);
          up.pipe(socket);
          socket.resume();
        });
      }
    };
    if (head.length > 0) first(head);
    else {
      // The HTTP server may have paused the socket it hands over: it is read again for the first bytes.
      socket.once('data', first);
      socket.resume();
    }
  });
}
