// The walk of an incident through a runbook: a state machine whose every state lives in SQLite (so a
// walk survives closing the app), and whose every move — entering a node, a choice, going back, a
// note, a command or an action and its result, a finding — goes into the incident's timeline.
import type { Db } from '../store/database.js';
import { ChoiceError, choicesAt, matchChoice, nodeOf, shortLabel } from '../../../shared/runbooks/graph.js';
import type { Runbook, RunbookStep } from '../../../shared/runbooks/schemas.js';
import type { Visit, WalkRun, WalkSummary, WalkView } from '../../../shared/contract/incidents.js';
import { suggestChoices } from '../../../shared/runbooks/suggest.js';
import { formatMicros } from '../../../shared/time.js';
import { parseTarget } from '../capture/options.js';
import { refuseSameDirect } from '../diagnose/probe-options.js';
import { nowMicros } from '../clock.js';
import { InputError } from '../errors.js';
import { Incidents } from './incidents.js';
import { addEntry, walkTimeline } from './timeline-store.js';
import {
  addWalkFinding,
  checkedSteps,
  createWalk,
  enterNode,
  fromRunRow,
  getWalkRow,
  leaveVisit,
  listRuns,
  listVisits,
  listWalkFindings,
  listWalks,
  pathVisits,
  setStepChecked,
  setWalkProfile,
  setWalkStatus,
  type VisitRow,
  type WalkRow,
} from './walk-store.js';
import { MissingError } from '../errors.js';
import { requireRunbookWithTrust, walkRunbookTrust } from './runbook-library.js';
import {
  describeDuration,
  targetEnv,
  WalkRuns,
  type ActionRequest,
  type RunHandle,
  type ShellLimits,
} from './walk-runs.js';
import type { AuthorisedCommand, RunbookTrust } from './trust.js';
import type { ActionFinding } from './actions.js';
import type { ConnectionProfile } from '../../../shared/contract/walk-profile.js';
import { profileColumn, WalkSecrets, withoutSecrets } from './walk-profile.js';
import { describeProfile } from '../../../shared/contract/walk-profile.js';

export type { ActionRequest, RunHandle, ShellLimits };

export interface WalkEngineOptions {
  db: Db;
  dbPath: string;
  /** A walk (or its incident) changed: the console redraws it. */
  onChange?: (change: { walkId: number | null; incidentId: number }) => void;
  /** Output of a running shell command, as it comes. */
  onOutput?: (output: { walkId: number; runId: number; stream: 'stdout' | 'stderr'; text: string }) => void;
  /** Bytes of a command's output kept (default 64 KiB: the first and last 32 KiB). */
  outputCapBytes?: number;
}

const seconds = (us: number) => Math.max(0, us / 1e6);

export class WalkEngine {
  /** The incidents walked: their post-mortems, action items and linked sessions. */
  readonly incidents: Incidents;
  private readonly db: Db;
  private readonly runs: WalkRuns;
  /** The secret values of the walks' profiles this process was given (never stored). */
  private readonly secrets = new WalkSecrets();

  constructor(private readonly options: WalkEngineOptions) {
    this.db = options.db;
    this.incidents = new Incidents({ db: options.db, changed: (id) => this.changed(null, id) });
    this.runs = new WalkRuns({
      db: options.db,
      dbPath: options.dbPath,
      ...(options.outputCapBytes !== undefined ? { outputCapBytes: options.outputCapBytes } : {}),
      ...(options.onOutput ? { onOutput: options.onOutput } : {}),
      walkRow: (id) => this.walkRow(id),
      secrets: this.secrets,
      currentVisit: (id) => this.currentVisit(id),
      recordFinding: (row, runId, f, source, at) => this.recordFinding(row, runId, f, source, at),
      changed: (walkId, incidentId) => this.changed(walkId, incidentId),
      linkSession: (incidentId, sessionId, walkId) =>
        this.incidents.linkSession(incidentId, sessionId, 'walk', walkId),
    });
  }

  /** Walks, newest first; of one incident when given (an incident that is not there is a MissingError). */
  listWalks(incidentId?: number): WalkSummary[] {
    if (incidentId !== undefined) this.incidents.get(incidentId);
    return listWalks(this.db, incidentId);
  }

