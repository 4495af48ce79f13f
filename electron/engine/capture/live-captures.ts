// The captures started through the contract, with the status the console sees: counters updated on
// every frame and pushed at most ten times a second per capture, never once per frame. A capture
// started with `events` (the command line's) also pushes `capture:event` as each connection opens
// and ends, as a reconnect is scheduled, as the database's lock is taken and given back, and once
// at its end; one started with `liveFrames` pushes `capture:frame` for that many frames a second.
import {
  FRAME_HEAD_BYTES,
  type CaptureEvent,
  type CaptureRequest,
  type CaptureStatus,
  type ProtocolMessage,
} from '../../../shared/contract.js';
import type { EngineContext } from '../context.js';
import { MissingError } from '../errors.js';
import { latestConnection } from '../sessions/connection-store.js';
import { committedFrames } from '../sessions/frame-store.js';
import { spoolBacklog } from '../store/recovery.js';
import { StoreWriter } from '../store/writer.js';
import { Capture, type CaptureResult } from './capture.js';
import type { LiveFrame } from './recorder.js';

/** How often a live capture's status is pushed at most. */
const STATUS_INTERVAL_MS = 100;

/**
 * How long stopping waits for a capture to commit its backlog: one whose database is locked by
 * another process is left to be recovered from its spool by the next open, so shutdown is bounded.
 */
const STOP_WAIT_MS = 5_000;

/** An event of `capture:event` before it is addressed to its capture's session. */
type EventOf<E> = E extends unknown ? Omit<E, 'sessionId'> : never;

/**
 * The frames of one capture that are pushed: at most `perSecond` in each one-second window, the
 * rest counted and said with the next push (or at the end), so that a flood costs a count.
 */
class FramePushes {
  private windowStart = Date.now();
  private pushed = 0;
  /** Frames not pushed since the last push. */
  skipped = 0;

  constructor(
    private readonly perSecond: number,
    private readonly push: (frame: LiveFrame, message: ProtocolMessage | null, skipped: number) => void,
  ) {}

  /** A recorded frame; `message` decodes it, asked only of the frames pushed. */
  frame(f: LiveFrame, message: () => ProtocolMessage | null): void {
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.pushed = 0;
    }
    if (this.pushed >= this.perSecond) {
      this.skipped++;
      return;
    }
    this.pushed++;
    const skipped = this.skipped;
    this.skipped = 0;
    this.push(f, message(), skipped);
  }
}

interface Live {
  capture: Capture;
  status: CaptureStatus;
  dirty: boolean;
  timer: NodeJS.Timeout;
  unsubscribe: () => void;
  /** Pushes `capture:event` (a capture started with `events`); null when not asked. */
  event: ((e: EventOf<CaptureEvent>) => void) | null;
  frames: FramePushes | null;
}

export class LiveCaptures {
  private readonly live = new Map<number, Live>();

  constructor(private readonly ctx: EngineContext) {}

  /** Starts a capture whose progress is pushed on `capture:status`; answers its session id. */
  start(request: CaptureRequest): number {
    // Assigned once the capture exists; the hooks below may fire before that and then do nothing.
    // eslint-disable-next-line prefer-const
    let live: Live | undefined;
    const touch = (change: Partial<CaptureStatus>) => {
      if (!live) return;
      Object.assign(live.status, change);
      live.dirty = true;
    };
    const event = (e: EventOf<CaptureEvent>) => live?.event?.(e);
    const capture = Capture.start(this.ctx, request, {
      onFrame: (f, message) => {
        if (!live) return;
        live.frames?.frame(f, message);
        const s = live.status;
        if (f.direction === 'in') {
          s.framesIn++;
          s.bytesIn += f.data.length;
        } else {
          s.framesOut++;
          s.bytesOut += f.data.length;
        }
        live.dirty = true;
      },
      onOpen: (ordinal) => {
        touch({ state: 'open', message: null });
        event({ event: 'opened', connection: ordinal });
      },
      onOutcome: (o) => {
        touch({
          state: 'closing',
          message: o.error
            ? o.error.message
            : o.closeCode !== null
              ? `closed by ${o.closedBy} with ${o.closeCode}${o.closeReason ? ` "${o.closeReason}"` : ''}`
              : null,
        });
        event({
          event: 'closed',
          connection: o.ordinal,
          closeCode: o.closeCode,
          closeReason: o.closeReason,
          closedBy: o.closedBy,
          error: o.error,
        });
      },
      onReconnect: (attempt, delay) => {
        touch({ state: 'reconnecting', message: `reconnecting in ${delay} ms (attempt ${attempt})` });
        event({ event: 'reconnecting', attempt, delayMs: delay });
      },
      onBusy: (busy) => {
        touch({
          message: busy
            ? 'the database is locked by another process: frames wait in the spool and are committed when it is free'
            : null,
        });
        event({ event: 'lock', locked: busy });
      },
      onFailure: (message) => touch({ state: 'closing', message }),
    });
    const sessionId = capture.sessionId;
    const unsubscribe = StoreWriter.for(this.ctx.dbPath).onCommitted((id, n) => {
      if (id === sessionId && live) {
        live.status.committed += n;
        live.dirty = true;
      }
    });
    live = {
      capture,
      dirty: true,
      unsubscribe,
      status: {
        sessionId,
        url: request.url,
        state: 'connecting',
        framesIn: 0,
        framesOut: 0,
        bytesIn: 0,
        bytesOut: 0,
        committed: 0,
        lastPingRttMs: null,
        connection: null,
        message: null,
      },
      timer: setInterval(() => this.publish(sessionId), STATUS_INTERVAL_MS),
      event: request.events ? (e) => this.ctx.push('capture:event', { ...e, sessionId }) : null,
      frames:
        request.liveFrames === undefined
          ? null
          : new FramePushes(request.liveFrames, (f, message, skipped) =>
              this.ctx.push('capture:frame', {
                sessionId,
                connection: f.connection,
                seq: f.seq,
                ts: f.ts,
                direction: f.direction,
                opcode: f.opcode,
                size: f.data.length,
                head: f.data.subarray(0, FRAME_HEAD_BYTES).toString('base64'),
                message,
                skipped,
              }),
            ),
    };
    this.live.set(sessionId, live);
    capture.done.then(
      (result) => this.finish(sessionId, result),
      (err: Error) => this.finish(sessionId, null, `the capture failed: ${err.message}`),
    );
    return sessionId;
  }

