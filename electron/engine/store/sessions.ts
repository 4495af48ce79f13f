// The session table: one capture (or import, replay, mock run, probe) and its lifecycle.
import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import type { SessionKind, SessionStatus, SessionSummary } from '../../../shared/model.js';
import { formatMicros } from '../../../shared/time.js';

export interface SessionRow {
  id: number;
  name: string;
  kind: SessionKind;
  target: string;
  settings: string;
  status: SessionStatus;
  created_at: number;
  ended_at: number | null;
  incident_id: number | null;
  writer_pid: number | null;
  writer_host: string | null;
  spool_path: string | null;
  spool_offset: number;
}

export interface NewSession {
  name: string;
  kind: SessionKind;
  target: string;
  settings: unknown;
  createdAt: number;
}

/** Creates a live session owned by this process; returns its id. */
export function createSession(db: Database.Database, s: NewSession): number {
  const info = db
    .prepare(
      `INSERT INTO session (name, kind, target, settings, status, created_at, writer_pid, writer_host)
       VALUES (?, ?, ?, ?, 'live', ?, ?, ?)`,
    )
    .run(s.name, s.kind, s.target, JSON.stringify(s.settings), s.createdAt, process.pid, hostname());
  return Number(info.lastInsertRowid);
}

export function setSpoolPath(db: Database.Database, id: number, path: string): void {
  db.prepare('UPDATE session SET spool_path = ?, spool_offset = 0 WHERE id = ?').run(path, id);
}

/** Ends a session that its writer finished committing. */
export function completeSession(db: Database.Database, id: number, endedAt: number): void {
  db.prepare(
    `UPDATE session SET status = 'complete', ended_at = ?, writer_pid = NULL, writer_host = NULL, spool_path = NULL
     WHERE id = ?`,
  ).run(endedAt, id);
}

export function getSessionRow(db: Database.Database, id: number): SessionRow | undefined {
  return db.prepare('SELECT * FROM session WHERE id = ?').get(id) as SessionRow | undefined;
}

const SUMMARY_SQL = `
  SELECT s.id, s.name, s.kind, s.target, s.status, s.created_at, s.ended_at,
         coalesce((SELECT sum(c.frames) FROM connection c WHERE c.session_id = s.id), 0) AS frames
  FROM session s`;

interface SummaryRow {
  id: number;
  name: string;
  kind: SessionKind;
  target: string;
  status: SessionStatus;
  created_at: number;
  ended_at: number | null;
  frames: number;
}

function fromSummaryRow(r: SummaryRow): SessionSummary {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    target: r.target,
    status: r.status,
    createdAt: formatMicros(r.created_at),
    endedAt: r.ended_at === null ? null : formatMicros(r.ended_at),
    frames: r.frames,
  };
}

/** Every session, newest first. */
export function listSessions(db: Database.Database): SessionSummary[] {
  return (db.prepare(`${SUMMARY_SQL} ORDER BY s.id DESC`).all() as SummaryRow[]).map(fromSummaryRow);
}

export function getSession(db: Database.Database, id: number): SessionSummary | undefined {
  const row = db.prepare(`${SUMMARY_SQL} WHERE s.id = ?`).get(id) as SummaryRow | undefined;
  return row && fromSummaryRow(row);
}
