// Browser mode: the same engine and renderer bundle as the desktop app, with the contract carried
// over a WebSocket on loopback. Guarded by one-time links (a random token in the URL, traded on its
// first use for an HttpOnly cookie of that browser's own: links.ts) and by Host and Origin checks
// against DNS rebinding and cross-site pages.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolve } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Result, Topic } from '../../shared/contract.js';
import { isLoopback, listenFailure } from '../engine/listen.js';
import type { FramelineService } from '../engine/service.js';
import { resolveInside, responseHeaders, securityHeaders } from '../serving/console-security.js';
import { HostKeys } from './links.js';

export interface HostOptions {
  service: FramelineService;
  /** The built renderer (index.html and assets). */
  rendererDir: string;
  host?: string;
  port?: number;
}

export interface RunningHost {
  /** The first link: it opens the console once. */
  url: string;
  port: number;
  /** A new one-time link (for another browser, or after the first was used). */
  newLink(): string;
  close(): Promise<void>;
}

const COOKIE = 'frameline_token';

export { isLoopback };

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return v.join('=');
  }
  return undefined;
}

/** Starts the browser-mode host; binds 127.0.0.1 unless told otherwise. */
export async function startHost(options: HostOptions): Promise<RunningHost> {
  const keys = new HostKeys();
  const bindHost = options.host ?? '127.0.0.1';
  const root = resolve(options.rendererDir);
  let port = 0;

  const allowedHosts = (): Set<string> => {
    const names = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
    if (!isLoopback(bindHost) && bindHost !== '0.0.0.0' && bindHost !== '::')
      names.add(`${bindHost}:${port}`);
    return names;
  };
  // DNS rebinding: a page on evil.example resolving to 127.0.0.1 still sends Host: evil.example.
  const hostAllowed = (req: IncomingMessage) => allowedHosts().has((req.headers.host ?? '').toLowerCase());
  const ownOrigin = (origin: string) => [...allowedHosts()].some((h) => origin === `http://${h}`);
  // A WebSocket upgrade must come from our page; a page load may come without an Origin (typed in
  // the address bar), but never with another one (a web page the engineer has open, `null`).
  const originAllowed = (req: IncomingMessage) =>
    req.headers.origin !== undefined && ownOrigin(req.headers.origin);
  const foreignOrigin = (req: IncomingMessage) =>
    req.headers.origin !== undefined && !ownOrigin(req.headers.origin);

  const send = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, responseHeaders(null));
    res.end(`${body}\n`);
  };

  const server = createServer((req, res) => {
    void (async () => {
      if (!hostAllowed(req))
        return send(res, 403, 'Forbidden: unexpected Host header (DNS rebinding protection).');
      if (foreignOrigin(req))
        return send(
          res,
          403,
          `Forbidden: a request from another origin (${req.headers.origin}) cannot read the console; open the URL that frameline serve printed.`,
        );
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed.');
      const url = new URL(req.url ?? '/', 'http://placeholder');
      const fromQuery = url.searchParams.get('token');
      const headers = securityHeaders();
      // A link's first use trades it for a cookie of this browser's own.
      const traded = fromQuery === null ? null : keys.trade(fromQuery);
      if (traded) headers['Set-Cookie'] = `${COOKIE}=${traded}; HttpOnly; SameSite=Strict; Path=/`;
      else if (!keys.knowsCookie(cookieToken(req))) {
        if (fromQuery !== null && keys.linkState(fromQuery) === 'used')
          return send(
            res,
            401,
            'Unauthorized: this link was used already. A link printed by frameline serve opens the console once; then a cookie keeps that browser in. ' +
              'For another browser or window, press Enter in the terminal where frameline serve runs: it prints a new link.',
          );
        return send(
          res,
          401,
          'Unauthorized: this page has no token, or an old one — frameline serve makes a new one each time it is started, so it was restarted or the link is old. ' +
            'Open the URL it printed (or press Enter in its terminal for a new one); to come back to the same screen, add the part of the old address that starts with #.',
        );
      }
      // Drop the token from the address bar and the history.
      if (fromQuery !== null && (url.pathname === '/' || url.pathname === '/index.html')) {
        res.writeHead(303, { ...headers, Location: '/' });
        return res.end();
      }
      const path = resolveInside(root, url.pathname);
      if (!path) return send(res, 404, 'Not found.');
      try {
        const body = await readFile(path);
        res.writeHead(200, { ...responseHeaders(path), ...headers });
        res.end(req.method === 'HEAD' ? undefined : body);
      } catch {
        send(res, 404, 'Not found.');
      }
    })();
  });

  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  const clients = new Set<WebSocket>();
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const refuse = (status: number, text: string) => {
      socket.end(
        `HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${text}\n`,
      );
    };
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (!hostAllowed(req)) return refuse(403, 'Forbidden');
    // Only the cookie a link was traded for: a token in the URL opens nothing here.
    if (!keys.knowsCookie(cookieToken(req))) return refuse(401, 'Unauthorized');
    if (!originAllowed(req)) return refuse(403, 'Forbidden');
    if (url.pathname !== '/api') return refuse(404, 'Not Found');
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      ws.on('error', () => ws.terminate());
      ws.on('message', (data, isBinary) => {
        const answer = (id: number | null, result: Result<unknown>) => {
          if (ws.readyState !== ws.OPEN) return;
          let text: string;
          try {
            text = JSON.stringify({ id, result });
          } catch (err) {
            text = JSON.stringify({
              id,
              result: {
                ok: false,
                error: { code: 'failed', message: `the answer could not be sent: ${(err as Error).message}` },
              },
            });
          }
          ws.send(text);
        };
        const request = readRequest(data, isBinary);
        if (!request.ok)
          return answer(request.id, { ok: false, error: { code: 'bad-request', message: request.message } });
        options.service
          .handle(request.channel, request.payload)
          .catch((err: unknown): Result<unknown> => ({
            ok: false,
            error: {
              code: 'failed',
              message: `${request.channel} failed: ${(err as Error)?.message ?? String(err)}`,
            },
          }))
          .then((result) => answer(request.id, result));
      });
    });
  });

  const unsubscribe = options.service.onPush((topic: Topic, payload: unknown) => {
    const text = JSON.stringify({ topic, payload });
    for (const c of clients) if (c.readyState === c.OPEN) c.send(text);
  });

  await new Promise<void>((resolvePromise, reject) => {
    // A port in use, a privileged one, an address not of this machine: said as a mock's would be.
    server.once('error', (err) => reject(listenFailure(err, bindHost, options.port ?? 0) ?? err));
    server.listen(options.port ?? 0, bindHost, () => resolvePromise());
  });
  port = (server.address() as AddressInfo).port;
  const shownHost =
    bindHost === '0.0.0.0' || bindHost === '::'
      ? '127.0.0.1'
      : bindHost.includes(':')
        ? `[${bindHost}]`
        : bindHost;
  const link = () => `http://${shownHost}:${port}/?token=${keys.newLink()}`;
  return {
    url: link(),
    port,
    newLink: link,
    close: () =>
      new Promise((done) => {
        unsubscribe();
        for (const c of clients) c.terminate();
        wss.close();
        for (const s of sockets) s.destroy();
        server.close(() => done());
      }),
  };
}

