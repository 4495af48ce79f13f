// Running a walk's steps: a step's shell command (authorised for that run by trust.ts, with a
// timeout, a stop and an output cap) or its app action (capture, probe, relay, diagnose), each recorded as a run of the walk with
// its start, output, result and end in the incident's timeline.
import { formatDuration } from '../../../shared/charts/scale.js';
import type { Runbook, RunbookStep, StepAction } from '../../../shared/runbooks/schemas.js';
import type { WalkRun } from '../../../shared/contract/incidents.js';
import type { ProtocolChoice } from '../../../shared/protocols/names.js';
import {
  OUTPUT_CAP_DEFAULT_BYTES,
  OUTPUT_CAP_MAX_BYTES,
  OUTPUT_CAP_MIN_BYTES,
  SHELL_TIMEOUT_DEFAULT_SECONDS,
} from '../../../shared/contract/incidents.js';
import { nowMicros } from '../clock.js';
import { InputError, isBusy } from '../errors.js';
import type { Db } from '../store/database.js';
import { latestLinkedSession } from './incident-session-store.js';
import { addEntry } from './timeline-store.js';
import {
  createRun,
  finishRun,
  fromRunRow,
  getRunRow,
  getWalkRow,
  latestWalkSession,
  orphanedRuns,
  saveRunOutput,
  setRunSession,
  setStepChecked,
  type RunEnd,
  type VisitRow,
  type WalkRow,
} from './walk-store.js';
import { nodeOf, shortLabel } from '../../../shared/runbooks/graph.js';
import { runAction, type ActionFinding, type ActionOutcome } from './actions.js';
import { MissingError } from '../errors.js';
import { needsInput } from './errors.js';
import { runShell } from './shell.js';
import type { AuthorisedCommand } from './trust.js';
import type { ConnectionProfile } from '../../../shared/contract/walk-profile.js';
import { isSecretName, MASK } from '../../../shared/redaction.js';
import type { WalkSecrets } from './walk-profile.js';
import { describeProfile } from '../../../shared/contract/walk-profile.js';

/** What the runs need of the walk engine. */
export interface RunHost {
  db: Db;
  dbPath: string;
  outputCapBytes?: number;
  onOutput?: (output: { walkId: number; runId: number; stream: 'stdout' | 'stderr'; text: string }) => void;
  walkRow(walkId: number): WalkRow;
  /** The secrets of the walks' profiles this process holds. */
  secrets: WalkSecrets;
  currentVisit(walkId: number): VisitRow;
  recordFinding(row: WalkRow, runId: number | null, f: ActionFinding, source: string, at: number): void;
  changed(walkId: number | null, incidentId: number): void;
  /** Links a session an action recorded to the walk's incident. */
  linkSession(incidentId: number, sessionId: number, walkId: number): void;
}

/** How long a shell run may take and how much of its output is kept. */
export interface ShellLimits {
  timeoutMs?: number;
  /** Bytes of output kept (the first and the last half); default the engine's (64 KiB). */
  outputCapBytes?: number;
}

export interface ActionRequest {
  /** 1-based step of the current node; default: its first step with an action. */
  step?: number;
  url?: string;
  direct?: string;
  session?: number;
  duration?: number;
  protocol?: ProtocolChoice;
  subprotocol?: string;
  initPayload?: string;
  /** This run's connection settings over the walk's profile and the step's own. */
  profile?: ConnectionProfile;
}

/** A run under way: its id, and its end. */
export interface RunHandle {
  runId: number;
  done: Promise<WalkRun>;
}

export const DEFAULT_SHELL_TIMEOUT_MS = SHELL_TIMEOUT_DEFAULT_SECONDS * 1000;
export const MAX_SHELL_TIMEOUT_MS = 3_600_000;
const DEFAULT_OUTPUT_CAP = OUTPUT_CAP_DEFAULT_BYTES;
/** How often a running command's output is saved (a crash loses at most this much of it). */
const SAVE_OUTPUT_MS = 1000;

interface Running {
  walkId: number;
  stop: () => void;
  done: Promise<WalkRun>;
}

