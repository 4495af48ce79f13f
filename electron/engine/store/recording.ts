// Where a live session's files live and who is recording it. A recording has files beside the
// database, in the folder `<database>-frames`: its frame log (the spool: every record the capture
// received, appended once; once committed it stays as the session's segment, holding the payloads
// the frame rows point to), its recorder's lock, and a small reserve of disk space.
//
// A database and its frames folder are one relocatable pair: the database stores only the names of
// these files, which are looked up in the frames folder of the path it is opened with. A copy (a
// backup, a renamed evidence file, moved to another folder) thus reads its own files and never its
// original's, and it only ever deletes or rewrites files of its own frames folder.
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { createSession, setRecorderFiles, type NewSession } from './live-session.js';
import { requireWritable, StoreError, type Db } from './database.js';
import { storageAdvice } from '../errors.js';
import { ioFailure, isBusy } from './io-errors.js';
import { lockHeld, RecorderLock } from './recorder-lock.js';

/** The absolute paths of a session's spool, lock and reserve. */
export interface RecordingFiles {
  dir: string;
  spool: string;
  lock: string;
  reserve: string;
}

/**
 * Disk space a recording keeps in hand: when the disk fills up, giving it back lets the database
 * still record how the session ended (a few pages), while the frames wait in the spool.
 */
const RESERVE_BYTES = 1 << 20;

/** The frames folder of the database at `dbPath`: its segments, spools and recorder locks. */
export function framesDir(dbPath: string): string {
  return `${resolve(dbPath)}-frames`;
}

/** Where versions before segments kept spools and locks (`<database>-spool`); theirs too. */
function legacyDir(dbPath: string): string {
  return `${resolve(dbPath)}-spool`;
}

/** The files of session `sessionId` of the database at `dbPath`. */
export function recordingFiles(dbPath: string, sessionId: number): RecordingFiles {
  const dir = framesDir(dbPath);
  return {
    dir,
    spool: join(dir, `session-${sessionId}.frames`),
    lock: join(dir, `session-${sessionId}.lock`),
    reserve: join(dir, `session-${sessionId}.reserve`),
  };
}

/** Where versions before segments kept a session's spool (read by recovery of such sessions). */
export function legacySpoolPath(dbPath: string, sessionId: number): string {
  return join(legacyDir(dbPath), `session-${sessionId}.spool`);
}

/**
 * A file of the database as stored in it: its name, looked up in the frames folder (or, for files
 * from before segments, in the old `-spool` folder beside it). A path anywhere else — only a tool
 * or a test applies a spool kept elsewhere — is stored as it is: read, but never owned.
 */
export function toStoredPath(dbPath: string, path: string): string {
  const abs = resolve(path);
  return ownsFile(dbPath, abs) ? basename(abs) : abs;
}

/**
 * A stored file made absolute for the database at `dbPath`. A name is looked up in its frames
 * folder, then in its old `-spool` folder. A path with folders in it was written by a version that
 * stored paths relative to the database's folder, under the database's file name of the day: only
 * its name counts, so that a copy never reaches into its original's folder. An absolute path (from
 * a tool or a test) is kept as it is.
 */
export function fromStoredPath(dbPath: string, stored: string): string {
  if (isAbsolute(stored)) return stored;
  const name = basename(stored.replaceAll('\\', '/'));
  const own = join(framesDir(dbPath), name);
  if (existsSync(own)) return own;
  const legacy = join(legacyDir(dbPath), name);
  return existsSync(legacy) ? legacy : own;
}

/**
 * Whether a file belongs to the database at `dbPath`: it lies in its frames folder (or its old
 * `-spool` folder). Only such files are ever deleted, truncated or rewritten; anything else is
 * another database's (an original this one was copied from) or someone else's.
 */
export function ownsFile(dbPath: string, path: string): boolean {
  const folder = dirname(resolve(path));
  const own = [framesDir(dbPath), legacyDir(dbPath)];
  if (own.includes(folder)) return true;
  // The same folder by another name (a symbolic link on the way, as macOS's /tmp) is the same folder.
  const real = (p: string): string | null => {
    try {
      return realpathSync(p);
    } catch {
      return null;
    }
  };
  const actual = real(folder);
  return actual !== null && own.some((d) => real(d) === actual);
}

/** What is known of a live session's recorder. */
export type RecorderState =
  /** It runs (its lock is held). */
  | 'alive'
  /** It is gone: its lock is free, or its process no longer exists. */
  | 'gone'
  /** It ran on another machine and its lock is free here: recovered only on request. */
  | 'elsewhere';

export interface RecorderRow {
  writer_pid: number | null;
  writer_host: string | null;
  writer_lock: string | null;
  /** When the session was created (epoch µs). */
  created_at: number;
}

/**
 * How far a process's start time, as read from the system, may lie after the moment it created a
 * session and still count as the recorder: /proc gives it to the clock tick (10 ms) against an
 * uptime read a moment apart, `ps` to the second.
 */
const START_SLACK_US = 2_000_000;

/** Whether a PID names a running process that is not a zombie. */
function pidRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !zombie(pid);
}

function zombie(pid: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    // "pid (comm) S ...": the state follows the last parenthesis.
    return /\)\s+Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** When a running process started (epoch µs), or null where the system does not say. */
