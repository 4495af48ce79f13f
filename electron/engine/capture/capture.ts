// A capture session: one or more connections to a target (reconnecting with backoff when asked),
// heartbeat pings, scripted sends, and an end that waits until every frame is committed.
import type { ScriptStep } from '../../../shared/capture-script.js';
import type {
  CaptureRequest,
  CaptureStop,
  ProtocolMessage,
  SessionStatus,
} from '../../../shared/contract.js';
import { LiveDecoder } from '../../../shared/protocols/live-decoder.js';
import { nowMicros } from '../clock.js';
import type { EngineContext } from '../context.js';
import { beginRecording } from '../store/recording.js';
import { StoreWriter, type SessionSpool } from '../store/writer.js';
import { reconnectDelay } from './backoff.js';
import { prepareCapture, type TlsMaterial } from './options.js';
import type { ClientProtocol, ProtocolLink } from './protocols/client.js';
import { clientForConnection, type ProtocolPlan } from './protocols/index.js';
import { proxyAgent, resolveProxy } from './proxy.js';
import { ScriptRun } from './script.js';
import {
  ConnectionRecorder,
  type ConnectionOutcome,
  type LiveFrame,
  type RecorderOptions,
  withRequestSecretsMasked,
} from './recorder.js';

export interface CaptureHooks {
  /** A frame was recorded; `message` decodes it in its connection's protocol (as `show` will). */
  onFrame?: (frame: LiveFrame, message: () => ProtocolMessage | null) => void;
  onOpen?: (ordinal: number) => void;
  onOutcome?: (outcome: ConnectionOutcome) => void;
  onReconnect?: (attempt: number, delayMs: number) => void;
  /** The database is locked by another process (true: frames wait in the spool) or free again. */
  onBusy?: (busy: boolean) => void;
  /** The recording cannot go on (a full disk...): the capture is closing; one sentence. */
  onFailure?: (message: string) => void;
  /** Record the request's credential headers masked ("Bearer ***"), as a probe does (a walk's capture). */
  maskRequestSecrets?: boolean;
}

export interface CaptureResult {
  sessionId: number;
  frames: number;
  connections: ConnectionOutcome[];
  /** True when at least one connection opened. */
  opened: boolean;
  stoppedBy: CaptureStop;
  /** The session's status at the end. */
  status: SessionStatus;
  /** Why the recording could not finish normally (a full disk...), in one sentence; else null. */
  failure: string | null;
  /** The script step that failed (an expect that timed out), in one sentence; else null. */
  scriptFailure: string | null;
}

/** Refused upgrades a retry cannot change: the request itself is wrong, not the moment. */
const FINAL_REFUSALS = new Set([400, 401, 403, 404, 405, 426]);

/** A connection that stayed open this long resets the reconnect attempt counter. */
const STABLE_CONNECTION_MS = 10_000;
/** How long a clean close may take before the socket is dropped. */
export const CLOSE_GRACE_MS = 2_000;

export class Capture {
  readonly sessionId: number;
  readonly done: Promise<CaptureResult>;
  private readonly spool: SessionSpool;
  private readonly url: URL;
  private readonly tls: TlsMaterial;
  private current: ConnectionRecorder | null = null;
  /** The protocol client of the current connection, which frames the user's messages. */
  private currentClient: ClientProtocol | null = null;
  private stopReason: CaptureResult['stoppedBy'] | null = null;
  private wake: (() => void) | null = null;

  /**
   * Checks the request (throwing InputError before anything is created), creates the session and
   * starts connecting. The console, the command line and runbook actions all start captures here.
   */
  static start(ctx: EngineContext, request: CaptureRequest, hooks: CaptureHooks = {}): Capture {
    const prepared = prepareCapture(request);
    return new Capture(ctx, request, prepared.protocol, prepared.tls, prepared.script, hooks);
  }

  private readonly recorderOptions: RecorderOptions;
  /** At least one connection opened and its protocol (if one is spoken) accepted the opening. */
  private usable = false;

