// frameline incident: open an incident, list them, show one with its post-mortem, walks and
// timeline; change any of its fields; keep its action items; link the sessions that are its evidence.
import { contract, type Api, type ResponseOf } from '../../../shared/contract.js';
import type {
  ActionItem,
  Incident,
  IncidentSeverity,
  LinkedSession,
  TimelineEntry,
} from '../../../shared/contract/incidents.js';
import { formatDuration } from '../../../shared/charts/scale.js';
import { describeServer, type PrometheusServer } from '../../../shared/prometheus.js';
import { InputError } from '../../engine/errors.js';
import { dbPath, idArgument, parse, positionals, requestFrom, sessionId, type Flag } from '../args.js';
import { openCliEngine } from '../engine.js';
import { out, table } from '../output.js';

type IncidentDetail = ResponseOf<'incidents', 'get'>;

export const help = `frameline incident create --title T [--severity P1|P2|P3|P4]   open an incident (default P2)
                          [--prometheus URL ...]             and the Prometheus its query steps ask
frameline incident list                                          incidents, newest first
frameline incident show ID                                       the post-mortem, action items, linked
                                                                 sessions, walks and timeline
frameline incident update ID [options]                           change any field (each change goes on
                                                                 the timeline)
  --title T  --severity P1..P4  --status open|mitigated|resolved
  --impact-start TIME  --detected TIME  --acknowledged TIME  --mitigated TIME  --resolved TIME
      TIME is ISO-8601 UTC such as 2026-11-22T01:53:00Z (or with an offset), "now", or "none" to clear
  --responders "Ana, Bo"          who responded (replaces the list; "" clears it)
  --summary T  --impact T  --trigger T  --root-cause T  --detection T  --resolution T
  --went-well T  --went-wrong T  --got-lucky T
  --prometheus URL|none           the Prometheus server the walk's query steps ask ("none" forgets it)
  --prometheus-token-env VAR      ... with the bearer token in the environment variable VAR, or
  --prometheus-user U --prometheus-password-env VAR   ... with basic auth (the secret is never stored)
frameline incident action add ID --title T --type mitigate|prevent|process [--owner O] [--due YYYY-MM-DD]
                             [--link URL]                        an action item
frameline incident action done ACTION [--undo]                   mark an action item done (or not)
frameline incident action remove ACTION                          remove an action item
frameline incident link ID --session S [--unlink]                link a session as evidence (walks link
                                                                 theirs themselves)

Every command takes --db PATH and --json. Walk a runbook in an incident with "frameline walk start";
write its report with "frameline report ID".`;

const OPTIONS = {
  title: { type: 'string' },
  severity: { type: 'string' },
  status: { type: 'string' },
  'impact-start': { type: 'string' },
  detected: { type: 'string' },
  acknowledged: { type: 'string' },
  mitigated: { type: 'string' },
  resolved: { type: 'string' },
  responders: { type: 'string' },
  summary: { type: 'string' },
  impact: { type: 'string' },
  trigger: { type: 'string' },
  'root-cause': { type: 'string' },
  detection: { type: 'string' },
  resolution: { type: 'string' },
  'went-well': { type: 'string' },
  'went-wrong': { type: 'string' },
  'got-lucky': { type: 'string' },
  type: { type: 'string' },
  owner: { type: 'string' },
  due: { type: 'string' },
  link: { type: 'string' },
  undo: { type: 'boolean', default: false },
  session: { type: 'string' },
  unlink: { type: 'boolean', default: false },
  prometheus: { type: 'string' },
  'prometheus-token-env': { type: 'string' },
  'prometheus-user': { type: 'string' },
  'prometheus-password-env': { type: 'string' },
} as const;

/**
 * The incident's Prometheus server from the flags: undefined when none is given, null for "none".
 * The secret is named by an environment variable, read by the engine when a query runs.
 */
export function prometheusFlags(v: {
  prometheus?: string | undefined;
  'prometheus-token-env'?: string | undefined;
  'prometheus-user'?: string | undefined;
  'prometheus-password-env'?: string | undefined;
}): PrometheusServer | null | undefined {
  const token = v['prometheus-token-env'];
  const user = v['prometheus-user'];
  const password = v['prometheus-password-env'];
  if (v.prometheus === undefined) {
    if (token !== undefined || user !== undefined || password !== undefined)
      throw new InputError(
        '--prometheus-token-env, --prometheus-user and --prometheus-password-env go with --prometheus URL',
      );
    return undefined;
  }
  if (/^none$/i.test(v.prometheus.trim())) return null;
  if (token !== undefined && (user !== undefined || password !== undefined))
    throw new InputError(
      'give either --prometheus-token-env (a bearer token) or --prometheus-user with --prometheus-password-env (basic auth), not both',
    );
  if ((user === undefined) !== (password === undefined))
    throw new InputError(
      'basic auth needs both --prometheus-user U and --prometheus-password-env VAR (the variable that holds the password)',
    );
  return {
    url: v.prometheus.trim(),
    auth: token !== undefined ? 'bearer' : user !== undefined ? 'basic' : 'none',
    username: user ?? null,
    secretEnv: token ?? password ?? null,
  };
}