export function describeDuration(s: number): string {
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  return rest ? `${m} min ${rest} s` : `${m} min`;
}

/**
 * How long a run took, from its stored start to its stored end, to the millisecond: the words the
 * run's summary, the timeline and the report all say (the report rounds its seconds the same way).
 */
export function runDuration(startedAt: number, endedAt: number): string {
  return formatDuration(Math.round((endedAt - startedAt) / 1000) * 1000);
}

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? '';
  return s.includes('\n') ? `${line} …` : line;
}

/** The commands and actions a walk runs, and the runs of this process still going. */
export class WalkRuns {
  private readonly db: Db;
  private readonly running = new Map<number, Running>();

  constructor(private readonly host: RunHost) {
    this.db = host.db;
    this.interruptOrphans();
  }

  /**
   * The current node's step with a shell command (the given one, else its first) and the visit it
   * would run at; InputError when none.
   */
  commandAt(walkId: number, index?: number): { visitId: number; node: string; step: RunbookStep } {
    const row = this.host.walkRow(walkId);
    const visit = this.host.currentVisit(walkId);
    return {
      visitId: visit.id,
      node: visit.node_id,
      step: this.pickStep(JSON.parse(row.runbook) as Runbook, visit.node_id, index, 'command'),
    };
  }

  /**
   * Runs a shell command a person confirmed (trust.ts) for one step of one node visit, with a timeout
   * and an output cap: exactly that step and command, and nothing when the walk has moved on since.
   */
  runShell(a: AuthorisedCommand, r: ShellLimits = {}): RunHandle {
    const walkId = a.walkId;
    const row = this.host.walkRow(walkId);
    const runbook = JSON.parse(row.runbook) as Runbook;
    const visit = this.host.currentVisit(walkId);
    if (visit.id !== a.visitId)
      throw new InputError(
        `nothing was run: the walk moved on (to ${visit.node_id}) while step ${a.step} of ${a.node} was being confirmed; run it again where the walk is now`,
      );
    const step = this.pickStep(runbook, visit.node_id, a.step, 'command');
    const command = a.command;
    if (command.trim() === '' || command !== command.trim())
      throw new InputError('the command to run is empty or not the one confirmed');
    const timeoutMs = r.timeoutMs ?? DEFAULT_SHELL_TIMEOUT_MS;
    if (!(timeoutMs >= 100 && timeoutMs <= MAX_SHELL_TIMEOUT_MS))
      throw new InputError('the timeout must be from 0.1 to 3600 seconds');
    const capBytes = r.outputCapBytes ?? this.host.outputCapBytes ?? DEFAULT_OUTPUT_CAP;
    if (
      r.outputCapBytes !== undefined &&
      !(Number.isInteger(capBytes) && capBytes >= OUTPUT_CAP_MIN_BYTES && capBytes <= OUTPUT_CAP_MAX_BYTES)
    )
      throw new InputError(
        `the output cap must be a whole number of bytes from ${OUTPUT_CAP_MIN_BYTES} (1 KiB) to ${OUTPUT_CAP_MAX_BYTES} (16 MiB)`,
      );
    this.assertIdle(walkId);
    const edited = command !== step.command!.trim();
    const now = nowMicros();
    const runId = this.db.transaction(() => {
      const runId = createRun(this.db, {
        walkId,
        visitId: visit.id,
        node: visit.node_id,
        step: step.index,
        kind: 'shell',
        request: command,
        original: edited ? step.command : null,
        startedAt: now,
      });
      addEntry(this.db, {
        incidentId: row.incident_id,
        walkId,
        ts: now,
        kind: 'run-started',
        node: visit.node_id,
        runId,
        text: `ran step ${step.index} "${step.title}" of ${visit.node_id}${edited ? ' (edited)' : ''}: $ ${firstLine(command)}`,
        detail: {
          kind: 'shell',
          command,
          edited,
          original: edited ? step.command : null,
          timeoutMs,
          outputCapBytes: capBytes,
        },
      });
      return runId;
    })();
    let dirty = false;
    const shell = runShell({
      command,
      timeoutMs,
      capBytes,
      env: { ...process.env, ...targetEnv(row) },
      onOutput: (text, stream) => {
        dirty = true;
        this.host.onOutput?.({ walkId, runId, stream, text });
      },
    });
    // The output so far is saved every second, so that a crash of the app keeps it.
    const saver = setInterval(() => {
      if (!dirty) return;
      dirty = false;
      const s = shell.snapshot();
      saveRunOutput(this.db, runId, s.output, s.truncated, s.bytes);
    }, SAVE_OUTPUT_MS);
    saver.unref();
    const done = shell.done
      .then((ended) => {
        // The step says which exit codes mean it went well (`grep -c` exits 1 when it counts none).
        const expected =
          ended.status === 'failed' &&
          ended.error === null &&
          ended.exitCode !== null &&
          ended.exitCode !== 0 &&
          (step.successExitCodes ?? [0]).includes(ended.exitCode);
        const res = expected ? { ...ended, status: 'ok' as const } : ended;
        // One measurement: the run's stored start and end, said the same way everywhere.
        const endedAt = nowMicros();
        const took = runDuration(now, endedAt);
        const summary =
          res.status === 'timeout'
            ? `timed out after ${describeDuration(timeoutMs / 1000)} and was ended`
            : res.status === 'stopped'
              ? `stopped after ${took}`
              : res.error
                ? `could not start: ${res.error}`
                : `exited with ${res.exitCode ?? `signal ${res.signal}`}${expected ? ' (a success exit code of this step)' : ''} after ${took}`;
        const lines = res.output === '' ? 0 : res.output.replace(/\n$/, '').split('\n').length;
        this.finish(
          row,
          visit.node_id,
          runId,
          {
            status: res.status,
            endedAt,
            exitCode: res.exitCode,
            output: res.output,
            truncated: res.truncated,
            outputBytes: res.bytes,
            summary: `${summary}${res.truncated ? `; output truncated (${res.bytes} bytes, the first and last kept)` : ''}`,
            result: {
              exitCode: res.exitCode,
              signal: res.signal,
              durationMs: Math.round((endedAt - now) / 1000),
            },
          },
          `step ${step.index} of ${visit.node_id} ${summary}${lines ? `, ${lines} line${lines === 1 ? '' : 's'} of output` : ', no output'}`,
          { output: res.output, truncated: res.truncated, bytes: res.bytes, exitCode: res.exitCode },
        );
        return this.run(runId);
      })
      .finally(() => {
        clearInterval(saver);
        this.running.delete(runId);
      });
    this.running.set(runId, { walkId, stop: shell.stop, done });
    this.host.changed(walkId, row.incident_id);
    return { runId, done };
  }

