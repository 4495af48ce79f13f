// Tables: event
// The event table: lifecycle and diagnostic events of a session.
import type Database from 'better-sqlite3';
import type { SessionEvent } from '../../../shared/contract.js';
import { formatMicros } from '../../../shared/time.js';

export interface EventRow {
  ts: number;
  connection_id: number | null;
  kind: string;
  detail: string;
}

/** The rows of a session's events in order (their detail as stored, JSON). */
export function eventRows(db: Database.Database, sessionId: number): EventRow[] {
  return db
    .prepare('SELECT ts, connection_id, kind, detail FROM event WHERE session_id = ? ORDER BY ts, id')
    .all(sessionId) as EventRow[];
}

/** The detail (JSON as stored) of a session's last event of a kind, or undefined when it has none. */
export function lastEventDetail(db: Database.Database, sessionId: number, kind: string): string | undefined {
  const row = db
    .prepare('SELECT detail FROM event WHERE session_id = ? AND kind = ? ORDER BY id DESC LIMIT 1')
    .get(sessionId, kind) as { detail: string } | undefined;
  return row?.detail;
}

export function listEvents(db: Database.Database, sessionId: number): SessionEvent[] {
  return eventRows(db, sessionId).map((r) => ({
    ts: formatMicros(r.ts),
    connection: r.connection_id,
    kind: r.kind,
    detail: JSON.parse(r.detail),
  }));
}
