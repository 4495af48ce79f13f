// Crash recovery: a session still marked live whose recorder is gone (its lock is free) was
// interrupted. Its spool still holds every frame the capture received but had not committed:
// replay it, close the books on its connections, and mark it interrupted. Only real damage sets a
// spool aside; a full disk or an I/O error leaves everything as it was, to be finished later.
import { existsSync, rmSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { nowMicros } from '../clock.js';
import { databasePath, requireWritable } from './database.js';
import { ioFailure, isBusy } from './io-errors.js';
import {
  fromStoredPath,
  legacySpoolPath,
  ownsFile,
  recorderState,
  recordingFiles,
  toStoredPath,
} from './recording.js';
import { retireSpool, setAsideDamagedSpool } from './segments.js';
import { SpoolApplier } from './spool-apply.js';
import { SpoolDamagedError } from './spool.js';

interface LiveRow {
  id: number;
  status: 'live' | 'interrupted';
  writer_pid: number | null;
  writer_host: string | null;
  writer_lock: string | null;
  spool_path: string | null;
  spool_offset: number;
  created_at: number;
}

export interface RecoveryOptions {
  /** Also recover sessions recorded on another machine whose lock is not held here (on request). */
  otherHosts?: boolean;
  /** Only this session. */
  sessionId?: number;
  /** Do not tell the `onRecovery` listeners (the caller reports the outcome itself). */
  quiet?: boolean;
}

/** What a recovery pass did. */
export interface RecoveryReport {
  /** Sessions marked interrupted, with their spools committed. */
  recovered: number[];
  /**
   * Sessions whose spool could not be committed yet (a full disk, an I/O error): marked interrupted
   * when that much could be written, else left live; their spool is kept. One sentence each.
   */
  deferred: Deferral[];
  /** Live sessions recorded on another machine, left alone: recovered only with `otherHosts`. */
  elsewhere: Array<{ sessionId: number; host: string }>;
}

/** A session whose spool could not be committed yet. */
export interface Deferral {
  sessionId: number;
  /** The whole story in one sentence. */
  message: string;
  /** What stopped it (the disk is full…). */
  reason: string;
  /** The spool that keeps the frames, when there is one. */
  spool: string | null;
  /** Whether the session could at least be marked interrupted. */
  interrupted: boolean;
}

type Listener = (report: RecoveryReport, dbPath: string) => void;
const listeners = new Set<Listener>();

/**
 * Hears about every recovery pass that recovered, deferred or left something (the command line
 * prints it; the engine itself never prints).
 */
export function onRecovery(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * The spool file of a session: the one its row names, in the database's frames folder (or its old
 * `-spool` folder); for rows that name none (older versions), where spools are kept.
 */
function spoolOf(dbPath: string, s: { id: number; spool_path: string | null }): string | null {
  if (s.spool_path !== null) return fromStoredPath(dbPath, s.spool_path);
  const usual = recordingFiles(dbPath, s.id).spool;
  if (existsSync(usual)) return usual;
  const legacy = legacySpoolPath(dbPath, s.id);
  return existsSync(legacy) ? legacy : null;
}

/** Marks every orphaned live session interrupted after committing what its spool still holds. */
export function recoverOrphanedSessions(
  db: Database.Database,
  dbPath: string = databasePath(db),
  options: RecoveryOptions = {},
): RecoveryReport {
  requireWritable(db, 'recover sessions');
  const report: RecoveryReport = { recovered: [], deferred: [], elsewhere: [] };
  const live = db
    .prepare(
      `SELECT id, status, writer_pid, writer_host, writer_lock, spool_path, spool_offset, created_at FROM session
       WHERE (status = 'live' OR (status = 'interrupted' AND spool_path IS NOT NULL))
         ${options.sessionId !== undefined ? 'AND id = ?' : ''}`,
    )
    .all(...(options.sessionId !== undefined ? [options.sessionId] : [])) as LiveRow[];
  for (const s of live) {
    if (s.status === 'interrupted') {
      // Interrupted while the disk was full: its spool still holds frames to commit.
      const outcome = commitLeftovers(db, dbPath, s);
      if (outcome === null) report.recovered.push(s.id);
      else report.deferred.push(outcome);
      continue;
    }
    const state = recorderState(dbPath, s);
    if (state === 'alive') continue;
    if (state === 'elsewhere' && !options.otherHosts) {
      report.elsewhere.push({ sessionId: s.id, host: s.writer_host ?? 'another machine' });
      continue;
    }
    const outcome = recoverSession(db, dbPath, s);
    if (outcome === null) report.recovered.push(s.id);
    else report.deferred.push(outcome);
  }
  if (!options.quiet && report.recovered.length + report.deferred.length + report.elsewhere.length > 0)
    for (const l of listeners) l(report, dbPath);
  return report;
}

/** Recovers one session; returns null when done, or why its spool must wait. */
function recoverSession(db: Database.Database, dbPath: string, s: LiveRow): Deferral | null {
  const spool = spoolOf(dbPath, s);
  let spooled = 0;
  let damage: { error: string; keptAt: string; at: number } | null = null;
  let fault: unknown = null;
  if (spool !== null && existsSync(spool)) {
    const applier = new SpoolApplier(db, s.id, spool, s.spool_offset);
    try {
      spooled = applier.applyUpTo();
    } catch (err) {
      // Real damage: keep what was committed before it, and set the spool aside for forensics.
      // Anything else (a full disk, an I/O error) is no damage: the spool is kept for later.
      if (err instanceof SpoolDamagedError)
        damage = { error: err.message, keptAt: `${spool}.damaged`, at: err.offset };
      else fault = err;
    } finally {
      spooled = Math.max(spooled, applier.committedFrames);
      applier.close();
    }
  }
  const pending = fault !== null && spool !== null ? toStoredPath(dbPath, spool) : null;
  const reserve = recordingFiles(dbPath, s.id).reserve;
  // The disk is full: the recorder's reserved space gives the few pages that say how it ended.
  if (fault !== null) rmSync(reserve, { force: true });
  try {
    db.transaction(() => {
      const last = db
        .prepare('SELECT max(last_frame_at) AS t FROM connection WHERE session_id = ?')
        .get(s.id) as { t: number | null };
      const endedAt = last.t ?? s.created_at;
      db.prepare(
        `UPDATE connection SET closed_at = coalesce(last_frame_at, opened_at, started_at),
           error_kind = 'other',
           error_message = 'capture interrupted: the recording process stopped before this connection closed'
         WHERE session_id = ? AND closed_at IS NULL`,
      ).run(s.id);
      db.prepare(
        `UPDATE session SET status = 'interrupted', ended_at = ?, writer_pid = NULL, writer_host = NULL,
           writer_lock = NULL, spool_path = ? WHERE id = ?`,
      ).run(endedAt, pending, s.id);
      db.prepare(
        "INSERT INTO event (session_id, ts, kind, detail) VALUES (?, ?, 'session-interrupted', ?)",
      ).run(
        s.id,
        nowMicros(),
        JSON.stringify({
          recoveredFromSpool: spooled,
          pid: s.writer_pid,
          ...(damage ? { spoolError: damage.error, damagedSpool: damage.keptAt } : {}),
          ...(pending !== null ? { spoolPending: spool, spoolFault: describe(fault) } : {}),
        }),
      );
    })();
  } catch (err) {
    return deferral(s.id, spool, fault ?? err, false);
  }
  if (s.writer_lock !== null) {
    // Only its own: a copy's row never names its original's lock, but a row may name anything.
    const lock = fromStoredPath(dbPath, s.writer_lock);
    if (ownsFile(dbPath, lock)) rmSync(lock, { force: true });
  }
  rmSync(reserve, { force: true });
  if (pending !== null) return deferral(s.id, spool, fault, true);
  if (spool !== null) {
    if (damage) setAsideDamagedSpool(db, dbPath, spool, damage.at, damage.keptAt);
    else retireSpool(db, dbPath, spool);
  }
  return null;
}

/** Commits what an interrupted session's spool still held when the disk was full. */
function commitLeftovers(db: Database.Database, dbPath: string, s: LiveRow): Deferral | null {
  const spool = spoolOf(dbPath, s);
  if (spool === null || !existsSync(spool)) {
    db.prepare('UPDATE session SET spool_path = NULL WHERE id = ?').run(s.id);
    return null;
  }
  const applier = new SpoolApplier(db, s.id, spool, s.spool_offset);
  let frames = 0;
  let damage: string | null = null;
  let damagedAt = 0;
  try {
    frames = applier.applyUpTo();
  } catch (err) {
    if (!(err instanceof SpoolDamagedError)) return deferral(s.id, spool, err, true);
    damage = err.message;
    damagedAt = err.offset;
  } finally {
    frames = Math.max(frames, applier.committedFrames);
    applier.close();
  }
  try {
    db.transaction(() => {
      db.prepare('UPDATE session SET spool_path = NULL WHERE id = ?').run(s.id);
      db.prepare("INSERT INTO event (session_id, ts, kind, detail) VALUES (?, ?, 'spool-committed', ?)").run(
        s.id,
        nowMicros(),
        JSON.stringify({
          recoveredFromSpool: frames,
          ...(damage ? { spoolError: damage, damagedSpool: `${spool}.damaged` } : {}),
        }),
      );
    })();
  } catch (err) {
    return deferral(s.id, spool, err, true);
  }
  if (damage) setAsideDamagedSpool(db, dbPath, spool, damagedAt, `${spool}.damaged`);
  else retireSpool(db, dbPath, spool);
  return null;
}

function describe(err: unknown): string {
  return (
    ioFailure(err) ?? (isBusy(err) ? 'the database is locked by another process' : (err as Error).message)
  );
}

function deferral(id: number, spool: string | null, err: unknown, interrupted: boolean): Deferral {
  const reason = describe(err);
  const kept = spool === null ? '' : `; its spool ${spool} is kept`;
  return {
    sessionId: id,
    reason,
    spool,
    interrupted,
    message: `session ${id}${interrupted ? ' is interrupted but' : ''} could not be recovered yet: ${reason}${kept}, and recovery will finish the next time the database is opened`,
  };
}
