// Migration 0150 on a copy of the schema before it: a finding a walk's probe or diagnose step copied
// into walk_finding (without its severity) and into the timeline becomes the one row the probe or the
// diagnosis made, referred to by the walk and the timeline; the walk's other findings (by hand, or
// whose session row is gone) move over with the severity of the catalogue. What the walk, the
// sessions and the timeline say is the same as before, the walk's findings now with their severity.
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../../../../shared/contract/incidents.js';
import { FINDINGS, type FindingId } from '../../../../shared/findings.js';
import { builtinRunbooks } from '../../../../shared/runbooks/builtin/index.js';
import { formatMicros } from '../../../../shared/time.js';
import { RedactionSchema } from '../../../../shared/contract/fields.js';
import { latestFindings } from '../../../../electron/engine/diagnose/finding-store.js';
import { buildReport } from '../../../../electron/engine/reports/report.js';
import { WalkEngine } from '../../../../electron/engine/incidents/walk.js';
import { listSessions } from '../../../../electron/engine/sessions/session-store.js';
import { openStore, type Db } from '../../../../electron/engine/store/database.js';
import { schemaBefore, tempDir, type TempDir } from './helpers.js';

/** The catalogue as migration 0150 knew it: later ids cannot be in a database it migrates. */
const FINDING_IDS = [
  'server-unreachable',
  'tls-error',
  'mixed-content',
  'upgrade-rejected',
  'proxy-missing-upgrade',
  'origin-rejected',
  'idle-timeout',
  'no-heartbeat',
  'heartbeat-timeout',
  'ping-flood',
  'abnormal-closure',
  'server-close',
  'reconnect-storm',
  'high-latency',
  'no-messages',
  'proxy-buffering',
  'protocol-violation',
] as const;

const s = (seconds: number) => seconds * 1_000_000;

/** A database with every migration before 0150, as the previous build left it. */
function previousSchema(path: string): Database.Database {
  const old = schemaBefore(path, 150);
  return old;
}

interface OldWalkFinding {
  walk: number;
  finding: string;
  evidence: string;
  source: string;
  run: number | null;
  at: number;
}

/** What the previous build wrote for a finding of a walk: its walk_finding row and its timeline entry. */
function oldWalkFinding(old: Database.Database, f: OldWalkFinding): void {
  old
    .prepare(
      'INSERT INTO walk_finding (walk_id, finding_id, evidence, source, run_id, at) VALUES (?, ?, ?, ?, ?, ?)',
    )
    .run(f.walk, f.finding, f.evidence, f.source, f.run, f.at);
  old
    .prepare(
      `INSERT INTO timeline_entry (incident_id, walk_id, ts, kind, node_id, run_id, text, detail)
       VALUES (1, ?, ?, 'finding', 'SCOPE', ?, ?, ?)`,
    )
    .run(
      f.walk,
      f.at,
      f.run,
      `finding ${f.finding}: ${f.evidence}`,
      JSON.stringify({ finding: f.finding, evidence: f.evidence, source: f.source }),
    );
}

/** The timeline as the previous build read it (timeline-store's fromTimelineRow of the day). */
function oldTimeline(old: Database.Database, walkId: number): TimelineEntry[] {
  return (
    old.prepare('SELECT * FROM timeline_entry WHERE walk_id = ? ORDER BY ts, id').all(walkId) as Array<{
      id: number;
      incident_id: number;
      walk_id: number | null;
      ts: number;
      kind: string;
      node_id: string | null;
      run_id: number | null;
      text: string;
      detail: string;
    }>
  ).map((r) => ({
    id: r.id,
    ts: formatMicros(r.ts),
    incidentId: r.incident_id,
    walkId: r.walk_id,
    node: r.node_id,
    runId: r.run_id,
    kind: r.kind,
    text: r.text,
    detail: JSON.parse(r.detail) as unknown,
  }));
}

/**
 * Sessions with findings (a probe's, two diagnoses'), a walk whose probe and diagnose steps copied
 * some of them, one whose session's findings were replaced since, findings recorded by hand (one of
 * an id the catalogue does not know), and a diagnosis of the probe's session re-telling its findings.
 */
