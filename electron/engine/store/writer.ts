// The capturing side of persistence: frames are appended to a session's spool on the receiving
// thread and committed by one writer thread per database. Nothing here waits on SQLite.
//
// A session's troubles stay its own: a full disk while spooling, a commit that fails, even a
// writer thread that dies, end that one session (its capture is told, closes, and the session is
// recovered from its spool as after a crash), while every other capture carries on and the next
// one starts a fresh writer. A database locked by another process is a backlog, not a failure.
//
// One session's spool (SessionSpool), with what it posts to the writer thread (>) and hears back (<):
//
//   begin > open
//     |
//     v
//   RECORDING: frames go to the spool file; each flush > spooled(upTo); the writer commits up to
//     |    |   there (< committed)
//     |    +-- a full disk, < failed, the writer died (or was dead at begin) --> FAILED: from then
//     |                                                        |  on, frames are counted as lost
//     | finish(endedAt)                                        | finish(endedAt)
//     v                                                        |
//   FINISHING: spool closed, > finish(upTo, endedAt)           |
//     |                  |                                     |
//     | < finished       | < failed, the writer died, or       |
//     v                  | closing the spool failed            |
//   end(): lock and      v                                     v
//   reserve released,  LETTING GO (letGo): > drop, then wait for < dropped, at most 60 s; at once
//   writer.settled()     when the writer already forgot the session (< failed, < dropped) or died
//   --> complete                |
//   (or failed: no              v
//   connection opened)  HOLDING (writer.hold): > hold, then wait for < held, at most 60 s (at once
//                         if the writer died): it has no transaction open and starts none, and the
//                         hold keeps it alive
//                               |
//                               v
//                       RECOVERING: end() (lock released, reserve kept for recovery), the spool
//                         committed on this thread as after a crash --> interrupted (or left for
//                         the next open: the disk still full); then > resume: the writer goes on
//
//   abandon() (a bounded shutdown), while RECORDING or FAILED: the spool file is closed without its
//   unwritten buffer, LETTING GO for at most 3 s, end(): the next open recovers the session.
//
// The writer thread, per session: > open tracks it; > spooled and > finish raise what it commits;
// once all is committed after > finish it marks the session complete, retires the spool and forgets
// it (< finished); > drop forgets it (< dropped, tracked or not); a failed commit forgets it
// (< failed); a database locked by another process is < busy(true), retried every 200 ms, then
// < busy(false). As a whole: > hold counts a hold and answers < held (messages are heard between
// transactions, so none is open then); while any hold is counted it commits and indexes nothing;
// > resume counts one off. It lives while anything counts on it (StoreWriter.open: a session from
// begin to settled(), an index request, a hold until resumed); at zero it is told > close, and the
// next begin starts a new one. If it dies, every session it served is failed at once (die()).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SessionStatus } from '../../../shared/contract.js';
import type { Db } from './database.js';
import { ioFailure } from './io-errors.js';
import { sessionStatus } from './live-session.js';
import type { Recording } from './recording.js';
import { recoverOrphanedSessions } from './recovery.js';
import { SpoolWriter, type SpoolMessage } from './spool.js';
import type { FromWriter, ToWriter } from './writer-protocol.js';

/** Flush the spool when this much is buffered, or when this long has passed since the last flush. */
const FLUSH_BYTES = 256 * 1024;
const FLUSH_INTERVAL_MS = 20;
/**
 * How long a session given up (a bounded shutdown) waits for the writer to let go of it before its
 * lock is released anyway; and how long one that recovers its spool here waits for the writer to
 * let go and pause, since recovering while the writer thread still commits or indexes could only
 * find the database locked (a busy machine can keep that thread inside one batch for seconds).
 */
const DROP_WAIT_MS = 3000;
const DROP_BEFORE_RECOVERY_WAIT_MS = 60_000;