  /** Runs a step's app action (capture, probe, relay, diagnose) through the engine. */
  runAction(walkId: number, r: ActionRequest = {}): RunHandle {
    const row = this.host.walkRow(walkId);
    const runbook = JSON.parse(row.runbook) as Runbook;
    const visit = this.host.currentVisit(walkId);
    const step = this.pickStep(runbook, visit.node_id, r.step, 'action');
    const action = resolveAction(step.action!, r);
    const latestSession = latestWalkSession(this.db, walkId) ?? latestLinkedSession(this.db, row.incident_id);
    // Mistakes are reported before anything runs.
    if ((action.kind === 'capture' || action.kind === 'probe') && !action.url && !row.target)
      throw needsInput('url', `step ${step.index} of ${visit.node_id}`);
    if (action.kind === 'relay' && !action.to && !row.target)
      throw needsInput('url', `step ${step.index} of ${visit.node_id}`);
    if (action.kind === 'probe' && action.direct === true && !row.direct)
      throw needsInput('direct', `step ${step.index} of ${visit.node_id}`);
    if (
      action.kind === 'diagnose' &&
      (action.session === undefined || action.session === 'latest') &&
      latestSession === undefined
    )
      throw needsInput('session', `step ${step.index} of ${visit.node_id}`);
    // What it connects with: the walk's profile, the step's settings, this run's (a secret nobody gave is said now).
    const profile = this.host.secrets.resolve(
      walkId,
      row.profile,
      action,
      r.profile,
      `step ${step.index} of ${visit.node_id}`,
    );
    this.assertIdle(walkId);
    const now = nowMicros();
    // The run and the timeline keep the action without its secrets, and the profile in names only.
    const kept = actionWithoutSecrets(action);
    const connects = action.kind === 'diagnose' ? null : describeProfile(profile);
    const request = JSON.stringify(kept);
    const runId = this.db.transaction(() => {
      const runId = createRun(this.db, {
        walkId,
        visitId: visit.id,
        node: visit.node_id,
        step: step.index,
        kind: action.kind,
        request,
        original: null,
        startedAt: now,
      });
      addEntry(this.db, {
        incidentId: row.incident_id,
        walkId,
        ts: now,
        kind: 'run-started',
        node: visit.node_id,
        runId,
        text: `ran step ${step.index} "${step.title}" of ${visit.node_id}: ${describeAction(action)}${connects && connects !== 'the URL only' ? `, with ${connects}` : ''}`,
        detail: { kind: action.kind, action: kept, ...(connects ? { profile: connects } : {}) },
      });
      return runId;
    })();
    const abort = new AbortController();
    // What the action tells the person walking, kept with the run as a command's output is (up to the cap).
    let output = '';
    const capBytes = this.host.outputCapBytes ?? DEFAULT_OUTPUT_CAP;
    const onOutput = (text: string) => {
      if (Buffer.byteLength(output) + Buffer.byteLength(text) > capBytes) return;
      output += text;
      this.host.onOutput?.({ walkId, runId, stream: 'stdout', text });
      try {
        saveRunOutput(this.db, runId, output, false, Buffer.byteLength(output));
      } catch (err) {
        if (!isBusy(err)) throw err;
      }
    };
    const done = (async () => {
      let outcome: ActionOutcome;
      try {
        outcome = await runAction(action, {
          engine: { db: this.db, dbPath: this.host.dbPath, push: () => {} },
          target: row.target,
          direct: row.direct,
          profile,
          latestSession,
          name: `incident ${row.incident_id} walk ${walkId}: ${visit.node_id} step ${step.index}`,
          signal: abort.signal,
          onSession: (sessionId) => {
            // For those following the run; the session is kept with the run at its end in any case.
            try {
              setRunSession(this.db, runId, sessionId);
            } catch (err) {
              if (!isBusy(err)) throw err;
            }
          },
          onOutput,
        });
      } catch (err) {
        outcome = {
          status: abort.signal.aborted ? 'stopped' : 'failed',
          summary: `${action.kind} failed: ${(err as Error).message}`,
          result: null,
          sessionId: null,
          findings: [],
        };
      }
      const end = nowMicros();
      // IMMEDIATE: the capture's writer thread may still be committing its session on its own
      // connection; a deferred transaction that meets that commit fails at once with SQLITE_BUSY
      // (its snapshot is stale), where taking the write lock first waits for it like any other lock.
      this.db
        .transaction(() => {
          if (outcome.sessionId !== null) this.host.linkSession(row.incident_id, outcome.sessionId, walkId);
          for (const f of outcome.findings) this.host.recordFinding(row, runId, f, action.kind, end);
        })
        .immediate();
      const took = runDuration(now, end);
      this.finish(
        row,
        visit.node_id,
        runId,
        {
          status: outcome.status,
          endedAt: end,
          summary: outcome.summary,
          result: outcome.result,
          sessionId: outcome.sessionId,
        },
        `step ${step.index} of ${visit.node_id} (${action.kind}) ${outcome.status === 'ok' ? 'done' : outcome.status} after ${took}: ${outcome.summary}`,
        {
          status: outcome.status,
          sessionId: outcome.sessionId,
          findings: outcome.findings.map((f) => ({ id: f.id, evidence: f.evidence })),
        },
      );
      return this.run(runId);
    })();
    const tracked = done.finally(() => this.running.delete(runId));
    this.running.set(runId, { walkId, stop: () => abort.abort(), done: tracked });
    this.host.changed(walkId, row.incident_id);
    return { runId, done: tracked };
  }