  // ── the walk ─────────────────────────────────────────────────────────────────────────────

  /** Starts a walk of an incident at the runbook's start node. */
  start(r: {
    incidentId: number;
    runbookId: string;
    target?: string;
    direct?: string;
    profile?: ConnectionProfile;
  }): WalkView {
    const incident = this.incidents.get(r.incidentId);
    const { stored, given } = r.profile
      ? withoutSecrets(r.profile)
      : { stored: null, given: new Map<string, string>() };
    const profile = stored ? profileColumn(stored) : null;
    // The runbook's copy and where it came from, read together (trust.ts weighs the provenance).
    const { runbook, provenance } = requireRunbookWithTrust(this.db, r.runbookId);
    const targetUrl = r.target === undefined ? null : parseTarget(r.target);
    const directUrl = r.direct === undefined ? null : parseTarget(r.direct);
    // Caught here, not at the walk's first probe minutes later.
    refuseSameDirect(targetUrl, directUrl, {
      direct: 'the backend address (--direct)',
      target: 'the endpoint (--target)',
    });
    const target = targetUrl?.href ?? null;
    const direct = directUrl?.href ?? null;
    const now = nowMicros();
    const walkId = this.db.transaction(() => {
      const walkId = createWalk(this.db, {
        incidentId: incident.id,
        runbook,
        provenance,
        target,
        direct,
        profile,
        startedAt: now,
      });
      addEntry(this.db, {
        incidentId: incident.id,
        walkId,
        ts: now,
        kind: 'walk-started',
        text: `walk ${walkId} started: runbook ${runbook.id} "${runbook.title}" v${runbook.version}${target ? ` on ${target}` : ''}${profile && stored ? `; connecting with ${describeProfile(stored)}` : ''}`,
        detail: {
          runbook: runbook.id,
          version: runbook.version,
          target,
          direct,
          profile: stored ? describeProfile(stored) : null,
        },
      });
      this.enter(walkId, incident.id, runbook, runbook.start, 'start', now);
      return walkId;
    })();
    if (stored) this.secrets.update(walkId, stored, given);
    this.changed(walkId, incident.id);
    return this.view(walkId);
  }

  /**
   * Replaces how the walk's actions connect. A secret given as "***" keeps the value held (this
   * process's, or the environment's); its value is never stored, nor written to the timeline.
   */
  setProfile(walkId: number, profile: ConnectionProfile): WalkView {
    const row = this.walkRow(walkId);
    const { stored, given } = withoutSecrets(profile);
    const column = profileColumn(stored);
    const now = nowMicros();
    this.db.transaction(() => {
      setWalkProfile(this.db, walkId, column);
      addEntry(this.db, {
        incidentId: row.incident_id,
        walkId,
        ts: now,
        kind: 'walk-profile',
        text: `walk ${walkId} connects with ${describeProfile(stored)}`,
        detail: { profile: describeProfile(stored) },
      });
    })();
    this.secrets.update(walkId, stored, given);
    this.changed(walkId, row.incident_id);
    return this.view(walkId);
  }

  /** The walk as the console draws it. */
  view(walkId: number): WalkView {
    const row = this.walkRow(walkId);
    const runbook = JSON.parse(row.runbook) as Runbook;
    const now = nowMicros();
    const visits = pathVisits(this.db, walkId);
    const path = visits.map((v) => this.visit(runbook, v, now));
    const current = path[path.length - 1]!;
    const findings = listWalkFindings(this.db, walkId);
    const timebox = current.timeboxSeconds;
    return {
      id: row.id,
      incident: this.incidents.get(row.incident_id),
      runbook,
      target: row.target,
      direct: row.direct,
      profile: this.secrets.view(walkId, row.profile),
      status: row.status,
      startedAt: formatMicros(row.started_at),
      endedAt: row.ended_at === null ? null : formatMicros(row.ended_at),
      now: formatMicros(now),
      current: {
        visit: current,
        deadline: timebox === null ? null : formatMicros(visits.at(-1)!.entered_at + timebox * 1_000_000),
        steps: runbook.steps.filter((s) => s.node === current.node),
        choices: choicesAt(runbook, current.node),
        suggestions: suggestChoices(
          runbook,
          current.node,
          findings.map((f) => ({ id: f.id, evidence: f.evidence })),
        ),
      },
      path,
      checked: checkedSteps(this.db, walkId),
      runs: listRuns(this.db, walkId).map(fromRunRow),
      findings,
      timeline: walkTimeline(this.db, walkId),
    };
  }

