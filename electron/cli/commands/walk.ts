// frameline walk: walk an incident through a runbook without a window — start, show, choose a way
// on, go back, write a note, run a step's shell command (confirmed with --yes) or its app action.
import type { Visit, WalkRun, WalkView } from '../../../shared/contract/incidents.js';
import { contract } from '../../../shared/contract.js';
import { labelTitle } from '../../../shared/runbooks/graph.js';
import { openEngine, type EngineContext } from '../../engine/context.js';
import { InputError } from '../../engine/errors.js';
import { NeedsInputError } from '../../engine/incidents/errors.js';
import { DEFAULT_SHELL_TIMEOUT_MS } from '../../engine/incidents/walk-runs.js';
import { authoriseCommand } from '../../engine/incidents/trust.js';
import { WalkEngine } from '../../engine/incidents/walk.js';
import { listSessions } from '../../engine/sessions/sessions.js';
import { dbPath, idArgument, parse, positionals, requestFrom } from '../args.js';
import { note, out, table } from '../output.js';
import { terminalAuthoriser } from '../terminal-authoriser.js';
import { incidentId, timelineLines } from './incident.js';
import { minutes, stepLine } from './runbooks.js';

export const help = `frameline walk start INCIDENT --runbook ID [--target URL] [--direct URL]
frameline walk list [INCIDENT]
frameline walk show WALK                    where the walk is, how it got there, what happened
frameline walk choose WALK [LABEL]          take a way on (an edge label, a node id, or its number)
frameline walk back WALK                    go back one node (kept in the history)
frameline walk note WALK TEXT               write a note into the incident's timeline
frameline walk check WALK STEP [--undo] [--node NODE]
                                            check a step of the current node's checklist off (--undo: untick)
frameline walk run WALK [--step N] --yes [--timeout S] [--command TEXT]
                                            run the current node's shell command on this machine
frameline walk action WALK [--step N] [--url U] [--direct U] [--session S] [--duration S]
                                            run the current node's app action (capture, probe, diagnose)
frameline walk finding WALK FINDING-ID [--evidence TEXT]
                                            attach a finding seen elsewhere: it drives the suggestions

--target is the endpoint under investigation (ws:// or wss://): app actions use it, and shell commands
get it as WS_URL, WS_HOST, WS_PORT, WS_PATH and HTTP_URL (--direct as DIRECT_URL). A command runs only
with --yes, for that run, or when you answer y at the prompt a terminal shows without --yes; --command
runs an edited version instead. A runbook imported through the console runs with --yes only once
trusted (frameline runbooks trust ID); the prompt shows its command whole. --timeout defaults to
${DEFAULT_SHELL_TIMEOUT_MS / 1000} s; Ctrl+C stops the command or action. Every command takes --db PATH and --json.`;

const OPTIONS = {
  runbook: { type: 'string' },
  target: { type: 'string' },
  direct: { type: 'string' },
  step: { type: 'string' },
  yes: { type: 'boolean', short: 'y', default: false },
  timeout: { type: 'string' },
  command: { type: 'string' },
  url: { type: 'string' },
  session: { type: 'string' },
  duration: { type: 'string' },
  evidence: { type: 'string' },
  undo: { type: 'boolean', default: false },
  node: { type: 'string' },
} as const;

function walkId(raw: string | undefined, command: string): number {
  return idArgument(raw, 'a walk', `walk ${command}`, 'frameline walk list');
}

function clock(iso: string): string {
  return iso.slice(11, 19);
}

function elapsed(v: Visit): string {
  const s = Math.round(v.elapsedSeconds);
  const text = s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
  return v.timeboxSeconds
    ? `${text} of ${minutes(v.timeboxSeconds)}${v.overrun ? ', OVER its time box' : ''}`
    : text;
}

function runLine(r: WalkRun): string {
  return `run ${r.id}  ${r.node} step ${r.step}  ${r.kind}  ${r.status}: ${r.summary}`;
}

