// A finding is stored once. A walk's probe or diagnose step keeps the row the probe or the diagnosis
// made (with its severity) and refers to it, as the timeline does; a finding a person records at a
// walk node is one row too, with the catalogue's severity. What the walk, the session and the
// incident's timeline say is read from that row, and stays as it was when the session is deleted or
// diagnosed again.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WalkView } from '../../../shared/contract/incidents.js';
import { FINDINGS, type FindingId } from '../../../shared/findings.js';
import { diagnoseSession, storedDiagnosis } from '../../../electron/engine/diagnose/session-analysis.js';
import { importRunbook } from '../../../electron/engine/incidents/runbook-library.js';
import { WalkEngine } from '../../../electron/engine/incidents/walk.js';
import { listSessions, remove } from '../../../electron/engine/sessions/sessions.js';
import { openStore, type Db } from '../../../electron/engine/store/database.js';
import { wsServer, type Running } from '../../servers/scenarios.js';
import { workspace, type Workspace } from '../../support/cli.js';

const RUNBOOK = `---
id: closed-sockets
title: Closed sockets
version: 1
---

# Closed sockets

\`\`\`mermaid
flowchart LR
    LOOK[Look at the endpoint] --> WHY{Closed by the server?}
    WHY -->|Yes| FIX([Fix the gateway])
    WHY -->|No| OTHER([Look elsewhere])
\`\`\`

## Look at the endpoint {#LOOK}

### Probe it

Action: probe idleLimit=1

### Record it

Action: capture duration=1

### Diagnose the recording

Action: diagnose session=latest
`;

let server: Running;
let ws: Workspace;
let db: Db;
let walks: WalkEngine;

beforeAll(async () => {
  // Every connection is closed at once with 1011: the probe and the diagnosis of a capture both say so.
  server = await wsServer((socket) => socket.close(1011, 'internal error'));
});

afterAll(async () => {
  await server?.close();
});

beforeEach(() => {
  ws = workspace();
  db = openStore(ws.db);
  walks = new WalkEngine({ db, dbPath: ws.db });
  importRunbook(db, RUNBOOK, 'closed-sockets.md', { provenance: 'file' });
});

afterEach(async () => {
  await walks.close();
  db.close();
  ws.cleanup();
});

const ctx = () => ({ db, dbPath: ws.db, push: () => {} });

function startWalk(): WalkView {
  const incident = walks.incidents.create({ title: 'Sockets closed with 1011' });
  return walks.start({ incidentId: incident.id, runbookId: 'closed-sockets', target: `${server.url}/ws` });
}

async function runStep(walkId: number, step: number) {
  const run = await walks.runAction(walkId, { step }).done;
  expect(run.status, run.summary).not.toBe('running');
  return run;
}

interface FindingRow {
  id: number;
  session_id: number | null;
  walk_id: number | null;
  run_id: number | null;
  finding: string;
  severity: string;
  summary: string;
}

const rows = (): FindingRow[] =>
  db
    .prepare('SELECT id, session_id, walk_id, run_id, finding, severity, summary FROM finding ORDER BY id')
    .all() as FindingRow[];

const tables = (): string[] =>
  db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];

