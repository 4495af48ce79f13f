// Tables: walk, walk_step, walk_run, walk_check
// The walk tables: a walk of an incident through a runbook (walk), its visits of nodes (walk_step),
// the commands and actions run on the way (walk_run) and the steps checked off (walk_check). The
// findings it holds are rows of the finding table (diagnose/finding-store.ts).
import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import type { Severity } from '../../../shared/findings.js';
import {
  catalogueSeverity,
  recordWalkFinding,
  takeSessionFinding,
  walkFindings,
} from '../diagnose/finding-store.js';
import type { Runbook, RunbookProvenance as Provenance } from '../../../shared/runbooks/schemas.js';
import type {
  RunKind,
  RunStatus,
  WalkFinding,
  WalkRun,
  WalkStatus,
  WalkSummary,
} from '../../../shared/contract/incidents.js';
import { labelTitle } from '../../../shared/runbooks/graph.js';
import { formatMicros } from '../../../shared/time.js';

export interface WalkRow {
  id: number;
  incident_id: number;
  runbook_id: string;
  runbook: string;
  target: string | null;
  direct: string | null;
  status: WalkStatus;
  started_at: number;
  ended_at: number | null;
  /** Where the walk's copy of the runbook came from; null for walks from before it was kept. */
  runbook_provenance: Provenance | null;
  /** The connection profile as JSON, secret values as "***" (walk-profile.ts); null: the URL only. */
  profile: string | null;
}

export interface VisitRow {
  id: number;
  walk_id: number;
  ordinal: number;
  node_id: string;
  entered_at: number;
  left_at: number | null;
  via: 'start' | 'choice' | 'back';
  choice: string | null;
  on_path: number;
}

export interface RunRow {
  id: number;
  walk_id: number;
  visit_id: number | null;
  node_id: string;
  step_index: number;
  kind: RunKind;
  request: string;
  original: string | null;
  status: RunStatus;
  started_at: number;
  ended_at: number | null;
  exit_code: number | null;
  output: string;
  truncated: number;
  output_bytes: number;
  summary: string;
  result: string;
  session_id: number | null;
  owner_pid: number | null;
  owner_host: string | null;
}

export interface NewWalk {
  incidentId: number;
  runbook: Runbook;
  /** Where that runbook came from, kept with the walk's copy of it. */
  provenance: Provenance;
  target: string | null;
  direct: string | null;
  /** The profile column (secret values as "***"). */
  profile: string | null;
  startedAt: number;
}

export function createWalk(db: Database.Database, w: NewWalk): number {
  const info = db
    .prepare(
      `INSERT INTO walk (incident_id, runbook_id, runbook, target, direct, status, started_at, runbook_provenance, profile)
       VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?)`,
    )
    .run(
      w.incidentId,
      w.runbook.id,
      JSON.stringify(w.runbook),
      w.target,
      w.direct,
      w.startedAt,
      w.provenance,
      w.profile,
    );
  return Number(info.lastInsertRowid);
}

/** Replaces a walk's connection profile (secret values as "***"; null: the URL only). */
export function setWalkProfile(db: Database.Database, id: number, profile: string | null): void {
  db.prepare('UPDATE walk SET profile = ? WHERE id = ?').run(profile, id);
}

export function getWalkRow(db: Database.Database, id: number): WalkRow | undefined {
  return db.prepare('SELECT * FROM walk WHERE id = ?').get(id) as WalkRow | undefined;
}

export function setWalkStatus(
  db: Database.Database,
  id: number,
  status: WalkStatus,
  endedAt: number | null,
): void {
  db.prepare('UPDATE walk SET status = ?, ended_at = ? WHERE id = ?').run(status, endedAt, id);
}

/** Walks, newest first; of one incident when given. */
export function listWalks(db: Database.Database, incidentId?: number): WalkSummary[] {
  const rows = db
    .prepare(
      `SELECT w.id, w.incident_id, w.runbook_id, json_extract(w.runbook, '$.title') AS title, w.runbook,
              w.status, w.started_at, w.ended_at,
              (SELECT node_id FROM walk_step s WHERE s.walk_id = w.id AND s.on_path = 1
               ORDER BY s.ordinal DESC LIMIT 1) AS current
       FROM walk w ${incidentId === undefined ? '' : 'WHERE w.incident_id = ?'} ORDER BY w.id DESC`,
    )
    .all(...(incidentId === undefined ? [] : [incidentId])) as Array<
    WalkRow & { title: string; current: string }
  >;
  return rows.map((r) => {
    const runbook = JSON.parse(r.runbook) as Runbook;
    const node = runbook.nodes.find((n) => n.id === r.current);
    return {
      id: r.id,
      incidentId: r.incident_id,
      runbookId: r.runbook_id,
      runbookTitle: r.title,
      status: r.status,
      currentNode: r.current,
      currentLabel: node ? labelTitle(node.label) : r.current,
      startedAt: formatMicros(r.started_at),
      endedAt: r.ended_at === null ? null : formatMicros(r.ended_at),
    };
  });
}

