// The walk engine on a real database file: a walk survives closing and reopening (current node, path,
// timers), time boxes are counted from entering a node and overruns are flagged, and a run left
// behind by a process that died is marked interrupted on the next open.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MissingError } from '../../../electron/engine/errors.js';
import { WalkEngine } from '../../../electron/engine/incidents/walk.js';
import { latestSchemaVersion, openStore, type Db } from '../../../electron/engine/store/database.js';
import { workspace, type Workspace } from '../../support/cli.js';

let ws: Workspace;
let db: Db;
let engine: WalkEngine;

function open(): void {
  db = openStore(ws.db);
  engine = new WalkEngine({ db, dbPath: ws.db });
}

async function reopen(): Promise<void> {
  await engine.close();
  db.close();
  open();
}

beforeEach(() => {
  ws = workspace();
  open();
});

afterEach(async () => {
  await engine.close();
  db.close();
  ws.cleanup();
});

/** Moves a walk's current visit into the past, as if the engineer had spent `seconds` on it. */
function age(walkId: number, seconds: number): void {
  db.prepare(
    `UPDATE walk_step SET entered_at = entered_at - ? WHERE id =
       (SELECT id FROM walk_step WHERE walk_id = ? AND on_path = 1 ORDER BY ordinal DESC LIMIT 1)`,
  ).run(seconds * 1_000_000, walkId);
}

describe('a walk', () => {
  it('survives closing and reopening the database: current node, path, history and timers', async () => {
    const incident = engine.incidents.create({ title: 'Sockets drop at 3 AM', severity: 'P1' });
    let w = engine.start({ incidentId: incident.id, runbookId: 'incident-checklist' });
    w = engine.choose(w.id, undefined);
    w = engine.choose(w.id, 'next');
    w = engine.choose(w.id, undefined);
    w = engine.choose(w.id, undefined);
    w = engine.choose(w.id, 'no, investigate again');
    expect(w.current.visit.node).toBe('INVESTIGATE');
    engine.note(w.id, 'second look at the balancer');
    const before = engine.view(w.id);

    await reopen();

    const after = engine.view(w.id);
    expect(after.current.visit).toMatchObject({
      visitId: before.current.visit.visitId,
      node: 'INVESTIGATE',
      enteredAt: before.current.visit.enteredAt,
      timeboxSeconds: 600,
    });
    expect(after.current.deadline).toBe(before.current.deadline);
    expect(after.current.visit.elapsedSeconds).toBeGreaterThanOrEqual(before.current.visit.elapsedSeconds);
    expect(after.path.map((v) => [v.node, v.choice])).toEqual([
      ['DECLARED', 'next'],
      ['IMMEDIATE', 'next'],
      ['INVESTIGATE', 'next'],
      ['RESOLVE', 'next'],
      ['RESTORED', 'No, investigate again'],
      ['INVESTIGATE', null],
    ]);
    expect(after.timeline).toEqual(before.timeline);

    // It goes on from where it was.
    const back = engine.back(w.id);
    expect(back.current.visit).toMatchObject({ node: 'RESTORED', via: 'back' });
    expect(engine.choose(w.id, 'yes').current.visit.node).toBe('FOLLOW_UP');
  });

  it('counts time boxes from entering a node and flags an overrun, in the view and the timeline', () => {
    const incident = engine.incidents.create({ title: 'Overrun' });
    let w = engine.start({ incidentId: incident.id, runbookId: 'incident-checklist' });
    w = engine.choose(w.id, undefined);
    expect(w.current.visit).toMatchObject({ node: 'IMMEDIATE', timeboxSeconds: 300, overrun: false });
    const entered = Date.parse(w.current.visit.enteredAt);
    expect(Date.parse(w.current.deadline!) - entered).toBe(300_000);

    age(w.id, 301);
    w = engine.view(w.id);
    expect(w.current.visit.overrun).toBe(true);
    expect(w.current.visit.elapsedSeconds).toBeGreaterThan(300);

    w = engine.choose(w.id, undefined);
    const overrun = w.timeline.find((e) => e.kind === 'timebox-overrun')!;
    expect(overrun).toMatchObject({ node: 'IMMEDIATE', detail: { timeboxSeconds: 300 } });
    expect(overrun.text).toMatch(/^IMMEDIATE took 5 min 1 s, over its time box of 5 min$/);
    expect(w.path[1]).toMatchObject({ node: 'IMMEDIATE', overrun: true });
    expect(w.current.visit).toMatchObject({ node: 'INVESTIGATE', overrun: false });
  });

  it('reopens a finished walk when going back from its end', () => {
    const incident = engine.incidents.create({ title: 'Ends' });
    let w = engine.start({ incidentId: incident.id, runbookId: 'service-runbook' });
    w = engine.choose(w.id, undefined);
    w = engine.choose(w.id, undefined);
    w = engine.choose(w.id, 'no, a false alarm');
    expect(w).toMatchObject({ status: 'finished', current: { choices: [] } });
    w = engine.back(w.id);
    expect(w).toMatchObject({ status: 'active', endedAt: null });
    expect(w.timeline.at(-2)!.text).toBe('went back from TUNE_ALERT to REAL (the walk is open again)');
    expect(() => engine.back(engine.start({ incidentId: incident.id, runbookId: 'ws-3am' }).id)).toThrow(
      /at its start node ALERT; there is no step back/,
    );
  });

  it('feeds findings into suggestions at the current decision', () => {
    const incident = engine.incidents.create({ title: 'Suggest' });
    let w = engine.start({ incidentId: incident.id, runbookId: 'ws-3am' });
    w = engine.choose(w.id, undefined);
    expect(w.current.suggestions).toEqual([]);
    w = engine.addFinding(w.id, {
      id: 'proxy-missing-upgrade',
      evidence: 'direct 101, through the proxy 200 without Upgrade',
    });
    expect(w.current.suggestions).toEqual([
      expect.objectContaining({
        label: 'Load balancer',
        findings: [
          { id: 'proxy-missing-upgrade', evidence: 'direct 101, through the proxy 200 without Upgrade' },
        ],
      }),
    ]);
    expect(w.timeline.at(-1)).toMatchObject({ kind: 'finding', node: 'SCOPE' });
  });

  it("keeps incidents' fields and times, and says what is missing", () => {
    const i = engine.incidents.create({ title: '  Chat down  ' });
    expect(i).toMatchObject({ title: 'Chat down', severity: 'P2', status: 'open', mitigatedAt: null });
    const m = engine.incidents.update(i.id, { status: 'mitigated', rootCause: 'proxy idle timeout' });
    expect(m.mitigatedAt).not.toBeNull();
    expect(m.resolvedAt).toBeNull();
    expect(engine.incidents.detail(i.id).timeline.map((e) => e.text)).toEqual([
      'incident opened: Chat down (P2)',
      'incident status mitigated, root cause written',
    ]);
    expect(() => engine.incidents.get(99)).toThrow(MissingError);
    expect(() => engine.view(99)).toThrow(/no walk 99/);
    expect(() => engine.incidents.create({ title: ' ' })).toThrow(/needs a title/);
  });
});

