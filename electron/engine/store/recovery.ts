// Tables: session, connection, event
// Crash recovery: a session still marked live whose recorder is gone (its lock is free) was
// interrupted. Its spool still holds every frame the capture received but had not committed:
// replay it, close the books on its connections, and mark it interrupted. Only a spool that cannot
// be applied (damage, or a record holding a value the database cannot store) is set aside, keeping
// what came before it; a full disk or an I/O error leaves everything as it was, to be finished later.
import { closeSync, existsSync, openSync, rmSync, statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { RecoveryReport as ContractRecoveryReport } from '../../../shared/contract/sessions.js';
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
import { readSpool, SpoolDamagedError } from './spool.js';

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

/** What a recovery pass did: the contract's answer to `sessions:recover`. */
export type RecoveryReport = ContractRecoveryReport;

/** A session whose spool could not be committed yet. */
export type Deferral = RecoveryReport['deferred'][number];

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
  const report: RecoveryReport = { recovered: [], deferred: [], elsewhere: [], setAside: [] };
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
      const outcome = commitLeftovers(db, dbPath, s, report);
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
    const outcome = recoverSession(db, dbPath, s, report);
    if (outcome === null) report.recovered.push(s.id);
    else report.deferred.push(outcome);
  }
  const told = report.recovered.length + report.deferred.length + report.elsewhere.length;
  if (!options.quiet && told > 0) for (const l of listeners) l(report, dbPath);
  return report;
}

const INTERRUPTED = 'capture interrupted: the recording process stopped before this connection closed';

/**
 * Closes the books on a recovered session's connections: every one still open (its recording
 * stopped before it closed, or its records were committed only now, from a spool) is closed at the
 * time of its last record, as interrupted. Returns when the session ended: its last close or frame.
 */
function closeConnections(db: Database.Database, sessionId: number, createdAt: number): number {
  db.prepare(
    `UPDATE connection SET closed_at = coalesce(last_frame_at, opened_at, started_at),
       error_kind = 'other', error_message = ?
     WHERE session_id = ? AND closed_at IS NULL`,
  ).run(INTERRUPTED, sessionId);
  const last = db
    .prepare(
      'SELECT max(max(closed_at, coalesce(last_frame_at, closed_at))) FROM connection WHERE session_id = ?',
    )
    .pluck()
    .get(sessionId) as number | null;
  return last ?? createdAt;
}

/** The frames a session has committed. */
function committedFrames(db: Database.Database, sessionId: number): number {
  return db
    .prepare('SELECT coalesce(sum(frames), 0) FROM connection WHERE session_id = ?')
    .pluck()
    .get(sessionId) as number;
}

/**
 * Sets a spool that could not be applied past `damage.at` aside (when it is the database's own)
 * and says so in one sentence.
 */
function setAside(
  db: Database.Database,
  dbPath: string,
  sessionId: number,
  spool: string,
  damage: { error: string; keptAt: string; at: number },
  report: RecoveryReport,
): void {
  const own = ownsFile(dbPath, spool);
  if (own) setAsideDamagedSpool(db, dbPath, spool, damage.at, damage.keptAt);
  const frames = committedFrames(db, sessionId);
  report.setAside.push({
    sessionId,
    message: `session ${sessionId}: ${damage.error}; the ${frames} frame${frames === 1 ? '' : 's'} before it ${frames === 1 ? 'is' : 'are'} kept, and ${own ? `the whole spool is set aside as ${damage.keptAt}` : `the spool ${spool} is left as it is`}`,
  });
}

/** Recovers one session; returns null when done, or why its spool must wait. */
function recoverSession(
  db: Database.Database,
  dbPath: string,
  s: LiveRow,
  report: RecoveryReport,
): Deferral | null {
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
      const endedAt = closeConnections(db, s.id, s.created_at);
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
    }).immediate();
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
    if (damage) setAside(db, dbPath, s.id, spool, damage, report);
    else retireSpool(db, dbPath, spool);
  }
  return null;
}

/**
 * Commits what an interrupted session's spool still held when the disk was full, and closes the
 * connections it brings (the disk may have filled before a connection's first commit: it reaches
 * the database only now, as open).
 */
function commitLeftovers(
  db: Database.Database,
  dbPath: string,
  s: LiveRow,
  report: RecoveryReport,
): Deferral | null {
  const spool = spoolOf(dbPath, s);
  if (spool === null || !existsSync(spool)) {
    db.prepare('UPDATE session SET spool_path = NULL WHERE id = ?').run(s.id);
    return null;
  }
  const applier = new SpoolApplier(db, s.id, spool, s.spool_offset);
  let frames = 0;
  let damage: { error: string; keptAt: string; at: number } | null = null;
  try {
    frames = applier.applyUpTo();
  } catch (err) {
    if (!(err instanceof SpoolDamagedError)) return deferral(s.id, spool, err, true);
    damage = { error: err.message, keptAt: `${spool}.damaged`, at: err.offset };
  } finally {
    frames = Math.max(frames, applier.committedFrames);
    applier.close();
  }
  try {
    db.transaction(() => {
      const endedAt = closeConnections(db, s.id, s.created_at);
      db.prepare(
        'UPDATE session SET spool_path = NULL, ended_at = max(coalesce(ended_at, 0), ?) WHERE id = ?',
      ).run(endedAt, s.id);
      db.prepare("INSERT INTO event (session_id, ts, kind, detail) VALUES (?, ?, 'spool-committed', ?)").run(
        s.id,
        nowMicros(),
        JSON.stringify({
          recoveredFromSpool: frames,
          ...(damage ? { spoolError: damage.error, damagedSpool: damage.keptAt } : {}),
        }),
      );
    }).immediate();
  } catch (err) {
    return deferral(s.id, spool, err, true);
  }
  if (damage) setAside(db, dbPath, s.id, spool, damage, report);
  else retireSpool(db, dbPath, spool);
  return null;
}

/** What waits in a session's spool, not committed yet. */
export interface SpoolBacklog {
  frames: number;
  /** Connections that reach the database only with the backlog. */
  connections: number;
  spool: string;
}

/**
 * What a session's spool still holds past what is committed (a recovery deferred by a full disk or
 * a held lock leaves it there until the database is next opened), or null when nothing waits.
 * Counts whole records only, up to any damage.
 */
export function spoolBacklog(db: Database.Database, dbPath: string, sessionId: number): SpoolBacklog | null {
  const row = db.prepare('SELECT id, spool_path, spool_offset FROM session WHERE id = ?').get(sessionId) as
    { id: number; spool_path: string | null; spool_offset: number } | undefined;
  if (!row || row.spool_path === null) return null;
  const spool = spoolOf(dbPath, row);
  if (spool === null || !existsSync(spool)) return null;
  let frames = 0;
  let connections = 0;
  const fd = openSync(spool, 'r');
  try {
    readSpool(fd, row.spool_offset, statSync(spool).size, {
      frame: () => void frames++,
      message: (m) => void (m.type === 'connection' && connections++),
    });
  } catch (err) {
    if (!(err instanceof SpoolDamagedError)) throw err;
  } finally {
    closeSync(fd);
  }
  return frames + connections > 0 ? { frames, connections, spool } : null;
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
