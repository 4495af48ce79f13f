// Tables: session, session_tag, connection
// The session table: one capture (or import, replay, mock run, probe) and its lifecycle. Its
// recorder's columns are written by the store layer (store/live-session.ts, re-exported here); a
// session's summary counts its connections here, and asks the incidents and diagnose domains for
// its incident and its findings.
import type Database from 'better-sqlite3';
import type { SessionKind, SessionStatus, SessionSummary } from '../../../shared/contract.js';
import { ProtocolChoiceSchema, type ProtocolChoice } from '../../../shared/protocols/names.js';
import { formatMicros } from '../../../shared/time.js';
import { latestSeverityCounts, type SeverityCounts } from '../diagnose/finding-store.js';
import { InputError } from '../errors.js';
import { firstIncidents, linkedSessions } from '../incidents/incident-session-store.js';
import { forgetSessionText, rewindTextIndex } from '../store/text-index.js';

export {
  completeSession,
  createSession,
  setRecorderFiles,
  setSpoolPath,
  type NewSession,
} from '../store/live-session.js';

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
  protocol: string | null;
}

export function getSessionRow(db: Database.Database, id: number): SessionRow | undefined {
  return db.prepare('SELECT * FROM session WHERE id = ?').get(id) as SessionRow | undefined;
}

/**
 * The protocol a session's capture was told to speak; null when none was chosen (its connections'
 * protocols are detected) or the session is not there. A name this build does not know reads as none chosen.
 */
export function chosenProtocol(db: Database.Database, id: number): ProtocolChoice | null {
  const row = db.prepare('SELECT protocol FROM session WHERE id = ?').get(id) as
    { protocol: string | null } | undefined;
  const parsed = ProtocolChoiceSchema.safeParse(row?.protocol);
  return parsed.success ? parsed.data : null;
}

const SUMMARY_SQL = `
  SELECT s.id, s.name, s.kind, s.target, s.status, s.created_at, s.ended_at, s.source_session_id,
         coalesce((SELECT sum(c.frames) FROM connection c WHERE c.session_id = s.id), 0) AS frames,
         (SELECT json_group_array(tag) FROM (SELECT tag FROM session_tag t WHERE t.session_id = s.id ORDER BY tag)) AS tags,
         (SELECT json_group_object(outcome, n) FROM (
            SELECT coalesce(CAST(c.close_code AS TEXT), c.error_kind,
                            CASE WHEN c.closed_at IS NULL THEN 'open' ELSE 'none' END) AS outcome,
                   count(*) AS n
            FROM connection c WHERE c.session_id = s.id GROUP BY outcome)) AS outcomes
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
  outcomes: string;
  source_session_id: number | null;
}

const NO_FINDINGS: SeverityCounts = { critical: 0, warning: 0, info: 0 };

/** Summaries of session rows: with the incident each is evidence for, and its latest findings. */
function summaries(db: Database.Database, rows: SummaryRow[]): SessionSummary[] {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const incidents = firstIncidents(db, ids);
  const findings = latestSeverityCounts(db, ids);
  return rows.map((r) => fromSummaryRow(r, incidents.get(r.id) ?? null, findings.get(r.id) ?? NO_FINDINGS));
}

function fromSummaryRow(r: SummaryRow, incidentId: number | null, findings: SeverityCounts): SessionSummary {
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
    incidentId,
    outcomes: JSON.parse(r.outcomes) as Record<string, number>,
    findings: { ...findings },
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
    where.push('s.id IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(linkedSessions(db, filter.incidentId).map((l) => l.session_id)));
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
  return summaries(db, db.prepare(sql).all(...params) as SummaryRow[]);
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

/** The finished sessions with this tag and target created before `beforeTs` (epoch µs), oldest first. */
export function taggedSessionsBefore(
  db: Database.Database,
  tag: string,
  target: string,
  beforeTs: number,
): number[] {
  return (
    db
      .prepare(
        `SELECT s.id FROM session s WHERE s.target = ? AND s.created_at < ? AND s.status != 'live'
           AND EXISTS (SELECT 1 FROM session_tag t WHERE t.session_id = s.id AND t.tag = ?) ORDER BY s.id`,
      )
      .all(target, beforeTs, tag) as Array<{ id: number }>
  ).map((r) => r.id);
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
    forgetSessionText(db, id);
    db.prepare('DELETE FROM session WHERE id = ?').run(id);
    // Frame ids of the deleted tail can be handed out again: make sure the index takes them anew.
    rewindTextIndex(db);
    return true;
  })();
}

export function getSession(db: Database.Database, id: number): SessionSummary | undefined {
  const row = db.prepare(`${SUMMARY_SQL} WHERE s.id = ?`).get(id) as SummaryRow | undefined;
  return row && summaries(db, [row])[0];
}