describe('a run left behind by a process that died', () => {
  it('is marked interrupted on the next open, keeping what it had printed', async () => {
    const incident = engine.incidents.create({ title: 'Crash' });
    const w = engine.start({ incidentId: incident.id, runbookId: 'ws-3am' });
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    db.prepare(
      `INSERT INTO walk_run (walk_id, node_id, step_index, kind, request, status, started_at, output, owner_pid, owner_host)
       VALUES (?, 'ALERT', 1, 'shell', 'netstat -an', 'running', 1, 'half of it', ?, ?)`,
    ).run(w.id, dead, hostname());

    await reopen();

    const after = engine.view(w.id);
    expect(after.runs[0]).toMatchObject({ status: 'interrupted', output: 'half of it' });
    expect(after.timeline.at(-1)).toMatchObject({
      kind: 'run-finished',
      detail: { status: 'interrupted', output: 'half of it' },
    });
  });
});

describe('migration 0040', () => {
  it('upgrades a database from before it, keeping its sessions', async () => {
    await engine.close();
    db.close();
    ws.cleanup();
    ws = workspace();
    // A database as the previous build left it: migrations up to 0030, and a session in it.
    const dir = new URL('../../../electron/engine/store/migrations/', import.meta.url);
    const old = new Database(ws.db);
    for (const f of readdirSync(dir)
      .filter((n) => /^\d{4}-.*\.sql$/.test(n) && Number(n.slice(0, 4)) < 40)
      .sort()) {
      old.exec(readFileSync(new URL(f, dir), 'utf8'));
      old.pragma(`user_version = ${Number(f.slice(0, 4))}`);
    }
    old
      .prepare(
        "INSERT INTO session (name, kind, target, status, created_at) VALUES ('before', 'capture', 'ws://x', 'complete', 1)",
      )
      .run();
    old.close();

    open();
    expect(db.pragma('user_version', { simple: true })).toBe(latestSchemaVersion());
    expect(db.prepare('SELECT name FROM session').all()).toEqual([{ name: 'before' }]);
    const incident = engine.incidents.create({ title: 'After the upgrade' });
    const w = engine.start({ incidentId: incident.id, runbookId: 'root-causes' });
    expect(w.current.visit.node).toBe('START');
  });
});
