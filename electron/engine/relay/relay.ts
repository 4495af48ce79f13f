// `frameline relay --to URL`: a recording reverse proxy between real clients and their server. Each
// client's upgrade is first tried on the upstream (the client's path and query appended to the
// upstream URL's path, its headers passed on); the upstream's answer decides the client's: a 101
// with the subprotocol it chose and its headers, or its refusal with status, headers and body.
// Every frame both ways is recorded in the relay's session (kind relay), one connection per client,
// directions from the client's point of view (`out` is what the client sent), at the moment the
// relay receives it; and for each close, who started it and the code each leg closed with.
// With --tls clients reach it with wss:// (a certificate signed by Frameline's local CA, or their
// own); with --proxy it is a forward proxy instead (proxy.ts), whose upgrades it relays the same way.
import {
  createServer,
  STATUS_CODES,
  type ClientRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import WebSocket, { WebSocketServer } from 'ws';
import type { ClosedBy, ErrorKind, Headers } from '../../../shared/contract.js';
import type {
  RelayClient,
  RelayFaultEvent,
  RelayFaultsRequest,
  RelayFaultsResult,
  RelayRequest,
  RelayStatus,
} from '../../../shared/contract/relay.js';
import { faultText } from '../../../shared/replay/faults.js';
import { formatMicros } from '../../../shared/time.js';
import { classifyError } from '../capture/classify.js';
import { parseTarget, prepareTls, type TlsMaterial } from '../capture/options.js';
import { requestHeaders } from '../capture/recorder.js';
import { headerObject, tapWire, WIRE_SOCKET_OPTIONS, type Wire, type WireEnd } from '../capture/wire.js';
import { nowMicros } from '../clock.js';
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { isLoopback, listenFailure } from '../listen.js';
import { beginRecording } from '../store/recording.js';
import { FaultedClient, RelayFaults, type FaultAction } from './faults.js';
import { StoreWriter, type SessionSpool } from '../store/writer.js';
import { LocalCa } from './local-ca.js';
import { LEG_HEADERS, passedHeaders } from './headers.js';
import { attachProxy } from './proxy.js';

/** Payload bytes stored per frame (longer ones are stored truncated with their real size). */
const PAYLOAD_CAP = 1024 * 1024;
/** The largest message relayed either way. */
const MAX_PAYLOAD = 100 * 1024 * 1024;
/** The most of a refusal's body passed back to the client. */
const REFUSAL_BODY_BYTES = 1024 * 1024;
/** The part of a refusal's body kept with the handshake, as a capture keeps it. */
const BODY_HEAD_BYTES = 2048;
/** Clients listed in the status, newest last. */
const LISTED_CLIENTS = 50;

/** The upstream URL for a client's request target: its path appended to the upstream's, its query kept. */
export function upstreamUrl(to: URL, target: string): URL {
  const at = new URL(target.startsWith('/') ? target : `/${target}`, 'http://relay.invalid');
  const url = new URL(to.href);
  url.pathname = `${to.pathname.replace(/\/$/, '')}${at.pathname}`;
  url.search = at.search;
  return url;
}

/**
 * Which side started the end of a relayed connection; `relay`: Frameline itself (it stopped, or a
 * leg broke the protocol); `fault`: one of the relay's faults (a cut or a close it sent).
 */
type Closer = 'client' | 'server' | 'relay' | 'network' | 'fault';

interface Client extends RelayClient {
  socket: Socket;
  downstream: WebSocket | null;
  upstream: WebSocket | null;
  /** Who started the end, once someone did. */
  closer: Closer | null;
  /** The relay's fault that ended it, and how (dropped both legs, or sent a close frame). */
  endedByFault: { fault: string; action: 'cut' | 'close' } | null;
  faults: FaultedClient;
  closed: Promise<void>;
  markClosed: () => void;
}

export interface RelayHooks {
  /** A client connected, sent or received, or went away (called often: coalesce). */
  onChange?: () => void;
  onClientOpened?: (client: RelayClient) => void;
  onClientEnded?: (client: RelayClient) => void;
  /** A fault acted on a client (as its `fault-applied` event says). */
  onFault?: (fault: RelayFaultEvent) => void;
}

/** What a relayed connection's close adds to a capture's: the relay's fault, and the server leg's close. */
interface LegClose {
  fault?: string;
  upstream?: { code: number | null; reason: string | null };
}

/** A client as the contract carries it. */
export function clientView(c: RelayClient): RelayClient {
  return {
    ordinal: c.ordinal,
    remote: c.remote,
    url: c.url,
    openedAt: c.openedAt,
    state: c.state,
    framesOut: c.framesOut,
    framesIn: c.framesIn,
    ending: c.ending,
  };
}

/** A close code as ws may send it again: 1005 (none given) is a close without a code. */
function closeWith(ws: WebSocket, code: number, reason: string): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  if (code === 1005) ws.close();
  else ws.close(code, reason);
}

