// `frameline mock`: serves a recorded connection's server side as a WebSocket server, to many clients
// at once, either on the recorded clock (timed) or answering each client message with what followed
// the matching recorded request (reactive), with faults that reproduce an incident. Every client is
// recorded as a connection of the mock's own session (kind mock; `out` is what the mock sent), so
// that `diagnose` reads what the client under test did.
import { createServer, STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ClosedBy, ErrorKind, Headers } from '../../../shared/contract.js';
import type { MockClient, MockRequest, MockStatus } from '../../../shared/contract/replay.js';
import { faultText, type Fault } from '../../../shared/replay/faults.js';
import type { DecodeContext } from '../../../shared/protocols/decode.js';
import { greetingOf, type Conversation, type TimedMessage } from '../../../shared/replay/pairing.js';
import {
  applicationConversation,
  exchangeId,
  protocolOpenedAt,
  requestShape,
  withExchangeId,
} from '../../../shared/replay/protocol-layer.js';
import { formatMicros } from '../../../shared/time.js';
import { CLOSE_WAIT_MS, corked, headerObject, tapWire, WIRE_SOCKET_OPTIONS } from '../capture/wire.js';
import { nowMicros } from '../clock.js';
import type { EngineContext } from '../context.js';
import { isLoopback, listenFailure } from '../listen.js';
import { beginRecording } from '../store/recording.js';
import { StoreWriter, type SessionSpool } from '../store/writer.js';
import { mockProtocolFor, type MockProtocol, type MockProtocolFactory } from './mock-protocols.js';
import { readConnection, type RecordedConnection } from './source.js';

/** Payload bytes stored per frame (longer ones are stored truncated with their real size). */
const PAYLOAD_CAP = 1024 * 1024;
/** The largest message a mock accepts from a client. */
const MAX_PAYLOAD = 100 * 1024 * 1024;
/** Clients listed in the status, newest last. */
const LISTED_CLIENTS = 50;
/** How long a client's clean close may take when the mock stops. */
const CLOSE_GRACE_MS = CLOSE_WAIT_MS;

function responseHeaders(lines: readonly string[]): Headers {
  const out: Headers = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) out[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return out;
}

/** What followed one recorded request: the answers, with their delay after it in µs. */
interface RecordedExchange {
  request: TimedMessage;
  id: string | number | undefined;
  answers: Array<{ afterUs: number; message: TimedMessage }>;
}

interface Client extends MockClient {
  ws: WebSocket | null;
  /** The socket ws writes to (handleUpgrade's), for corking. */
  socket: Socket | null;
  /** Epoch µs of the open. */
  openedUs: number;
  timers: Set<NodeJS.Timeout>;
  lastSendAt: number;
  idleTimer: NodeJS.Timeout | null;
  /** Why the mock ended it (a fault, the recorded close, the mock stopping). */
  endedBy: string | null;
  closed: Promise<void>;
  markClosed: () => void;
  used: Set<number>;
  nextByOrder: number;
  /** The protocol the mock speaks to it (null: the recording is served as it is). */
  protocol: MockProtocol | null;
}

/** A client as the contract carries it: what it did so far, without the mock's own bookkeeping. */
export function clientView(c: MockClient): MockClient {
  return {
    ordinal: c.ordinal,
    remote: c.remote,
    openedAt: c.openedAt,
    state: c.state,
    framesIn: c.framesIn,
    framesOut: c.framesOut,
    ending: c.ending,
  };
}

export interface MockHooks {
  /** A client connected, sent or received, or went away (called often: coalesce). */
  onChange?: () => void;
  /** A client ended, with how, in words. */
  onClientEnded?: (client: MockClient) => void;
  onClientOpened?: (client: MockClient) => void;
}

