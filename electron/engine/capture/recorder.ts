// One connection's recorder: opens a WebSocket with `ws`, times each phase of the handshake,
// and appends every frame in both directions to the session's spool the moment it is seen.
//
// Outgoing frames are recorded where `ws` writes them (its Sender), so that pongs, the echo of a
// close and closes after a protocol error are on record too; the incoming ping and close frames
// where the Receiver parses them (capture/wire.ts, shared with the mock, which also says who
// closed and why).
import type { Agent, ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { ClosedBy, ErrorKind, Headers, Opcode, Timings } from '../../../shared/contract.js';
import { directionOf, opcodeOf, type DirectionCode } from '../../../shared/frame-codes.js';
import { nowMicros } from '../clock.js';
import type { SessionSpool } from '../store/writer.js';
import type { SpoolMessage } from '../store/spool.js';
import { Redactor } from '../../../shared/redaction.js';
import type { TlsMaterial } from './options.js';
import { classifyError } from './classify.js';
import { corked, headerObject, tapWire, WIRE_SOCKET_OPTIONS, type Wire } from './wire.js';

/** A frame as seen live (for printing and for the console), before it is committed. */
export interface LiveFrame {
  connection: number;
  seq: number;
  ts: number;
  direction: 'in' | 'out';
  opcode: Opcode;
  data: Buffer;
}

export interface ConnectionOutcome {
  ordinal: number;
  opened: boolean;
  openedAtMs: number | null;
  closedAtMs: number;
  closeCode: number | null;
  closeReason: string | null;
  closedBy: ClosedBy | null;
  error: { kind: ErrorKind; message: string } | null;
  /** The HTTP status of an upgrade the server refused (not 101); null otherwise. */
  refusedStatus: number | null;
}

/** How one connection is opened and what of it is kept: the wire-level settings of a capture or a probe. */
export interface RecorderOptions {
  headers: ReadonlyArray<readonly [string, string]>;
  origin?: string;
  subprotocols: string[];
  compression: boolean;
  insecure: boolean;
  /** Bounds the handshake. */
  connectTimeoutMs: number;
  /** Largest message accepted from the peer (bigger ones close the connection with 1009). */
  maxPayload: number;
  /** Payload bytes stored per frame; longer payloads are stored truncated with their real size. */
  payloadCap: number;
}

export interface RecorderContext {
  spool: SessionSpool;
  ordinal: number;
  url: URL;
  options: RecorderOptions;
  tls: TlsMaterial;
  agent: Agent | undefined;
  onFrame?: (frame: LiveFrame) => void;
  onOpen?: (ordinal: number) => void;
  /** A data message arrived (after it was recorded): the protocol client hears it here. */
  onMessage?: (data: Buffer, binary: boolean) => void;
  /** The connection ended, before its end is recorded: a protocol client may still say why (refuse). */
  onEnding?: (code: number | null, reason: string, closedBy: ClosedBy | null) => void;
}

const BODY_HEAD_BYTES = 2048;

/** The headers a client request wrote (with the Host it implied). */
export function requestHeaders(req: ClientRequest, url: URL): Headers {
  const out: Headers = {};
  const names = req.getRawHeaderNames();
  if (!names.some((n) => n.toLowerCase() === 'host')) out.Host = url.host;
  for (const name of names) {
    const v = req.getHeader(name);
    out[name] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

/**
 * A spool message with the credentials of its request headers masked ("Bearer ***"): a probe's,
 * and a walk's capture (whose profile's secrets are never stored), record the handshake so.
 */
export function withRequestSecretsMasked(m: SpoolMessage): SpoolMessage {
  if ((m.type === 'connection' || m.type === 'handshake') && m.requestHeaders)
    return { ...m, requestHeaders: new Redactor().headers(m.requestHeaders) };
  return m;
}

export class ConnectionRecorder {
  readonly ended: Promise<ConnectionOutcome>;
  private readonly ws: WebSocket;
  private resolveEnded!: (o: ConnectionOutcome) => void;
  private readonly t0 = performance.now();
  private phase: { lookup?: number; connect?: number; secure?: number; upgrade?: number } = {};
  private reqHeaders: Headers = {};
  private response: { status: number; headers: Headers; bodyHead: string | null } | null = null;
  /** The socket ws writes to once upgraded (the 'upgrade' event's response.socket), for corking. */
  private socket: Socket | null = null;
  private handshakeWritten = false;
  private openedAtMs: number | null = null;
  private error: { kind: ErrorKind; message: string } | null = null;
  /** The protocol's opening was refused: that stays the error, whatever the close then breaks. */
  private refused = false;
  /** The tapped connection, once open: its closing handshake and the rule the peer broke, if any. */
  private wire: Wire | null = null;
  private settled = false;
  private timers: NodeJS.Timeout[] = [];
  private lastPingSentMs: number | null = null;
  /** Round trip of the last answered heartbeat ping, in milliseconds. */
  lastPingRttMs: number | null = null;

  constructor(private readonly ctx: RecorderContext) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    const o = ctx.options;
    const headers: Record<string, string> = {};
    for (const [k, v] of o.headers) headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
    this.ws = new WebSocket(ctx.url, o.subprotocols, {
      headers,
      ...(o.origin !== undefined ? { origin: o.origin } : {}),
      perMessageDeflate: o.compression,
      handshakeTimeout: o.connectTimeoutMs,
      maxPayload: o.maxPayload,
      // (options of ws that its type definitions do not list yet)
      ...(WIRE_SOCKET_OPTIONS as object),
      followRedirects: false,
      ...(ctx.agent ? { agent: ctx.agent } : {}),
      ...(ctx.tls.ca ? { ca: ctx.tls.ca } : {}),
      ...(ctx.tls.cert ? { cert: ctx.tls.cert, key: ctx.tls.key } : {}),
      rejectUnauthorized: !o.insecure,
      finishRequest: (req: ClientRequest) => this.onRequest(req),
    });
    this.ws.on('upgrade', (res: IncomingMessage) => {
      this.phase.upgrade = performance.now();
      this.socket = res.socket;
      // Before ws reads the chunk (ws starts listening after this event; its end is heard in onOpen).
      res.socket.prependListener('data', this.chunkArrived);
      this.response = {
        status: res.statusCode ?? 101,
        headers: headerObject(res.rawHeaders),
        bodyHead: null,
      };
    });
    this.ws.on('unexpected-response', (req: ClientRequest, res: IncomingMessage) =>
      this.onRejected(req, res),
    );
    this.ws.on('open', () => this.onOpen());
    this.ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.recordIn(isBinary ? 2 : 1, data);
      this.ctx.onMessage?.(data, isBinary);
    });
    this.ws.on('pong', (data: Buffer) => {
      if (this.lastPingSentMs !== null) this.lastPingRttMs = performance.now() - this.lastPingSentMs;
      this.recordIn(10, data);
    });
    this.ws.on('error', (err: Error) => {
      // A rule the server broke is recorded with the close that follows (the wire saw it first).
      if (this.wire?.violation) return;
      if (!this.error) this.error = this.classify(err);
    });
    this.ws.on('close', (code: number, reason: Buffer) => this.onClose(code, reason));
    // ws's handshake timeout restarts with every byte: a server trickling its answer would hold the
    // capture as long as it liked. The connect timeout bounds the whole of it.
    this.timers.push(setTimeout(() => this.handshakeTimedOut(), o.connectTimeoutMs));
  }

  private handshakeTimedOut(): void {
    if (this.openedAtMs !== null || this.settled || this.response !== null) return;
    const seconds = Math.round(this.ctx.options.connectTimeoutMs / 100) / 10;
    const host = this.ctx.url.host;
    this.error = {
      kind: 'timeout',
      message:
        this.phase.connect === undefined
          ? `could not connect to ${host} within ${seconds} s (--connect-timeout): nothing answered`
          : `the handshake with ${host} did not complete within ${seconds} s (--connect-timeout): the server connected but did not finish its answer`,
    };
    this.ws.terminate();
  }

  /** The subprotocol the 101 chose; null when none (or not open yet). */
  get subprotocol(): string | null {
    return this.ws.protocol || null;
  }

  /**
   * The application protocol's opening was refused: `message` becomes the connection's error (the
   * first one said stays), and the connection closes cleanly if it is still open.
   */
  refuse(message: string): void {
    this.error ??= { kind: 'other', message };
    this.refused = true;
    this.close(1000, '');
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Bytes queued by send() and not yet handed to the socket (a sender at full speed waits on it). */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  send(data: string | Buffer, binary = false): void {
    if (!this.isOpen) throw new Error('the connection is not open');
    this.ws.send(data, { binary });
  }

  /** Runs `fn`, whose sends leave in one write to the socket. */
  batch<T>(fn: () => T): T {
    return corked(this.socket, fn);
  }

  ping(): void {
    if (!this.isOpen) return;
    this.lastPingSentMs = performance.now();
    const payload = Buffer.allocUnsafe(8);
    payload.writeDoubleBE(nowMicros());
    this.ws.ping(payload);
  }

  /** Starts a clean close (1000 by default); the outcome resolves when the peer answers or the socket ends. */
  close(code = 1000, reason = ''): void {
    if (this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.terminate();
      return;
    }
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code, reason);
  }

  /** Drops the connection without a close frame. */
  terminate(): void {
    this.ws.terminate();
  }

  /** Our close went unanswered for too long: drop the connection (recorded as closed by us). */
  closeUnanswered(): void {
    if (this.settled) return;
    this.ws.terminate();
  }

  /** Runs `fn` every `ms` while this connection is open. */
  every(ms: number, fn: () => void): void {
    this.timers.push(setInterval(fn, ms));
  }

  /**
   * When the chunk ws is reading came off the socket (null between chunks). The frames read out of
   * one chunk were received together, so they are stamped with its time: one clock read per chunk
   * instead of one per frame, a tenth of the receiving thread's work in a flood of small frames.
   */
  private chunkAt: number | null = null;
  /** The last time stamped, so that a frame read after one we sent in the same chunk never goes back in time. */
  private lastTs = 0;
  private readonly chunkArrived = (chunk: Buffer): void => {
    this.chunkAt = nowMicros();
    // The payloads ws reads out of it are views of it: spooled with its bytes, not one by one.
    this.ctx.spool.reading(this.ctx.ordinal, chunk);
  };
  private readonly chunkRead = (): void => {
    this.chunkAt = null;
    this.ctx.spool.reading(this.ctx.ordinal, null);
  };

  /** A frame our side wrote. */
  private recordOut(opcode: number, data: Buffer): void {
    const now = nowMicros();
    const ts = now > this.lastTs ? now : this.lastTs;
    this.lastTs = ts;
    const seq = this.ctx.spool.frame(this.ctx.ordinal, ts, 1, opcode, data, this.ctx.options.payloadCap);
    if (this.ctx.onFrame) this.live(seq, ts, 1, opcode, data);
  }

  /** A frame the peer sent, stamped with the time its chunk came off the socket. */
  private recordIn(opcode: number, data: Buffer): void {
    const at = this.chunkAt !== null ? this.chunkAt : nowMicros();
    const ts = at > this.lastTs ? at : this.lastTs;
    this.lastTs = ts;
    // ws hands over a received payload and never touches it again (what we send it may mask in place).
    const seq = this.ctx.spool.received(this.ctx.ordinal, ts, opcode, data, this.ctx.options.payloadCap);
    if (this.ctx.onFrame) this.live(seq, ts, 0, opcode, data);
  }

  private live(seq: number, ts: number, direction: DirectionCode, opcode: number, data: Buffer): void {
    this.ctx.onFrame!({
      connection: this.ctx.ordinal,
      seq,
      ts,
      direction: directionOf(direction),
      opcode: opcodeOf(opcode),
      data,
    });
  }

  /** What an error means, said against what this handshake offered and what its 101 answered. */
  private classify(err: Error): { kind: ErrorKind; message: string } {
    const o = this.ctx.options;
    return classifyError(err, this.ctx.url, {
      subprotocols: o.subprotocols,
      compression: o.compression,
      answer: this.response?.headers ?? null,
    });
  }

  private onRequest(req: ClientRequest): void {
    this.reqHeaders = requestHeaders(req, this.ctx.url);
    this.writeConnection();
    req.on('socket', (socket: Socket) => {
      socket.once('lookup', () => (this.phase.lookup = performance.now()));
      socket.once('connect', () => (this.phase.connect = performance.now()));
      socket.once('secureConnect', () => (this.phase.secure = performance.now()));
      // After the upgrade, ws swallows socket errors (it just destroys the socket); keep them as evidence.
      // (ws also refuses a 101 that breaks the handshake by destroying the socket with its error.)
      socket.on('error', (err: Error) => {
        if (!this.error) this.error = this.classify(err);
      });
    });
    req.end();
  }

  private connectionWritten = false;

  private writeConnection(): void {
    if (this.connectionWritten) return;
    this.connectionWritten = true;
    this.ctx.spool.message({
      type: 'connection',
      ordinal: this.ctx.ordinal,
      url: this.ctx.url.href,
      startedAt: nowMicros(),
      requestHeaders: this.reqHeaders,
    });
  }

  private timings(): Timings {
    const p = this.phase;
    const ms = (a: number | undefined, b: number | undefined) =>
      a === undefined || b === undefined ? null : b - a;
    const tcpStart = p.lookup ?? this.t0;
    const upgradeStart = p.secure ?? p.connect;
    return {
      dnsMs: ms(this.t0, p.lookup),
      tcpMs: ms(tcpStart, p.connect),
      tlsMs: ms(p.connect, p.secure),
      upgradeMs: ms(upgradeStart, p.upgrade),
    };
  }

  private writeHandshake(): void {
    if (this.handshakeWritten) return;
    this.handshakeWritten = true;
    this.ctx.spool.message({
      type: 'handshake',
      ordinal: this.ctx.ordinal,
      status: this.response?.status ?? null,
      responseHeaders: this.response?.headers ?? {},
      bodyHead: this.response?.bodyHead ?? null,
      subprotocol: this.ws.protocol || null,
      extensions: this.ws.extensions || null,
      timings: this.timings(),
      openedAt: this.openedAtMs === null ? null : nowMicros(),
    });
  }

  private onOpen(): void {
    this.openedAtMs = performance.now();
    this.socket?.on('data', this.chunkRead);
    this.hookWire();
    this.writeHandshake();
    this.ctx.onOpen?.(this.ctx.ordinal);
  }

  /** Records outgoing frames at the Sender and the incoming ping and close at the Receiver. */
  private hookWire(): void {
    const o = this.ctx.options;
    this.wire = tapWire(
      this.ws,
      {
        sent: (opcode, data) => this.recordOut(opcode, data),
        received: (opcode, data) => this.recordIn(opcode, data),
      },
      {
        side: 'client',
        name: 'Frameline',
        maxPayload: o.maxPayload,
        maxPayloadFlag: '--max-payload',
        answerPings: true,
      },
    );
  }

  private onRejected(req: ClientRequest, res: IncomingMessage): void {
    this.phase.upgrade = performance.now();
    const status = res.statusCode ?? 0;
    // Taken now: once a keep-alive response ends, its socket goes back to the agent's pool.
    const socket = res.socket;
    const chunks: Buffer[] = [];
    let length = 0;
    const done = () => {
      if (this.settled) return;
      const body = Buffer.concat(chunks).subarray(0, BODY_HEAD_BYTES);
      this.response = { status, headers: headerObject(res.rawHeaders), bodyHead: body.toString('base64') };
      this.error = {
        kind: 'upgrade-rejected',
        message:
          status === 101
            ? 'the server answered 101 Switching Protocols without "Upgrade: websocket", so the connection was never upgraded (a proxy on the path may have removed the header)'
            : `the server answered the upgrade with HTTP ${status} ${res.statusMessage ?? ''}`.trim() +
              ' instead of 101',
      };
      // A keep-alive answer would otherwise return the socket to the agent's pool and keep the
      // process alive: this connection is over.
      socket?.destroy();
      req.destroy();
      this.finish(null, null, null);
    };
    res.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= BODY_HEAD_BYTES) done();
    });
    res.on('end', done);
    res.on('error', done);
    res.on('close', done);
    this.timers.push(setTimeout(done, 1000));
  }

  private onClose(code: number, reason: Buffer): void {
    if (this.openedAtMs === null) {
      // Never opened: a connect or handshake failure (recorded by the error handler).
      this.finish(null, null, null);
      return;
    }
    const end = this.wire!.end(code, reason);
    if (end.violation) {
      // A broker that refused the opening may drop the connection rather than answer our close
      // (Mosquitto does after a CONNACK refusal): the refusal is why it ended; the drop is an event.
      if (!this.refused) this.error = { kind: 'protocol', message: end.violation.message };
      this.ctx.spool.message({
        type: 'event',
        ordinal: this.ctx.ordinal,
        ts: nowMicros(),
        kind: 'protocol-violation',
        detail: end.violation,
      });
    }
    this.finish(end.code, end.reason, end.closedBy);
  }

  private finish(code: number | null, reason: string | null, closedBy: ClosedBy | null): void {
    if (this.settled) return;
    if (this.openedAtMs !== null) this.ctx.onEnding?.(code, reason ?? '', closedBy);
    this.settled = true;
    for (const t of this.timers) clearInterval(t);
    this.writeConnection();
    this.writeHandshake();
    if (this.openedAtMs === null && !this.error) {
      this.error = { kind: 'other', message: 'the connection closed before the handshake completed' };
    }
    this.ctx.spool.message({
      type: 'closed',
      ordinal: this.ctx.ordinal,
      closedAt: nowMicros(),
      code,
      reason,
      closedBy,
      error: this.error,
    });
    this.resolveEnded({
      ordinal: this.ctx.ordinal,
      opened: this.openedAtMs !== null,
      openedAtMs: this.openedAtMs,
      closedAtMs: performance.now(),
      closeCode: code,
      closeReason: reason,
      closedBy,
      error: this.error,
      refusedStatus:
        this.error?.kind === 'upgrade-rejected' && this.response && this.response.status !== 101
          ? this.response.status
          : null,
    });
  }
}