/** The writer thread: the compiled worker, or (running from the TypeScript sources in tests) tsx loading it. */
function startWorker(dbPath: string): Worker {
  const js = new URL('./writer-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData: { dbPath } });
  const ts = new URL('./writer-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(ts)}); })`;
  return new Worker(boot, { eval: true, workerData: { dbPath } });
}

export class StoreWriter {
  private static readonly byPath = new Map<string, StoreWriter>();
  private readonly worker: Worker;
  private readonly spools = new Map<number, SessionSpool>();
  private readonly committedListeners = new Set<(sessionId: number, frames: number) => void>();
  private dead: string | null = null;
  private open = 0;

  /** The writer of a database, started on first use and stopped when its last session finishes. */
  static for(dbPath: string): StoreWriter {
    let w = StoreWriter.byPath.get(dbPath);
    if (!w) {
      w = new StoreWriter(dbPath);
      StoreWriter.byPath.set(dbPath, w);
    }
    return w;
  }

  private constructor(private readonly dbPath: string) {
    this.worker = startWorker(dbPath);
    this.worker.on('message', (msg: FromWriter) => this.onMessage(msg));
    this.worker.on('error', (err) =>
      this.die(`the database writer stopped: ${ioFailure(err) ?? err.message}`),
    );
    this.worker.on('exit', (code) => {
      if (code !== 0 || this.spools.size > 0 || this.indexWaiter)
        this.die(`the database writer exited (code ${code})`);
      this.forget();
    });
  }

  /** Starts spooling a session made live by `beginRecording`; `db` is the caller's connection. */
  begin(db: Db, recording: Recording): SessionSpool {
    const spool = new SessionSpool(this, db, this.dbPath, recording);
    if (this.dead) {
      spool.writerFailed(this.dead);
      return spool;
    }
    this.spools.set(recording.sessionId, spool);
    this.open++;
    this.post({ type: 'open', sessionId: recording.sessionId, spoolPath: recording.spoolPath });
    return spool;
  }

  /**
   * Fills the full-text index behind everything else; resolves when it has caught up. Keeps the
   * writer thread alive until then.
   */
  indexInBackground(): Promise<void> {
    if (this.indexing) return this.indexing;
    if (this.dead) return Promise.reject(new Error(this.dead));
    this.open++;
    this.indexing = new Promise<void>((resolve, reject) => {
      this.indexWaiter = { resolve, reject };
    }).finally(() => {
      this.indexing = null;
      this.release();
    });
    this.post({ type: 'index' });
    return this.indexing;
  }

  /**
   * Pauses the writer thread (no commit, no indexing) and resolves, once it has paused or after
   * `waitMs`, with the function that lets it go on. Whoever writes to the database from this thread
   * meanwhile (recovering a session's spool) never finds it locked by its own writer, however long a
   * busy machine keeps that low-priority thread inside one transaction. Keeps the writer alive
   * until let go.
   */
  async hold(waitMs: number): Promise<() => void> {
    if (this.dead) return () => undefined;
    this.open++;
    const held = new Promise<void>((resolve) => {
      this.holdWaiters.push(resolve);
      setTimeout(resolve, waitMs).unref();
    });
    this.post({ type: 'hold' });
    await held;
    let resumed = false;
    return () => {
      if (resumed) return;
      resumed = true;
      this.post({ type: 'resume' });
      this.release();
    };
  }

  private readonly holdWaiters: Array<() => void> = [];
  private indexing: Promise<void> | null = null;
  private indexWaiter: { resolve: () => void; reject: (e: Error) => void } | null = null;

  /** Called with the number of frames each time the writer commits a batch. */
  onCommitted(listener: (sessionId: number, frames: number) => void): () => void {
    this.committedListeners.add(listener);
    return () => this.committedListeners.delete(listener);
  }

  /** Sends to the writer thread; nothing happens once it is gone (its sessions were told). */
  post(msg: ToWriter): void {
    if (!this.dead) this.worker.postMessage(msg);
  }

  /** Whether the writer thread is gone. */
  get stopped(): boolean {
    return this.dead !== null;
  }

  /** A session no longer needs the writer. */
  settled(sessionId: number): void {
    if (this.spools.delete(sessionId)) this.release();
  }

  private release(): void {
    if (--this.open === 0) this.stop();
  }

  private stop(): void {
    this.post({ type: 'close' });
    this.forget();
  }

  private forget(): void {
    if (StoreWriter.byPath.get(this.dbPath) === this) StoreWriter.byPath.delete(this.dbPath);
  }

  private onMessage(msg: FromWriter): void {
    switch (msg.type) {
      case 'committed':
        for (const l of this.committedListeners) l(msg.sessionId, msg.frames);
        return;
      case 'finished':
        this.spools.get(msg.sessionId)?.writerFinished();
        return;
      case 'busy':
        this.spools.get(msg.sessionId)?.writerBusy(msg.busy);
        return;
      case 'failed':
        this.spools.get(msg.sessionId)?.writerFailed(msg.message, true);
        return;
      case 'dropped':
        this.spools.get(msg.sessionId)?.writerDropped();
        return;
      case 'held':
        this.holdWaiters.shift()?.();
        return;
      case 'indexed':
        this.indexWaiter?.resolve();
        this.indexWaiter = null;
        return;
      case 'error':
        // Indexing failed: searches still work on what is indexed, and nothing was lost.
        this.indexWaiter?.reject(new Error(msg.message));
        this.indexWaiter = null;
        return;
    }
  }

  /** The writer thread is gone: every session it served is told, and the next one starts afresh. */
  private die(message: string): void {
    if (this.dead) return;
    this.dead = message;
    this.forget();
    for (const s of [...this.spools.values()]) s.writerFailed(message, true);
    for (const held of this.holdWaiters.splice(0)) held();
    this.indexWaiter?.reject(new Error(message));
    this.indexWaiter = null;
  }
}

/** How a session's recording ended. */
export interface SpoolOutcome {
  /** The session's status now. */
  status: SessionStatus;
  /** Why the recording could not finish normally, in one sentence; null when it did. */
  failure: string | null;
}

/** One session's spool, written on the receiving thread. */
export class SessionSpool {
  readonly sessionId: number;
  private lastFlushUs = 0;
  private timer: NodeJS.Timeout;
  private seq = 0;
  private closed = false;
  private readonly out: SpoolWriter;
  private failure: string | null = null;
  /** The writer forgot this session (it failed there, or was dropped): no answer will come. */
  private writerGone = false;
  private finishedWaiter: ((ok: boolean) => void) | null = null;
  private droppedWaiter: (() => void) | null = null;
  private readonly failureListeners = new Set<(message: string) => void>();
  private readonly busyListeners = new Set<(busy: boolean) => void>();
  private settling: Promise<SpoolOutcome> | null = null;
  /** Frames seen after the spool could no longer be written (a full disk). */
  lost = 0;

  constructor(
    private readonly writer: StoreWriter,
    private readonly db: Db,
    private readonly dbPath: string,
    private readonly recording: Recording,
  ) {
    this.sessionId = recording.sessionId;
    this.out = new SpoolWriter(recording.spoolPath, (upTo) => {
      if (!this.closed) this.writer.post({ type: 'spooled', sessionId: this.sessionId, upTo });
    });
    // Flushes what a quiet connection buffered, so that nothing waits longer than the interval.
    this.timer = setInterval(() => {
      if (this.out.pending > 0) this.flush();
    }, FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  get path(): string {
    return this.out.path;
  }

  /** Frames appended so far. */
  get frames(): number {
    return this.seq;
  }

  /** Why this recording cannot go on, once it cannot. */
  get failed(): string | null {
    return this.failure;
  }

  /** Called once if the recording cannot go on (a full disk, a failed commit): the capture should stop. */
  onFailure(listener: (message: string) => void): void {
    this.failureListeners.add(listener);
    const failed = this.failure;
    if (failed !== null) queueMicrotask(() => listener(failed));
  }

  /** Called when the database becomes locked by another process (true) and free again (false). */
  onBusy(listener: (busy: boolean) => void): void {
    this.busyListeners.add(listener);
  }

  /**
   * Appends one frame received or sent at `ts` (epoch µs on the monotonic clock); the time also
   * bounds how long a frame may sit in memory before it reaches the spool file.
   */
  frame(
    ordinal: number,
    ts: number,
    direction: number,
    opcode: number,
    data: Buffer,
    cap: number,
    /** The size on the wire when `data` is already a cut copy (an import of a truncated frame). */
    size?: number,
  ): number {
    if (this.failure) {
      this.lost++;
      return this.seq + this.lost;
    }
    const seq = ++this.seq;
    this.out.frame(ordinal, seq, ts, direction, opcode, data, cap, size);
    this.flushIfDue(ts, true);
    return seq;
  }

  /**
   * Flushes once FLUSH_BYTES wait (when `sized`: a slice grows at most by the chunk being read, so
   * its size is looked at once that chunk is read) or the last flush is FLUSH_INTERVAL_MS old.
   */
  private flushIfDue(ts: number, sized: boolean): void {
    if ((sized && this.out.pending >= FLUSH_BYTES) || ts - this.lastFlushUs >= FLUSH_INTERVAL_MS * 1000) {
      this.lastFlushUs = ts;
      this.flush();
    }
  }

  /**
   * Appends a payload the WebSocket parser received and hands over, never to change it again: in
   * the slice of the chunk it came in when it lies there (SpoolWriter.sliced), else written from
   * where it is when large (SpoolWriter.frame's `kept`).
   */
  received(ordinal: number, ts: number, opcode: number, data: Buffer, cap: number): number {
    if (this.failure) {
      this.lost++;
      return this.seq + this.lost;
    }
    const seq = ++this.seq;
    const sliced = this.out.sliced(ordinal, seq, ts, opcode, data, cap);
    if (!sliced) this.out.frame(ordinal, seq, ts, 0, opcode, data, cap, undefined, true);
    this.flushIfDue(ts, !sliced);
    return seq;
  }

  /** A chunk the socket of connection `ordinal` gave, before it is parsed; null once it was (SpoolWriter.reading). */
  reading(ordinal: number, chunk: Buffer | null): void {
    if (this.failure) return;
    this.out.reading(ordinal, chunk);
    if (this.out.pending >= FLUSH_BYTES) this.flush();
  }

  message(msg: SpoolMessage): void {
    if (this.failure) return;
    this.out.message(msg);
    this.flush();
  }

  flush(): void {
    if (this.failure) return;
    try {
      this.out.flush();
    } catch (err) {
      const io = ioFailure(err) ?? (err as Error).message;
      this.fail(`${io} writing the spool`);
    }
  }

  private fail(message: string): void {
    if (this.failure) return;
    this.failure = message;
    for (const l of this.failureListeners) l(message);
  }

  /** From the writer: everything is committed and the session is marked complete (or failed). */
  writerFinished(): void {
    this.writerGone = true;
    this.finishedWaiter?.(true);
  }

  writerBusy(busy: boolean): void {
    for (const l of this.busyListeners) l(busy);
  }

  /** From the writer: committing this session failed (`gone`: the writer no longer tracks it). */
  writerFailed(message: string, gone = true): void {
    if (gone) this.writerGone = true;
    this.fail(`${message} committing frames`);
    this.finishedWaiter?.(false);
    this.droppedWaiter?.();
  }

  writerDropped(): void {
    this.writerGone = true;
    this.droppedWaiter?.();
  }

  /**
   * Writes the rest, waits until the writer committed everything and marked the session complete
   * (or failed, when no connection opened). When the recording failed instead, the session is
   * recovered from its spool as after a crash: committed and marked interrupted, or — the disk
   * still full — left for the next open, its spool kept.
   */
  finish(endedAt: number): Promise<SpoolOutcome> {
    this.settling ??= this.settle(endedAt);
    return this.settling;
  }

  private async settle(endedAt: number): Promise<SpoolOutcome> {
    this.closed = true;
    clearInterval(this.timer);
    if (!this.failure) {
      const done = new Promise<boolean>((resolve) => (this.finishedWaiter = resolve));
      let upTo = this.out.written;
      try {
        upTo = this.out.close();
      } catch (err) {
        this.fail(`${ioFailure(err) ?? (err as Error).message} writing the spool`);
      }
      if (!this.failure) {
        this.writer.post({ type: 'finish', sessionId: this.sessionId, upTo, endedAt });
        if (await done) {
          this.end();
          return { status: this.status() ?? 'complete', failure: null };
        }
      }
    } else this.out.discard();
    await this.letGo(DROP_BEFORE_RECOVERY_WAIT_MS);
    const resume = await this.writer.hold(DROP_BEFORE_RECOVERY_WAIT_MS);
    try {
      return this.recover();
    } finally {
      resume();
    }
  }

  /**
   * Gives the session up without waiting for its backlog (a bounded shutdown): the writer lets go
   * of it and its lock is released, so the next open recovers it from its spool.
   */
  async abandon(): Promise<void> {
    if (this.recording.lock.held === false) return;
    this.closed = true;
    clearInterval(this.timer);
    this.out.discard();
    await this.letGo(DROP_WAIT_MS);
    this.end();
  }

  /** Makes sure the writer thread no longer touches this session (so that recovery may). */
  private async letGo(waitMs: number): Promise<void> {
    if (this.writerGone || this.writer.stopped) return;
    const dropped = new Promise<void>((resolve) => {
      this.droppedWaiter = resolve;
      setTimeout(resolve, waitMs).unref();
    });
    this.writer.post({ type: 'drop', sessionId: this.sessionId });
    await dropped;
  }

  /** Lets go of the lock (and of the reserved space, unless recovery still needs it). */
  private end(keepReserve = false): void {
    this.recording.lock.release();
    if (!keepReserve) this.recording.releaseReserve();
    this.writer.settled(this.sessionId);
  }

  private status(): SessionStatus | undefined {
    try {
      return sessionStatus(this.db, this.sessionId);
    } catch {
      return undefined;
    }
  }

  /** Commits the spool here, as crash recovery would, and marks the session interrupted. */
  private recover(): SpoolOutcome {
    // Recovery gives the reserved space back itself, when the disk is full and it needs the room.
    this.end(true);
    const why = `${this.failure ?? 'the recording stopped'}: the capture stopped`;
    const id = this.sessionId;
    try {
      // The failure is this capture's to tell (its result says it): recovery need not announce it.
      const report = recoverOrphanedSessions(this.db, this.dbPath, { sessionId: id, quiet: true });
      const d = report.deferred[0];
      const aside = report.setAside[0];
      if (!d && aside) return { status: this.status() ?? 'interrupted', failure: `${why}; ${aside.message}` };
      if (!d)
        return {
          status: this.status() ?? 'interrupted',
          failure: `${why}; session ${id} is interrupted, every frame it received committed`,
        };
      const waiting = d.spool
        ? `the frames not committed yet wait in ${d.spool}`
        : 'the frames not committed yet wait in its spool';
      return {
        status: this.status() ?? (d.interrupted ? 'interrupted' : 'live'),
        failure: d.interrupted
          ? `${why}; session ${id} is interrupted, and ${waiting} until the database is next opened (${d.reason})`
          : `${why}; session ${id} is recovered the next time the database is opened: ${waiting} (${d.reason})`,
      };
    } catch (err) {
      return {
        status: 'live',
        failure: `${why}; session ${id} is recovered from its spool the next time the database is opened (${ioFailure(err) ?? (err as Error).message})`,
      };
    }
  }
}