export class MockServer {
  readonly sessionId: number;
  readonly url: string;
  readonly port: number;
  private readonly spool: SessionSpool;
  private readonly wss: WebSocketServer;
  private readonly clients: Client[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly pendingHeaders = new WeakMap<IncomingMessage, string[]>();
  private readonly exchanges: RecordedExchange[];
  /** The server's greeting (before any answer), with its offset from the open in µs. */
  private readonly greeting: Array<{ atUs: number; message: TimedMessage }>;
  private readonly faults: Partial<{ [K in Fault['kind']]: Extract<Fault, { kind: K }> }> = {};
  private stopped: Promise<void> | null = null;
  private total = 0;
  /** Each recorded message's payload, encoded once for every client (not once per send). */
  private readonly payloads = new Map<TimedMessage, Buffer>();
  /** The protocol spoken to each client (Socket.IO, graphql-ws), said afresh rather than replayed; null for none. */
  private readonly speaks: MockProtocolFactory | null;
  private readonly spoken: DecodeContext | null;
  /** What is served as recorded: the conversation without the protocol's own messages when one is spoken. */
  private readonly conversation: Conversation;
  /** Epoch µs the recorded offsets count from: the open, or the moment the protocol was open. */
  private readonly startedAt: number;

  /** Reads the source, listens, creates the mock's session; input mistakes throw InputError first. */
  static async start(ctx: EngineContext, request: MockRequest, hooks: MockHooks = {}): Promise<MockServer> {
    const source = readConnection(ctx, request.sessionId, request.connection, 'received');
    const server = createServer((_req, res) => {
      res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket' });
      res.end(`A Frameline mock of session ${source.session.id}: connect with a WebSocket client.\n`);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(request.port, request.host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((err: unknown) => {
      throw listenFailure(err, request.host, request.port) ?? err;
    });
    return new MockServer(ctx, request, source, server, hooks);
  }

  private constructor(
    ctx: EngineContext,
    private readonly request: MockRequest,
    private readonly source: RecordedConnection,
    private readonly server: Server,
    private readonly hooks: MockHooks,
  ) {
    for (const f of request.faults) (this.faults as Record<string, Fault>)[f.kind] = f;
    this.port = (server.address() as AddressInfo).port;
    const host = request.host.includes(':') ? `[${request.host}]` : request.host;
    this.url = `ws://${host}:${this.port}/`;
    const recording = beginRecording(ctx.db, ctx.dbPath, {
      name: request.name ?? `mock of #${source.session.id} on ${host}:${this.port}`,
      kind: 'mock',
      target: this.url,
      sourceId: source.session.id,
      settings: {
        source: source.session.id,
        connection: source.connection.ordinal,
        mode: request.mode,
        loop: request.loop,
        speed: request.speed,
        faults: request.faults.map(faultText),
        idField: request.idField,
      },
      createdAt: nowMicros(),
    });
    this.sessionId = recording.sessionId;
    this.spool = StoreWriter.for(ctx.dbPath).begin(ctx.db, recording);

    this.speaks = mockProtocolFor(source.conversation, source.protocol);
    this.spoken = this.speaks ? source.protocol : null;
    this.conversation = applicationConversation(source.conversation, this.spoken);
    this.startedAt = protocolOpenedAt(source.conversation, this.spoken) ?? source.openedAt;
    const { sent, received } = this.conversation;
    // An answer carrying a request's id belongs to that request; the others to the request before them.
    this.exchanges = sent.map((request) => ({
      request,
      id: this.idOf(request),
      answers: [],
    }));
    const byId = new Map<string | number, RecordedExchange>();
    for (const x of this.exchanges) if (x.id !== undefined && !byId.has(x.id)) byId.set(x.id, x);
    const greeting = greetingOf(this.conversation, this.request.idField);
    let k = -1;
    for (const m of received) {
      if (greeting.has(m)) continue;
      while (k + 1 < sent.length && sent[k + 1]!.ts <= m.ts) k++;
      const id = this.idOf(m);
      const x = (id !== undefined ? byId.get(id) : undefined) ?? (k >= 0 ? this.exchanges[k] : undefined);
      if (x) x.answers.push({ afterUs: Math.max(0, m.ts - x.request.ts), message: m });
    }
    this.greeting = [...greeting].map((message) => ({ atUs: message.ts - this.startedAt, message }));

    const recordedProtocol = source.connection.subprotocol;
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_PAYLOAD,
      perMessageDeflate: false,
      // Pings are answered by the wire tap (capture/wire.ts), unless the no-pong fault is on.
      ...WIRE_SOCKET_OPTIONS,
      handleProtocols: (offered) =>
        recordedProtocol !== null && offered.has(recordedProtocol)
          ? recordedProtocol
          : (offered.values().next().value ?? false),
    });
    this.wss.on('headers', (lines, req) => this.pendingHeaders.set(req, [...lines]));
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) =>
      this.upgrade(req, socket, head),
    );
  }