/** P1..P4, also written p1, 1 or sev1: the contract's spelling from the engineer's. */
export function severityWord(raw: string | undefined): IncidentSeverity | string | undefined {
  if (raw === undefined) return undefined;
  const m = /^(?:p|sev)?([1-4])$/i.exec(raw.trim());
  return m ? (`P${m[1]}` as IncidentSeverity) : raw;
}

/** A time flag as the contract reads it: "now" is this instant, "none" (or empty) clears it. */
export function timeWord(raw: string | undefined): string | null | undefined {
  if (raw === undefined) return undefined;
  const t = raw.trim();
  if (t === '' || /^none$/i.test(t)) return null;
  if (/^now$/i.test(t)) return new Date().toISOString();
  return t;
}

/** Which field of an incident update each flag fills. */
const UPDATE_FLAGS: Record<string, Flag> = {
  title: { field: 'title' },
  severity: { field: 'severity' },
  status: { field: 'status' },
  'impact-start': { field: 'impactStartedAt' },
  detected: { field: 'detectedAt' },
  acknowledged: { field: 'acknowledgedAt' },
  mitigated: { field: 'mitigatedAt' },
  resolved: { field: 'resolvedAt' },
  responders: { field: 'responders', kind: 'list' },
  summary: { field: 'summary' },
  impact: { field: 'impact' },
  trigger: { field: 'trigger' },
  'root-cause': { field: 'rootCause' },
  detection: { field: 'detection' },
  resolution: { field: 'resolution' },
  'went-well': { field: 'wentWell' },
  'went-wrong': { field: 'wentWrong' },
  'got-lucky': { field: 'gotLucky' },
};

const ACTION_FLAGS: Record<string, Flag> = {
  title: { field: 'title' },
  type: { field: 'type' },
  owner: { field: 'owner' },
  due: { field: 'due' },
  link: { field: 'link' },
};

/** An incident id argument. */
export function incidentId(raw: string | undefined, command: string): number {
  return idArgument(raw, 'an incident', command, 'frameline incident list');
}

/** `02:07:42  kind  text` lines of a timeline (times in UTC). */
export function timelineLines(entries: TimelineEntry[]): string[] {
  const out: string[] = [];
  for (const e of entries) {
    out.push(`${e.ts.slice(11, 19)}  ${e.kind.padEnd(16)} ${e.text.split('\n').join('\n' + ' '.repeat(27))}`);
    const detail = e.detail as { output?: unknown; truncated?: unknown } | null;
    if (e.kind === 'run-finished' && detail && typeof detail.output === 'string' && detail.output !== '') {
      const lines = detail.output.replace(/\n$/, '').split('\n');
      const shown = lines.slice(0, 20);
      for (const l of shown) out.push(`${' '.repeat(27)}│ ${l}`);
      if (lines.length > shown.length)
        out.push(
          `${' '.repeat(27)}│ … ${lines.length - shown.length} more lines (frameline walk show --json)`,
        );
      if (detail.truncated === true)
        out.push(`${' '.repeat(27)}│ (output truncated: the first and last part kept)`);
    }
  }
  return out;
}

const seconds = (s: number | null) => (s === null ? null : formatDuration(s * 1e6));