  /** Stops a command or an action this process is running. */
  stop(runId: number): Promise<WalkRun> {
    const r = this.running.get(runId);
    if (!r) {
      const row = getRunRow(this.db, runId);
      if (!row) throw new MissingError(`no run ${runId}`);
      if (row.status !== 'running') throw new InputError(`run ${runId} is not running (it is ${row.status})`);
      throw new InputError(
        `run ${runId} belongs to another Frameline process (pid ${row.owner_pid}); stop it there`,
      );
    }
    r.stop();
    return r.done;
  }

  /** A run once it has ended: at once for one that is not running in this process. */
  async ended(runId: number): Promise<WalkRun> {
    const r = this.running.get(runId);
    return r ? r.done : this.run(runId);
  }

  /** One run as recorded. */
  run(runId: number): WalkRun {
    const row = getRunRow(this.db, runId);
    if (!row) throw new MissingError(`no run ${runId}`);
    return fromRunRow(row);
  }

  /** Stops every run of this process and waits for them to be recorded. */
  async close(): Promise<void> {
    const all = [...this.running.values()];
    for (const r of all) r.stop();
    await Promise.allSettled(all.map((r) => r.done));
  }

  private pickStep(
    runbook: Runbook,
    nodeId: string,
    index: number | undefined,
    what: 'command' | 'action',
  ): RunbookStep {
    const steps = runbook.steps.filter((s) => s.node === nodeId);
    const has = (s: RunbookStep) => (what === 'command' ? s.command !== null : s.action !== null);
    if (index !== undefined) {
      const s = steps.find((x) => x.index === index);
      if (!s)
        throw new InputError(
          `${nodeId} has ${steps.length} step${steps.length === 1 ? '' : 's'}; there is no step ${index}`,
        );
      if (!has(s)) {
        const others = steps.filter(has).map((x) => x.index);
        throw new InputError(
          `step ${index} of ${nodeId} has no ${what === 'command' ? 'shell command' : 'app action'}${others.length ? `; steps with one: ${others.join(', ')}` : ''}`,
        );
      }
      return s;
    }
    const s = steps.find(has);
    if (!s)
      throw new InputError(
        `${nodeId} "${shortLabel(nodeOf(runbook, nodeId))}" has no step with ${what === 'command' ? 'a shell command' : 'an app action'}`,
      );
    return s;
  }