  /** The id tying an answer to its request: a Socket.IO ack id when Socket.IO is spoken, else the JSON id field. */
  private idOf(m: TimedMessage): string | number | undefined {
    return exchangeId(m, this.spoken, this.request.idField);
  }

  /** Clients that connected so far. */
  get connections(): number {
    return this.total;
  }

  /** The mock as the console sees it. */
  status(): MockStatus {
    return {
      sessionId: this.sessionId,
      source: this.source.session.id,
      connection: this.source.connection.ordinal,
      url: this.url,
      port: this.port,
      loopback: isLoopback(this.request.host),
      mode: this.request.mode,
      loop: this.request.loop,
      speed: this.request.speed,
      faults: this.request.faults.map(faultText),
      state: this.stopped ? 'stopped' : 'listening',
      connections: this.total,
      clients: this.clients.slice(-LISTED_CLIENTS).map(clientView),
    };
  }

  /** Stops listening, closes every client with 1001 and commits the session. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
      const open = this.clients.filter((c) => c.state === 'open');
      for (const c of open) {
        c.endedBy ??= 'the mock stopped';
        c.ws?.close(1001, 'mock stopped');
        const t = setTimeout(() => c.ws?.terminate(), CLOSE_GRACE_MS);
        t.unref();
      }
      await Promise.all(open.map((c) => c.closed));
      for (const s of this.sockets) s.destroy();
      this.wss.close();
      await this.spool.finish(nowMicros());
      this.hooks.onChange?.();
    })();
    return this.stopped;
  }

  private event(ordinal: number | null, kind: string, detail: unknown): void {
    this.spool.message({ type: 'event', ordinal, ts: nowMicros(), kind, detail });
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    const ordinal = ++this.total;
    const startedAt = nowMicros();
    this.spool.message({
      type: 'connection',
      ordinal,
      url: `${this.url.slice(0, -1)}${req.url ?? '/'}`,
      startedAt,
      requestHeaders: headerObject(req.rawHeaders),
    });
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const reject = this.faults.reject;
    if (reject) {
      const body = `refused by the mock (fault reject=${reject.status})\n`;
      const headers = {
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Length': String(Buffer.byteLength(body)),
        Connection: 'close',
      };
      socket.end(
        `HTTP/1.1 ${reject.status} ${STATUS_CODES[reject.status] ?? 'Refused'}\r\n` +
          Object.entries(headers)
            .map(([k, v]) => `${k}: ${v}\r\n`)
            .join('') +
          `\r\n${body}`,
      );
      this.spool.message({
        type: 'handshake',
        ordinal,
        status: reject.status,
        responseHeaders: headers,
        bodyHead: Buffer.from(body).toString('base64'),
        subprotocol: null,
        extensions: null,
        timings: { dnsMs: null, tcpMs: null, tlsMs: null, upgradeMs: null },
        openedAt: null,
      });
      this.closedRecord(ordinal, null, null, null, {
        kind: 'upgrade-rejected',
        message: `the mock refused the upgrade with HTTP ${reject.status} (fault reject=${reject.status})`,
      });
      this.remember({
        ordinal,
        remote,
        startedAt,
        state: 'closed',
        ending: `refused with HTTP ${reject.status}`,
      });
      return;
    }
    const accept = () => {
      if (socket.destroyed || this.stopped) {
        this.closedRecord(ordinal, null, null, null, {
          kind: 'other',
          message: 'the client went away before the mock answered the upgrade',
        });
        this.remember({
          ordinal,
          remote,
          startedAt,
          state: 'closed',
          ending: 'left before the upgrade was answered',
        });
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws, socket, req, ordinal, remote));
    };
    const slow = this.faults['slow-accept'];
    if (slow && slow.ms > 0) setTimeout(accept, slow.ms);
    else accept();
  }

  private closedRecord(
    ordinal: number,
    code: number | null,
    reason: string | null,
    closedBy: ClosedBy | null,
    error: { kind: ErrorKind; message: string } | null,
  ): void {
    this.spool.message({ type: 'closed', ordinal, closedAt: nowMicros(), code, reason, closedBy, error });
  }

  private remember(c: {
    ordinal: number;
    remote: string;
    startedAt: number;
    state: 'open' | 'closed';
    ending: string | null;
  }): Client {
    let markClosed!: () => void;
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    const client: Client = {
      ordinal: c.ordinal,
      remote: c.remote,
      openedAt: formatMicros(c.startedAt),
      state: c.state,
      framesIn: 0,
      framesOut: 0,
      ending: c.ending,
      ws: null,
      socket: null,
      openedUs: c.startedAt,
      timers: new Set(),
      lastSendAt: 0,
      idleTimer: null,
      endedBy: null,
      closed,
      markClosed,
      used: new Set(),
      nextByOrder: 0,
      protocol: null,
    };
    if (c.state === 'closed') markClosed();
    this.clients.push(client);
    if (this.clients.length > LISTED_CLIENTS * 4)
      this.clients.splice(0, this.clients.length - LISTED_CLIENTS * 2);
    this.hooks.onChange?.();
    return client;
  }

  private serve(ws: WebSocket, socket: Socket, req: IncomingMessage, ordinal: number, remote: string): void {
    const openedAt = nowMicros();
    const client = this.remember({ ordinal, remote, startedAt: openedAt, state: 'open', ending: null });
    client.ws = ws;
    client.socket = socket;
    const frame = (direction: 0 | 1, opcode: number, data: Buffer) => {
      this.spool.frame(ordinal, nowMicros(), direction, opcode, data, PAYLOAD_CAP);
      if (direction === 0) client.framesIn++;
      else client.framesOut++;
      if (opcode !== 8) this.armIdleCut(client);
      this.hooks.onChange?.();
    };
    const wire = tapWire(
      ws,
      { sent: (opcode, data) => frame(1, opcode, data), received: (opcode, data) => frame(0, opcode, data) },
      {
        side: 'server',
        name: 'the mock',
        maxPayload: MAX_PAYLOAD,
        maxPayloadFlag: null,
        answerPings: this.faults['no-pong'] === undefined,
      },
    );
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      frame(0, isBinary ? 2 : 1, data);
      if (client.protocol?.received(data, isBinary)) return;
      if (this.request.mode === 'reactive')
        this.answer(client, {
          ts: nowMicros(),
          opcode: isBinary ? 'binary' : 'text',
          text: isBinary ? data.toString('base64') : data.toString('utf8'),
        });
    });
    ws.on('pong', (data: Buffer) => frame(0, 10, data));
    ws.on('error', () => {
      // the close that follows records how it ended (the wire saw a protocol violation first)
    });
    this.spool.message({
      type: 'handshake',
      ordinal,
      status: 101,
      responseHeaders: responseHeaders(this.pendingHeaders.get(req) ?? []),
      bodyHead: null,
      subprotocol: ws.protocol || null,
      extensions: ws.extensions || null,
      timings: { dnsMs: null, tcpMs: null, tlsMs: null, upgradeMs: null },
      openedAt,
    });
    ws.on('close', (code: number, reason: Buffer) => {
      client.protocol?.dispose();
      for (const t of client.timers) clearTimeout(t);
      if (client.idleTimer) clearTimeout(client.idleTimer);
      const end = wire.end(code, reason);
      if (end.violation) this.event(ordinal, 'protocol-violation', end.violation);
      this.closedRecord(
        ordinal,
        end.code,
        end.reason,
        end.closedBy,
        end.violation ? { kind: 'protocol', message: end.violation.message } : null,
      );
      client.state = 'closed';
      const broke = wire.violation;
      client.ending =
        client.endedBy ??
        (end.closedBy === 'network'
          ? 'the connection dropped without a close frame (1006)'
          : end.closedBy === 'client'
            ? `closed by the client with ${end.code}${end.reason ? ` "${end.reason}"` : ''}`
            : broke
              ? `closed by the mock with ${end.code}: ${broke.description}`
              : `closed by the mock with ${end.code}`);
      client.markClosed();
      this.hooks.onClientEnded?.(client);
      this.hooks.onChange?.();
    });
    this.hooks.onClientOpened?.(client);
    this.armFaults(client);
    // The recorded messages start once the protocol is open (at once when none is spoken), their
    // offsets counted from then.
    const play = () => {
      const from = this.speaks ? this.elapsed(client) : 0;
      if (this.request.mode === 'timed') this.playTimed(client, from);
      else
        this.inOrder(
          client,
          this.greeting.map((g) => ({
            atMs: from + g.atUs / 1000 / this.request.speed,
            send: () => this.deliver(client, g.message),
          })),
        );
    };
    if (this.request.mode !== 'timed') this.armIdleCut(client);
    if (!this.speaks) return play();
    let ready = false;
    client.protocol = this.speaks({
      send: (text) => {
        if (ws.readyState === ws.OPEN) ws.send(text);
      },
      close: (why) => {
        client.endedBy ??= why;
        ws.close();
      },
      event: (kind, detail) => this.event(ordinal, kind, detail),
      ready: () => {
        if (ready) return;
        ready = true;
        play();
      },
    });
    client.protocol.opened();
  }

  private later(client: Client, ms: number, fn: () => void): void {
    const t = setTimeout(
      () => {
        client.timers.delete(t);
        if (client.state === 'open') fn();
      },
      Math.max(0, ms),
    );
    client.timers.add(t);
  }

  /** Sends a recorded message now, or after the delay fault (keeping the order). */
  private deliver(
    client: Client,
    m: TimedMessage,
    rewriteId?: { from: string | number; to: string | number },
  ): void {
    const send = () => {
      const ws = client.ws;
      if (!ws || ws.readyState !== ws.OPEN) return;
      if (rewriteId && m.opcode === 'text' && this.idOf(m) === rewriteId.from) {
        ws.send(withExchangeId(m, rewriteId.to, this.spoken, this.request.idField));
        return;
      }
      let data = this.payloads.get(m);
      if (!data) {
        data = Buffer.from(m.text, m.opcode === 'text' ? 'utf8' : 'base64');
        this.payloads.set(m, data);
      }
      ws.send(data, { binary: m.opcode === 'binary' });
    };
    const delay = this.faults.delay;
    if (!delay) return send();
    const wait = Math.max(0, delay.ms + (Math.random() * 2 - 1) * delay.jitterMs);
    const at = Math.max(Date.now() + wait, client.lastSendAt);
    client.lastSendAt = at;
    this.later(client, at - Date.now(), send);
  }