/** The incident's header, times, metrics and post-mortem text, as `incident show` prints it. */
export function describeIncident(i: Incident): string {
  const times = [
    ...(i.impactStartedAt ? [`impact started ${i.impactStartedAt}`] : []),
    `detected ${i.detectedAt}`,
    ...(i.acknowledgedAt ? [`acknowledged ${i.acknowledgedAt}`] : []),
    ...(i.mitigatedAt ? [`mitigated ${i.mitigatedAt}`] : []),
    ...(i.resolvedAt ? [`resolved ${i.resolvedAt}`] : []),
  ];
  const m = i.metrics;
  const from = m.measuredFrom === 'impact-start' ? 'from the impact start' : 'from detection';
  const metrics = [
    ...(m.timeToDetectSeconds !== null ? [`time to detect ${seconds(m.timeToDetectSeconds)}`] : []),
    ...(m.timeToAcknowledgeSeconds !== null
      ? [`time to acknowledge ${seconds(m.timeToAcknowledgeSeconds)}`]
      : []),
    ...(m.timeToMitigateSeconds !== null
      ? [`time to mitigate ${seconds(m.timeToMitigateSeconds)} (${from})`]
      : []),
    ...(m.timeToResolveSeconds !== null
      ? [`time to resolve ${seconds(m.timeToResolveSeconds)} (${from})`]
      : []),
  ];
  const lines = [`incident ${i.id}  ${i.title}`, `  ${i.severity}, ${i.status}`];
  for (const t of times) lines.push(`  ${t}`);
  if (metrics.length) lines.push(`  ${metrics.join('; ')}`);
  if (i.responders.length) lines.push(`  responders: ${i.responders.join(', ')}`);
  if (i.prometheus) lines.push(`  prometheus: ${describeServer(i.prometheus)}`);
  for (const [label, text] of [
    ['summary', i.summary],
    ['impact', i.impact],
    ['trigger', i.trigger],
    ['root cause', i.rootCause],
    ['detection', i.detection],
    ['resolution', i.resolution],
    ['went well', i.wentWell],
    ['went wrong', i.wentWrong],
    ['got lucky', i.gotLucky],
  ] as const)
    if (text) lines.push(`  ${label}: ${text.split('\n').join(`\n  ${' '.repeat(label.length + 2)}`)}`);
  return lines.join('\n');
}

function actionLine(a: ActionItem): string {
  const extra = [
    ...(a.owner ? [`owner ${a.owner}`] : []),
    ...(a.due ? [`due ${a.due}`] : []),
    ...(a.link ? [a.link] : []),
  ];
  return `  #${a.id} [${a.done ? 'x' : ' '}] ${a.type.padEnd(8)} ${a.title}${extra.length ? `  (${extra.join(', ')})` : ''}`;
}

function sessionLine(s: LinkedSession): string {
  return `  session ${s.id}  ${s.kind} "${s.name}", ${s.status}, ${s.frames} frames  (linked ${s.via === 'walk' ? 'by a walk' : 'by hand'})`;
}

function showText(detail: IncidentDetail): string {
  const lines = [describeIncident(detail.incident), ''];
  if (detail.actionItems.length) {
    lines.push('action items:', ...detail.actionItems.map(actionLine), '');
  }
  if (detail.sessions.length) {
    lines.push('linked sessions:', ...detail.sessions.map(sessionLine), '');
  }
  if (detail.walks.length) {
    lines.push('walks:');
    for (const w of detail.walks)
      lines.push(`  walk ${w.id}  ${w.runbookId}  ${w.status}, at ${w.currentNode} "${w.currentLabel}"`);
    lines.push('');
  }
  lines.push('timeline (UTC):', ...timelineLines(detail.timeline));
  return lines.join('\n');
}

const COMMANDS = 'create, list, show ID, update ID, action add|done|remove, or link ID';

/** The arguments each command takes after its name (`action add`: after `add`). */
const ARGUMENTS: Record<string, { max: number; what: string }> = {
  create: { max: 0, what: 'arguments' },
  list: { max: 0, what: 'arguments' },
  show: { max: 1, what: 'incident id' },
  update: { max: 1, what: 'incident id' },
  link: { max: 1, what: 'incident id' },
  'action add': { max: 1, what: 'incident id' },
  'action done': { max: 1, what: 'action item id' },
  'action remove': { max: 1, what: 'action item id' },
};

