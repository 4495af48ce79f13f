// Tables: timeline_entry
// The timeline_entry table: what happened during an incident, in order — the report's backbone. An
// entry about a finding refers to the finding's row (diagnose/finding-store.ts) and reads as it.
import type Database from 'better-sqlite3';
import type { TimelineEntry } from '../../../shared/contract/incidents.js';
import { formatMicros } from '../../../shared/time.js';
import { findingsById } from '../diagnose/finding-store.js';

export interface TimelineRow {
  id: number;
  incident_id: number;
  walk_id: number | null;
  ts: number;
  kind: string;
  node_id: string | null;
  run_id: number | null;
  finding_id: number | null;
  /** Null for an entry that reads as the finding it refers to. */
  text: string | null;
  detail: string;
}

interface EntryFields {
  incidentId: number;
  walkId?: number | null;
  ts: number;
  kind: string;
  node?: string | null;
  runId?: number | null;
  detail?: unknown;
}

/** An entry: one line a person reads, or the finding (its row's id) it is about, which reads as it. */
export type NewEntry = EntryFields &
  ({ text: string; findingId?: never } | { findingId: number; text?: never });

/** What a finding says on the timeline. */
type FindingLine = { finding: string; summary: string; source: string };

export function fromTimelineRow(r: TimelineRow, finding?: FindingLine): TimelineEntry {
  const told = r.text === null && finding !== undefined;
  return {
    id: r.id,
    ts: formatMicros(r.ts),
    incidentId: r.incident_id,
    walkId: r.walk_id,
    node: r.node_id,
    runId: r.run_id,
    kind: r.kind,
    text: told ? `finding ${finding.finding}: ${finding.summary}` : (r.text ?? ''),
    detail: told
      ? { finding: finding.finding, evidence: finding.summary, source: finding.source }
      : (JSON.parse(r.detail) as unknown),
  };
}

/** Rows as entries, each about a finding read from that finding's row. */
function entries(db: Database.Database, rows: TimelineRow[]): TimelineEntry[] {
  const findings = findingsById(
    db,
    rows.flatMap((r) => (r.text === null && r.finding_id !== null ? [r.finding_id] : [])),
  );
  return rows.map((r) => fromTimelineRow(r, r.finding_id === null ? undefined : findings.get(r.finding_id)));
}

/** Appends an entry; returns its id. */
export function addEntry(db: Database.Database, e: NewEntry): number {
  const info = db
    .prepare(
      `INSERT INTO timeline_entry (incident_id, walk_id, ts, kind, node_id, run_id, finding_id, text, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      e.incidentId,
      e.walkId ?? null,
      e.ts,
      e.kind,
      e.node ?? null,
      e.runId ?? null,
      e.findingId ?? null,
      e.text ?? null,
      JSON.stringify(e.detail ?? {}),
    );
  return Number(info.lastInsertRowid);
}

/** An incident's timeline in order. */
export function incidentTimeline(db: Database.Database, incidentId: number): TimelineEntry[] {
  return entries(
    db,
    db
      .prepare('SELECT * FROM timeline_entry WHERE incident_id = ? ORDER BY ts, id')
      .all(incidentId) as TimelineRow[],
  );
}

/** One walk's part of the timeline in order. */
export function walkTimeline(db: Database.Database, walkId: number): TimelineEntry[] {
  return entries(
    db,
    db.prepare('SELECT * FROM timeline_entry WHERE walk_id = ? ORDER BY ts, id').all(walkId) as TimelineRow[],
  );
}