  private constructor(
    ctx: EngineContext,
    private readonly options: CaptureRequest,
    private readonly protocol: ProtocolPlan,
    tls: TlsMaterial,
    private readonly script: ScriptStep[] | null,
    private readonly hooks: CaptureHooks,
  ) {
    const { db, dbPath } = ctx;
    const url = protocol.url;
    this.url = url;
    this.tls = tls;
    this.recorderOptions = {
      headers: options.headers,
      subprotocols: protocol.subprotocols,
      compression: options.compression,
      insecure: options.insecure,
      connectTimeoutMs: options.connectTimeoutSeconds * 1000,
      maxPayload: options.maxPayload,
      payloadCap: options.payloadCap,
      ...(options.origin !== undefined ? { origin: options.origin } : {}),
    };
    const recording = beginRecording(db, dbPath, {
      name: options.name ?? `${url.host}${url.pathname === '/' ? '' : url.pathname}`,
      kind: 'capture',
      target: url.href,
      settings: settingsForRecord(options),
      ...(options.protocol !== undefined ? { protocol: options.protocol } : {}),
      createdAt: nowMicros(),
    });
    this.sessionId = recording.sessionId;
    this.spool = StoreWriter.for(dbPath).begin(db, recording);
    if (hooks.maskRequestSecrets) {
      const write = this.spool.message.bind(this.spool);
      this.spool.message = (m) => write(withRequestSecretsMasked(m));
    }
    this.spool.onFailure((message) => this.fail(message));
    if (hooks.onBusy) this.spool.onBusy(hooks.onBusy);
    this.done = this.run();
  }

  /** Frames recorded so far (both directions). */
  get frames(): number {
    return this.spool.frames;
  }

  /** Ends the capture with a clean 1000 close; no reconnect follows. */
  stop(reason: 'user' | 'duration' = 'user'): Promise<CaptureResult> {
    if (!this.stopReason) this.stopReason = reason;
    this.closeCurrent(1000, '');
    return this.done;
  }

  /**
   * Gives the capture up at once (a bounded shutdown): the connection is dropped and the session
   * left to be recovered from its spool by the next open of the database.
   */
  async abandon(): Promise<void> {
    if (!this.stopReason) this.stopReason = 'user';
    this.current?.terminate();
    this.wake?.();
    await this.spool.abandon();
  }

  private closeCurrent(code: number, reason: string): void {
    const closing = this.current;
    closing?.close(code, reason);
    // A peer that never answers the close must not hold the capture open.
    if (closing) setTimeout(() => closing.closeUnanswered(), CLOSE_GRACE_MS).unref();
    this.wake?.();
  }

  /** The recording cannot go on: say so once, close with 1001 (going away) and end. */
  private fail(message: string): void {
    if (this.failure) return;
    this.failure = message;
    this.stopReason = 'failed';
    this.hooks.onFailure?.(message);
    this.closeCurrent(1001, 'Frameline cannot record more');
  }

  private failure: string | null = null;
  private scriptFailure: string | null = null;

  /** Round trip of the last answered ping on the current connection, in milliseconds. */
  get lastPingRttMs(): number | null {
    return this.current?.lastPingRttMs ?? null;
  }

  /** Sends a ping on the open connection (its pong gives the round trip). */
  ping(): void {
    if (!this.current?.isOpen) throw new Error('not connected');
    this.current.ping();
  }

  /** Sends a message on the open connection. */
  send(data: string | Buffer, binary = false): void {
    if (!this.current?.isOpen)
      throw new Error('not connected: wait for the connection to open, or reconnect');
    this.current.send(typeof data === 'string' ? this.framed(data) : data, binary);
  }

  /** A user's text message as the connection's protocol frames it. */
  private framed(text: string): string {
    return this.currentClient?.framed?.(text) ?? text;
  }

