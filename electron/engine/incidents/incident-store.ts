// Tables: incident
// The incident table: what broke, how bad, when its impact started and when it was detected,
// acknowledged, mitigated and resolved, who responded, and its post-mortem in words.
import type Database from 'better-sqlite3';
import type { Incident, IncidentSeverity, IncidentStatus } from '../../../shared/contract/incidents.js';
import { formatMicros } from '../../../shared/time.js';
import { PrometheusServerSchema } from '../../../shared/prometheus.js';
import { incidentMetrics } from './metrics.js';

export interface IncidentRow {
  id: number;
  title: string;
  severity: IncidentSeverity;
  status: IncidentStatus;
  impact_started_at: number | null;
  detected_at: number;
  acknowledged_at: number | null;
  mitigated_at: number | null;
  resolved_at: number | null;
  responders: string;
  summary: string;
  impact: string;
  triggered_by: string;
  root_cause: string;
  detection: string;
  resolution: string;
  went_well: string;
  went_wrong: string;
  got_lucky: string;
  /** JSON of the Prometheus server (URL, auth, user, the secret's environment variable), or null. */
  prometheus: string | null;
}

const iso = (us: number | null) => (us === null ? null : formatMicros(us));

export function fromIncidentRow(r: IncidentRow): Incident {
  return {
    id: r.id,
    title: r.title,
    severity: r.severity,
    status: r.status,
    impactStartedAt: iso(r.impact_started_at),
    detectedAt: formatMicros(r.detected_at),
    acknowledgedAt: iso(r.acknowledged_at),
    mitigatedAt: iso(r.mitigated_at),
    resolvedAt: iso(r.resolved_at),
    metrics: incidentMetrics({
      impactStartedAt: r.impact_started_at,
      detectedAt: r.detected_at,
      acknowledgedAt: r.acknowledged_at,
      mitigatedAt: r.mitigated_at,
      resolvedAt: r.resolved_at,
    }),
    responders: JSON.parse(r.responders) as string[],
    summary: r.summary,
    impact: r.impact,
    trigger: r.triggered_by,
    rootCause: r.root_cause,
    detection: r.detection,
    resolution: r.resolution,
    wentWell: r.went_well,
    wentWrong: r.went_wrong,
    gotLucky: r.got_lucky,
    prometheus: r.prometheus === null ? null : PrometheusServerSchema.parse(JSON.parse(r.prometheus)),
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

export function getIncidentRow(db: Database.Database, id: number): IncidentRow | undefined {
  return db.prepare('SELECT * FROM incident WHERE id = ?').get(id) as IncidentRow | undefined;
}

export function getIncident(db: Database.Database, id: number): Incident | undefined {
  const row = getIncidentRow(db, id);
  return row && fromIncidentRow(row);
}

/** Incidents, newest first. */
export function listIncidents(db: Database.Database): Incident[] {
  return (db.prepare('SELECT * FROM incident ORDER BY id DESC').all() as IncidentRow[]).map(fromIncidentRow);
}

/** Every column an update may set, as stored (times in epoch microseconds). */
export type IncidentColumns = Omit<IncidentRow, 'id'>;

/** Writes an incident's columns as given (the caller has merged and checked them). */
export function saveIncident(db: Database.Database, id: number, next: IncidentColumns): void {
  db.prepare(
    `UPDATE incident SET title = @title, severity = @severity, status = @status,
       impact_started_at = @impact_started_at, detected_at = @detected_at, acknowledged_at = @acknowledged_at,
       mitigated_at = @mitigated_at, resolved_at = @resolved_at, responders = @responders,
       summary = @summary, impact = @impact, triggered_by = @triggered_by, root_cause = @root_cause,
       detection = @detection, resolution = @resolution, went_well = @went_well, went_wrong = @went_wrong,
       got_lucky = @got_lucky, prometheus = @prometheus
     WHERE id = @id`,
  ).run({ ...next, id });
}
