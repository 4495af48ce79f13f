// The writer thread: commits spooled records into SQLite so that the capturing thread never waits
// on the database, and fills the full-text index when there is nothing else to do. A database
// locked by another process is a backlog: the records wait in the spool and are committed when the
// lock is free. Any other failure belongs to the one session it happened in.
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from './database.js';
import { completeSession } from './live-session.js';
import { indexPendingText } from './text-index.js';
import { ioFailure, isBusy } from './io-errors.js';
import { retireSpool } from './segments.js';
import { SpoolApplier } from './spool-apply.js';
import type { FromWriter, ToWriter } from './writer-protocol.js';

// Receiving comes first: on Linux a thread has its own nice value, and the lowest priority for this
// thread lets the capturing thread keep the CPU during a burst (measured on two cores: 0.70 of a
// bare client's rate at nice 19, 0.56–0.71 at nice 10); the backlog waits in the spool file and
// drains afterwards. Elsewhere the same call would lower the whole process, so it is Linux only.
if (process.platform === 'linux') {
  try {
    setPriority(0, 19);
  } catch {
    // not permitted here: run at normal priority
  }
}

/** How long one attempt waits for a lock held by another process, and how soon it tries again. */
const BUSY_WAIT_MS = 250;
const BUSY_RETRY_MS = 200;
/** Text indexed per idle step: small enough that a capture's next commit never waits long behind it. */
const INDEX_BATCH_BYTES = 2 << 20;
/**
 * A session's spooled records are gathered into one transaction until this much waits or the oldest
 * has waited this long (its end is committed at once). Each transaction has a fixed cost (its
 * bookkeeping, the spool's fdatasync, the commit): in a flood of 16 KiB frames, a transaction per
 * 256 KiB flush of the receiving thread (16 frames) cost the writer 26 µs of CPU per frame, one per
 * 4 MiB 17. Nothing waits in memory meanwhile: the records are in the spool file.
 */
const GATHER_BYTES = 4 << 20;
const GATHER_MS = 50;

const port = parentPort!;
const db = openStore((workerData as { dbPath: string }).dbPath, { create: false, recover: false });
// Short waits: while another process holds the lock, this thread must stay free to hear its
// messages (a session dropped, the writer closed).
db.pragma(`busy_timeout = ${BUSY_WAIT_MS}`);

interface Tracked {
  applier: SpoolApplier;
  target: number;
  /** When records began to wait past what is committed (performance.now()). */
  waitingSince: number;
  finish: { endedAt: number } | null;
  busy: boolean;
}

const sessions = new Map<number, Tracked>();
let pumping = false;
let retryTimer: NodeJS.Timeout | null = null;
let gatherTimer: NodeJS.Timeout | null = null;
let idleTimer: NodeJS.Timeout | null = null;
/** Someone waits for the full-text index to catch up (the console opening a database). */
let indexRequested = false;
/** Holds taken by the capturing thread (recovering a spool itself): while any is, nothing is written. */
let holds = 0;

function send(msg: FromWriter): void {
  port.postMessage(msg);
}

function describe(err: unknown): string {
  return ioFailure(err) ?? (err as Error).message;
}

/** Whether a session has records to commit now: enough gathered, waited long enough, or its end. */
function due(s: Tracked, now: number): boolean {
  if (s.applier.offset >= s.target) return false;
  return (
    s.finish !== null || s.target - s.applier.offset >= GATHER_BYTES || now - s.waitingSince >= GATHER_MS
  );
}

/** Raises what a session commits up to; records that begin to wait now start its gathering time. */
function raise(s: Tracked, upTo: number): void {
  if (upTo <= s.target) return;
  if (s.applier.offset >= s.target) s.waitingSince = performance.now();
  s.target = upTo;
}