/** What a request on the API socket must look like: `{ id, channel, payload }`, as JSON text. */
const REQUEST_SHAPE =
  'a request is one JSON object {"id": a whole number from 0 to 2^53, "channel": "domain:verb", "payload": {...}} in a text frame';

/**
 * One message of the API socket read as a request, or why it is not one (with the id to answer
 * under, when it has a usable one). Never throws: a page, or a script holding the token, may send
 * anything.
 */
export function readRequest(
  data: unknown,
  isBinary: boolean,
):
  | { ok: true; id: number; channel: string; payload: unknown }
  | { ok: false; id: number | null; message: string } {
  if (isBinary) return { ok: false, id: null, message: `a binary frame is not a request; ${REQUEST_SHAPE}` };
  let msg: unknown;
  try {
    msg = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : String(data));
  } catch {
    return { ok: false, id: null, message: `the message is not JSON; ${REQUEST_SHAPE}` };
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg))
    return {
      ok: false,
      id: null,
      message: `the message is ${msg === null ? 'null' : Array.isArray(msg) ? 'an array' : `a ${typeof msg}`}; ${REQUEST_SHAPE}`,
    };
  const { id, channel, payload } = msg as { id?: unknown; channel?: unknown; payload?: unknown };
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0)
    return {
      ok: false,
      id: null,
      message: `the request's id is missing or not a whole number; ${REQUEST_SHAPE}`,
    };
  if (typeof channel !== 'string')
    return { ok: false, id, message: `the request's channel is missing or not a string; ${REQUEST_SHAPE}` };
  return { ok: true, id, channel, payload };
}
