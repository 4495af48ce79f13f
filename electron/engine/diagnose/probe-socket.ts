// One WebSocket connection of a probe, recorded like any capture (ConnectionRecorder into the
// session's spool, so every frame and the handshake are kept as evidence), with what the probe
// needs on top: waiting for the open, for a frame, or for the end, each bounded in time.
import type { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import type {
  CloseObservation,
  HandshakeObservation,
  ProtocolObservation,
} from '../../../shared/diagnosis/probe.js';
import { decodeFrame } from '../../../shared/protocols/decode.js';
import type { Headers } from '../../../shared/contract.js';
import type { TlsMaterial } from '../capture/options.js';
import {
  ConnectionRecorder,
  type ConnectionOutcome,
  type LiveFrame,
  type RecorderOptions,
} from '../capture/recorder.js';
import type { ClientProtocol, ProtocolLink } from '../capture/protocols/client.js';
import { clientForConnection, type ProtocolPlan } from '../capture/protocols/index.js';
import { nowMicros } from '../clock.js';
import type { SpoolMessage } from '../store/spool.js';
import type { SessionSpool } from '../store/writer.js';

/** Probe frames are small; a server that floods the idle hold is not kept beyond this per frame. */
const PAYLOAD_CAP = 64 * 1024;
/** The largest message a probe accepts; a bigger one closes the connection with 1009. */
const MAX_PAYLOAD = 100 * 1024 * 1024;
/** How long a clean close may take before the socket is dropped. */
const CLOSE_GRACE_MS = 2000;
/** The message types that are a protocol's heartbeat coming in (decoded by shared/protocols). */
const HEARTBEAT_TYPES = new Set(['ping', 'heart-beat', 'PINGRESP']);

/** What every socket of one probe run shares. */
export interface SocketHub {
  spool: SessionSpool;
  nextOrdinal(): number;
  /** Calls `fn` with the spool messages (handshake, closed) of connection `ordinal`. */
  watch(ordinal: number, fn: (m: SpoolMessage) => void): void;
  tls: TlsMaterial;
  insecure: boolean;
  timeoutMs: number;
  /** Request headers and subprotocols sent on every handshake (-H, --subprotocol). */
  headers: Array<[string, string]>;
  subprotocols: string[];
  /**
   * Agents for the handshakes (ws:// and wss://). Without an agent, a refused upgrade answered
   * with "Connection: keep-alive" leaves its socket open and the process cannot exit; the probe
   * destroys these agents, and every socket they still hold, when it is done.
   */
  agents: { http: Agent; https: Agent };
}

export class ProbeSocket {
  readonly ordinal: number;
  /** True once open; false when the attempt ended without opening. */
  readonly opened: Promise<boolean>;
  readonly ended: Promise<ConnectionOutcome>;
  /** performance.now() of the open, and of the last frame either way (close frames aside). */
  openedMs: number | null = null;
  lastActivityMs = 0;
  outcome: ConnectionOutcome | null = null;
  /** True when the probe started the close (so how it ended is not evidence). */
  closedByProbe = false;
  private readonly recorder: ConnectionRecorder;
  private readonly t0 = performance.now();
  private response: { status: number | null; headers: Headers; bodyHead: string | null } | null = null;
  private readonly listeners = new Set<(f: LiveFrame) => void>();
  private readonly endListeners = new Set<() => void>();
  /** The application protocol spoken on this connection, once the 101 said which; null: none. */
  private client: ClientProtocol | null = null;
  /** What the protocol said so far (null while none is spoken). */
  protocol: ProtocolObservation | null = null;
  /** Seconds after the open at which the protocol's heartbeats came in. */
  readonly protocolBeatsAt: number[] = [];
  /** The server's close, while the connection is ending (a refusal said by a close). */
  private ending: { code: number | null } | null = null;
  /** Settles once the protocol is open (true), or refused or never spoken (false). */
  readonly protocolReady: Promise<boolean>;

  constructor(
    private readonly hub: SocketHub,
    url: URL,
    readonly origin: string | null,
    /** The protocol to speak once open; null or absent: a plain socket (the Origin variants). */
    plan: ProtocolPlan | null = null,
  ) {
    this.ordinal = hub.nextOrdinal();
    hub.watch(this.ordinal, (m) => {
      if (m.type === 'handshake') {
        this.response = {
          status: m.status,
          headers: m.responseHeaders,
          bodyHead: m.bodyHead === null ? null : Buffer.from(m.bodyHead, 'base64').toString('utf8'),
        };
      }
    });
    const options: RecorderOptions = {
      headers: [
        ...(hub.headers.some(([k]) => k.toLowerCase() === 'user-agent')
          ? []
          : [['User-Agent', 'frameline-probe'] as [string, string]]),
        ...hub.headers,
      ],
      subprotocols: hub.subprotocols,
      compression: false,
      insecure: hub.insecure,
      connectTimeoutMs: hub.timeoutMs,
      maxPayload: MAX_PAYLOAD,
      payloadCap: PAYLOAD_CAP,
      ...(origin !== null ? { origin } : {}),
    };
    let resolveOpened!: (v: boolean) => void;
    this.opened = new Promise((r) => (resolveOpened = r));
    let resolveReady!: (v: boolean) => void;
    this.protocolReady = new Promise((r) => (resolveReady = r));
    this.recorder = new ConnectionRecorder({
      spool: hub.spool,
      ordinal: this.ordinal,
      url,
      options,
      tls: hub.tls,
      agent: url.protocol === 'wss:' ? hub.agents.https : hub.agents.http,
      onFrame: (f) => {
        if (f.opcode !== 'close') this.lastActivityMs = performance.now();
        if (this.client && this.openedMs !== null && f.direction === 'in') {
          const m = decodeFrame(f, { protocol: this.client.name });
          if (m && HEARTBEAT_TYPES.has(m.type))
            this.protocolBeatsAt.push((performance.now() - this.openedMs) / 1000);
        }
        for (const l of this.listeners) l(f);
      },
      onOpen: () => {
        this.openedMs = performance.now();
        this.lastActivityMs = this.openedMs;
        resolveOpened(true);
        this.client = plan ? clientForConnection(plan, this.recorder.subprotocol) : null;
        if (!this.client) return resolveReady(false);
        this.protocol = {
          name: this.client.name,
          offered: hub.subprotocols,
          subprotocol: this.recorder.subprotocol,
          ready: false,
          refusal: null,
          heartbeat: null,
          unanswered: 0,
        };
        this.client.ready.then(
          () => resolveReady(true),
          () => resolveReady(false),
        );
        this.client.opened(this.link());
      },
      onMessage: (data, binary) => this.client?.received(data, binary, this.link()),
      onEnding: (code, reason, closedBy) => {
        this.ending = { code };
        this.client?.closed({ code, reason, byServer: closedBy !== 'client' }, this.link());
      },
    });
    this.ended = this.recorder.ended.then((o) => {
      this.outcome = o;
      this.client?.dispose();
      resolveOpened(false);
      resolveReady(false);
      for (const l of this.endListeners) l();
      return o;
    });
  }

  get isOpen(): boolean {
    return this.recorder.isOpen;
  }

  /** What the protocol client may do on this connection; what it says is kept on the session's record. */
  private link(): ProtocolLink {
    const event = (kind: string, detail: Record<string, unknown>) => {
      this.hub.spool.message({ type: 'event', ordinal: this.ordinal, ts: nowMicros(), kind, detail });
      if (this.protocol) noteProtocolEvent(this.protocol, kind, detail);
    };
    return {
      send: (data, binary) => {
        if (this.recorder.isOpen) this.recorder.send(data, binary);
      },
      close: (code, reason) => this.recorder.close(code, reason),
      event,
      refused: (message) => {
        if (this.protocol)
          this.protocol.refusal = {
            message,
            by: this.ending ? 'close' : 'message',
            closeCode: this.ending?.code ?? null,
          };
        event('protocol-refused', { protocol: this.client?.name ?? null, message });
        this.recorder.refuse(message);
      },
    };
  }

  /** Calls `fn` with every frame, both ways, until the returned function is called. */
  onFrame(fn: (f: LiveFrame) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  send(text: string): void {
    this.recorder.send(text);
  }

  /** Whether an application protocol is spoken on this connection. */
  get speaksProtocol(): boolean {
    return this.client !== null;
  }

  /** Sends a ping whose payload is the send time (epoch µs), so its pong gives the round trip. */
  ping(): void {
    this.recorder.ping();
  }

  /**
   * The first frame, from now on, that `match` accepts; null when the connection ends or `ms`
   * passes first.
   */
  next(match: (f: LiveFrame) => boolean, ms: number): Promise<LiveFrame | null> {
    if (this.outcome) return Promise.resolve(null);
    return new Promise((resolve) => {
      const done = (f: LiveFrame | null) => {
        clearTimeout(timer);
        off();
        this.endListeners.delete(onEnd);
        resolve(f);
      };
      const off = this.onFrame((f) => {
        if (match(f)) done(f);
      });
      const onEnd = () => done(null);
      this.endListeners.add(onEnd);
      const timer = setTimeout(() => done(null), ms);
    });
  }

  /** Resolves true when the connection ended within `ms`, false otherwise. */
  async endsWithin(ms: number): Promise<boolean> {
    if (this.outcome) return true;
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      this.ended.then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
    ]);
    clearTimeout(timer);
    return ended;
  }

  /** Closes cleanly with 1000 (or drops the attempt) and waits for the end, bounded. */
  async close(): Promise<ConnectionOutcome> {
    if (this.outcome) return this.outcome;
    if (this.isOpen) this.closedByProbe = true;
    this.recorder.close(1000, '');
    if (!(await this.endsWithin(CLOSE_GRACE_MS))) this.recorder.terminate();
    return this.ended;
  }

  /** What the handshake gave, once the attempt opened or ended. */
  handshake(): HandshakeObservation {
    const at = this.openedMs ?? this.outcome?.closedAtMs ?? performance.now();
    return {
      origin: this.origin,
      ms: at - this.t0,
      opened: this.openedMs !== null,
      status: this.response?.status ?? (this.openedMs !== null ? 101 : null),
      headers: this.response?.headers ?? {},
      bodyHead: this.response?.bodyHead ?? null,
      error: this.outcome?.error ?? null,
      earlyClose: null,
    };
  }

  /** How the connection ended, once it has: null if it never opened. */
  closeObservation(): CloseObservation | null {
    const o = this.outcome;
    if (!o || this.openedMs === null) return null;
    return {
      code: o.closeCode,
      reason: o.closeReason,
      closedBy: o.closedBy,
      afterSeconds: (o.closedAtMs - this.openedMs) / 1000,
      idleSeconds: (o.closedAtMs - this.lastActivityMs) / 1000,
    };
  }
}

