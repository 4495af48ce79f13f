// frameline walk: walk an incident through a runbook without a window — start, show, choose a way
// on, go back, write a note, run a step's shell command (confirmed with --yes) or its app action.
import {
  SHELL_TIMEOUT_DEFAULT_SECONDS,
  type Visit,
  type WalkRun,
  type WalkView,
} from '../../../shared/contract/incidents.js';
import { contract, type Api } from '../../../shared/contract.js';
import { labelTitle } from '../../../shared/runbooks/graph.js';
import {
  saysStable,
  verificationCaptures,
  verifyNudge,
  VERIFY_NODE,
} from '../../../shared/runbooks/verify.js';
import { InputError } from '../../engine/errors.js';
import { dbPath, idArgument, parse, positionals, requestFrom } from '../args.js';
import { openCliEngine, type CliEngine } from '../engine.js';
import { note, out, table } from '../output.js';
import { terminalAuthoriser } from '../terminal-authoriser.js';
import { ConnectionProfileSchema, type ConnectionProfile } from '../../../shared/contract/walk-profile.js';
import { describeProfile } from '../../../shared/contract/walk-profile.js';
import { PROFILE_FLAGS, PROFILE_OPTIONS, profileFiles } from './capture.js';
import { incidentId, timelineLines } from './incident.js';
import { minutes, stepLine } from './runbooks.js';

export const help = `frameline walk start INCIDENT --runbook ID [--target URL] [--direct URL] [connection flags]
frameline walk list [INCIDENT]
frameline walk show WALK                    where the walk is, how it got there, what happened
frameline walk choose WALK [LABEL]          take a way on (an edge label, a node id, or its number)
frameline walk back WALK                    go back one node (kept in the history)
frameline walk note WALK TEXT               write a note into the incident's timeline
frameline walk check WALK STEP [--undo] [--node NODE]
                                            check a step of the current node's checklist off (--undo: untick)
frameline walk run WALK [--step N] --yes [--timeout S] [--command TEXT]
                                            run the current node's shell command on this machine
frameline walk action WALK [--step N] [--url U] [--direct U] [--session S] [--duration S] [connection flags]
                                            run the current node's app action (capture, probe, relay, diagnose)
frameline walk finding WALK FINDING-ID [--evidence TEXT]
                                            attach a finding seen elsewhere: it drives the suggestions

--target is the endpoint under investigation (ws:// or wss://): app actions use it, and shell commands
get it as WS_URL, WS_HOST, WS_PORT, WS_PATH and HTTP_URL (--direct as DIRECT_URL). A command runs only
with --yes, for that run, or when you answer y at the prompt a terminal shows without --yes; --command
runs an edited version instead. A runbook imported through the console runs with --yes only once
trusted (frameline runbooks trust ID); the prompt shows its command whole. --timeout defaults to
${SHELL_TIMEOUT_DEFAULT_SECONDS} s; Ctrl+C stops the command or action. Every command takes --db PATH and --json.

Connection flags, as "frameline capture" takes them: -H/--header "K: V", --origin O, --subprotocol P,
--protocol NAME|none, --init-payload JSON, --subscribe VALUE, --send TEXT, --send-file FILE, --script FILE,
--ca FILE, --cert FILE --key FILE, --insecure. Given to walk start, they are the walk's connection
profile: every capture, probe and relay of the walk connects with them. Given to walk action, they
are this run's, over the profile (a header replaces the profile's of the same name). Secret values
(credential headers such as Authorization or Cookie, --init-payload, --key) are never stored: a later
command reads each from its environment variable (FRAMELINE_AUTHORIZATION for Authorization,
FRAMELINE_INIT_PAYLOAD, FRAMELINE_TLS_KEY), or is given it again with its flag.`;

const OPTIONS = {
  ...PROFILE_OPTIONS,
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

/** The connection profile the connection flags give; undefined when none is given. */
function profileFrom(values: Record<string, unknown>): ConnectionProfile | undefined {
  const given = Object.keys(PROFILE_OPTIONS).some((k) => {
    const v = values[k];
    return v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0);
  });
  if (!given) return undefined;
  return requestFrom(ConnectionProfileSchema, values, PROFILE_FLAGS, profileFiles(values));
}