export async function run(argv: string[]): Promise<number> {
  const parsed = parse(argv, OPTIONS, 'incident');
  const [sub, ...args] = parsed.positionals;
  // The engineer's spellings of a severity, a status, times and lists, in the contract's.
  const v = parsed.values;
  const values: Record<string, unknown> = {
    ...v,
    severity: severityWord(v.severity),
    status: v.status?.trim().toLowerCase(),
    type: v.type?.trim().toLowerCase(),
    'impact-start': timeWord(v['impact-start']),
    detected: v.detected === undefined ? undefined : (timeWord(v.detected) ?? v.detected),
    acknowledged: timeWord(v.acknowledged),
    mitigated: timeWord(v.mitigated),
    resolved: timeWord(v.resolved),
    responders:
      v.responders === undefined
        ? undefined
        : v.responders
            .split(',')
            .map((r) => r.trim())
            .filter(Boolean),
  };
  dbPath(v); // an empty --db is named before anything else
  if (sub === undefined) throw new InputError(`frameline incident needs a command: ${COMMANDS}`);
  if (!['create', 'list', 'show', 'update', 'action', 'link'].includes(sub))
    throw new InputError(`"${sub}" is not an incident command; use ${COMMANDS}`);
  // An argument too many is refused before the database is opened (or made).
  const command = sub === 'action' && args[0] !== undefined ? `action ${args[0]}` : sub;
  const takes = ARGUMENTS[command];
  if (takes) positionals(sub === 'action' ? args.slice(1) : args, `incident ${command}`, takes);
  // Reading needs an existing database; creating makes one.
  const engine = openCliEngine(v, { create: sub === 'create' });
  const incidents = engine.api.incidents;
  const print = async (json: unknown, text: string) =>
    out(v.json ? `${JSON.stringify(json, null, 2)}\n` : `${text}\n`);
  try {
    switch (sub) {
      case 'create': {
        if (values.title === undefined)
          throw new InputError(
            'frameline incident create needs --title, such as --title "Chat drops every minute"',
          );
        const request = requestFrom(
          contract.incidents.create.request,
          values,
          { title: UPDATE_FLAGS.title!, severity: UPDATE_FLAGS.severity! },
          { prometheus: prometheusFlags(v) ?? undefined },
        );
        const incident = await incidents.create(request);
        await print(incident, `incident ${incident.id}`);
        return 0;
      }
      case 'list': {
        const all = await incidents.list({});
        if (v.json) {
          await out(`${JSON.stringify(all, null, 2)}\n`);
          return 0;
        }
        if (all.length === 0) {
          await out('No incidents yet. Open one with: frameline incident create --title "..."\n');
          return 0;
        }
        const rows = [['ID', 'SEVERITY', 'STATUS', 'DETECTED', 'TITLE']];
        for (const i of all)
          rows.push([
            String(i.id),
            i.severity,
            i.status,
            i.detectedAt.slice(0, 19).replace('T', ' '),
            i.title,
          ]);
        await out(`${table(rows)}\n`);
        return 0;
      }
      case 'show': {
        const id = incidentId(args[0], 'incident show');
        const detail = await incidents.get({ id });
        await print(detail, showText(detail));
        return 0;
      }
      case 'update': {
        const id = incidentId(args[0], 'incident update');
        // An empty --responders clears the list: given as a fixed field, since flags skip empty lists.
        const request = requestFrom(contract.incidents.update.request, values, UPDATE_FLAGS, {
          id,
          responders: values.responders,
          prometheus: prometheusFlags(v),
        });
        if (Object.keys(request).length === 1)
          throw new InputError(
            'nothing to update: give a field such as --status, --summary, --root-cause or --mitigated (see "frameline incident --help")',
          );
        const incident = await incidents.update(request);
        await print(incident, describeIncident(incident));
        return 0;
      }
      case 'action':
        return await action(args, values, incidents, print);
      case 'link': {
        const id = incidentId(args[0], 'incident link');
        if (v.session === undefined)
          throw new InputError(
            'frameline incident link needs --session S; list sessions with "frameline sessions"',
          );
        const session = sessionId(v.session, 'incident link');
        const linked = v.unlink
          ? await incidents.unlink({ id, session })
          : await incidents.link({ id, session });
        await print(
          linked,
          linked.length
            ? `incident ${id} rests on:\n${linked.map(sessionLine).join('\n')}`
            : `incident ${id} has no linked session`,
        );
        return 0;
      }
    }
    return 2;
  } finally {
    await engine.close();
  }
}

async function action(
  args: string[],
  values: Record<string, unknown>,
  incidents: Api['incidents'],
  print: (json: unknown, text: string) => Promise<void>,
): Promise<number> {
  const [verb, ...rest] = args;
  const actionId = (raw: string | undefined, command: string) =>
    idArgument(raw, 'an action item', command, 'frameline incident show INCIDENT');
  switch (verb) {
    case 'add': {
      const id = incidentId(rest[0], 'incident action add');
      if (values.title === undefined || values.type === undefined)
        throw new InputError(
          'frameline incident action add needs --title and --type mitigate|prevent|process, such as --title "Raise the proxy idle timeout" --type prevent',
        );
      const request = requestFrom(contract.incidents.addAction.request, values, ACTION_FLAGS, {
        incidentId: id,
      });
      const added = await incidents.addAction(request);
      await print(added, `action item ${added.id} added to incident ${id}`);
      return 0;
    }
    case 'done': {
      const id = actionId(rest[0], 'incident action done');
      const item = await incidents.updateAction({ id, done: values.undo !== true });
      await print(item, `action item ${item.id} ${item.done ? 'done' : 'not done'}: ${item.title}`);
      return 0;
    }
    case 'remove': {
      const id = actionId(rest[0], 'incident action remove');
      await incidents.removeAction({ id });
      await print({ ok: true }, `action item ${id} removed`);
      return 0;
    }
    default:
      throw new InputError(
        verb === undefined
          ? 'frameline incident action needs add ID, done ACTION or remove ACTION'
          : `"${verb}" is not an action command; use add ID, done ACTION or remove ACTION`,
      );
  }
}