export function processStartMicros(pid: number): number | null {
  if (pid === process.pid) return Math.round(performance.timeOrigin * 1000);
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after "pid (comm)": the state is field 3, the start time (ticks since boot) field 22.
      const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
      const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
      const now = Date.now() * 1000;
      // USER_HZ, the unit of /proc's tick counts, is 100 on every Linux architecture Node runs on.
      if (Number.isFinite(ticks) && Number.isFinite(uptime))
        return Math.round(now - (uptime - ticks / 100) * 1e6);
    } catch {
      return null; // gone meanwhile
    }
    return null;
  }
  if (process.platform === 'win32') return null;
  // macOS and the BSDs: the elapsed time as ps says it, [[dd-]hh:]mm:ss.
  const r = spawnSync('ps', ['-o', 'etime=', '-p', String(pid)], { encoding: 'utf8', timeout: 2000 });
  const m = /^\s*(?:(?:(\d+)-)?(\d+):)?(\d+):(\d+)\s*$/.exec(r.stdout ?? '');
  if (r.status !== 0 || !m) return null;
  const seconds = Number(m[1] ?? 0) * 86_400 + Number(m[2] ?? 0) * 3600 + Number(m[3]) * 60 + Number(m[4]);
  return Date.now() * 1000 - seconds * 1e6;
}

/**
 * Whether the process `pid` may be the recorder of a session created at `createdAt`, for sessions
 * recorded before recorder locks existed, which have nothing but a PID. Its being alive is not
 * enough: once the recorder died, its PID may have been handed to any process (on a long-running
 * machine, or after a reboot), and that process stays alive as long as it likes. But a recorder was
 * running when it created its session, so it started before it; a process that started after the
 * session was created cannot be its recorder, whatever it is. (Matching the process's name instead
 * would keep a session live behind another Frameline process that reused the PID.) Where the system
 * does not tell a process's start time (Windows), the PID alone decides, as before.
 */
function mayBeRecorder(pid: number, createdAt: number): boolean {
  if (!pidRuns(pid)) return false;
  const started = processStartMicros(pid);
  return started === null || started <= createdAt + START_SLACK_US;
}

/**
 * Who is recording a live session. Its lock decides; a session recorded before recorder locks
 * existed is judged by its PID and that process's start time (a zombie, or a process started after
 * the session, counts as gone). A recorder on another machine whose lock is not held here may still
 * run there (a lock on a network file system is not always shared): it is recovered only when asked.
 */
export function recorderState(dbPath: string, row: RecorderRow): RecorderState {
  const elsewhere = row.writer_host !== null && row.writer_host !== hostname();
  if (row.writer_lock !== null) {
    if (lockHeld(fromStoredPath(dbPath, row.writer_lock))) return 'alive';
    return elsewhere ? 'elsewhere' : 'gone';
  }
  if (elsewhere) return 'elsewhere';
  return row.writer_pid !== null && mayBeRecorder(row.writer_pid, row.created_at) ? 'alive' : 'gone';
}

/** A live session being recorded by this process: its id, its spool file and the lock it holds. */
export interface Recording {
  sessionId: number;
  spoolPath: string;
  lock: RecorderLock;
  /** Gives the reserved disk space back (before recording how the session ended on a full disk). */
  releaseReserve(): void;
}

function reserve(path: string): void {
  const fd = openSync(path, 'w');
  try {
    const zeros = Buffer.alloc(64 * 1024);
    for (let done = 0; done < RESERVE_BYTES; done += zeros.length) writeSync(fd, zeros);
  } finally {
    closeSync(fd);
  }
}

/**
 * Makes a session live for this process: in one transaction, creates its row, takes its recorder
 * lock and records where its spool and lock are, so that nobody sees the session before its lock
 * is held.
 */
export function beginRecording(db: Db, dbPath: string, session: NewSession): Recording {
  requireWritable(db, 'record a session');
  let lock: RecorderLock | null = null;
  let files: RecordingFiles | null = null;
  try {
    return db.transaction(() => {
      const sessionId = createSession(db, session);
      const f = recordingFiles(dbPath, sessionId);
      files = f;
      mkdirSync(f.dir, { recursive: true });
      // A new session has no frames yet: a file by its name is what a deleted session of the same
      // id left behind (ids of deleted sessions are handed out again).
      rmSync(f.spool, { force: true });
      const held = RecorderLock.acquire(f.lock);
      lock = held;
      reserve(f.reserve);
      setRecorderFiles(db, sessionId, {
        spool: toStoredPath(dbPath, f.spool),
        lock: toStoredPath(dbPath, f.lock),
      });
      return {
        sessionId,
        spoolPath: f.spool,
        lock: held,
        releaseReserve: () => rmSync(f.reserve, { force: true }),
      };
    })();
  } catch (err) {
    (lock as RecorderLock | null)?.release();
    const f = files as RecordingFiles | null;
    if (f) rmSync(f.reserve, { force: true });
    if (isBusy(err))
      throw new StoreError(
        'cannot start recording: the database is locked by another process; try again when it is free',
        'busy',
      );
    const io = ioFailure(err);
    if (io)
      throw new StoreError(
        `cannot start recording: ${io} in ${dirname(resolve(dbPath))}; nothing was recorded and the database is as it was; ${storageAdvice(err)}`,
        'io',
      );
    throw err;
  }
}