  /** The running capture of a session, or a MissingError. */
  get(sessionId: number): Capture {
    const l = this.live.get(sessionId);
    if (!l) throw new MissingError(`session ${sessionId} is not capturing; start a capture first`);
    return l.capture;
  }

  has(sessionId: number): boolean {
    return this.live.has(sessionId);
  }

  /** The status of every running capture. */
  list(): CaptureStatus[] {
    return [...this.live.values()].map((l) => l.status);
  }

  /**
   * Stops every running capture cleanly, in bounded time: a capture that cannot commit its backlog
   * within STOP_WAIT_MS (a database locked by another process) is given up and left to recovery.
   */
  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.live.values()].map(async (l) => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>(
          (resolve) => (timer = setTimeout(() => resolve('late'), STOP_WAIT_MS)),
        );
        const stopped = l.capture.stop('user').then(
          () => 'stopped' as const,
          () => 'stopped' as const,
        );
        const outcome = await Promise.race([stopped, late]);
        clearTimeout(timer);
        if (outcome === 'late') await l.capture.abandon();
      }),
    );
  }

  private publish(sessionId: number): void {
    const l = this.live.get(sessionId);
    if (!l || !l.dirty) return;
    l.dirty = false;
    l.status.lastPingRttMs = l.capture.lastPingRttMs;
    // Only the newest connection: a capture that reconnected ten thousand times reads one row.
    l.status.connection = latestConnection(this.ctx.db, sessionId);
    this.ctx.push('capture:status', { ...l.status });
  }

  /** The capture has ended (`result`), or failed in a way nobody foresaw (`result` null, `failure`). */
  private finish(sessionId: number, result: CaptureResult | null, failure = result?.failure ?? null): void {
    const l = this.live.get(sessionId);
    if (!l) return;
    clearInterval(l.timer);
    l.unsubscribe();
    l.status.committed = committedFrames(this.ctx.db, sessionId);
    l.status.state = 'ended';
    if (failure) l.status.message = failure;
    else if (result?.scriptFailure) l.status.message = result.scriptFailure;
    l.dirty = true;
    this.publish(sessionId);
    this.live.delete(sessionId);
    if (!l.event) return;
    // Frames a full disk or a held lock left in the spool are safe, and counted too.
    let waiting: { frames: number; connections: number } | null = null;
    try {
      const backlog = spoolBacklog(this.ctx.db, this.ctx.dbPath, sessionId);
      waiting = backlog && { frames: backlog.frames, connections: backlog.connections };
    } catch (err) {
      failure ??= `the frames waiting in the spool could not be counted: ${(err as Error).message}`;
    }
    l.event({
      event: 'ended',
      stoppedBy: result?.stoppedBy ?? 'failed',
      opened: result?.opened ?? false,
      failure,
      scriptFailure: result?.scriptFailure ?? null,
      waitingInSpool: waiting,
      skippedFrames: l.frames?.skipped ?? 0,
    });
  }
}