/** Every visit of a walk, in order. */
export function listVisits(db: Database.Database, walkId: number): VisitRow[] {
  return db.prepare('SELECT * FROM walk_step WHERE walk_id = ? ORDER BY ordinal').all(walkId) as VisitRow[];
}

/** The visits from the start to the current node. */
export function pathVisits(db: Database.Database, walkId: number): VisitRow[] {
  return db
    .prepare('SELECT * FROM walk_step WHERE walk_id = ? AND on_path = 1 ORDER BY ordinal')
    .all(walkId) as VisitRow[];
}

/** Records entering a node; returns the visit id. */
export function enterNode(
  db: Database.Database,
  walkId: number,
  node: string,
  via: VisitRow['via'],
  at: number,
): number {
  const info = db
    .prepare(
      `INSERT INTO walk_step (walk_id, ordinal, node_id, entered_at, via)
       VALUES (?, (SELECT coalesce(max(ordinal), 0) + 1 FROM walk_step WHERE walk_id = ?), ?, ?, ?)`,
    )
    .run(walkId, walkId, node, at, via);
  return Number(info.lastInsertRowid);
}

/** Records leaving a visit, by a choice (stays on the path) or by going back (leaves it). */
export function leaveVisit(
  db: Database.Database,
  visitId: number,
  at: number,
  how: { choice: string } | { back: true },
): void {
  if ('choice' in how)
    db.prepare('UPDATE walk_step SET left_at = ?, choice = ? WHERE id = ?').run(at, how.choice, visitId);
  else
    db.prepare('UPDATE walk_step SET left_at = coalesce(left_at, ?), on_path = 0 WHERE id = ?').run(
      at,
      visitId,
    );
}

export interface NewRun {
  walkId: number;
  visitId: number;
  node: string;
  step: number;
  kind: RunKind;
  request: string;
  original: string | null;
  startedAt: number;
}

export function createRun(db: Database.Database, r: NewRun): number {
  const info = db
    .prepare(
      `INSERT INTO walk_run (walk_id, visit_id, node_id, step_index, kind, request, original, status,
                             started_at, owner_pid, owner_host)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)`,
    )
    .run(
      r.walkId,
      r.visitId,
      r.node,
      r.step,
      r.kind,
      r.request,
      r.original,
      r.startedAt,
      process.pid,
      hostname(),
    );
  return Number(info.lastInsertRowid);
}

/**
 * Keeps the session a running action records, as soon as it has one: the write lock taken first
 * (the capture's writer is starting on its own connection).
 */
export function setRunSession(db: Database.Database, id: number, sessionId: number): void {
  const update = db.prepare('UPDATE walk_run SET session_id = ? WHERE id = ?');
  db.transaction(() => update.run(sessionId, id)).immediate();
}

/** Keeps a running command's output so far (a crash then loses at most the last second). */
export function saveRunOutput(
  db: Database.Database,
  id: number,
  output: string,
  truncated: boolean,
  bytes: number,
): void {
  db.prepare('UPDATE walk_run SET output = ?, truncated = ?, output_bytes = ? WHERE id = ?').run(
    output,
    truncated ? 1 : 0,
    bytes,
    id,
  );
}

export interface RunEnd {
  status: Exclude<RunStatus, 'running'>;
  endedAt: number;
  exitCode?: number | null;
  output?: string;
  truncated?: boolean;
  outputBytes?: number;
  summary: string;
  result?: unknown;
  sessionId?: number | null;
}

export function finishRun(db: Database.Database, id: number, end: RunEnd): void {
  db.prepare(
    `UPDATE walk_run SET status = ?, ended_at = ?, exit_code = ?, output = coalesce(?, output),
       truncated = coalesce(?, truncated), output_bytes = coalesce(?, output_bytes), summary = ?,
       result = ?, session_id = coalesce(?, session_id), owner_pid = NULL, owner_host = NULL
     WHERE id = ?`,
  ).run(
    end.status,
    end.endedAt,
    end.exitCode ?? null,
    end.output ?? null,
    end.truncated === undefined ? null : end.truncated ? 1 : 0,
    end.outputBytes ?? null,
    end.summary,
    JSON.stringify(end.result ?? null),
    end.sessionId ?? null,
    id,
  );
}

