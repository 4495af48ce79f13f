// The captures the console started, with the status it sees: counters updated on every frame and
// pushed at most ten times a second per capture, never once per frame.
import type { CaptureRequest, CaptureStatus } from '../../../shared/contract.js';
import type { EngineContext } from '../context.js';
import { MissingError } from '../errors.js';
import { latestConnection } from '../sessions/connection-store.js';
import { committedFrames } from '../sessions/frame-store.js';
import { StoreWriter } from '../store/writer.js';
import { Capture } from './capture.js';

/** How often a live capture's status is pushed at most. */
const STATUS_INTERVAL_MS = 100;

/**
 * How long stopping waits for a capture to commit its backlog: one whose database is locked by
 * another process is left to be recovered from its spool by the next open, so shutdown is bounded.
 */
const STOP_WAIT_MS = 5_000;

interface Live {
  capture: Capture;
  status: CaptureStatus;
  dirty: boolean;
  timer: NodeJS.Timeout;
  unsubscribe: () => void;
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
    const capture = Capture.start(this.ctx, request, {
      onFrame: (f) => {
        if (!live) return;
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
      onOpen: () => touch({ state: 'open', message: null }),
      onOutcome: (o) =>
        touch({
          state: 'closing',
          message: o.error
            ? o.error.message
            : o.closeCode !== null
              ? `closed by ${o.closedBy} with ${o.closeCode}${o.closeReason ? ` "${o.closeReason}"` : ''}`
              : null,
        }),
      onReconnect: (attempt, delay) =>
        touch({ state: 'reconnecting', message: `reconnecting in ${delay} ms (attempt ${attempt})` }),
      onBusy: (busy) =>
        touch({
          message: busy
            ? 'the database is locked by another process: frames wait in the spool and are committed when it is free'
            : null,
        }),
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
    };
    this.live.set(sessionId, live);
    capture.done.then(
      (result) => this.finish(sessionId, result.failure),
      (err: Error) => this.finish(sessionId, `the capture failed: ${err.message}`),
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

  private finish(sessionId: number, failure: string | null): void {
    const l = this.live.get(sessionId);
    if (!l) return;
    clearInterval(l.timer);
    l.unsubscribe();
    l.status.committed = committedFrames(this.ctx.db, sessionId);
    l.status.state = 'ended';
    if (failure) l.status.message = failure;
    l.dirty = true;
    this.publish(sessionId);
    this.live.delete(sessionId);
  }
}
