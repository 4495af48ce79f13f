// One WebSocket connection of a probe, recorded like any capture (ConnectionRecorder into the
// session's spool, so every frame and the handshake are kept as evidence), with what the probe
// needs on top: waiting for the open, for a frame, or for the end, each bounded in time.
import type { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { CloseObservation, HandshakeObservation } from '../../../shared/diagnosis/probe.js';
import type { Headers } from '../../../shared/contract.js';
import type { TlsMaterial } from '../capture/options.js';
import {
  ConnectionRecorder,
  type ConnectionOutcome,
  type LiveFrame,
  type RecorderOptions,
} from '../capture/recorder.js';
import type { SpoolMessage } from '../store/spool.js';
import type { SessionSpool } from '../store/writer.js';

/** Probe frames are small; a server that floods the idle hold is not kept beyond this per frame. */
const PAYLOAD_CAP = 64 * 1024;
/** The largest message a probe accepts; a bigger one closes the connection with 1009. */
const MAX_PAYLOAD = 100 * 1024 * 1024;
/** How long a clean close may take before the socket is dropped. */
const CLOSE_GRACE_MS = 2000;

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

  constructor(
    hub: SocketHub,
    url: URL,
    readonly origin: string | null,
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
    this.recorder = new ConnectionRecorder({
      spool: hub.spool,
      ordinal: this.ordinal,
      url,
      options,
      tls: hub.tls,
      agent: url.protocol === 'wss:' ? hub.agents.https : hub.agents.http,
      onFrame: (f) => {
        if (f.opcode !== 'close') this.lastActivityMs = performance.now();
        for (const l of this.listeners) l(f);
      },
      onOpen: () => {
        this.openedMs = performance.now();
        this.lastActivityMs = this.openedMs;
        resolveOpened(true);
      },
    });
    this.ended = this.recorder.ended.then((o) => {
      this.outcome = o;
      resolveOpened(false);
      for (const l of this.endListeners) l();
      return o;
    });
  }

  get isOpen(): boolean {
    return this.recorder.isOpen;
  }

  /** Calls `fn` with every frame, both ways, until the returned function is called. */
  onFrame(fn: (f: LiveFrame) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  send(text: string): void {
    this.recorder.send(text);
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