/** Where the secrets of a profile just given are read from later, as notes: they are never stored. */
function secretNotes(w: WalkView): void {
  for (const s of w.profile?.secrets ?? [])
    note(
      `${s.what} is a secret: its value is not stored; a later "frameline walk action" reads it from ${s.env}, or is given it again`,
    );
}

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
    for (const s of c.steps) {
      lines.push(`    ${stepLine(s)}`);
      // The step's guidance, as the console shows it under the title.
      if (s.text) lines.push(...s.text.split('\n').map((l) => (l ? `       ${l}` : '')));
    }
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
    ...(w.profile ? [`  connects with ${describeProfile(w.profile.profile)}`] : []),
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
  dbPath(values); // an empty --db is named before anything else
  // The walk a command or an action runs in, for the authoriser's advice.
  const running =
    sub === 'run' || sub === 'action'
      ? walkId(positionals(args, `walk ${sub}`, { max: 1, what: 'walk id' })[0], sub)
      : undefined;
  // The person at this terminal asks: the service weighs a shell step's trust with this authoriser
  // (--yes, or a prompt), and says what an action lacks with this command's options.
  const engine = openCliEngine(values, {
    create: false,
    authoriser: terminalAuthoriser({
      yes: values.yes,
      ...(running !== undefined ? { walkId: running } : {}),
    }),
  });
  const walks = engine.api.walks;
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
          { incidentId: incident, profile: profileFrom(values) },
        );
        const w = await walks.start(request);
        await show(w);
        if (!values.json) secretNotes(w);
        return 0;
      }
      case 'list': {
        const [raw] = positionals(args, 'walk list', { max: 1, what: 'incident id' });
        const incident = raw === undefined ? undefined : incidentId(raw, 'walk list');
        const all = await walks.list(incident === undefined ? {} : { incidentId: incident });
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
          await walks.get({
            id: walkId(positionals(args, 'walk show', { max: 1, what: 'walk id' })[0], 'show'),
          }),
          true,
        );
        return 0;
      case 'choose': {
        const id = walkId(args[0], 'choose');
        const answer = args.slice(1).join(' ');
        await verifyNote(engine.api, await walks.get({ id }), answer);
        await show(await walks.choose(answer === '' ? { id } : { id, label: answer }));
        return 0;
      }
      case 'back':
        await show(
          await walks.back({
            id: walkId(positionals(args, 'walk back', { max: 1, what: 'walk id' })[0], 'back'),
          }),
        );
        return 0;
      case 'note': {
        const id = walkId(args[0], 'note');
        const w = await walks.note({ id, text: args.slice(1).join(' ') });
        if (values.json) await show(w);
        else await out(`noted at ${w.current.visit.node}\n`);
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
        const w = await walks.check(request);
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
        await show(await walks.finding(request));
        return 0;
      }
      case 'run':
        return await runShellStep(engine, running!, values);
      case 'action':
        return await runActionStep(engine, running!, values);
    }
    return 2;
  } finally {
    await engine.close();
  }
}

