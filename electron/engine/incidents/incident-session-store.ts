// Tables: incident_session
// The incident_session table: the sessions an incident rests on, linked by a walk's action or by
// hand. A session may be evidence for several incidents.
import type Database from 'better-sqlite3';

export interface IncidentSessionRow {
  incident_id: number;
  session_id: number;
  linked_at: number;
  via: 'walk' | 'user';
}

/** Links a session to an incident; false when it already was. */
export function linkSession(
  db: Database.Database,
  incidentId: number,
  sessionId: number,
  via: IncidentSessionRow['via'],
  at: number,
): boolean {
  return (
    db
      .prepare(
        'INSERT OR IGNORE INTO incident_session (incident_id, session_id, linked_at, via) VALUES (?, ?, ?, ?)',
      )
      .run(incidentId, sessionId, at, via).changes === 1
  );
}

/** Unlinks a session from an incident; false when it was not linked. */
export function unlinkSession(db: Database.Database, incidentId: number, sessionId: number): boolean {
  return (
    db
      .prepare('DELETE FROM incident_session WHERE incident_id = ? AND session_id = ?')
      .run(incidentId, sessionId).changes === 1
  );
}

/** The sessions linked to an incident, oldest link first. */
export function linkedSessions(db: Database.Database, incidentId: number): IncidentSessionRow[] {
  return db
    .prepare('SELECT * FROM incident_session WHERE incident_id = ? ORDER BY linked_at, session_id')
    .all(incidentId) as IncidentSessionRow[];
}

/** The newest session linked to an incident, or undefined. */
export function latestLinkedSession(db: Database.Database, incidentId: number): number | undefined {
  const row = db
    .prepare('SELECT max(session_id) AS id FROM incident_session WHERE incident_id = ?')
    .get(incidentId) as { id: number | null };
  return row.id ?? undefined;
}

/** The first incident (the lowest id) each of these sessions is linked to, by session; none for the others. */
export function firstIncidents(db: Database.Database, sessionIds: readonly number[]): Map<number, number> {
  const rows = db
    .prepare(
      `SELECT session_id, min(incident_id) AS incident_id FROM incident_session
       WHERE session_id IN (SELECT value FROM json_each(?)) GROUP BY session_id`,
    )
    .all(JSON.stringify(sessionIds)) as Array<{ session_id: number; incident_id: number }>;
  return new Map(rows.map((r) => [r.session_id, r.incident_id]));
}
