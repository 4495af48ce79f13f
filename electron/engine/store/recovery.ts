// Crash recovery: a session still marked live whose writing process is gone was interrupted. Its
// spool still holds every frame the capture received but had not committed: replay it, close the
// books on its connections, and mark it interrupted.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import { nowMicros } from '../clock.js';
import { SpoolApplier } from './spool-apply.js';

interface LiveRow {
  id: number;
  writer_pid: number | null;
  writer_host: string | null;
  spool_path: string | null;
  spool_offset: number;
  created_at: number;
}

/** True when the process that writes a live session is still running on this machine. */
export function writerAlive(pid: number | null, host: string | null): boolean {
  if (pid === null) return false;
  if (host !== null && host !== hostname()) return true; // another machine's writer: not ours to judge
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Marks every orphaned live session interrupted after committing what its spool still holds. */
export function recoverOrphanedSessions(db: Database.Database, _dbPath?: string): number[] {
  const live = db
    .prepare(
      "SELECT id, writer_pid, writer_host, spool_path, spool_offset, created_at FROM session WHERE status = 'live'",
    )
    .all() as LiveRow[];
  const recovered: number[] = [];
  for (const s of live) {
    if (writerAlive(s.writer_pid, s.writer_host)) continue;
    let spooled = 0;
    let spoolError: string | null = null;
    if (s.spool_path !== null && existsSync(s.spool_path)) {
      const applier = new SpoolApplier(db, s.id, s.spool_path, s.spool_offset);
      try {
        spooled = applier.applyUpTo();
      } catch (err) {
        // A damaged spool must not lock the user out of their database: keep what was committed,
        // keep the spool file for forensics, and say so in the session's events.
        spoolError = (err as Error).message;
        renameSync(s.spool_path, `${s.spool_path}.damaged`);
      } finally {
        applier.close();
      }
    }
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
           spool_path = NULL WHERE id = ?`,
      ).run(endedAt, s.id);
      db.prepare(
        "INSERT INTO event (session_id, ts, kind, detail) VALUES (?, ?, 'session-interrupted', ?)",
      ).run(
        s.id,
        nowMicros(),
        JSON.stringify({
          recoveredFromSpool: spooled,
          pid: s.writer_pid,
          ...(spoolError ? { spoolError, damagedSpool: `${s.spool_path}.damaged` } : {}),
        }),
      );
    })();
    if (s.spool_path !== null) rmSync(s.spool_path, { force: true });
    recovered.push(s.id);
  }
  return recovered;
}