/** Stops the run on Ctrl+C / SIGTERM (the service ends it and records it); returns the cleanup. */
function stopOnSignal(api: Api, runId: number): () => void {
  const onSignal = (sig: string) => {
    note(`\n${sig}: stopping run ${runId}…`);
    void api.walks.stop({ runId }).catch(() => {});
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/** The runbook's title of a run's step, as the walk's copy of the runbook has it. */
function stepTitle(w: WalkView, r: WalkRun): string {
  return w.runbook.steps.find((s) => s.node === r.node && s.index === r.step)?.title ?? '';
}

async function runShellStep(
  engine: CliEngine,
  id: number,
  values: { json: boolean; yes: boolean; step?: string; timeout?: string; command?: string },
): Promise<number> {
  const { api } = engine;
  const request = requestFrom(
    contract.walks.run.request,
    values,
    {
      step: { field: 'step', kind: 'number' },
      timeout: { field: 'timeoutSeconds', kind: 'number' },
      command: { field: 'command' },
    },
    // The person typed this command line: it is their confirmation; the authoriser decides.
    { id, confirmed: true },
  );
  const { runId } = await api.walks.run(request);
  const cleanup = stopOnSignal(api, runId);
  try {
    if (!values.json) {
      const started = await api.walks.getRun({ runId });
      const w = await api.walks.get({ id });
      note(
        `run ${runId}: step ${started.step} "${stepTitle(w, started)}" of ${started.node} (timeout ${request.timeoutSeconds ?? SHELL_TIMEOUT_DEFAULT_SECONDS} s)`,
      );
    }
    const result = await api.walks.getRun({ runId, wait: true });
    if (values.json) await out(`${JSON.stringify(result, null, 2)}\n`);
    else {
      await out(result.output.endsWith('\n') || result.output === '' ? result.output : `${result.output}\n`);
      note(`run ${result.id} ${result.status}: ${result.summary}`);
    }
    return result.status === 'ok' ? 0 : 1;
  } finally {
    cleanup();
  }
}

/** How often `walk action` says that it is still at work. */
const PROGRESS_EVERY_MS = 2000;

/** Frames recorded so far by the live session a walk's capture writes, when it has one yet. */
async function liveFrames(api: Api, runId: number): Promise<number | null> {
  const { sessionId } = await api.walks.getRun({ runId });
  if (sessionId === null) return null;
  const live = (await api.sessions.list({ status: 'live' })).find((s) => s.id === sessionId);
  return live ? live.frames : null;
}

/** Says every PROGRESS_EVERY_MS how long the run has taken (and a capture's frames); returns the stop. */
function progress(api: Api, run: WalkRun): () => void {
  const t0 = performance.now();
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const tick = async () => {
    const frames =
      run.kind === 'capture' || run.kind === 'relay' ? await liveFrames(api, run.id).catch(() => null) : null;
    if (stopped) return;
    note(
      `  … ${Math.round((performance.now() - t0) / 1000)} s${frames !== null ? `, ${frames} frames recorded` : ''}`,
    );
    timer = setTimeout(() => void tick(), PROGRESS_EVERY_MS);
  };
  timer = setTimeout(() => void tick(), PROGRESS_EVERY_MS);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

async function runActionStep(
  engine: CliEngine,
  id: number,
  values: {
    json: boolean;
    step?: string;
    url?: string;
    direct?: string;
    session?: string;
    duration?: string;
  },
): Promise<number> {
  const { api } = engine;
  const request = requestFrom(
    contract.walks.action.request,
    values,
    {
      step: { field: 'step', kind: 'number' },
      url: { field: 'url' },
      direct: { field: 'direct' },
      session: { field: 'session', kind: 'number' },
      duration: { field: 'duration', kind: 'number' },
    },
    { id, profile: profileFrom(values) },
  );
  // What the action says while it runs (a relay's address, its clients) is printed as it comes:
  // on stdout, or on stderr beside --json. It may come before the run's id is known.
  let ours: number | null = null;
  const early: Array<{ runId: number; text: string }> = [];
  const print = (text: string) => (values.json ? process.stderr : process.stdout).write(text);
  const offOutput = api.on('shell:output', (o) => {
    if (ours === null) early.push(o);
    else if (o.runId === ours) print(o.text);
  });
  const { runId } = await api.walks.action(request).catch((err: unknown) => {
    offOutput();
    throw err;
  });
  ours = runId;
  for (const o of early.splice(0)) if (o.runId === runId) print(o.text);
  const cleanup = stopOnSignal(api, runId);
  try {
    const started = await api.walks.getRun({ runId });
    if (!values.json) note(`run ${runId}: ${started.kind} (step ${started.step} of ${started.node})…`);
    // A probe holds an idle connection and a capture records for a while: say it is still going.
    const stopProgress = values.json ? () => {} : progress(api, started);
    const result = await api.walks.getRun({ runId, wait: true }).finally(stopProgress);
    if (values.json) await out(`${JSON.stringify(result, null, 2)}\n`);
    else {
      await out(`${runLine(result)}\n`);
      const w = await api.walks.get({ id });
      const found = w.findings.filter((f) => f.runId === result.id);
      for (const f of found) await out(`  finding ${f.id}: ${f.evidence}\n`);
      for (const s of w.current.suggestions) await out(`  suggested: "${s.label}": ${s.reason}\n`);
    }
    return result.status === 'ok' ? 0 : 1;
  } finally {
    offOutput();
    cleanup();
  }
}

/**
 * At VERIFY, before "Yes" is taken: the walk's first capture compared with its verification
 * capture, and the console's nudge (no capture after the fix, or a critical finding in it) on stderr.
 */
async function verifyNote(api: Api, walk: WalkView, answer: string): Promise<void> {
  if (walk.current.visit.node !== VERIFY_NODE) return;
  const choices = walk.current.choices;
  const chosen =
    answer === ''
      ? choices.length === 1
        ? choices[0]
        : undefined
      : choices.find(
          (c, i) =>
            c.label.toLowerCase() === answer.toLowerCase() || c.to === answer || String(i + 1) === answer,
        );
  if (!chosen || !saysStable(chosen.label)) return;
  const captures = verificationCaptures(walk);
  const before = captures.before?.sessionId ?? null;
  const after = captures.after?.sessionId ?? null;
  const comparison = before !== null && after !== null ? await api.diagnose.compare({ before, after }) : null;
  if (comparison)
    note(
      `compared session ${before} (before the fix) with session ${after} (after): ${comparison.verdict.text}`,
    );
  const nudge = verifyNudge(chosen.label, captures, comparison?.after.findings ?? null);
  if (nudge) note(`frameline: ${nudge}`);
}
