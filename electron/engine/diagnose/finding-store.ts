// Tables: finding
// The finding table: each finding once. A probe or a diagnosis concludes findings about a session;
// a walk holds the findings its steps found (the probe's or the diagnosis' own rows, which it takes)
// and those a person recorded at its nodes (rows without a session); the incident's timeline refers
// to them. A new diagnosis of a session replaces the previous one from the same source: the rows no
// walk holds are deleted, those a walk holds stay the walk's, marked replaced. A finding lives as long
// as its session or its walk (the schema lets it go when both have: migration 0150).
import type Database from 'better-sqlite3';
import type { StoredDiagnosis } from '../../../shared/contract/diagnose.js';
import type { WalkFinding } from '../../../shared/contract/incidents.js';
import {
  FINDINGS,
  fixFor,
  runbookRef,
  type Finding,
  type FindingId,
  type Severity,
} from '../../../shared/findings.js';
import { Redactor } from '../../../shared/redaction.js';
import { formatMicros } from '../../../shared/time.js';

export type FindingSource = 'probe' | 'diagnose';

interface FindingRow {
  finding: FindingId;
  severity: Severity;
  summary: string;
  evidence: string;
}

/** A session's findings that count: those no newer probe or diagnosis of it replaced. */
const CURRENT = 'replaced_at IS NULL';

