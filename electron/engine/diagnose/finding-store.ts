// The finding table: what a probe or a diagnosis concluded about a session. A new diagnosis of a
// session replaces the previous one from the same source.
import type Database from 'better-sqlite3';
import type { StoredDiagnosis } from '../../../shared/contract/diagnose.js';
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

/** Replaces the findings `source` recorded for a session. */
export function saveFindings(
  db: Database.Database,
  sessionId: number,
  source: FindingSource,
  findings: readonly Finding[],
  createdAt: number,
): void {
  db.transaction(() => {
    db.prepare('DELETE FROM finding WHERE session_id = ? AND source = ?').run(sessionId, source);
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
      'SELECT finding, severity, summary, evidence FROM finding WHERE session_id = ? AND source = ? ORDER BY id',
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
      'SELECT source, created_at FROM finding WHERE session_id = ? ORDER BY created_at DESC, id DESC LIMIT 1',
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