  /**
   * Every visit of a walk in order (those gone back from too, with `onPath` false), and its runs
   * with the visit each ran in: the history a report tells step by step.
   */
  history(walkId: number): {
    visits: Array<Visit & { onPath: boolean }>;
    runs: Array<WalkRun & { visitId: number | null }>;
  } {
    const row = this.walkRow(walkId);
    const runbook = JSON.parse(row.runbook) as Runbook;
    const now = nowMicros();
    return {
      visits: listVisits(this.db, walkId).map((v) => ({
        ...this.visit(runbook, v, now),
        onPath: v.on_path === 1,
      })),
      runs: listRuns(this.db, walkId).map((r) => ({ ...fromRunRow(r), visitId: r.visit_id })),
    };
  }

  /** Takes a way on from the current node: an edge label (or a target, a number, a prefix). */
  choose(walkId: number, answer: string | undefined): WalkView {
    const row = this.walkRow(walkId);
    const runbook = JSON.parse(row.runbook) as Runbook;
    const now = nowMicros();
    this.db.transaction(() => {
      const current = this.currentVisit(walkId);
      let choice;
      try {
        choice = matchChoice(choicesAt(runbook, current.node_id), answer);
      } catch (err) {
        if (err instanceof ChoiceError)
          throw new InputError(
            `at ${current.node_id} "${shortLabel(nodeOf(runbook, current.node_id))}": ${err.message}`,
          );
        throw err;
      }
      leaveVisit(this.db, current.id, now, { choice: choice.label });
      this.flagOverrun(row, runbook, current, now);
      addEntry(this.db, {
        incidentId: row.incident_id,
        walkId,
        ts: now,
        kind: 'choice',
        node: current.node_id,
        text: `at ${current.node_id} chose "${choice.label}" → ${choice.to}`,
        detail: { from: current.node_id, to: choice.to, label: choice.label },
      });
      this.enter(walkId, row.incident_id, runbook, choice.to, 'choice', now);
    })();
    this.changed(walkId, row.incident_id);
    return this.view(walkId);
  }

  /** Goes back to the node before the current one; the visit left stays in the history. */
  back(walkId: number): WalkView {
    const row = this.walkRow(walkId);
    const runbook = JSON.parse(row.runbook) as Runbook;
    const now = nowMicros();
    this.db.transaction(() => {
      const path = pathVisits(this.db, walkId);
      if (path.length < 2)
        throw new InputError(
          `walk ${walkId} is at its start node ${path[0]?.node_id ?? ''}; there is no step back`,
        );
      const current = path[path.length - 1]!;
      const previous = path[path.length - 2]!;
      this.flagOverrun(row, runbook, current, now);
      leaveVisit(this.db, current.id, now, { back: true });
      leaveVisit(this.db, previous.id, now, { back: true });
      if (row.status === 'finished') setWalkStatus(this.db, walkId, 'active', null);
      addEntry(this.db, {
        incidentId: row.incident_id,
        walkId,
        ts: now,
        kind: 'back',
        node: current.node_id,
        text: `went back from ${current.node_id} to ${previous.node_id}${row.status === 'finished' ? ' (the walk is open again)' : ''}`,
        detail: { from: current.node_id, to: previous.node_id },
      });
      const visitId = enterNode(this.db, walkId, previous.node_id, 'back', now);
      addEntry(this.db, {
        incidentId: row.incident_id,
        walkId,
        ts: now,
        kind: 'node-entered',
        node: previous.node_id,
        text: `entered ${previous.node_id} "${shortLabel(nodeOf(runbook, previous.node_id))}" again`,
        detail: { visitId, via: 'back' },
      });
    })();
    this.changed(walkId, row.incident_id);
    return this.view(walkId);
  }

