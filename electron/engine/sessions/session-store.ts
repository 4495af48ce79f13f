// The session table: one capture (or import, replay, mock run, probe) and its lifecycle.
import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import type { SessionKind, SessionStatus, SessionSummary } from '../../../shared/contract.js';
import { formatMicros } from '../../../shared/time.js';
import { InputError } from '../errors.js';

export interface SessionRow {
  id: number;
  name: string;
  kind: SessionKind;
  target: string;
  settings: string;
  status: SessionStatus;
  created_at: number;
  ended_at: number | null;
  writer_pid: number | null;
  writer_host: string | null;
  writer_lock: string | null;
  spool_path: string | null;
  spool_offset: number;
  source_session_id: number | null;
}

export interface NewSession {
  name: string;
  kind: SessionKind;
  target: string;
  settings: unknown;
  createdAt: number;
  /** The recorded session a replay or a mock run was made from. */
  sourceId?: number;
}

/** Creates a live session owned by this process; returns its id. */
export function createSession(db: Database.Database, s: NewSession): number {
  const info = db
    .prepare(
      `INSERT INTO session (name, kind, target, settings, status, created_at, writer_pid, writer_host, source_session_id)
       VALUES (?, ?, ?, ?, 'live', ?, ?, ?, ?)`,
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

export function getSessionRow(db: Database.Database, id: number): SessionRow | undefined {
  return db.prepare('SELECT * FROM session WHERE id = ?').get(id) as SessionRow | undefined;
}

const SUMMARY_SQL = `
  SELECT s.id, s.name, s.kind, s.target, s.status, s.created_at, s.ended_at, s.source_session_id,
         (SELECT min(i.incident_id) FROM incident_session i WHERE i.session_id = s.id) AS incident_id,
         coalesce((SELECT sum(c.frames) FROM connection c WHERE c.session_id = s.id), 0) AS frames,
         (SELECT json_group_array(tag) FROM (SELECT tag FROM session_tag t WHERE t.session_id = s.id ORDER BY tag)) AS tags,
         (SELECT json_group_object(outcome, n) FROM (
            SELECT coalesce(CAST(c.close_code AS TEXT), c.error_kind,
                            CASE WHEN c.closed_at IS NULL THEN 'open' ELSE 'none' END) AS outcome,
                   count(*) AS n
            FROM connection c WHERE c.session_id = s.id GROUP BY outcome)) AS outcomes,
         (SELECT json_object('critical', coalesce(sum(f.severity = 'critical'), 0),
                             'warning', coalesce(sum(f.severity = 'warning'), 0),
                             'info', coalesce(sum(f.severity = 'info'), 0))
            FROM finding f WHERE f.session_id = s.id AND f.replaced_at IS NULL
             AND f.created_at = (SELECT max(g.created_at) FROM finding g
                                 WHERE g.session_id = s.id AND g.replaced_at IS NULL)) AS findings
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
  tags: string;
  incident_id: number | null;
  outcomes: string;
  findings: string;
  source_session_id: number | null;
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
    tags: JSON.parse(r.tags) as string[],
    incidentId: r.incident_id,
    outcomes: JSON.parse(r.outcomes) as Record<string, number>,
    findings: JSON.parse(r.findings) as SessionSummary['findings'],
    sourceId: r.source_session_id,
  };
}

export interface SessionFilter {
  /** Words matched against the name, the target and the tags. */
  query?: string;
  status?: SessionStatus;
  kind?: SessionKind;
  incidentId?: number;
  /** Created in this range, epoch microseconds, inclusive. */
  fromTs?: number;
  toTs?: number;
}

/** Sessions matching a filter, newest first. */
export function listSessions(db: Database.Database, filter: SessionFilter = {}): SessionSummary[] {
  const where: string[] = [];
  const params: unknown[] = [];
  for (const word of (filter.query ?? '').split(/\s+/).filter(Boolean)) {
    const like = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(
      "(s.name LIKE ? ESCAPE '\\' OR s.target LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM session_tag t WHERE t.session_id = s.id AND t.tag LIKE ? ESCAPE '\\'))",
    );
    params.push(like, like, like);
  }
  if (filter.status) {
    where.push('s.status = ?');
    params.push(filter.status);
  }
  if (filter.kind) {
    where.push('s.kind = ?');
    params.push(filter.kind);
  }
  if (filter.incidentId !== undefined) {
    where.push('EXISTS (SELECT 1 FROM incident_session i WHERE i.session_id = s.id AND i.incident_id = ?)');
    params.push(filter.incidentId);
  }
  if (filter.fromTs !== undefined) {
    where.push('s.created_at >= ?');
    params.push(filter.fromTs);
  }
  if (filter.toTs !== undefined) {
    where.push('s.created_at <= ?');
    params.push(filter.toTs);
  }
  const sql = `${SUMMARY_SQL} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY s.id DESC`;
  return (db.prepare(sql).all(...params) as SummaryRow[]).map(fromSummaryRow);
}

export function renameSession(db: Database.Database, id: number, name: string): boolean {
  return db.prepare('UPDATE session SET name = ? WHERE id = ?').run(name, id).changes === 1;
}

/** Replaces a session's tags. */
export function setSessionTags(db: Database.Database, id: number, tags: string[]): void {
  db.transaction(() => {
    db.prepare('DELETE FROM session_tag WHERE session_id = ?').run(id);
    const insert = db.prepare('INSERT OR IGNORE INTO session_tag (session_id, tag) VALUES (?, ?)');
    for (const tag of tags) insert.run(id, tag);
  })();
}

/** Deletes a finished session with its connections, frames, events and index entries. */
export function deleteSession(db: Database.Database, id: number): boolean {
  return db.transaction(() => {
    const row = db.prepare('SELECT status, writer_pid, writer_host FROM session WHERE id = ?').get(id) as
      { status: SessionStatus; writer_pid: number | null; writer_host: string | null } | undefined;
    if (!row) return false;
    if (row.status === 'live') {
      const who =
        row.writer_host === null ? '' : ` (by process ${row.writer_pid ?? '?'} on ${row.writer_host})`;
      throw new InputError(
        `session ${id} is still being captured${who}; stop it before deleting it (if that capture no longer runs, as in a database copied from another machine, run "frameline recover" first)`,
      );
    }
    db.prepare('DELETE FROM frame_text WHERE rowid IN (SELECT id FROM frame WHERE session_id = ?)').run(id);
    db.prepare('DELETE FROM session WHERE id = ?').run(id);
    // Frame ids of the deleted tail can be handed out again: make sure the index takes them anew.
    db.prepare(
      "UPDATE store_state SET value = min(value, (SELECT coalesce(max(id), 0) FROM frame)) WHERE key = 'fts_indexed_upto'",
    ).run();
    return true;
  })();
}

export function getSession(db: Database.Database, id: number): SessionSummary | undefined {
  const row = db.prepare(`${SUMMARY_SQL} WHERE s.id = ?`).get(id) as SummaryRow | undefined;
  return row && fromSummaryRow(row);
}
