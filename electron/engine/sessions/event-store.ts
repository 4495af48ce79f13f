// The event table: lifecycle and diagnostic events of a session.
import type Database from 'better-sqlite3';
import type { SessionEvent } from '../../../shared/contract.js';
import { formatMicros } from '../../../shared/time.js';

interface EventRow {
  ts: number;
  connection_id: number | null;
  kind: string;
  detail: string;
}

export function listEvents(db: Database.Database, sessionId: number): SessionEvent[] {
  return (
    db
      .prepare('SELECT ts, connection_id, kind, detail FROM event WHERE session_id = ? ORDER BY ts, id')
      .all(sessionId) as EventRow[]
  ).map((r) => ({
    ts: formatMicros(r.ts),
    connection: r.connection_id,
    kind: r.kind,
    detail: JSON.parse(r.detail),
  }));
}