  /** Writes a note at the current node. */
  note(walkId: number, text: string): WalkView {
    const row = this.walkRow(walkId);
    const note = text.trim();
    if (note === '') throw new InputError('a note needs some text');
    if (note.length > 10_000) throw new InputError('a note may hold at most 10,000 characters');
    const current = this.currentVisit(walkId);
    addEntry(this.db, {
      incidentId: row.incident_id,
      walkId,
      ts: nowMicros(),
      kind: 'note',
      node: current.node_id,
      text: note,
    });
    this.changed(walkId, row.incident_id);
    return this.view(walkId);
  }

  /** Ticks or unticks a step of a node's checklist (the current node's unless one is named). */
  check(walkId: number, r: { node?: string; step: number; checked: boolean }): WalkView {
    const row = this.walkRow(walkId);
    const runbook = JSON.parse(row.runbook) as Runbook;
    const node = r.node ?? this.currentVisit(walkId).node_id;
    if (!nodeOf(runbook, node)) throw new InputError(`runbook ${runbook.id} has no node "${node}"`);
    const steps = runbook.steps.filter((s) => s.node === node);
    const step = steps.find((s) => s.index === r.step);
    if (!step)
      throw new InputError(
        `${node} has ${steps.length} step${steps.length === 1 ? '' : 's'}; there is no step ${r.step}`,
      );
    const now = nowMicros();
    const changed = this.db.transaction(() => {
      if (!setStepChecked(this.db, walkId, node, step.index, r.checked, now)) return false;
      addEntry(this.db, {
        incidentId: row.incident_id,
        walkId,
        ts: now,
        kind: r.checked ? 'step-checked' : 'step-unchecked',
        node,
        text: `step ${step.index} "${step.title || `step ${step.index}`}" of ${node} ${r.checked ? 'checked' : 'unchecked'}`,
        detail: { step: step.index, checked: r.checked },
      });
      return true;
    })();
    if (changed) this.changed(walkId, row.incident_id);
    return this.view(walkId);
  }

  /** Attaches a finding (found by hand or elsewhere) to the walk: it feeds the suggestions. */
  addFinding(walkId: number, f: { id: string; evidence: string; source?: string }): WalkView {
    const row = this.walkRow(walkId);
    if (!/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/.test(f.id))
      throw new InputError(`"${f.id}" is not a finding id such as idle-timeout`);
    const now = nowMicros();
    this.db.transaction(() => {
      this.recordFinding(row, null, { id: f.id, evidence: f.evidence }, f.source ?? 'user', now);
    })();
    this.changed(walkId, row.incident_id);
    return this.view(walkId);
  }

  // ── running commands and actions (runs.ts) ───────────────────────────────────────────────

  /**
   * The current node's step with a shell command (the given one, else its first) and the visit it
   * would run at; InputError when none.
   */
  commandAt(walkId: number, index?: number): { visitId: number; node: string; step: RunbookStep } {
    return this.runs.commandAt(walkId, index);
  }

  /** The walk's runbook copy: where it came from, and whether its commands are trusted (trust.ts). */
  runbookTrust(walkId: number): RunbookTrust {
    const row = this.walkRow(walkId);
    const runbook = JSON.parse(row.runbook) as Runbook;
    return {
      id: row.runbook_id,
      title: runbook.title,
      ...walkRunbookTrust(this.db, {
        runbookId: row.runbook_id,
        runbookJson: row.runbook,
        startedAs: row.runbook_provenance,
      }),
    };
  }

  /** The variables a command of the walk gets from its target (WS_URL, WS_HOST, …). */
  targetEnv(walkId: number): Record<string, string> {
    return targetEnv(this.walkRow(walkId));
  }

  /**
   * Runs a shell command a person confirmed for one step of one node visit (trust.ts), with a
   * timeout and an output cap.
   */
  runShell(authorised: AuthorisedCommand, limits: ShellLimits = {}): RunHandle {
    return this.runs.runShell(authorised, limits);
  }

  /** Runs a step's app action (capture, probe, relay, diagnose) through the engine. */
  runAction(walkId: number, r: ActionRequest = {}): RunHandle {
    return this.runs.runAction(walkId, r);
  }

  /** Stops a command or an action this process is running. */
  stop(runId: number): Promise<WalkRun> {
    return this.runs.stop(runId);
  }

  /** One run as recorded. */
  run(runId: number): WalkRun {
    return this.runs.run(runId);
  }

  /** A run once it has ended (at once for one this process is not running). */
  ended(runId: number): Promise<WalkRun> {
    return this.runs.ended(runId);
  }