export function fromRunRow(r: RunRow): WalkRun {
  return {
    id: r.id,
    node: r.node_id,
    step: r.step_index,
    kind: r.kind,
    request: r.request,
    original: r.original,
    status: r.status,
    startedAt: formatMicros(r.started_at),
    endedAt: r.ended_at === null ? null : formatMicros(r.ended_at),
    exitCode: r.exit_code,
    output: r.output,
    truncated: r.truncated === 1,
    outputBytes: r.output_bytes,
    summary: r.summary,
    result: JSON.parse(r.result) as unknown,
    sessionId: r.session_id,
  };
}

export function getRunRow(db: Database.Database, id: number): RunRow | undefined {
  return db.prepare('SELECT * FROM walk_run WHERE id = ?').get(id) as RunRow | undefined;
}

export function listRuns(db: Database.Database, walkId: number): RunRow[] {
  return db.prepare('SELECT * FROM walk_run WHERE walk_id = ? ORDER BY id').all(walkId) as RunRow[];
}

/** Runs still marked running whose process on this host has died: returns them (to mark interrupted). */
export function orphanedRuns(db: Database.Database): RunRow[] {
  const rows = db.prepare("SELECT * FROM walk_run WHERE status = 'running'").all() as RunRow[];
  const host = hostname();
  return rows.filter((r) => {
    if (r.owner_pid === null) return true;
    // Another machine's process (a database on a shared disk) cannot be checked from here.
    if (r.owner_host !== host || r.owner_pid === process.pid) return false;
    try {
      process.kill(r.owner_pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  });
}

/** The newest session a walk's captures and probes recorded (of runs that ended), or undefined. */
export function latestWalkSession(db: Database.Database, walkId: number): number | undefined {
  const row = db
    .prepare(
      `SELECT session_id FROM walk_run
       WHERE walk_id = ? AND session_id IS NOT NULL AND status <> 'running' ORDER BY id DESC LIMIT 1`,
    )
    .get(walkId) as { session_id: number } | undefined;
  return row?.session_id;
}

export interface NewFinding {
  walkId: number;
  finding: string;
  /** What was seen, in a sentence. */
  evidence: string;
  source: string;
  runId: number | null;
  at: number;
  /** How bad; default the catalogue's. */
  severity?: Severity;
  /** The session the run found it in, whose own row of it the walk then takes. */
  sessionId?: number | null;
}

/**
 * Attaches a finding to a walk; returns its row. A finding a run found in a session is that
 * session's own row, which the walk takes; any other (recorded by hand, or a session's finding told
 * again) is a row the walk alone holds.
 */
export function addWalkFinding(db: Database.Database, f: NewFinding): number {
  if (f.runId !== null && f.sessionId !== undefined && f.sessionId !== null) {
    const run = getRunRow(db, f.runId);
    const taken =
      run &&
      takeSessionFinding(db, {
        sessionId: f.sessionId,
        finding: f.finding,
        summary: f.evidence,
        source: f.source,
        since: run.started_at,
        walkId: f.walkId,
        runId: f.runId,
        at: f.at,
      });
    if (taken) return taken;
  }
  return recordWalkFinding(db, {
    walkId: f.walkId,
    runId: f.runId,
    finding: f.finding,
    severity: f.severity ?? catalogueSeverity(f.finding),
    summary: f.evidence,
    source: f.source,
    at: f.at,
  });
}

/** The findings a walk holds, in the order it took them. */
export function listWalkFindings(db: Database.Database, walkId: number): WalkFinding[] {
  return walkFindings(db, walkId);
}

/** Ticks or unticks a step of a node; returns whether that changed anything. */
export function setStepChecked(
  db: Database.Database,
  walkId: number,
  node: string,
  step: number,
  checked: boolean,
  at: number,
): boolean {
  const info = checked
    ? db
        .prepare(
          'INSERT OR IGNORE INTO walk_check (walk_id, node_id, step_index, checked_at) VALUES (?, ?, ?, ?)',
        )
        .run(walkId, node, step, at)
    : db
        .prepare('DELETE FROM walk_check WHERE walk_id = ? AND node_id = ? AND step_index = ?')
        .run(walkId, node, step);
  return info.changes > 0;
}

/** The steps checked off, by node, each list in step order. */
export function checkedSteps(db: Database.Database, walkId: number): Record<string, number[]> {
  const rows = db
    .prepare('SELECT node_id, step_index FROM walk_check WHERE walk_id = ? ORDER BY node_id, step_index')
    .all(walkId) as Array<{ node_id: string; step_index: number }>;
  const byNode: Record<string, number[]> = {};
  for (const r of rows) (byNode[r.node_id] ??= []).push(r.step_index);
  return byNode;
}