  /**
   * Sends messages at their times (ms after the client's open), one after the other: each is
   * scheduled once the one before it went, so that the recorded order holds whatever the timers do.
   * The messages due at once leave in one write.
   */
  private inOrder(client: Client, items: Array<{ atMs: number; send: () => void }>, then?: () => void): void {
    let i = 0;
    const due = () => {
      while (i < items.length && items[i]!.atMs <= this.elapsed(client)) items[i++]!.send();
    };
    const step = () => {
      corked(client.socket, due);
      if (i < items.length) this.later(client, items[i]!.atMs - this.elapsed(client), step);
      else then?.();
    };
    step();
  }

  /** The recorded server messages at their offsets from the open, then the recorded close (or again, with --loop). */
  private playTimed(client: Client, startMs: number): void {
    const speed = this.request.speed;
    const { received } = this.conversation;
    const offsetMs = (us: number) => startMs + (us - this.startedAt) / 1000 / speed;
    const last = received[received.length - 1];
    const first = received[0];
    // The next round starts one recorded first-message delay after the last message.
    const cycle =
      last && first
        ? (last.ts - this.startedAt + Math.max(first.ts - this.startedAt, 1000)) / 1000 / speed
        : null;
    this.inOrder(
      client,
      received.map((m) => ({ atMs: offsetMs(m.ts), send: () => this.deliver(client, m) })),
      () => {
        if (this.request.loop && cycle !== null)
          this.later(client, startMs + cycle - this.elapsed(client), () =>
            this.playTimed(client, startMs + cycle),
          );
        else
          this.recordedClose(
            client,
            this.source.closedAt === null ? null : offsetMs(this.source.closedAt) - this.elapsed(client),
          );
      },
    );
  }