describe('findings stored once', () => {
  it("keeps one row per finding of a walk's probe and diagnose steps, with its severity, read alike by the walk, the session and the timeline", async () => {
    const w = startWalk();
    const probe = await runStep(w.id, 1);
    const capture = await runStep(w.id, 2);
    const diagnose = await runStep(w.id, 3);
    expect(probe.sessionId).not.toBeNull();
    expect(capture.sessionId).not.toBeNull();

    const view = walks.view(w.id);
    const fromProbe = view.findings.filter((f) => f.runId === probe.id);
    const fromDiagnosis = view.findings.filter((f) => f.runId === diagnose.id);
    expect(fromProbe.map((f) => f.id)).toContain('server-close');
    expect(fromDiagnosis.map((f) => f.id)).toContain('server-close');
    expect(fromProbe.every((f) => f.source === 'probe')).toBe(true);
    expect(fromDiagnosis.every((f) => f.source === 'diagnose')).toBe(true);

    // One row for each: no second table, and the walk's findings are the session's own rows.
    expect(tables()).not.toContain('walk_finding');
    const stored = rows();
    expect(stored).toHaveLength(view.findings.length);
    const probeSession = storedDiagnosis(ctx(), probe.sessionId!)!;
    const captureSession = storedDiagnosis(ctx(), capture.sessionId!)!;
    expect(probeSession.findings.map((f) => [f.id, f.severity, f.summary])).toEqual(
      stored.filter((r) => r.session_id === probe.sessionId).map((r) => [r.finding, r.severity, r.summary]),
    );
    expect(captureSession.findings.map((f) => [f.id, f.severity, f.summary])).toEqual(
      stored.filter((r) => r.session_id === capture.sessionId).map((r) => [r.finding, r.severity, r.summary]),
    );
    expect(stored.filter((r) => r.session_id === probe.sessionId).map((r) => r.run_id)).toEqual(
      fromProbe.map(() => probe.id),
    );
    expect(stored.filter((r) => r.session_id === capture.sessionId).map((r) => r.run_id)).toEqual(
      fromDiagnosis.map(() => diagnose.id),
    );

    // The walk says each with the severity the probe or the diagnosis gave it.
    for (const f of [...fromProbe, ...fromDiagnosis]) {
      const session = f.runId === probe.id ? probeSession : captureSession;
      const own = session.findings.find((s) => s.id === f.id && s.summary === f.evidence)!;
      expect(f).toMatchObject({ severity: own.severity, evidence: own.summary });
    }

    // The timeline tells each finding once, in the same words as before.
    const entries = view.timeline.filter((e) => e.kind === 'finding');
    expect(entries.map((e) => [e.runId, e.text, e.detail])).toEqual(
      view.findings.map((f) => [
        f.runId,
        `finding ${f.id}: ${f.evidence}`,
        { finding: f.id, evidence: f.evidence, source: f.source },
      ]),
    );
    expect(walks.incidents.detail(w.incident.id).timeline.filter((e) => e.kind === 'finding')).toEqual(
      entries,
    );

    // The session list counts the same findings as before.
    const listed = listSessions(ctx(), {}).find((s) => s.id === probe.sessionId)!;
    const count = (sev: string) => probeSession.findings.filter((f) => f.severity === sev).length;
    expect(listed.findings).toEqual({
      critical: count('critical'),
      warning: count('warning'),
      info: count('info'),
    });
  }, 60_000);

  it('records a finding a person saw as one row, without a session, with the severity of the catalogue', () => {
    const w = startWalk();
    const after = walks.addFinding(w.id, {
      id: 'idle-timeout',
      evidence: 'the balancer cuts idle sockets after 60 s',
      source: 'user',
    });
    expect(after.findings).toEqual([
      {
        id: 'idle-timeout',
        severity: FINDINGS['idle-timeout' as FindingId].severity,
        evidence: 'the balancer cuts idle sockets after 60 s',
        source: 'user',
        runId: null,
        at: expect.any(String),
      },
    ]);
    expect(rows()).toEqual([
      expect.objectContaining({
        session_id: null,
        walk_id: w.id,
        run_id: null,
        finding: 'idle-timeout',
        severity: FINDINGS['idle-timeout' as FindingId].severity,
        summary: 'the balancer cuts idle sockets after 60 s',
      }),
    ]);
    expect(after.timeline.at(-1)).toMatchObject({
      kind: 'finding',
      text: 'finding idle-timeout: the balancer cuts idle sockets after 60 s',
      detail: {
        finding: 'idle-timeout',
        evidence: 'the balancer cuts idle sockets after 60 s',
        source: 'user',
      },
    });
  });

  it('keeps what the walk and the timeline say when the session is deleted; the session’s own findings go with it', async () => {
    const w = startWalk();
    const probe = await runStep(w.id, 1);
    // A diagnosis outside any walk: its findings belong to the session alone.
    const capture = await runStep(w.id, 2);
    diagnoseSession(ctx(), { id: capture.sessionId! });
    const before = walks.view(w.id);
    const timeline = walks.incidents.detail(w.incident.id).timeline;
    expect(before.findings.length).toBeGreaterThan(0);
    expect(rows().some((r) => r.session_id === capture.sessionId && r.walk_id === null)).toBe(true);

    remove(ctx(), probe.sessionId!);
    remove(ctx(), capture.sessionId!);

    const after = walks.view(w.id);
    expect(after.findings).toEqual(before.findings);
    expect(after.timeline).toEqual(before.timeline);
    expect(walks.incidents.detail(w.incident.id).timeline).toEqual(timeline);
    // Only the walk's rows are left, now without their session.
    expect(rows().map((r) => [r.session_id, r.walk_id])).toEqual(before.findings.map(() => [null, w.id]));
  }, 60_000);

  it("keeps a walk's findings when their session is diagnosed again, which replaces the session's own", async () => {
    const w = startWalk();
    const capture = await runStep(w.id, 2);
    await runStep(w.id, 3);
    const before = walks.view(w.id);
    const walkRows = rows();
    expect(walkRows.length).toBeGreaterThan(0);

    const again = diagnoseSession(ctx(), { id: capture.sessionId! });

    expect(walks.view(w.id).findings).toEqual(before.findings);
    const stored = storedDiagnosis(ctx(), capture.sessionId!)!;
    expect(stored.findings.map((f) => f.id)).toEqual(again.findings.map((f) => f.id));
    // The walk's rows are still there and still the walk's; the session's answer is the new rows.
    const now = rows();
    expect(now.filter((r) => r.walk_id === w.id)).toEqual(walkRows);
    expect(now.filter((r) => r.walk_id === null)).toHaveLength(again.findings.length);
    // Diagnosing once more replaces the session's rows that no walk holds, instead of piling them up.
    diagnoseSession(ctx(), { id: capture.sessionId! });
    expect(rows()).toHaveLength(now.length);
  }, 60_000);
});