  /** Stops every run of this process and waits for them to be recorded. */
  close(): Promise<void> {
    return this.runs.close();
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────

  private walkRow(walkId: number): WalkRow {
    const row = getWalkRow(this.db, walkId);
    if (!row) throw new MissingError(`no walk ${walkId}; list them with "frameline walk list"`);
    return row;
  }

  private currentVisit(walkId: number): VisitRow {
    const path = pathVisits(this.db, walkId);
    const v = path[path.length - 1];
    if (!v) throw new Error(`walk ${walkId} has no current node: the database is inconsistent`);
    return v;
  }

  private visit(runbook: Runbook, v: VisitRow, now: number): Visit {
    const node = nodeOf(runbook, v.node_id);
    const elapsed = seconds((v.left_at ?? now) - v.entered_at);
    const timebox = node?.timeboxSeconds ?? null;
    return {
      visitId: v.id,
      node: v.node_id,
      label: node?.label ?? v.node_id,
      kind: node?.kind ?? 'step',
      enteredAt: formatMicros(v.entered_at),
      leftAt: v.left_at === null ? null : formatMicros(v.left_at),
      via: v.via,
      choice: v.choice,
      elapsedSeconds: Math.round(elapsed * 1000) / 1000,
      timeboxSeconds: timebox,
      overrun: timebox !== null && elapsed > timebox,
    };
  }

  /** Enters a node (inside the caller's transaction); an end node finishes the walk. */
  private enter(
    walkId: number,
    incidentId: number,
    runbook: Runbook,
    nodeId: string,
    via: VisitRow['via'],
    at: number,
  ): void {
    const node = nodeOf(runbook, nodeId);
    const visitId = enterNode(this.db, walkId, nodeId, via, at);
    const box = node?.timeboxSeconds ? ` (time box ${describeDuration(node.timeboxSeconds)})` : '';
    addEntry(this.db, {
      incidentId,
      walkId,
      ts: at,
      kind: 'node-entered',
      node: nodeId,
      text: `entered ${nodeId} "${shortLabel(node, nodeId)}"${box}`,
      detail: { visitId, via, kind: node?.kind ?? null, timeboxSeconds: node?.timeboxSeconds ?? null },
    });
    if (choicesAt(runbook, nodeId).length === 0) {
      setWalkStatus(this.db, walkId, 'finished', at);
      addEntry(this.db, {
        incidentId,
        walkId,
        ts: at,
        kind: 'walk-finished',
        node: nodeId,
        text: `walk ${walkId} finished at ${nodeId} "${shortLabel(node, nodeId)}"`,
      });
    }
  }

  /** Leaving a node later than its time box allowed is written down. */
  private flagOverrun(row: WalkRow, runbook: Runbook, v: VisitRow, now: number): void {
    const box = nodeOf(runbook, v.node_id)?.timeboxSeconds;
    if (!box) return;
    const took = seconds(now - v.entered_at);
    if (took <= box) return;
    addEntry(this.db, {
      incidentId: row.incident_id,
      walkId: row.id,
      ts: now,
      kind: 'timebox-overrun',
      node: v.node_id,
      text: `${v.node_id} took ${describeDuration(took)}, over its time box of ${describeDuration(box)}`,
      detail: { seconds: Math.round(took), timeboxSeconds: box },
    });
  }

  private recordFinding(
    row: WalkRow,
    runId: number | null,
    f: ActionFinding,
    source: string,
    at: number,
  ): void {
    // One row: the session's own when a run found it there, else one the walk alone holds.
    const findingId = addWalkFinding(this.db, {
      walkId: row.id,
      finding: f.id,
      evidence: f.evidence,
      source,
      runId,
      at,
      ...(f.severity !== undefined ? { severity: f.severity } : {}),
      ...(f.sessionId !== undefined ? { sessionId: f.sessionId } : {}),
    });
    addEntry(this.db, {
      incidentId: row.incident_id,
      walkId: row.id,
      ts: at,
      kind: 'finding',
      node: this.currentVisit(row.id).node_id,
      runId,
      findingId,
    });
  }

  private changed(walkId: number | null, incidentId: number): void {
    this.options.onChange?.({ walkId, incidentId });
  }
}