/**
 * What a protocol client's event says about the protocol: opened, the heartbeat it announced
 * (Engine.IO's open packet, MQTT's keep-alive, STOMP's negotiated heart-beats), a beat unanswered.
 */
function noteProtocolEvent(p: ProtocolObservation, kind: string, d: Record<string, unknown>): void {
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  switch (kind) {
    case 'engine-open': {
      const every = num(d.pingInterval);
      const timeout = num(d.pingTimeout);
      if (every !== null && every > 0)
        p.heartbeat = {
          from: 'server',
          intervalSeconds: every / 1000,
          timeoutSeconds: timeout === null ? null : timeout / 1000,
        };
      return;
    }
    case 'protocol-opened': {
      p.ready = true;
      const keepAlive = num(d.keepAlive);
      if (p.name === 'mqtt' && keepAlive !== null && keepAlive > 0)
        p.heartbeat = { from: 'client', intervalSeconds: keepAlive, timeoutSeconds: null };
      const beats = d.heartBeat as { expectEveryMs?: unknown } | undefined;
      const expect = num(beats?.expectEveryMs);
      if (p.name === 'stomp' && expect !== null && expect > 0)
        p.heartbeat = { from: 'server', intervalSeconds: expect / 1000, timeoutSeconds: null };
      return;
    }
    case 'keepalive-unanswered':
    case 'heartbeat-missed':
      p.unanswered++;
      return;
    default:
      return;
  }
}