  /** Ms since the client's connection opened. */
  private elapsed(client: Client): number {
    return (nowMicros() - client.openedUs) / 1000;
  }

  /** The close the server (or the network) made in the original, `inMs` from now. */
  private recordedClose(client: Client, inMs: number | null): void {
    const c = this.source.close;
    if (inMs === null || (c.by !== 'server' && c.by !== 'network')) return;
    this.later(client, inMs, () => {
      if (c.by === 'network' || c.code === 1006 || c.code === null) {
        client.endedBy = 'dropped without a close frame, as recorded (1006)';
        client.ws?.terminate();
      } else {
        client.endedBy = `closed with the recorded ${c.code}${c.reason ? ` "${c.reason}"` : ''}`;
        client.ws?.close(c.code, c.reason ?? '');
      }
    });
  }

  /** Answers a client message with what followed the matching recorded request: by id, else equal payload, else order. */
  private answer(client: Client, m: TimedMessage): void {
    const id = this.idOf(m);
    const xs = this.exchanges;
    const pick = (ok: (x: RecordedExchange) => boolean): number => {
      const unused = xs.findIndex((x, i) => !client.used.has(i) && ok(x));
      return unused >= 0 ? unused : xs.findIndex(ok);
    };
    // A client of the protocol chooses its own ids (ack counters, UUIDs): the request's shape says first.
    const shape = this.spoken ? requestShape(m, this.spoken, this.request.idField) : null;
    let i =
      shape !== null ? pick((x) => requestShape(x.request, this.spoken, this.request.idField) === shape) : -1;
    if (i < 0 && id !== undefined) i = pick((x) => x.id === id);
    if (i < 0) i = pick((x) => x.request.opcode === m.opcode && x.request.text === m.text);
    if (i < 0) {
      if (client.nextByOrder >= xs.length && this.request.loop) {
        client.nextByOrder = 0;
        client.used.clear();
      }
      while (client.nextByOrder < xs.length && client.used.has(client.nextByOrder)) client.nextByOrder++;
      if (client.nextByOrder < xs.length) i = client.nextByOrder++;
    }
    if (i < 0) return;
    client.used.add(i);
    const x = xs[i]!;
    const rewrite =
      id !== undefined && x.id !== undefined && x.id !== id ? { from: x.id, to: id } : undefined;
    const now = this.elapsed(client);
    this.inOrder(
      client,
      x.answers.map((a) => ({
        atMs: now + a.afterUs / 1000 / this.request.speed,
        send: () => this.deliver(client, a.message, rewrite),
      })),
    );
    if (i === xs.length - 1 && !this.request.loop && this.source.closedAt !== null)
      this.recordedClose(client, (this.source.closedAt - x.request.ts) / 1000 / this.request.speed);
  }

