// The incident table: what broke, how bad, and when it was detected, mitigated and resolved.
import type Database from 'better-sqlite3';
import type { Incident, IncidentStatus, IncidentSeverity } from '../../../shared/contract/incidents.js';
import { formatMicros } from '../../../shared/time.js';

export interface IncidentRow {
  id: number;
  title: string;
  severity: IncidentSeverity;
  status: IncidentStatus;
  detected_at: number;
  mitigated_at: number | null;
  resolved_at: number | null;
  summary: string;
  root_cause: string;
  impact: string;
}

export function fromIncidentRow(r: IncidentRow): Incident {
  const iso = (us: number | null) => (us === null ? null : formatMicros(us));
  return {
    id: r.id,
    title: r.title,
    severity: r.severity,
    status: r.status,
    detectedAt: formatMicros(r.detected_at),
    mitigatedAt: iso(r.mitigated_at),
    resolvedAt: iso(r.resolved_at),
    summary: r.summary,
    rootCause: r.root_cause,
    impact: r.impact,
  };
}

export interface NewIncident {
  title: string;
  severity: IncidentSeverity;
  detectedAt: number;
}

/** Creates an open incident; returns its id. */
export function createIncident(db: Database.Database, i: NewIncident): number {
  const info = db
    .prepare(`INSERT INTO incident (title, severity, status, detected_at) VALUES (?, ?, 'open', ?)`)
    .run(i.title, i.severity, i.detectedAt);
  return Number(info.lastInsertRowid);
}

export function getIncident(db: Database.Database, id: number): Incident | undefined {
  const row = db.prepare('SELECT * FROM incident WHERE id = ?').get(id) as IncidentRow | undefined;
  return row && fromIncidentRow(row);
}

/** Incidents, newest first. */
export function listIncidents(db: Database.Database): Incident[] {
  return (db.prepare('SELECT * FROM incident ORDER BY id DESC').all() as IncidentRow[]).map(fromIncidentRow);
}

export interface IncidentChange {
  title?: string;
  severity?: IncidentSeverity;
  status?: IncidentStatus;
  summary?: string;
  rootCause?: string;
  impact?: string;
}

/**
 * Changes an incident. Moving to mitigated or resolved stamps that time once (resolving also stamps
 * mitigation when it was skipped); reopening keeps the stamps as history. Returns false when missing.
 */
export function updateIncident(
  db: Database.Database,
  id: number,
  change: IncidentChange,
  now: number,
): boolean {
  return db.transaction(() => {
    const row = db.prepare('SELECT * FROM incident WHERE id = ?').get(id) as IncidentRow | undefined;
    if (!row) return false;
    const next: IncidentRow = {
      ...row,
      ...(change.title !== undefined ? { title: change.title } : {}),
      ...(change.severity !== undefined ? { severity: change.severity } : {}),
      ...(change.summary !== undefined ? { summary: change.summary } : {}),
      ...(change.rootCause !== undefined ? { root_cause: change.rootCause } : {}),
      ...(change.impact !== undefined ? { impact: change.impact } : {}),
    };
    if (change.status !== undefined) {
      next.status = change.status;
      if (change.status !== 'open') next.mitigated_at ??= now;
      if (change.status === 'resolved') next.resolved_at ??= now;
    }
    db.prepare(
      `UPDATE incident SET title = ?, severity = ?, status = ?, mitigated_at = ?, resolved_at = ?,
         summary = ?, root_cause = ?, impact = ? WHERE id = ?`,
    ).run(
      next.title,
      next.severity,
      next.status,
      next.mitigated_at,
      next.resolved_at,
      next.summary,
      next.root_cause,
      next.impact,
      id,
    );
    return true;
  })();
}

/** Files a session (a capture made during a walk) under an incident. */
export function attachSessionToIncident(db: Database.Database, sessionId: number, incidentId: number): void {
  db.prepare('UPDATE session SET incident_id = ? WHERE id = ?').run(incidentId, sessionId);
}

/** The newest session filed under an incident, or undefined. */
export function latestIncidentSession(db: Database.Database, incidentId: number): number | undefined {
  const row = db
    .prepare('SELECT id FROM session WHERE incident_id = ? ORDER BY id DESC LIMIT 1')
    .get(incidentId) as { id: number } | undefined;
  return row?.id;
}