// One transaction per session per turn: between turns this thread hears its messages (a session
// dropped while a long backlog is being committed), and progress is reported batch by batch.
function pump(): void {
  pumping = false;
  if (holds > 0) return;
  let waiting = false;
  let more = false;
  let gathering = Infinity;
  const now = performance.now();
  for (const [id, s] of sessions) {
    try {
      if (s.applier.offset < s.target && !due(s, now))
        gathering = Math.min(gathering, s.waitingSince + GATHER_MS - now);
      else if (s.applier.offset < s.target) {
        const from = s.applier.offset;
        const frames = s.applier.applyUpTo(s.target, undefined, 1);
        send({ type: 'committed', sessionId: id, frames, offset: s.applier.offset });
        // Not caught up yet (short of a torn record at the end): the next turn goes on.
        if (s.applier.offset < s.target && s.applier.offset > from) more = true;
      }
      if (s.busy) {
        s.busy = false;
        send({ type: 'busy', sessionId: id, busy: false });
      }
      if (s.finish && s.applier.offset >= s.target) {
        completeSession(db, id, s.finish.endedAt);
        s.applier.close();
        retireSpool(db, db.name, s.applier.spoolPath);
        sessions.delete(id);
        send({ type: 'finished', sessionId: id });
      }
    } catch (err) {
      if (isBusy(err)) {
        waiting = true;
        if (!s.busy) {
          s.busy = true;
          send({ type: 'busy', sessionId: id, busy: true });
        }
        continue;
      }
      s.applier.close();
      sessions.delete(id);
      send({ type: 'failed', sessionId: id, message: describe(err) });
    }
  }
  if (more) schedulePump();
  if (gathering !== Infinity && !gatherTimer) {
    gatherTimer = setTimeout(
      () => {
        gatherTimer = null;
        schedulePump();
      },
      Math.max(1, Math.ceil(gathering)),
    );
  }
  if (waiting && !retryTimer) {
    retryTimer = setTimeout(() => {
      retryTimer = null;
      schedulePump();
    }, BUSY_RETRY_MS);
  }
  scheduleIdleIndexing();
}

function schedulePump(): void {
  if (pumping) return;
  pumping = true;
  setImmediate(pump);
}

// Full-text indexing runs only while nothing is due to be committed (records being gathered may
// wait), a small batch at a time: in a flood, records are always due, and the index catches up
// once the wire is quieter.
function scheduleIdleIndexing(): void {
  if (idleTimer) return;
  idleTimer = setTimeout(() => {
    idleTimer = null;
    if (holds > 0) return;
    const now = performance.now();
    for (const s of sessions.values()) if (due(s, now)) return;
    try {
      if (indexPendingText(db, 2000, INDEX_BATCH_BYTES) > 0) scheduleIdleIndexing();
      else if (indexRequested) {
        indexRequested = false;
        send({ type: 'indexed', backlog: 0 });
      }
    } catch (err) {
      if (isBusy(err)) scheduleIdleIndexing();
      else send({ type: 'error', message: `full-text indexing failed: ${describe(err)}` });
    }
  }, 50);
  idleTimer.unref();
}

port.on('message', (msg: ToWriter) => {
  switch (msg.type) {
    case 'open':
      sessions.set(msg.sessionId, {
        applier: new SpoolApplier(db, msg.sessionId, msg.spoolPath, 0),
        target: 0,
        waitingSince: 0,
        finish: null,
        busy: false,
      });
      return;
    case 'spooled': {
      const s = sessions.get(msg.sessionId);
      if (s) raise(s, msg.upTo);
      schedulePump();
      return;
    }
    case 'finish': {
      const s = sessions.get(msg.sessionId);
      if (!s) return;
      raise(s, msg.upTo);
      s.finish = { endedAt: msg.endedAt };
      schedulePump();
      return;
    }
    case 'drop': {
      const s = sessions.get(msg.sessionId);
      s?.applier.close();
      sessions.delete(msg.sessionId);
      send({ type: 'dropped', sessionId: msg.sessionId });
      return;
    }
    case 'index':
      indexRequested = true;
      scheduleIdleIndexing();
      return;
    case 'hold':
      // Messages are heard between turns, so no transaction of this thread is open now.
      holds++;
      send({ type: 'held' });
      return;
    case 'resume':
      holds = Math.max(0, holds - 1);
      if (holds === 0) {
        schedulePump();
        scheduleIdleIndexing();
      }
      return;
    case 'close':
      if (idleTimer) clearTimeout(idleTimer);
      if (retryTimer) clearTimeout(retryTimer);
      if (gatherTimer) clearTimeout(gatherTimer);
      for (const s of sessions.values()) s.applier.close();
      db.close();
      port.close();
      return;
  }
});