  private async run(): Promise<CaptureResult> {
    const outcomes: ConnectionOutcome[] = [];
    const proxy = resolveProxy(this.url, this.options.proxy);
    // The duration is recorded time: it starts when the first connection opens (connecting is
    // bounded by the connect timeout, and by the reconnect attempts when reconnecting).
    let durationTimer: NodeJS.Timeout | null = null;
    const startDuration = () => {
      if (durationTimer || this.options.durationSeconds === undefined) return;
      durationTimer = setTimeout(() => void this.stop('duration'), this.options.durationSeconds * 1000);
    };
    let attempt = 0;
    try {
      for (let ordinal = 1; ; ordinal++) {
        // A fresh protocol client for every connection: a reconnect opens the protocol afresh.
        let client: ClientProtocol | null = null;
        let link: ProtocolLink | null = null;
        // Frames are decoded only for a hook that shows them.
        const onFrame = this.hooks.onFrame;
        let decoder: LiveDecoder | null = null;
        const conversation: { run: ScriptRun | null } = { run: null };
        const recorder: ConnectionRecorder = new ConnectionRecorder({
          spool: this.spool,
          ordinal,
          url: this.url,
          options: this.recorderOptions,
          tls: this.tls,
          agent: proxy ? proxyAgent(proxy) : undefined,
          ...(onFrame
            ? {
                onFrame: (f: LiveFrame) => {
                  const wire = { direction: f.direction, opcode: f.opcode, data: f.data };
                  decoder?.observe(wire);
                  onFrame(f, () => decoder?.message(wire) ?? null);
                },
              }
            : {}),
          onOpen: (n) => {
            if (onFrame)
              decoder = new LiveDecoder(this.options.protocol ?? null, {
                subprotocol: recorder.subprotocol,
                url: this.url.href,
              });
            startDuration();
            this.hooks.onOpen?.(n);
            client = clientForConnection(this.protocol, recorder.subprotocol);
            this.currentClient = client;
            link = client ? protocolLink(recorder, client, this.spool, ordinal) : null;
            if (this.script) conversation.run = this.converse(recorder, ordinal, this.script);
            this.scheduleBehaviours(recorder, client, link, conversation);
          },
          onMessage: (data, binary) => {
            if (client && link) client.received(data, binary, link);
            conversation.run?.received(data);
          },
          onEnding: (code, reason, closedBy) => {
            conversation.run?.stop();
            if (client && link) client.closed({ code, reason, byServer: closedBy !== 'client' }, link);
          },
        });
        this.current = recorder;
        if (this.stopReason) recorder.close(this.stopReason === 'failed' ? 1001 : 1000);
        const outcome = await recorder.ended;
        (client as ClientProtocol | null)?.dispose();
        this.current = null;
        this.currentClient = null;
        outcomes.push(outcome);
        this.hooks.onOutcome?.(outcome);
        if (this.stopReason || !this.options.reconnect) break;
        const lived = outcome.openedAtMs === null ? 0 : outcome.closedAtMs - outcome.openedAtMs;
        attempt = lived >= STABLE_CONNECTION_MS ? 1 : attempt + 1;
        const final =
          this.options.reconnect.giveUpOnRefusal &&
          outcome.refusedStatus !== null &&
          FINAL_REFUSALS.has(outcome.refusedStatus);
        if (final || attempt > this.options.reconnect.attempts) {
          this.stopReason = 'gave-up';
          this.spool.message({
            type: 'event',
            ordinal: null,
            ts: nowMicros(),
            kind: 'reconnect-gave-up',
            detail: final
              ? { attempts: attempt - 1, refusedStatus: outcome.refusedStatus }
              : { attempts: attempt - 1 },
          });
          break;
        }
        const delay = reconnectDelay(this.options.reconnect, attempt);
        this.spool.message({
          type: 'event',
          ordinal: null,
          ts: nowMicros(),
          kind: 'reconnect-scheduled',
          detail: { attempt, delayMs: delay, after: outcome.ordinal },
        });
        this.hooks.onReconnect?.(attempt, delay);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = null;
        if (this.stopReason) break;
      }
    } finally {
      if (durationTimer) clearTimeout(durationTimer);
    }
    const ended = await this.spool.finish(nowMicros());
    return {
      sessionId: this.sessionId,
      frames: this.spool.frames,
      connections: outcomes,
      opened: this.usable,
      stoppedBy: this.stopReason ?? 'peer',
      status: ended.status,
      failure: ended.failure,
      scriptFailure: this.scriptFailure,
    };
  }