  private armFaults(client: Client): void {
    const drop = this.faults['drop-after'];
    if (drop)
      this.later(client, drop.seconds * 1000, () => {
        client.endedBy = `dropped by drop-after=${drop.seconds} (no close frame)`;
        this.event(client.ordinal, 'mock-fault', { fault: faultText(drop) });
        client.ws?.terminate();
      });
    const close = this.faults.close;
    if (close)
      this.later(client, close.seconds * 1000, () => {
        client.endedBy = `closed with ${close.code}${close.reason ? ` "${close.reason}"` : ''} by ${faultText(close)}`;
        this.event(client.ordinal, 'mock-fault', { fault: faultText(close) });
        client.ws?.close(close.code, close.reason);
      });
  }

  /** (Re)starts the idle cut: any frame either way resets it, as a proxy's read timeout does. */
  private armIdleCut(client: Client): void {
    const cut = this.faults['idle-cut'];
    if (!cut || client.state !== 'open') return;
    if (client.idleTimer) clearTimeout(client.idleTimer);
    client.idleTimer = setTimeout(() => {
      if (client.state !== 'open') return;
      client.endedBy = `cut by idle-cut after ${cut.seconds} s without traffic (no close frame)`;
      this.event(client.ordinal, 'mock-fault', { fault: faultText(cut), idleSeconds: cut.seconds });
      client.ws?.terminate();
    }, cut.seconds * 1000);
  }
}
