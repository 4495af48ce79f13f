// Tables: session, connection
// The session row as its recorder keeps it: created live by the process that records it (with
// where its spool and its recorder's lock are), and completed by the writer thread once everything
// it spooled is committed. The store layer writes these columns itself — the writer thread cannot
// call up into a domain — and the sessions domain (sessions/session-store.ts) reads and edits the
// rest of the row.
import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import type { SessionKind, SessionStatus } from '../../../shared/contract.js';
import type { ProtocolChoice } from '../../../shared/protocols/names.js';

export interface NewSession {
  name: string;
  kind: SessionKind;
  target: string;
  settings: unknown;
  createdAt: number;
  /** The recorded session a replay or a mock run was made from. */
  sourceId?: number;
  /** The protocol the capture was told to speak (`none`: a plain socket); unset: detected when read. */
  protocol?: ProtocolChoice;
}

/** Creates a live session owned by this process; returns its id. */
export function createSession(db: Database.Database, s: NewSession): number {
  const info = db
    .prepare(
      `INSERT INTO session (name, kind, target, settings, status, created_at, writer_pid, writer_host, source_session_id, protocol)
       VALUES (?, ?, ?, ?, 'live', ?, ?, ?, ?, ?)`,
    )
    .run(
      s.name,
      s.kind,
      s.target,
      JSON.stringify(s.settings),
      s.createdAt,
      process.pid,
      hostname(),
      s.sourceId ?? null,
      s.protocol ?? null,
    );
  return Number(info.lastInsertRowid);
}

export function setSpoolPath(db: Database.Database, id: number, path: string): void {
  db.prepare('UPDATE session SET spool_path = ?, spool_offset = 0 WHERE id = ?').run(path, id);
}

/** Records where a live session's spool and its recorder's lock are (relative to the database's folder). */
export function setRecorderFiles(
  db: Database.Database,
  id: number,
  files: { spool: string; lock: string },
): void {
  db.prepare('UPDATE session SET spool_path = ?, writer_lock = ?, spool_offset = 0 WHERE id = ?').run(
    files.spool,
    files.lock,
    id,
  );
}

/**
 * Ends a session that its writer finished committing: `failed` when it attempted connections and
 * none ever opened (refused, DNS, TLS, upgrade refused), `complete` otherwise.
 */
export function completeSession(db: Database.Database, id: number, endedAt: number): void {
  db.prepare(
    `UPDATE session SET
       status = CASE
         WHEN EXISTS (SELECT 1 FROM connection c WHERE c.session_id = session.id)
          AND NOT EXISTS (SELECT 1 FROM connection c WHERE c.session_id = session.id AND c.opened_at IS NOT NULL)
         THEN 'failed' ELSE 'complete' END,
       ended_at = ?, writer_pid = NULL, writer_host = NULL, writer_lock = NULL, spool_path = NULL
     WHERE id = ?`,
  ).run(endedAt, id);
}

/** A session's status, or undefined when it is not there (any more). */
export function sessionStatus(db: Database.Database, id: number): SessionStatus | undefined {
  const row = db.prepare('SELECT status FROM session WHERE id = ?').get(id) as
    { status: SessionStatus } | undefined;
  return row?.status;
}