  /**
   * The protocol's opening first (the client sends it, or waits for the server's), then the user's
   * messages once it was answered, then the script, and the messages' repeats: a repeat never resends the protocol's opening.
   */
  private scheduleBehaviours(
    recorder: ConnectionRecorder,
    client: ClientProtocol | null,
    link: ProtocolLink | null,
    conversation: { run: ScriptRun | null },
  ): void {
    if (this.options.pingIntervalSeconds !== undefined)
      recorder.every(this.options.pingIntervalSeconds * 1000, () => recorder.ping());
    const sendAll = () => {
      for (const m of this.options.sends) if (recorder.isOpen) recorder.send(this.framed(m));
    };
    const start = () => {
      this.usable = true;
      sendAll();
      conversation.run?.start();
      if (this.options.sendEverySeconds !== undefined && this.options.sends.length > 0) {
        recorder.every(this.options.sendEverySeconds * 1000, sendAll);
      }
    };
    if (!client || !link) {
      start();
      return;
    }
    client.ready.then(
      () => {
        if (recorder.isOpen) start();
      },
      () => {
        // Said on the record and as the connection's error by the link's `refused`.
      },
    );
    client.opened(link);
  }

  /**
   * Runs the script on `recorder`'s connection. A close step or a failed expect ends the capture
   * (no reconnect follows); a finished script leaves it recording until its duration or the peer ends it.
   */
  private converse(recorder: ConnectionRecorder, ordinal: number, steps: ScriptStep[]): ScriptRun {
    const run = new ScriptRun(steps, {
      send: (text) => {
        if (recorder.isOpen) recorder.send(this.framed(text));
      },
      ping: () => recorder.ping(),
      close: (code, reason) => {
        this.stopReason ??= 'script';
        this.closeCurrent(code, reason);
      },
      event: (kind, detail) => this.spool.message({ type: 'event', ordinal, ts: nowMicros(), kind, detail }),
    });
    void run.ended.then((end) => {
      if (end.ended !== 'failed') return;
      this.scriptFailure ??= end.message;
      this.stopReason ??= 'script';
      this.closeCurrent(1000, '');
    });
    return run;
  }
}

/** What a protocol client may do on `recorder`'s connection; its events go on the session's record. */
export function protocolLink(
  recorder: ConnectionRecorder,
  client: ClientProtocol,
  spool: SessionSpool,
  ordinal: number,
): ProtocolLink {
  const event = (kind: string, detail: Record<string, unknown>) =>
    spool.message({ type: 'event', ordinal, ts: nowMicros(), kind, detail });
  return {
    send: (data, binary) => {
      if (recorder.isOpen) recorder.send(data, binary);
    },
    close: (code, reason) => recorder.close(code, reason),
    event,
    refused: (message) => {
      event('protocol-refused', { protocol: client.name, message });
      recorder.refuse(message);
    },
  };
}

/**
 * What is kept of the options in the session row: enough to know how it was captured, no secrets.
 * The protocol chosen has a column of its own (it says how the session is read).
 */
function settingsForRecord(o: CaptureRequest): unknown {
  return {
    headers: o.headers.map(([k]) => k),
    origin: o.origin ?? null,
    subprotocols: o.subprotocols,
    // The init payload may hold a token: only whether one was given is kept.
    initPayload: o.initPayload !== undefined,
    subscribe: o.subscribe,
    compression: o.compression,
    insecure: o.insecure,
    proxy: o.proxy ? new URL(o.proxy).host : (o.proxy ?? 'environment'),
    connectTimeoutSeconds: o.connectTimeoutSeconds,
    maxPayload: o.maxPayload,
    payloadCap: o.payloadCap,
    pingIntervalSeconds: o.pingIntervalSeconds ?? null,
    reconnect: o.reconnect ?? null,
    sends: o.sends.length,
    // The script may hold tokens: its number of lines is enough to know one ran.
    script:
      o.script === undefined ? null : { lines: o.script.split('\n').length, file: o.scriptFile ?? null },
    sendEverySeconds: o.sendEverySeconds ?? null,
    durationSeconds: o.durationSeconds ?? null,
  };
}