  private assertIdle(walkId: number): void {
    for (const [runId, r] of this.running)
      if (r.walkId === walkId)
        throw new InputError(`run ${runId} of walk ${walkId} is still going; wait for it or stop it first`);
  }

  private finish(
    row: WalkRow,
    node: string,
    runId: number,
    end: RunEnd,
    text: string,
    detail: Record<string, unknown>,
  ): void {
    // IMMEDIATE, as at an action's end: a capture's writer may be committing on its own connection.
    this.db
      .transaction(() => {
        finishRun(this.db, runId, end);
        // A step that ran well is checked off (quietly: the run's end is on the timeline).
        if (end.status === 'ok') {
          const step = getRunRow(this.db, runId)?.step_index;
          if (step !== undefined) setStepChecked(this.db, row.id, node, step, true, end.endedAt);
        }
        addEntry(this.db, {
          incidentId: row.incident_id,
          walkId: row.id,
          ts: end.endedAt,
          kind: 'run-finished',
          node,
          runId,
          text,
          detail: { status: end.status, ...detail },
        });
      })
      .immediate();
    this.host.changed(row.id, row.incident_id);
  }

  /** Runs left 'running' by a process that died are marked interrupted, with what they had printed. */
  private interruptOrphans(): void {
    for (const r of orphanedRuns(this.db)) {
      const walk = getWalkRow(this.db, r.walk_id);
      if (!walk) continue;
      const now = nowMicros();
      this.db.transaction(() => {
        finishRun(this.db, r.id, {
          status: 'interrupted',
          endedAt: now,
          summary: 'interrupted: the Frameline process running it ended first',
        });
        addEntry(this.db, {
          incidentId: walk.incident_id,
          walkId: walk.id,
          ts: now,
          kind: 'run-finished',
          node: r.node_id,
          runId: r.id,
          text: `step ${r.step_index} of ${r.node_id} (${r.kind}) was interrupted: the process running it ended first`,
          detail: { status: 'interrupted', output: r.output, truncated: r.truncated === 1 },
        });
      })();
    }
  }
}

