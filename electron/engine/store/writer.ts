// The capturing side of persistence: frames are appended to a session's spool on the receiving
// thread and committed by one writer thread per database. Nothing here waits on SQLite.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SpoolWriter, type SpoolMessage } from './spool.js';
import type { FromWriter, ToWriter } from './writer-protocol.js';

/** Flush the spool when this much is buffered, or when this long has passed since the last flush. */
const FLUSH_BYTES = 256 * 1024;
const FLUSH_INTERVAL_MS = 20;

/** The writer thread: the compiled worker, or (running from the TypeScript sources in tests) tsx loading it. */
function startWorker(dbPath: string): Worker {
  const js = new URL('./writer-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData: { dbPath } });
  const ts = new URL('./writer-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(ts)}); })`;
  return new Worker(boot, { eval: true, workerData: { dbPath } });
}

/** Where a session's spool lives: beside the database, so that recovery finds it. */
export function spoolPathFor(dbPath: string, sessionId: number): string {
  return `${dbPath}-spool/session-${sessionId}.spool`;
}

export class StoreWriter {
  private static readonly byPath = new Map<string, StoreWriter>();
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private readonly committedListeners = new Set<(sessionId: number, frames: number) => void>();
  private failure: Error | null = null;
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
    this.worker.on('error', (err) => this.fail(new Error(`the database writer stopped: ${err.message}`)));
    this.worker.on('exit', (code) => {
      StoreWriter.byPath.delete(this.dbPath);
      if (code !== 0 || this.waiting.size > 0)
        this.fail(new Error(`the database writer exited (code ${code})`));
    });
  }

  /** Starts spooling a session whose row already exists. */
  begin(sessionId: number, path: string): SessionSpool {
    mkdirSync(dirname(path), { recursive: true });
    const spool = new SessionSpool(this, sessionId, path);
    this.open++;
    this.post({ type: 'open', sessionId, spoolPath: path });
    return spool;
  }

  /**
   * Fills the full-text index behind everything else; resolves when it has caught up. Keeps the
   * writer thread alive until then.
   */
  indexInBackground(): Promise<void> {
    if (this.indexing) return this.indexing;
    this.open++;
    this.indexing = new Promise<void>((resolve, reject) => {
      this.indexWaiter = { resolve, reject };
    }).finally(() => {
      this.indexing = null;
      if (--this.open === 0) this.stop();
    });
    this.post({ type: 'index' });
    return this.indexing;
  }

  private indexing: Promise<void> | null = null;
  private indexWaiter: { resolve: () => void; reject: (e: Error) => void } | null = null;

  /** Called with the number of frames each time the writer commits a batch. */
  onCommitted(listener: (sessionId: number, frames: number) => void): () => void {
    this.committedListeners.add(listener);
    return () => this.committedListeners.delete(listener);
  }

  post(msg: ToWriter): void {
    if (this.failure) throw this.failure;
    this.worker.postMessage(msg);
  }

  /** Resolves once every record of the session is committed and the session is marked complete. */
  finished(sessionId: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.set(sessionId, {
        resolve: () => {
          resolve();
          if (--this.open === 0) this.stop();
        },
        reject,
      });
    });
  }

  private stop(): void {
    this.post({ type: 'close' });
    StoreWriter.byPath.delete(this.dbPath);
  }

  private onMessage(msg: FromWriter): void {
    switch (msg.type) {
      case 'committed':
        for (const l of this.committedListeners) l(msg.sessionId, msg.frames);
        return;
      case 'finished': {
        const w = this.waiting.get(msg.sessionId);
        this.waiting.delete(msg.sessionId);
        w?.resolve();
        return;
      }
      case 'indexed':
        this.indexWaiter?.resolve();
        this.indexWaiter = null;
        return;
      case 'error':
        this.fail(new Error(`the database writer failed: ${msg.message}`));
        return;
    }
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
    this.indexWaiter?.reject(err);
    this.indexWaiter = null;
  }
}

/** One session's spool, written on the receiving thread. */
export class SessionSpool {
  private lastFlushUs = 0;
  private timer: NodeJS.Timeout;
  private seq = 0;
  private closed = false;

  private readonly out: SpoolWriter;

  constructor(
    private readonly writer: StoreWriter,
    readonly sessionId: number,
    path: string,
  ) {
    this.out = new SpoolWriter(path, (upTo) => {
      if (!this.closed) this.writer.post({ type: 'spooled', sessionId, upTo });
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
    const seq = ++this.seq;
    this.out.frame(ordinal, seq, ts, direction, opcode, data, cap, size);
    if (this.out.pending >= FLUSH_BYTES || ts - this.lastFlushUs >= FLUSH_INTERVAL_MS * 1000) {
      this.lastFlushUs = ts;
      this.flush();
    }
    return seq;
  }

  message(msg: SpoolMessage): void {
    this.out.message(msg);
    this.flush();
  }

  flush(): void {
    this.out.flush();
  }

  /** Writes the rest, waits until the writer committed everything, and marks the session complete. */
  async finish(endedAt: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    const done = this.writer.finished(this.sessionId);
    const upTo = this.out.close();
    this.writer.post({ type: 'finish', sessionId: this.sessionId, upTo, endedAt });
    await done;
  }
}