export class RelayServer {
  readonly sessionId: number;
  readonly url: string;
  readonly port: number;
  private readonly spool: SessionSpool;
  private readonly wss: WebSocketServer;
  private readonly clients: Client[] = [];
  private readonly live = new Set<Client>();
  private readonly sockets = new Set<Socket>();
  /** The subprotocol and headers the upstream answered, for the client's 101 (by its request). */
  private readonly answers = new WeakMap<
    IncomingMessage,
    { protocol: string; headers: Array<[string, string]> }
  >();
  private stopped: Promise<void> | null = null;
  private total = 0;
  private readonly faults: RelayFaults;
  private committed = 0;
  private readonly unsubscribe: () => void;

  /** Checks the request, listens, creates the relay's session; input mistakes throw InputError first. */
  static async start(
    ctx: EngineContext,
    request: RelayRequest,
    hooks: RelayHooks = {},
  ): Promise<RelayServer> {
    if (request.proxy === (request.to !== undefined))
      throw new InputError(
        request.proxy
          ? 'a forward proxy relays to the servers its clients name: leave out --to'
          : 'a relay needs --to URL, the server to relay to (or --proxy, a forward proxy its clients name servers through)',
      );
    if (request.proxy && (request.tls || request.tlsCertPem !== undefined))
      throw new InputError(
        'a forward proxy is reached with plain http:// (clients tunnel wss:// through CONNECT): leave out --tls, --tls-cert and --tls-key',
      );
    if ((request.tlsCertPem === undefined) !== (request.tlsKeyPem === undefined))
      throw new InputError(
        'serving TLS with your own certificate needs both --tls-cert FILE and --tls-key FILE',
      );
    const to = request.to === undefined ? null : parseTarget(request.to);
    const tls = prepareTls(request);
    const serveTls = request.tls || request.tlsCertPem !== undefined;
    const ca = request.proxy || (serveTls && request.tlsCertPem === undefined) ? await LocalCa.open() : null;
    const served = !serveTls
      ? null
      : request.tlsCertPem !== undefined
        ? { cert: request.tlsCertPem, key: request.tlsKeyPem! }
        : await ca!.leaf(
            isLoopback(request.host) ? [request.host, 'localhost', '127.0.0.1', '::1'] : [request.host],
          );
    const refuse = (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket' });
      res.end(`A Frameline relay to ${to?.host}: connect with a WebSocket client.\n`);
    };
    let server: Server;
    try {
      server = request.proxy
        ? createServer()
        : served
          ? createTlsServer(served, refuse)
          : createServer(refuse);
    } catch (err) {
      throw new InputError(`the certificate and key to serve cannot be used: ${(err as Error).message}`);
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(request.port, request.host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((err: unknown) => {
      throw listenFailure(err, request.host, request.port) ?? err;
    });
    return new RelayServer(ctx, request, to, tls, server, hooks, ca, served !== null);
  }

  private constructor(
    ctx: EngineContext,
    private readonly request: RelayRequest,
    private readonly to: URL | null,
    private readonly tls: TlsMaterial,
    private readonly server: Server,
    private readonly hooks: RelayHooks,
    private readonly ca: LocalCa | null,
    private readonly servesTls: boolean,
  ) {
    this.port = (server.address() as AddressInfo).port;
    const host = request.host.includes(':') ? `[${request.host}]` : request.host;
    this.url = to ? `${servesTls ? 'wss' : 'ws'}://${host}:${this.port}/` : `http://${host}:${this.port}`;
    const recording = beginRecording(ctx.db, ctx.dbPath, {
      name: request.name ?? (to ? `relay ${host}:${this.port} to ${to.host}` : `proxy ${host}:${this.port}`),
      kind: 'relay',
      target: to?.href ?? this.url,
      settings: {
        listen: this.url,
        to: to?.href ?? null,
        proxy: !to,
        tls: servesTls,
        insecure: request.insecure,
      },
      createdAt: nowMicros(),
    });
    this.sessionId = recording.sessionId;
    this.spool = StoreWriter.for(ctx.dbPath).begin(ctx.db, recording);
    this.faults = new RelayFaults(request.faults, {
      applied: (ordinal, fault, action, detail) => this.faultApplied(ordinal, fault, action, detail),
      cut: (fc, fault) => {
        const c = this.faultedClient(fc);
        if (!c) return;
        c.closer ??= 'fault';
        c.endedByFault ??= { fault, action: 'cut' };
        c.downstream?.terminate();
        c.upstream?.terminate();
      },
      close: (fc, fault, code, reason) => {
        const c = this.faultedClient(fc);
        if (!c) return;
        c.closer ??= 'fault';
        c.endedByFault ??= { fault, action: 'close' };
        if (c.downstream) closeWith(c.downstream, code, reason);
        if (c.upstream) closeWith(c.upstream, code, reason);
      },
      switched: (ordinal, switchedOn, switchedOff) =>
        this.event(ordinal, 'faults-switched', { on: switchedOn, off: switchedOff }),
    });
    this.unsubscribe = StoreWriter.for(ctx.dbPath).onCommitted((id, n) => {
      if (id !== this.sessionId) return;
      this.committed += n;
      this.hooks.onChange?.();
    });
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_PAYLOAD,
      perMessageDeflate: false,
      ...WIRE_SOCKET_OPTIONS,
      handleProtocols: (_offered, req) => this.answers.get(req)?.protocol || false,
    });
    this.wss.on('headers', (lines, req) => {
      for (const [name, value] of this.answers.get(req)?.headers ?? []) lines.push(`${name}: ${value}`);
    });
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    if (to)
      server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) =>
        this.relay(req, socket, head, upstreamUrl(to, req.url ?? '/')),
      );
    else
      attachProxy(server, {
        ca: ca!,
        upstreamTls: {
          ...(tls.ca ? { ca: tls.ca } : {}),
          ...(tls.cert ? { cert: tls.cert, key: tls.key } : {}),
          rejectUnauthorized: !request.insecure,
        },
        relay: (req, socket, head, url) => this.relay(req, socket, head, url),
      });
  }

  /** The relay as the console sees it. */
  status(): RelayStatus {
    return {
      sessionId: this.sessionId,
      url: this.url,
      port: this.port,
      loopback: isLoopback(this.request.host),
      proxy: this.to === null,
      tls: this.servesTls,
      caFile: this.ca?.caFile ?? null,
      to: this.to?.href ?? null,
      state: this.stopped ? 'stopped' : 'listening',
      faults: this.faults.list(),
      connections: this.total,
      committed: this.committed,
      clients: this.clients.slice(-LISTED_CLIENTS).map(clientView),
    };
  }

  /** Stops listening, closes every client and its upstream with 1001 and commits the session. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      const listening = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const c of this.live) {
        c.closer ??= 'relay';
        if (c.downstream) closeWith(c.downstream, 1001, 'relay stopped');
        if (c.upstream?.readyState === WebSocket.OPEN) closeWith(c.upstream, 1001, 'relay stopped');
        else c.upstream?.terminate();
      }
      // ws drops a leg whose close is not answered within its close timeout (CLOSE_WAIT_MS).
      await Promise.all([...this.live].map((c) => c.closed));
      for (const s of this.sockets) s.destroy();
      await listening;
      this.wss.close();
      await this.spool.finish(nowMicros());
      this.unsubscribe();
      this.hooks.onChange?.();
    })();
    return this.stopped;
  }

  /** Switches faults on and off for the clients connected and those to come. */
  switchFaults(request: RelayFaultsRequest): RelayFaultsResult {
    const changed = this.faults.switch(request.on, request.off);
    this.hooks.onChange?.();
    return { faults: this.faults.list(), ...changed };
  }

  private faultedClient(fc: FaultedClient): Client | undefined {
    for (const c of this.live) if (c.faults === fc) return c;
    return undefined;
  }

  private faultApplied(
    ordinal: number,
    fault: string,
    action: FaultAction,
    detail: Record<string, unknown> = {},
  ): void {
    this.event(ordinal, 'fault-applied', { fault, action, ...detail });
    this.hooks.onFault?.({ sessionId: this.sessionId, client: ordinal, fault, action, detail });
  }

  private event(ordinal: number, kind: string, detail: unknown): void {
    this.spool.message({ type: 'event', ordinal, ts: nowMicros(), kind, detail });
  }

  private closedRecord(
    ordinal: number,
    code: number | null,
    reason: string | null,
    closedBy: ClosedBy | null,
    error: { kind: ErrorKind; message: string } | null,
    legs: LegClose,
  ): void {
    this.spool.message({
      type: 'closed',
      ordinal,
      closedAt: nowMicros(),
      code,
      reason,
      closedBy,
      error,
      ...(legs.fault !== undefined ? { fault: legs.fault } : {}),
      ...(legs.upstream !== undefined ? { upstream: legs.upstream } : {}),
    });
  }

  /**
   * Relays one client's upgrade to `url` and records it (the reverse listener's clients, and the
   * WebSocket upgrades a forward proxy's clients send, in the clear or inside a CONNECT tunnel).
   */
  private relay(req: IncomingMessage, socket: Socket, head: Buffer, url: URL): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    const ordinal = ++this.total;
    const startedAt = nowMicros();
    this.spool.message({
      type: 'connection',
      ordinal,
      url: url.href,
      startedAt,
      requestHeaders: headerObject(req.rawHeaders),
    });
    let markClosed!: () => void;
    const client: Client = {
      ordinal,
      remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
      url: url.href,
      openedAt: formatMicros(startedAt),
      state: 'connecting',
      framesOut: 0,
      framesIn: 0,
      ending: null,
      socket,
      downstream: null,
      upstream: null,
      closer: null,
      endedByFault: null,
      faults: new FaultedClient(ordinal),
      closed: new Promise<void>((resolve) => (markClosed = resolve)),
      markClosed: () => markClosed(),
    };
    this.clients.push(client);
    if (this.clients.length > LISTED_CLIENTS * 4)
      this.clients.splice(0, this.clients.length - LISTED_CLIENTS * 2);
    this.live.add(client);
    this.hooks.onChange?.();

    const reject = this.faults.get('reject');
    if (reject) {
      this.faultRejected(client, reject.status, faultText(reject));
      return;
    }
    const slow = this.faults.get('slow-accept');
    if (slow && slow.ms > 0) {
      this.faultApplied(ordinal, faultText(slow), 'upgrade-held', { ms: slow.ms });
      setTimeout(() => {
        if (socket.destroyed || this.stopped) {
          this.settle(client, 'left before the upgrade was passed on', null, null, null, {
            kind: 'other',
            message: `the client went away while the relay held its upgrade (fault ${faultText(slow)})`,
          });
          socket.destroy();
        } else this.connect(client, req, socket, head, url);
      }, slow.ms);
      return;
    }
    this.connect(client, req, socket, head, url);
  }

  /** The reject fault: the client's upgrade is refused without asking the server. */
  private faultRejected(client: Client, status: number, fault: string): void {
    const body = `refused by the relay (fault ${fault})\n`;
    const headers = {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(body)),
      Connection: 'close',
    };
    client.socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Refused'}\r\n` +
        Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('') +
        `\r\n${body}`,
    );
    this.spool.message({
      type: 'handshake',
      ordinal: client.ordinal,
      status,
      responseHeaders: headers,
      bodyHead: Buffer.from(body).toString('base64'),
      subprotocol: null,
      extensions: null,
      timings: { dnsMs: null, tcpMs: null, tlsMs: null, upgradeMs: null },
      openedAt: null,
    });
    this.faultApplied(client.ordinal, fault, 'upgrade-rejected', { status });
    this.settle(
      client,
      `refused by Frameline's relay (fault ${fault}) with HTTP ${status}`,
      null,
      null,
      'relay',
      {
        kind: 'upgrade-rejected',
        message: `the relay refused the upgrade with HTTP ${status} (fault ${fault}); the server was not asked`,
      },
      { fault },
    );
  }

  /** Tries the client's upgrade on the upstream, and relays once both said yes. */
  private connect(client: Client, req: IncomingMessage, socket: Socket, head: Buffer, url: URL): void {
    const ordinal = client.ordinal;
    const offered = (req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    const headers: Record<string, string> = {};
    for (const [name, value] of passedHeaders(req.rawHeaders, LEG_HEADERS)) {
      const joiner = name.toLowerCase() === 'cookie' ? '; ' : ', ';
      headers[name] = headers[name] === undefined ? value : `${headers[name]}${joiner}${value}`;
    }
    const t0 = performance.now();
    let upstream: WebSocket;
    try {
      upstream = new WebSocket(url, offered, {
        headers,
        perMessageDeflate: false,
        handshakeTimeout: this.request.connectTimeoutSeconds * 1000,
        maxPayload: MAX_PAYLOAD,
        ...(WIRE_SOCKET_OPTIONS as object),
        followRedirects: false,
        ...(this.tls.ca ? { ca: this.tls.ca } : {}),
        ...(this.tls.cert ? { cert: this.tls.cert, key: this.tls.key } : {}),
        rejectUnauthorized: !this.request.insecure,
        finishRequest: (upReq: ClientRequest) => {
          this.event(ordinal, 'relay-upstream-request', {
            url: url.href,
            requestHeaders: requestHeaders(upReq, url),
          });
          upReq.end();
        },
      });
    } catch (err) {
      // ws refuses an offer it cannot send (a subprotocol that is no token, one offered twice).
      this.fail(client, 400, {
        kind: 'other',
        message: `the client's handshake cannot be relayed: ${(err as Error).message}`,
      });
      return;
    }
    client.upstream = upstream;
    let answer: { status: number; headers: Headers } | null = null;
    let upstreamSocket: Socket | null = null;
    upstream.on('upgrade', (res: IncomingMessage) => {
      upstreamSocket = res.socket;
      answer = { status: res.statusCode ?? 101, headers: headerObject(res.rawHeaders) };
      this.answers.set(req, { protocol: '', headers: passedHeaders(res.rawHeaders, LEG_HEADERS) });
    });
    let refusal = false;
    upstream.on('unexpected-response', (_upReq: ClientRequest, res: IncomingMessage) => {
      refusal = true;
      this.refused(client, res, performance.now() - t0);
    });
    // A client that leaves while the upstream is still answering: its upgrade is given up.
    socket.once('close', () => {
      if (client.state !== 'connecting' || refusal) return;
      client.closer ??= 'client';
      upstream.terminate();
    });
    let upstreamError: Error | null = null;
    upstream.on('error', (err: Error) => (upstreamError ??= err));
    const beforeOpen = () => {
      // Connect, TLS or handshake failure (a refusal is answered by refused()).
      if (client.state !== 'connecting' || refusal) return;
      if (client.closer === 'client') {
        this.settle(client, 'left before the server answered the upgrade', null, null, null, {
          kind: 'other',
          message: 'the client went away before the server answered the upgrade',
        });
        return;
      }
      const err = upstreamError ?? new Error('the upstream closed before the handshake completed');
      const why = classifyError(err, url, {
        subprotocols: offered,
        compression: false,
        answer: answer?.headers ?? null,
      });
      this.fail(client, client.closer === 'relay' ? 503 : 502, why);
    };
    upstream.once('close', beforeOpen);
    upstream.on('open', () => {
      upstream.off('close', beforeOpen);
      const chosen = this.answers.get(req);
      if (chosen) chosen.protocol = upstream.protocol;
      this.spool.message({
        type: 'handshake',
        ordinal,
        status: answer?.status ?? 101,
        responseHeaders: answer?.headers ?? {},
        bodyHead: null,
        subprotocol: upstream.protocol || null,
        extensions: null,
        timings: { dnsMs: null, tcpMs: null, tlsMs: null, upgradeMs: performance.now() - t0 },
        openedAt: nowMicros(),
      });
      if (socket.destroyed || this.stopped) {
        // The client left (or the relay stopped) as the server said yes: the upstream is closed again.
        closeWith(upstream, 1001, 'client went away');
        this.settle(
          client,
          'left before the upgrade was passed on',
          1001,
          '',
          socket.destroyed ? 'client' : null,
          null,
        );
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (downstream, upgraded) => {
        this.event(ordinal, 'relay-client-response', {
          status: 101,
          subprotocol: downstream.protocol || null,
          responseHeaders: Object.fromEntries(this.answers.get(upgraded)?.headers ?? []),
        });
        this.pair(client, downstream, upstream, upstreamSocket!);
      });
    });
  }

  /** The upstream refused the upgrade: the client gets the same answer, and it is recorded. */
  private refused(client: Client, res: IncomingMessage, upgradeMs: number): void {
    const status = res.statusCode ?? 502;
    const chunks: Buffer[] = [];
    let length = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const body = Buffer.concat(chunks).subarray(0, REFUSAL_BODY_BYTES);
      res.socket?.destroy();
      const headers = headerObject(res.rawHeaders);
      this.spool.message({
        type: 'handshake',
        ordinal: client.ordinal,
        status,
        responseHeaders: headers,
        bodyHead: body.subarray(0, BODY_HEAD_BYTES).toString('base64'),
        subprotocol: null,
        extensions: null,
        timings: { dnsMs: null, tcpMs: null, tlsMs: null, upgradeMs },
        openedAt: null,
      });
      const lines = passedHeaders(res.rawHeaders, LEG_HEADERS).map(([n, v]) => `${n}: ${v}\r\n`);
      client.socket.end(
        Buffer.concat([
          Buffer.from(
            `HTTP/1.1 ${status} ${res.statusMessage ?? STATUS_CODES[status] ?? ''}\r\n${lines.join('')}` +
              `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
          ),
          body,
        ]),
      );
      this.settle(client, `refused by the server with HTTP ${status}`, null, null, null, {
        kind: 'upgrade-rejected',
        message:
          `the server answered the upgrade with HTTP ${status} ${res.statusMessage ?? ''}`.trim() +
          ' instead of 101; the relay passed the answer back to the client',
      });
    };
    res.on('data', (chunk: Buffer) => {
      if (length < REFUSAL_BODY_BYTES) chunks.push(chunk);
      length += chunk.length;
    });
    res.on('end', finish);
    res.on('error', finish);
    res.on('close', finish);
  }

  /** The upstream could not be reached or did not answer: the client gets `status`. */
  private fail(client: Client, status: number, why: { kind: ErrorKind; message: string }): void {
    const body = `Frameline relay: ${why.message}\n`;
    if (!client.socket.destroyed)
      client.socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    this.event(client.ordinal, 'relay-upstream-failed', { status, ...why });
    this.settle(client, `not relayed (HTTP ${status}): ${why.message}`, null, null, null, why);
  }

  /** Relays and records both ways between an upgraded client and its open upstream. */
  private pair(client: Client, downstream: WebSocket, upstream: WebSocket, upstreamSocket: Socket): void {
    client.downstream = downstream;
    client.state = 'open';
    this.faults.opened(client.faults);
    this.hooks.onClientOpened?.(client);
    this.hooks.onChange?.();
    const record = (direction: 0 | 1, opcode: number, data: Buffer) => {
      this.spool.frame(client.ordinal, nowMicros(), direction, opcode, data, PAYLOAD_CAP);
      if (direction === 1) client.framesOut++;
      else client.framesIn++;
      this.faults.activity(client.faults);
      this.hooks.onChange?.();
    };
    // Every frame goes on through its direction's lane, in order, as the faults let it.
    const forward = (direction: 0 | 1, opcode: number, size: number, run: () => void) =>
      this.faults.forward(client.faults, direction, opcode, size, run);
    // What each peer sent, recorded as the relay receives it: the client's is `out`, the server's `in`.
    const legs: Array<{
      from: WebSocket;
      to: WebSocket;
      direction: 0 | 1;
      peer: 'client' | 'server';
      sockets: { from: Socket; to: Socket };
    }> = [
      {
        from: downstream,
        to: upstream,
        direction: 1,
        peer: 'client',
        sockets: { from: client.socket, to: upstreamSocket },
      },
      {
        from: upstream,
        to: downstream,
        direction: 0,
        peer: 'server',
        sockets: { from: upstreamSocket, to: client.socket },
      },
    ];
    const ends = new Map<WebSocket, WireEnd>();
    const wires = new Map<WebSocket, Wire>();
    for (const leg of legs) {
      // The messages ws reads out of one chunk from a leg leave by the other in one write (ws writes
      // every frame it sends at once otherwise: a system call per frame, most of a flood's cost).
      // Around ws's own reader: it listens already, so the cork goes before it and the uncork after.
      leg.sockets.from.prependListener('data', () => leg.sockets.to.cork());
      leg.sockets.from.on('data', () => leg.sockets.to.uncork());
      wires.set(
        leg.from,
        tapWire(
          leg.from,
          {
            sent: () => {},
            received: (opcode, data) => {
              record(leg.direction, opcode, data);
              if (opcode === 8) {
                // A close frame: its sender started the end (unless the other side did), and the
                // other leg is closed with the same code.
                client.closer ??= leg.peer;
                forward(leg.direction, opcode, data.length, () =>
                  closeWith(
                    leg.to,
                    data.length >= 2 ? data.readUInt16BE(0) : 1005,
                    data.subarray(2).toString('utf8'),
                  ),
                );
              } else if (opcode === 9)
                forward(leg.direction, opcode, data.length, () => {
                  if (leg.to.readyState === WebSocket.OPEN) leg.to.ping(data);
                });
            },
          },
          {
            side: leg.peer === 'client' ? 'server' : 'client',
            name: 'the relay',
            maxPayload: MAX_PAYLOAD,
            maxPayloadFlag: null,
            // A ping is the peer's to answer: it is passed on, and so is its pong.
            answerPings: false,
          },
        ),
      );
      leg.from.on('message', (data: Buffer, isBinary: boolean) => {
        record(leg.direction, isBinary ? 2 : 1, data);
        forward(leg.direction, isBinary ? 2 : 1, data.length, () => {
          if (leg.to.readyState === WebSocket.OPEN) leg.to.send(data, { binary: isBinary });
        });
      });
      leg.from.on('pong', (data: Buffer) => {
        record(leg.direction, 10, data);
        forward(leg.direction, 10, data.length, () => {
          if (leg.to.readyState === WebSocket.OPEN) leg.to.pong(data);
        });
      });
      leg.from.on('error', () => {
        // the close that follows records how it ended (the wire saw a protocol violation first)
      });
      leg.from.on('close', (code: number, reason: Buffer) => {
        ends.set(leg.from, wires.get(leg.from)!.end(code, reason));
        // A leg that dropped (no close frame): the other is dropped too, as the peer would see it directly.
        if (!ends.get(leg.from)!.violation && ends.get(leg.from)!.closedBy === 'network') {
          client.closer ??= 'network';
          // After what the lane still holds, as the drop would reach the peer behind the frames.
          forward(leg.direction, 0, 0, () => leg.to.terminate());
        } else if (ends.get(leg.from)!.violation) {
          client.closer ??= 'relay';
          if (leg.to.readyState === WebSocket.OPEN)
            leg.to.close(1011, 'relay: the other side broke the protocol');
        }
        const down = ends.get(downstream);
        const up = ends.get(upstream);
        if (down && up) this.end(client, down, up);
      });
    }
  }

  /** Both legs closed: the connection's close says who started it and with which code; an event has both legs'. */
  private end(client: Client, down: WireEnd, up: WireEnd): void {
    const closer: Closer = client.closer ?? 'network';
    const byFault = closer === 'fault' ? client.endedByFault : null;
    const violation = down.violation ?? up.violation;
    this.event(client.ordinal, 'relay-close', {
      closedBy: closer,
      ...(byFault ? { fault: byFault.fault } : {}),
      clientCode: down.code,
      clientReason: down.reason,
      serverCode: up.code,
      serverReason: up.reason,
    });
    if (violation) this.event(client.ordinal, 'protocol-violation', violation);
    const legCodes = `the client's leg closed with ${down.code}, the server's with ${up.code}`;
    // The connection's close is the client's leg (as the client saw it); the server's leg is kept beside it.
    const legs: LegClose = {
      upstream: { code: up.code, reason: up.reason },
      ...(byFault ? { fault: byFault.fault } : {}),
    };
    const error = violation ? { kind: 'protocol' as const, message: violation.message } : null;
    if (closer === 'fault' || closer === 'relay') {
      // Frameline's relay ended it: a fault it played (a cut drops both legs without a close frame,
      // a close sends one to each), a protocol violation it answered, or it stopped.
      const ending = byFault
        ? `closed by Frameline's relay (fault ${byFault.fault})${byFault.action === 'cut' ? ', cut without a close frame' : ''}; ${legCodes}`
        : `closed by Frameline's relay (${violation ? violation.message : 'it stopped'}); ${legCodes}`;
      this.settle(client, ending, down.code, down.reason, 'relay', error, legs);
      return;
    }
    const ending =
      closer === 'network'
        ? `dropped without a close frame; ${legCodes}`
        : `closed by the ${closer} with ${(closer === 'server' ? up : down).code}; ${legCodes}`;
    this.settle(client, ending, down.code, down.reason, closer, error, legs);
  }

  private settle(
    client: Client,
    ending: string,
    code: number | null,
    reason: string | null,
    closedBy: ClosedBy | null,
    error: { kind: ErrorKind; message: string } | null,
    legs: LegClose = {},
  ): void {
    if (client.state === 'closed') return;
    this.faults.ended(client.faults);
    this.closedRecord(client.ordinal, code, reason, closedBy, error, legs);
    client.state = 'closed';
    client.ending = ending;
    this.live.delete(client);
    client.markClosed();
    this.hooks.onClientEnded?.(client);
    this.hooks.onChange?.();
  }
}