/** The current node: what to do here and the ways on. */
function currentPart(w: WalkView): string[] {
  const c = w.current;
  const v = c.visit;
  const lines = [
    `at ${v.node} [${v.kind}]  ${v.label.replace(/\n/g, ' / ')}`,
    `  entered ${clock(v.enteredAt)}, ${elapsed(v)}${c.deadline ? `; time box ends ${clock(c.deadline)}` : ''}`,
  ];
  const node = w.runbook.nodes.find((n) => n.id === v.node);
  if (node?.text) lines.push(...node.text.split('\n').map((l) => `  ${l}`));
  if (c.steps.length) {
    lines.push('  steps:');
    for (const s of c.steps) lines.push(`    ${stepLine(s)}`);
  }
  if (w.status === 'finished')
    lines.push(`  the walk is finished (frameline walk back ${w.id} to reopen it)`);
  else if (c.choices.length) {
    lines.push('  ways on:');
    c.choices.forEach((ch, i) => lines.push(`    ${i + 1}. "${ch.label}" → ${ch.to}`));
  }
  for (const s of c.suggestions) {
    lines.push(`  suggested: "${s.label}": ${s.reason}`);
    for (const f of s.findings) lines.push(`    evidence (${f.id}): ${f.evidence}`);
  }
  return lines;
}