function fill(old: Database.Database): void {
  const session = old.prepare(
    "INSERT INTO session (id, name, kind, target, status, created_at) VALUES (?, ?, ?, 'ws://x/', 'complete', ?)",
  );
  session.run(1, 'probe', 'probe', s(1));
  session.run(2, 'capture', 'capture', s(1.5));
  session.run(3, 'other', 'capture', s(1.2));
  const finding = old.prepare(
    `INSERT INTO finding (id, session_id, source, finding, severity, summary, evidence, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // A rule's own severity, not the catalogue's (which says warning).
  finding.run(1, 1, 'probe', 'no-heartbeat', 'info', 'No ping.', '{"idleSeconds":3}', s(3));
  finding.run(2, 1, 'probe', 'server-close', 'warning', 'Closed A.', '{"code":1011}', s(3));
  finding.run(3, 1, 'probe', 'server-close', 'warning', 'Closed B.', '{"code":1011}', s(3));
  finding.run(4, 2, 'diagnose', 'server-close', 'info', 'Closed 2.', '{}', s(5));
  finding.run(5, 3, 'diagnose', 'abnormal-closure', 'critical', 'Dropped.', '{}', s(1.3));

  old
    .prepare(
      "INSERT INTO incident (id, title, severity, status, detected_at) VALUES (1, 'Drops', 'P1', 'open', ?)",
    )
    .run(s(1));
  const runbook = builtinRunbooks().find((r) => r.id === 'ws-3am')!;
  const walk = old.prepare(
    "INSERT INTO walk (id, incident_id, runbook_id, runbook, status, started_at, runbook_provenance) VALUES (?, 1, 'ws-3am', ?, 'active', ?, 'builtin')",
  );
  walk.run(1, JSON.stringify(runbook), s(1.8));
  walk.run(2, JSON.stringify(runbook), s(1.9));
  const visit = old.prepare(
    'INSERT INTO walk_step (id, walk_id, ordinal, node_id, entered_at, left_at, via, choice) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  visit.run(1, 1, 1, 'ALERT', s(1.8), s(1.9), 'start', 'next');
  visit.run(2, 1, 2, 'SCOPE', s(1.9), null, 'choice', null);
  visit.run(3, 2, 1, 'ALERT', s(1.9), null, 'start', null);
  old
    .prepare(
      "INSERT INTO timeline_entry (incident_id, walk_id, ts, kind, node_id, text) VALUES (1, 1, ?, 'walk-started', NULL, 'walk 1 started')",
    )
    .run(s(1.8));
  const run = old.prepare(
    `INSERT INTO walk_run (id, walk_id, visit_id, node_id, step_index, kind, request, status, started_at,
                           ended_at, summary, result, session_id)
     VALUES (?, 1, 2, 'SCOPE', 1, ?, ?, 'ok', ?, ?, '', ?, ?)`,
  );
  run.run(1, 'probe', '{"kind":"probe"}', s(2), s(3.5), '{"sessionId":1,"findings":[]}', 1);
  // A diagnosis whose findings were replaced by the next one (their rows are gone).
  run.run(3, 'diagnose', '{"kind":"diagnose"}', s(3.6), s(3.7), '{"sessionId":2}', null);
  run.run(2, 'diagnose', '{"kind":"diagnose"}', s(4), s(5.5), '{"sessionId":2,"findings":[]}', null);
  // A diagnosis of the probe's session, which answers the probe's stored findings.
  run.run(4, 'diagnose', '{"kind":"diagnose","session":1}', s(7), s(7.1), '{"sessionId":1}', null);

  const copies: OldWalkFinding[] = [
    { walk: 1, finding: 'no-heartbeat', evidence: 'No ping.', source: 'probe', run: 1, at: s(3.5) },
    { walk: 1, finding: 'server-close', evidence: 'Closed A.', source: 'probe', run: 1, at: s(3.5) },
    { walk: 1, finding: 'server-close', evidence: 'Closed B.', source: 'probe', run: 1, at: s(3.5) },
    { walk: 1, finding: 'abnormal-closure', evidence: 'gone since', source: 'diagnose', run: 3, at: s(3.7) },
    { walk: 1, finding: 'server-close', evidence: 'Closed 2.', source: 'diagnose', run: 2, at: s(5.5) },
    {
      walk: 1,
      finding: 'idle-timeout',
      evidence: 'seen by the engineer',
      source: 'user',
      run: null,
      at: s(6),
    },
    { walk: 1, finding: 'made-up-thing', evidence: 'a hunch', source: 'user', run: null, at: s(6.5) },
    { walk: 1, finding: 'no-heartbeat', evidence: 'No ping.', source: 'diagnose', run: 4, at: s(7.1) },
  ];
  for (const c of copies) oldWalkFinding(old, c);
  // Walk 2: every id of the catalogue, recorded by hand.
  FINDING_IDS.forEach((id, i) =>
    oldWalkFinding(old, {
      walk: 2,
      finding: id,
      evidence: 'by hand',
      source: 'user',
      run: null,
      at: s(8 + i),
    }),
  );
}

interface Row {
  id: number;
  session_id: number | null;
  walk_id: number | null;
  run_id: number | null;
  finding: string;
  severity: string;
}

const rowsOf = (db: Db): Row[] =>
  db
    .prepare('SELECT id, session_id, walk_id, run_id, finding, severity FROM finding ORDER BY id')
    .all() as Row[];

function migrated(dir: TempDir): {
  db: Db;
  before: { 1: TimelineEntry[]; 2: TimelineEntry[] };
  path: string;
} {
  const path = dir.file('before.db');
  const old = previousSchema(path);
  fill(old);
  const before = { 1: oldTimeline(old, 1), 2: oldTimeline(old, 2) };
  old.close();
  return { db: openStore(path), before, path };
}

describe('migration 0150 (findings stored once)', () => {
  it('makes the copies of a walk one row with the finding, and moves the others over with their severity', async () => {
    const dir = tempDir('frameline-migrate-0150-');
    try {
      const { db, before, path } = migrated(dir);
      const walks = new WalkEngine({ db, dbPath: path });
      try {
        expect(
          db.prepare("SELECT name FROM sqlite_master WHERE name = 'walk_finding'").pluck().all(),
        ).toEqual([]);

        const at = (sec: number) => formatMicros(s(sec));
        const catalogue = (id: string) => FINDINGS[id as FindingId].severity;
        expect(walks.view(1).findings).toEqual([
          {
            id: 'no-heartbeat',
            severity: 'info',
            evidence: 'No ping.',
            source: 'probe',
            runId: 1,
            at: at(3.5),
          },
          {
            id: 'server-close',
            severity: 'warning',
            evidence: 'Closed A.',
            source: 'probe',
            runId: 1,
            at: at(3.5),
          },
          {
            id: 'server-close',
            severity: 'warning',
            evidence: 'Closed B.',
            source: 'probe',
            runId: 1,
            at: at(3.5),
          },
          {
            id: 'abnormal-closure',
            severity: catalogue('abnormal-closure'),
            evidence: 'gone since',
            source: 'diagnose',
            runId: 3,
            at: at(3.7),
          },
          {
            id: 'server-close',
            severity: 'info',
            evidence: 'Closed 2.',
            source: 'diagnose',
            runId: 2,
            at: at(5.5),
          },
          {
            id: 'idle-timeout',
            severity: catalogue('idle-timeout'),
            evidence: 'seen by the engineer',
            source: 'user',
            runId: null,
            at: at(6),
          },
          {
            id: 'made-up-thing',
            severity: 'info',
            evidence: 'a hunch',
            source: 'user',
            runId: null,
            at: at(6.5),
          },
          {
            id: 'no-heartbeat',
            severity: catalogue('no-heartbeat'),
            evidence: 'No ping.',
            source: 'diagnose',
            runId: 4,
            at: at(7.1),
          },
        ]);
        expect(walks.view(2).findings.map((f) => [f.id, f.severity])).toEqual(
          FINDING_IDS.map((id) => [id, catalogue(id)]),
        );

        // The copies are gone: the probe's and the diagnosis' own rows are the walk's.
        const rows = rowsOf(db);
        expect(rows.filter((r) => r.id <= 5)).toEqual([
          { id: 1, session_id: 1, walk_id: 1, run_id: 1, finding: 'no-heartbeat', severity: 'info' },
          { id: 2, session_id: 1, walk_id: 1, run_id: 1, finding: 'server-close', severity: 'warning' },
          { id: 3, session_id: 1, walk_id: 1, run_id: 1, finding: 'server-close', severity: 'warning' },
          { id: 4, session_id: 2, walk_id: 1, run_id: 2, finding: 'server-close', severity: 'info' },
          {
            id: 5,
            session_id: 3,
            walk_id: null,
            run_id: null,
            finding: 'abnormal-closure',
            severity: 'critical',
          },
        ]);
        expect(rows).toHaveLength(5 + 4 + FINDING_IDS.length);
        expect(rows.filter((r) => r.id > 5).every((r) => r.session_id === null)).toBe(true);

        // The timelines read as before, each finding's sentence now from its row.
        expect(walks.view(1).timeline).toEqual(before[1]);
        expect(walks.view(2).timeline).toEqual(before[2]);
        expect(walks.incidents.detail(1).timeline).toEqual(
          [...before[1], ...before[2]].sort((a, b) => a.ts.localeCompare(b.ts) || a.id - b.id),
        );
        expect(
          db
            .prepare("SELECT count(*) FROM timeline_entry WHERE kind = 'finding' AND text IS NULL")
            .pluck()
            .get(),
        ).toBe(8 + FINDING_IDS.length);

        // The sessions say what they said.
        expect(latestFindings(db, 1)!.findings.map((f) => [f.id, f.severity, f.summary])).toEqual([
          ['no-heartbeat', 'info', 'No ping.'],
          ['server-close', 'warning', 'Closed A.'],
          ['server-close', 'warning', 'Closed B.'],
        ]);
        expect(latestFindings(db, 2)).toMatchObject({ source: 'diagnose', at: formatMicros(s(5)) });
        expect(
          listSessions(db)
            .map((x) => [x.id, x.findings])
            .sort(),
        ).toEqual([
          [1, { critical: 0, warning: 2, info: 1 }],
          [2, { critical: 0, warning: 0, info: 1 }],
          [3, { critical: 1, warning: 0, info: 0 }],
        ]);

        // The report says a walk's finding with the severity it was found with (the catalogue's
        // before, which had no other), the rest as before.
        const report = await buildReport(
          { ctx: { db, dbPath: path, push: () => {} }, walks, version: 'test' },
          1,
          RedactionSchema.parse({}),
        );
        expect(report.findings.map((f) => [f.id, f.severity, f.source, f.summary, f.at])).toEqual([
          ['no-heartbeat', 'info', 'walk', 'No ping.', at(3.5)],
          ['server-close', 'warning', 'walk', 'Closed A.', at(3.5)],
          ['abnormal-closure', catalogue('abnormal-closure'), 'walk', 'gone since', at(3.7)],
          ['idle-timeout', catalogue('idle-timeout'), 'walk', 'seen by the engineer', at(6)],
          ...FINDING_IDS.filter(
            (id) => !['no-heartbeat', 'server-close', 'abnormal-closure', 'idle-timeout'].includes(id),
          ).map((id) => [id, catalogue(id), 'walk', 'by hand', expect.any(String)]),
        ]);
      } finally {
        await walks.close();
        db.close();
      }
    } finally {
      dir.remove();
    }
  });

  it('keeps a finding while its session or its walk is there, as each table kept its own before', async () => {
    const dir = tempDir('frameline-migrate-0150-');
    try {
      const { db, path } = migrated(dir);
      const walks = new WalkEngine({ db, dbPath: path });
      try {
        const walkBefore = walks.view(1);
        const ids = () => rowsOf(db).map((r) => r.id);

        // A session deleted: its findings that no walk holds go with it; the walk's stay, the walk
        // and the timeline saying what they said.
        db.prepare('DELETE FROM session WHERE id IN (1, 3)').run();
        expect(ids()).not.toContain(5);
        expect(rowsOf(db).filter((r) => r.id <= 3)).toEqual([
          expect.objectContaining({ id: 1, session_id: null, walk_id: 1 }),
          expect.objectContaining({ id: 2, session_id: null, walk_id: 1 }),
          expect.objectContaining({ id: 3, session_id: null, walk_id: 1 }),
        ]);
        const walkAfter = walks.view(1);
        expect(walkAfter.findings).toEqual(walkBefore.findings);
        expect(walkAfter.timeline).toEqual(walkBefore.timeline);

        // A walk deleted: its findings go with it, but those its session still holds.
        const session2 = latestFindings(db, 2);
        db.prepare('DELETE FROM walk WHERE id = 1').run();
        expect(rowsOf(db).filter((r) => r.walk_id === null)).toEqual([
          { id: 4, session_id: 2, walk_id: null, run_id: null, finding: 'server-close', severity: 'info' },
        ]);
        expect(latestFindings(db, 2)).toEqual(session2);
        expect(db.prepare('SELECT count(*) FROM timeline_entry WHERE walk_id = 1').pluck().get()).toBe(0);
        expect(db.pragma('foreign_key_check')).toEqual([]);
      } finally {
        await walks.close();
        db.close();
      }
    } finally {
      dir.remove();
    }
  });
});
