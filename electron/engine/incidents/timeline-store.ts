// The timeline_entry table: what happened during an incident, in order — the report's backbone.
import type Database from 'better-sqlite3';
import type { TimelineEntry } from '../../../shared/contract/incidents.js';
import { formatMicros } from '../../../shared/time.js';

export interface TimelineRow {
  id: number;
  incident_id: number;
  walk_id: number | null;
  ts: number;
  kind: string;
  node_id: string | null;
  run_id: number | null;
  text: string;
  detail: string;
}

export interface NewEntry {
  incidentId: number;
  walkId?: number | null;
  ts: number;
  kind: string;
  node?: string | null;
  runId?: number | null;
  /** One line a person reads. */
  text: string;
  detail?: unknown;
}

export function fromTimelineRow(r: TimelineRow): TimelineEntry {
  return {
    id: r.id,
    ts: formatMicros(r.ts),
    incidentId: r.incident_id,
    walkId: r.walk_id,
    node: r.node_id,
    runId: r.run_id,
    kind: r.kind,
    text: r.text,
    detail: JSON.parse(r.detail) as unknown,
  };
}

/** Appends an entry; returns its id. */
export function addEntry(db: Database.Database, e: NewEntry): number {
  const info = db
    .prepare(
      `INSERT INTO timeline_entry (incident_id, walk_id, ts, kind, node_id, run_id, text, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      e.incidentId,
      e.walkId ?? null,
      e.ts,
      e.kind,
      e.node ?? null,
      e.runId ?? null,
      e.text,
      JSON.stringify(e.detail ?? {}),
    );
  return Number(info.lastInsertRowid);
}

/** An incident's timeline in order. */
export function incidentTimeline(db: Database.Database, incidentId: number): TimelineEntry[] {
  return (
    db
      .prepare('SELECT * FROM timeline_entry WHERE incident_id = ? ORDER BY ts, id')
      .all(incidentId) as TimelineRow[]
  ).map(fromTimelineRow);
}

/** One walk's part of the timeline in order. */
export function walkTimeline(db: Database.Database, walkId: number): TimelineEntry[] {
  return (
    db.prepare('SELECT * FROM timeline_entry WHERE walk_id = ? ORDER BY ts, id').all(walkId) as TimelineRow[]
  ).map(fromTimelineRow);
}