function describeWalk(w: WalkView, full: boolean): string {
  const lines = [
    `walk ${w.id}  incident ${w.incident.id} "${w.incident.title}" (${w.incident.severity})`,
    `  runbook ${w.runbook.id} "${w.runbook.title}" v${w.runbook.version}; ${w.status}, started ${w.startedAt}`,
    ...(w.target ? [`  target ${w.target}${w.direct ? `, direct ${w.direct}` : ''}`] : []),
    '',
  ];
  if (full) {
    lines.push('path:');
    w.path.forEach((v, i) =>
      lines.push(
        `  ${String(i + 1).padStart(2)}. ${clock(v.enteredAt)}  ${v.node}  ${labelTitle(v.label)}${v.choice ? `  → "${v.choice}"` : ''}  (${elapsed(v)})`,
      ),
    );
    lines.push('');
  }
  lines.push(...currentPart(w));
  if (full) {
    if (w.findings.length) {
      lines.push('', 'findings:');
      for (const f of w.findings) lines.push(`  ${f.id} (${f.source}): ${f.evidence}`);
    }
    if (w.runs.length) {
      lines.push('', 'runs:');
      for (const r of w.runs) lines.push(`  ${runLine(r)}`);
    }
    lines.push('', 'timeline (UTC):', ...timelineLines(w.timeline));
  }
  return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals: given } = parse(argv, OPTIONS, 'walk');
  const [sub, ...args] = given;
  const commands = ['start', 'list', 'show', 'choose', 'back', 'note', 'check', 'run', 'action', 'finding'];
  if (sub === undefined || !commands.includes(sub))
    throw new InputError(
      `${sub === undefined ? 'frameline walk needs a command' : `"${sub}" is not a walk command`}: ${commands.join(', ')}; see "frameline walk --help"`,
    );
  const path = dbPath(values);
  const ctx = openEngine(path, { create: false });
  const engine = new WalkEngine({ db: ctx.db, dbPath: path });
  const show = async (w: WalkView, full = false) =>
    out(values.json ? `${JSON.stringify(w, null, 2)}\n` : `${describeWalk(w, full)}\n`);
  try {
    switch (sub) {
      case 'start': {
        const [raw] = positionals(args, 'walk start', { min: 1, what: 'incident id' });
        const incident = incidentId(raw, 'walk start');
        if (values.runbook === undefined)
          throw new InputError(
            'frameline walk start needs --runbook ID; list them with "frameline runbooks"',
          );
        const request = requestFrom(
          contract.walks.start.request,
          values,
          { runbook: { field: 'runbookId' }, target: { field: 'target' }, direct: { field: 'direct' } },
          { incidentId: incident },
        );
        const w = engine.start(request);
        await show(w);
        return 0;
      }
      case 'list': {
        const [raw] = positionals(args, 'walk list', { max: 1, what: 'incident id' });
        const incident = raw === undefined ? undefined : incidentId(raw, 'walk list');
        // An incident that is not there is a mistake, not an empty list.
        if (incident !== undefined) engine.incidents.get(incident);
        const all = engine.listWalks(incident);
        if (values.json) {
          await out(`${JSON.stringify(all, null, 2)}\n`);
          return 0;
        }
        if (all.length === 0) {
          await out('No walks yet. Start one with: frameline walk start INCIDENT --runbook ws-3am\n');
          return 0;
        }
        const rows = [['WALK', 'INCIDENT', 'RUNBOOK', 'STATUS', 'AT']];
        for (const w of all)
          rows.push([
            String(w.id),
            String(w.incidentId),
            w.runbookId,
            w.status,
            `${w.currentNode} "${w.currentLabel}"`,
          ]);
        await out(`${table(rows)}\n`);
        return 0;
      }
      case 'show':
        await show(
          engine.view(walkId(positionals(args, 'walk show', { max: 1, what: 'walk id' })[0], 'show')),
          true,
        );
        return 0;
      case 'choose': {
        const id = walkId(args[0], 'choose');
        const answer = args.slice(1).join(' ');
        await show(engine.choose(id, answer === '' ? undefined : answer));
        return 0;
      }
      case 'back':
        await show(
          engine.back(walkId(positionals(args, 'walk back', { max: 1, what: 'walk id' })[0], 'back')),
        );
        return 0;
      case 'note': {
        const id = walkId(args[0], 'note');
        const text = args.slice(1).join(' ');
        engine.note(id, text);
        if (values.json) await show(engine.view(id));
        else await out(`noted at ${engine.view(id).current.visit.node}\n`);
        return 0;
      }
      case 'check': {
        const id = walkId(args[0], 'check');
        if (args[1] === undefined)
          throw new InputError(
            `frameline walk check needs a step number; see the steps with "frameline walk show ${id}"`,
          );
        positionals(args, 'walk check', { min: 2, what: 'arguments (WALK STEP)' });
        const step = Number(args[1]);
        if (!Number.isInteger(step) || step < 1 || step > 1000)
          throw new InputError(`"${args[1]}" is not a step number such as 1`);
        const request = requestFrom(
          contract.walks.check.request,
          values,
          { node: { field: 'node' } },
          { walk: id, step, checked: !values.undo },
        );
        const w = engine.check(id, request);
        if (values.json) await show(w);
        else {
          const node = values.node ?? w.current.visit.node;
          const done = w.checked[node] ?? [];
          const total = w.runbook.steps.filter((s) => s.node === node).length;
          await out(
            `step ${step} of ${node} ${values.undo ? 'unchecked' : 'checked'} (${done.length} of ${total} checked)\n`,
          );
        }
        return 0;
      }
      case 'finding': {
        const id = walkId(args[0], 'finding');
        const finding = args[1];
        if (finding === undefined)
          throw new InputError('frameline walk finding needs a finding id, such as idle-timeout');
        positionals(args, 'walk finding', { min: 2, what: 'arguments (WALK FINDING-ID)' });
        const request = requestFrom(
          contract.walks.finding.request,
          values,
          {},
          {
            id,
            finding,
            evidence: values.evidence ?? 'seen by the engineer',
          },
        );
        await show(
          engine.addFinding(id, { id: request.finding, evidence: request.evidence, source: 'user' }),
        );
        return 0;
      }
      case 'run':
        return await runShellStep(
          engine,
          walkId(positionals(args, 'walk run', { max: 1, what: 'walk id' })[0], 'run'),
          values,
        );
      case 'action':
        return await runActionStep(
          engine,
          walkId(positionals(args, 'walk action', { max: 1, what: 'walk id' })[0], 'action'),
          values,
          ctx,
        );
    }
    return 2;
  } finally {
    await engine.close();
    ctx.close();
  }
}