/** Replaces the findings `source` recorded for a session. */
export function saveFindings(
  db: Database.Database,
  sessionId: number,
  source: FindingSource,
  findings: readonly Finding[],
  createdAt: number,
): void {
  db.transaction(() => {
    db.prepare(
      `DELETE FROM finding WHERE session_id = ? AND source = ? AND ${CURRENT} AND walk_id IS NULL`,
    ).run(sessionId, source);
    db.prepare(`UPDATE finding SET replaced_at = ? WHERE session_id = ? AND source = ? AND ${CURRENT}`).run(
      createdAt,
      sessionId,
      source,
    );
    const insert = db.prepare(
      `INSERT INTO finding (session_id, source, finding, severity, summary, evidence, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const f of findings)
      insert.run(sessionId, source, f.id, f.severity, f.summary, JSON.stringify(f.evidence), createdAt);
  })();
}

/**
 * The findings `source` recorded for a session, in the order they were saved. Findings stored before
 * they were redacted where they are made are read back without the endpoint's credentials.
 */
export function listFindings(db: Database.Database, sessionId: number, source: FindingSource): Finding[] {
  const rows = db
    .prepare(
      `SELECT finding, severity, summary, evidence FROM finding
       WHERE session_id = ? AND source = ? AND ${CURRENT} ORDER BY id`,
    )
    .all(sessionId, source) as FindingRow[];
  return rows
    .filter((r) => r.finding in FINDINGS)
    .map((r) => {
      const spec = FINDINGS[r.finding];
      const redactor = new Redactor();
      const evidence = redactor.evidence(JSON.parse(r.evidence)) as Record<string, unknown>;
      return {
        id: r.finding,
        severity: r.severity,
        title: spec.title,
        summary: redactor.prose(r.summary),
        evidence,
        cause: spec.cause,
        fix: fixFor(r.finding, evidence),
        runbook: runbookRef(r.finding),
      };
    });
}

/** The findings of the latest probe or diagnosis of a session, with its time; null when there was none. */
export function latestFindings(db: Database.Database, sessionId: number): StoredDiagnosis | null {
  const last = db
    .prepare(
      `SELECT source, created_at FROM finding WHERE session_id = ? AND ${CURRENT}
       ORDER BY created_at DESC, id DESC LIMIT 1`,
    )
    .get(sessionId) as { source: FindingSource; created_at: number } | undefined;
  if (!last) return null;
  return {
    sessionId,
    source: last.source,
    at: formatMicros(last.created_at),
    findings: listFindings(db, sessionId, last.source),
  };
}

export type SeverityCounts = Record<Severity, number>;

/**
 * The findings of the latest probe or diagnosis of each session, counted by severity (all zero for
 * a session without any); of every session, or of those given.
 */
export function latestSeverityCounts(
  db: Database.Database,
  sessionIds?: readonly number[],
): Map<number, SeverityCounts> {
  const rows = db
    .prepare(
      `SELECT f.session_id AS id, sum(f.severity = 'critical') AS critical, sum(f.severity = 'warning') AS warning,
              sum(f.severity = 'info') AS info
       FROM finding f
       WHERE f.session_id IS NOT NULL AND f.${CURRENT}
         ${sessionIds === undefined ? '' : 'AND f.session_id IN (SELECT value FROM json_each(?))'}
         AND f.created_at = (SELECT max(g.created_at) FROM finding g WHERE g.session_id = f.session_id AND g.${CURRENT})
       GROUP BY f.session_id`,
    )
    .all(...(sessionIds === undefined ? [] : [JSON.stringify(sessionIds)])) as Array<
    SeverityCounts & { id: number }
  >;
  return new Map(rows.map(({ id, critical, warning, info }) => [id, { critical, warning, info }]));
}

// ── the findings of walks ────────────────────────────────────────────────────────────────────────

interface WalkFindingRow {
  id: number;
  finding: string;
  severity: Severity;
  summary: string;
  source: string;
  run_id: number | null;
  attached_at: number;
}

/** The severity the catalogue gives a finding id (an id it does not know: info). */
export function catalogueSeverity(id: string): Severity {
  return (FINDINGS as Record<string, { severity: Severity } | undefined>)[id]?.severity ?? 'info';
}

export interface NewWalkFinding {
  walkId: number;
  /** The run of the walk that found it; null for one recorded by hand. */
  runId: number | null;
  finding: string;
  severity: Severity;
  /** What was seen, in a sentence. */
  summary: string;
  source: string;
  at: number;
}

/** Records a finding held by a walk alone (recorded by hand, or no session's row to take); returns its id. */
export function recordWalkFinding(db: Database.Database, f: NewWalkFinding): number {
  const info = db
    .prepare(
      `INSERT INTO finding (walk_id, run_id, source, finding, severity, summary, created_at, attached_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(f.walkId, f.runId, f.source, f.finding, f.severity, f.summary, f.at, f.at);
  return Number(info.lastInsertRowid);
}

/**
 * Gives a walk the finding a run of it just found in a session: that session's own row (the same
 * finding, summary and source, saved since `since` and held by no walk yet), which the walk then
 * holds. Returns its id, or null when there is no such row.
 */
export function takeSessionFinding(
  db: Database.Database,
  f: {
    sessionId: number;
    finding: string;
    summary: string;
    source: string;
    since: number;
    walkId: number;
    runId: number;
    at: number;
  },
): number | null {
  const row = db
    .prepare(
      `SELECT id FROM finding
       WHERE session_id = ? AND finding = ? AND summary = ? AND source = ? AND created_at >= ?
         AND walk_id IS NULL AND ${CURRENT}
       ORDER BY id LIMIT 1`,
    )
    .get(f.sessionId, f.finding, f.summary, f.source, f.since) as { id: number } | undefined;
  if (!row) return null;
  db.prepare('UPDATE finding SET walk_id = ?, run_id = ?, attached_at = ? WHERE id = ?').run(
    f.walkId,
    f.runId,
    f.at,
    row.id,
  );
  return row.id;
}

/** The findings a walk holds, in the order it took them. */
export function walkFindings(db: Database.Database, walkId: number): WalkFinding[] {
  return (
    db
      .prepare(
        `SELECT id, finding, severity, summary, source, run_id, attached_at FROM finding
         WHERE walk_id = ? ORDER BY attached_at, id`,
      )
      .all(walkId) as WalkFindingRow[]
  ).map((r) => ({
    id: r.finding,
    severity: r.severity,
    evidence: r.summary,
    source: r.source,
    runId: r.run_id,
    at: formatMicros(r.attached_at),
  }));
}

/** Findings by their row id, as the timeline tells them: the finding's id, what was seen, and who found it. */
export function findingsById(
  db: Database.Database,
  ids: readonly number[],
): Map<number, { finding: string; summary: string; source: string }> {
  if (ids.length === 0) return new Map();
  const rows = db
    .prepare('SELECT id, finding, summary, source FROM finding WHERE id IN (SELECT value FROM json_each(?))')
    .all(JSON.stringify(ids)) as Array<{ id: number; finding: string; summary: string; source: string }>;
  return new Map(rows.map(({ id, ...f }) => [id, f]));
}