/** The walk's target as environment variables for the step's commands. */
export function targetEnv(row: { target: string | null; direct: string | null }): Record<string, string> {
  const env: Record<string, string> = {};
  if (row.target) {
    const u = new URL(row.target);
    const secure = u.protocol === 'wss:';
    env.WS_URL = u.href;
    env.WS_HOST = u.hostname.replace(/^\[|\]$/g, '');
    env.WS_PORT = u.port || (secure ? '443' : '80');
    env.WS_PATH = `${u.pathname}${u.search}`;
    env.HTTP_URL = `${secure ? 'https' : 'http'}://${u.host}${u.pathname}${u.search}`;
  }
  if (row.direct) env.DIRECT_URL = row.direct;
  return env;
}

/** A step's action with what the request overrides (url, direct, session, duration, the protocol). */
function resolveAction(action: StepAction, r: ActionRequest): StepAction {
  switch (action.kind) {
    case 'capture':
      return {
        ...action,
        ...(r.url !== undefined ? { url: r.url } : {}),
        ...(r.duration !== undefined ? { duration: r.duration } : {}),
        ...(r.protocol !== undefined ? { protocol: r.protocol } : {}),
        ...(r.subprotocol !== undefined ? { subprotocol: r.subprotocol } : {}),
        ...(r.initPayload !== undefined ? { initPayload: r.initPayload } : {}),
      };
    case 'probe':
      return {
        ...action,
        ...(r.url !== undefined ? { url: r.url } : {}),
        ...(r.direct !== undefined ? { direct: r.direct } : {}),
        ...(r.protocol !== undefined ? { protocol: r.protocol } : {}),
        ...(r.subprotocol !== undefined ? { subprotocol: r.subprotocol } : {}),
        ...(r.initPayload !== undefined ? { initPayload: r.initPayload } : {}),
      };
    case 'relay':
      return {
        ...action,
        ...(r.url !== undefined ? { to: r.url } : {}),
        ...(r.duration !== undefined ? { duration: r.duration } : {}),
      };
    case 'diagnose':
      return { ...action, ...(r.session !== undefined ? { session: r.session } : {}) };
  }
}

/** An action as a run and the timeline keep it: its init payload and credential headers as "***". */
function actionWithoutSecrets(a: StepAction): StepAction {
  if (a.kind !== 'capture' && a.kind !== 'probe') return a;
  return {
    ...a,
    ...(a.initPayload !== undefined ? { initPayload: MASK } : {}),
    ...(a.headers
      ? {
          headers: a.headers.map((line) => {
            const name = line.slice(0, line.indexOf(':'));
            return isSecretName(name) ? `${name}: ${MASK}` : line;
          }),
        }
      : {}),
  };
}

function describeAction(a: StepAction): string {
  switch (a.kind) {
    case 'capture':
      return `capture ${a.url ?? 'the target'} for ${a.duration} s${a.script ? ', running its script' : ''}`;
    case 'probe':
      return `probe ${a.url ?? 'the target'}${a.direct ? ' directly and through the balancer' : ''}${a.protocol ? ` speaking ${a.protocol}` : ''}${a.idleLimit ? `, holding it idle up to ${a.idleLimit} s` : ''}`;
    case 'relay':
      return `relay real clients to ${a.to ?? 'the target'} for ${a.duration} s`;
    case 'diagnose':
      return `diagnose session ${a.session ?? 'latest'}`;
  }
}