/** Stops the run on Ctrl+C / SIGTERM; returns the cleanup. */
function stopOnSignal(engine: WalkEngine, runId: number): () => void {
  const onSignal = (sig: string) => {
    note(`\n${sig}: stopping run ${runId}…`);
    void engine.stop(runId).catch(() => {});
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

async function runShellStep(
  engine: WalkEngine,
  id: number,
  values: { json: boolean; yes: boolean; step?: string; timeout?: string; command?: string },
): Promise<number> {
  const given = requestFrom(contract.walks.run.request.pick({ step: true, timeoutSeconds: true }), values, {
    step: { field: 'step', kind: 'number' },
    timeout: { field: 'timeoutSeconds', kind: 'number' },
  });
  const at = engine.commandAt(id, given.step);
  // The command line's authoriser (--yes, or a prompt on this terminal) decides through trust.ts.
  const authorised = await authoriseCommand(terminalAuthoriser({ yes: values.yes, walkId: id }), engine, id, {
    step: at.step.index,
    command: values.command ?? at.step.command!,
  });
  const timeoutMs = given.timeoutSeconds === undefined ? undefined : given.timeoutSeconds * 1000;
  const handle = engine.runShell(authorised, timeoutMs !== undefined ? { timeoutMs } : {});
  if (!values.json)
    note(
      `run ${handle.runId}: step ${authorised.step} "${at.step.title}" of ${authorised.node} (timeout ${(timeoutMs ?? DEFAULT_SHELL_TIMEOUT_MS) / 1000} s)`,
    );
  const cleanup = stopOnSignal(engine, handle.runId);
  const result = await handle.done;
  cleanup();
  if (values.json) await out(`${JSON.stringify(result, null, 2)}\n`);
  else {
    await out(result.output.endsWith('\n') || result.output === '' ? result.output : `${result.output}\n`);
    note(`run ${result.id} ${result.status}: ${result.summary}`);
  }
  return result.status === 'ok' ? 0 : 1;
}

/** How often `walk action` says that it is still at work. */
const PROGRESS_EVERY_MS = 2000;

/** Frames recorded so far by the live session a walk's capture writes, when it has one yet. */
function liveFrames(ctx: EngineContext, name: string): number | null {
  const request = contract.sessions.list.request.parse({ status: 'live', query: name });
  const live = listSessions(ctx, request).find((s) => s.name === name);
  return live ? live.frames : null;
}

async function runActionStep(
  engine: WalkEngine,
  id: number,
  values: {
    json: boolean;
    step?: string;
    url?: string;
    direct?: string;
    session?: string;
    duration?: string;
  },
  ctx: EngineContext,
): Promise<number> {
  const { id: _id, ...request } = requestFrom(
    contract.walks.action.request,
    values,
    {
      step: { field: 'step', kind: 'number' },
      url: { field: 'url' },
      direct: { field: 'direct' },
      session: { field: 'session', kind: 'number' },
      duration: { field: 'duration', kind: 'number' },
    },
    { id },
  );
  let handle;
  try {
    handle = engine.runAction(id, request);
  } catch (err) {
    throw err instanceof NeedsInputError ? new InputError(cliWords(err)) : err;
  }
  const started = engine.run(handle.runId);
  if (!values.json) note(`run ${handle.runId}: ${started.kind} (step ${started.step} of ${started.node})…`);
  const cleanup = stopOnSignal(engine, handle.runId);
  // A probe holds an idle connection and a capture records for a while: say it is still going.
  const t0 = performance.now();
  const recording = `incident ${engine.view(id).incident.id} walk ${id}: ${started.node} step ${started.step}`;
  const progress = values.json
    ? null
    : setInterval(() => {
        const frames = started.kind === 'capture' ? liveFrames(ctx, recording) : null;
        note(
          `  … ${Math.round((performance.now() - t0) / 1000)} s${frames !== null ? `, ${frames} frames recorded` : ''}`,
        );
      }, PROGRESS_EVERY_MS);
  const result = await handle.done.finally(() => {
    if (progress) clearInterval(progress);
  });
  cleanup();
  if (values.json) await out(`${JSON.stringify(result, null, 2)}\n`);
  else {
    await out(`${runLine(result)}\n`);
    const w = engine.view(id);
    const found = w.findings.filter((f) => f.runId === result.id);
    for (const f of found) await out(`  finding ${f.id}: ${f.evidence}\n`);
    for (const s of w.current.suggestions) await out(`  suggested: "${s.label}": ${s.reason}\n`);
  }
  return result.status === 'ok' ? 0 : 1;
}

/** What an action lacks, said with this command's options. */
function cliWords(err: NeedsInputError): string {
  switch (err.need) {
    case 'url':
      return `${err.subject} needs an endpoint URL: give --url ws://host/path, or start the walk with --target ws://host/path`;
    case 'direct':
      return `${err.subject} compares the endpoint with its backend: give --direct ws://backend/path, or start the walk with --direct`;
    case 'session':
      return 'nothing to diagnose yet: run a capture step of this walk first, or give --session with a session id';
  }
}
