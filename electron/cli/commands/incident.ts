// frameline incident: open an incident, list them, show one with its walks and timeline, update it.
import { contract } from '../../../shared/contract.js';
import type { Incident, IncidentSeverity, TimelineEntry } from '../../../shared/contract/incidents.js';
import { openEngine } from '../../engine/context.js';
import { InputError } from '../../engine/errors.js';
import { WalkEngine } from '../../engine/incidents/walk.js';
import { dbPath, idArgument, parse, positionals, requestFrom, type Flag } from '../args.js';
import { out, table } from '../output.js';

export const help = `frameline incident create --title T [--severity P1|P2|P3|P4]   open an incident (default P2)
frameline incident list                                          incidents, newest first
frameline incident show ID                                       the incident, its walks and its timeline
frameline incident update ID [--status open|mitigated|resolved] [--severity S] [--title T]
                             [--summary T] [--root-cause T] [--impact T]

Every command takes --db PATH and --json. Walk a runbook in an incident with "frameline walk start".`;

const OPTIONS = {
  title: { type: 'string' },
  severity: { type: 'string' },
  status: { type: 'string' },
  summary: { type: 'string' },
  'root-cause': { type: 'string' },
  impact: { type: 'string' },
} as const;

/** P1..P4, also written p1, 1 or sev1: the contract's spelling from the engineer's. */
export function severityWord(raw: string | undefined): IncidentSeverity | string | undefined {
  if (raw === undefined) return undefined;
  const m = /^(?:p|sev)?([1-4])$/i.exec(raw.trim());
  return m ? (`P${m[1]}` as IncidentSeverity) : raw;
}

/** Which field of an incident request each flag fills. */
const FLAGS: Record<string, Flag> = {
  title: { field: 'title' },
  severity: { field: 'severity' },
  status: { field: 'status' },
  summary: { field: 'summary' },
  'root-cause': { field: 'rootCause' },
  impact: { field: 'impact' },
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

function describeIncident(i: Incident): string {
  const times = [
    `detected ${i.detectedAt}`,
    ...(i.mitigatedAt ? [`mitigated ${i.mitigatedAt}`] : []),
    ...(i.resolvedAt ? [`resolved ${i.resolvedAt}`] : []),
  ];
  const lines = [`incident ${i.id}  ${i.title}`, `  ${i.severity}, ${i.status}; ${times.join(', ')}`];
  if (i.summary) lines.push(`  summary: ${i.summary}`);
  if (i.rootCause) lines.push(`  root cause: ${i.rootCause}`);
  if (i.impact) lines.push(`  impact: ${i.impact}`);
  return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parse(argv, OPTIONS, 'incident');
  const [sub, ...args] = parsed.positionals;
  // The engineer's spellings of a severity and a status, in the contract's.
  const values = {
    ...parsed.values,
    severity: severityWord(parsed.values.severity),
    status: parsed.values.status?.trim().toLowerCase(),
  };
  const path = dbPath(values);
  if (sub === undefined)
    throw new InputError('frameline incident needs a command: create, list, show ID or update ID');
  if (!['create', 'list', 'show', 'update'].includes(sub))
    throw new InputError(`"${sub}" is not an incident command; use create, list, show ID or update ID`);
  // Reading needs an existing database; creating makes one.
  const ctx = openEngine(path, { create: sub === 'create' });
  const engine = new WalkEngine({ db: ctx.db, dbPath: path });
  try {
    switch (sub) {
      case 'create': {
        positionals(args, 'incident create');
        if (values.title === undefined)
          throw new InputError(
            'frameline incident create needs --title, such as --title "Chat drops every minute"',
          );
        const request = requestFrom(contract.incidents.create.request, values, {
          title: FLAGS.title!,
          severity: FLAGS.severity!,
        });
        const incident = engine.createIncident(request);
        await out(values.json ? `${JSON.stringify(incident, null, 2)}\n` : `incident ${incident.id}\n`);
        return 0;
      }
      case 'list': {
        positionals(args, 'incident list');
        const all = engine.listIncidents();
        if (values.json) {
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
        const id = incidentId(
          positionals(args, 'incident show', { max: 1, what: 'incident id' })[0],
          'incident show',
        );
        const detail = engine.incidentDetail(id);
        if (values.json) {
          await out(`${JSON.stringify(detail, null, 2)}\n`);
          return 0;
        }
        const lines = [describeIncident(detail.incident), ''];
        if (detail.walks.length) {
          lines.push('walks:');
          for (const w of detail.walks)
            lines.push(
              `  walk ${w.id}  ${w.runbookId}  ${w.status}, at ${w.currentNode} "${w.currentLabel}"`,
            );
          lines.push('');
        }
        lines.push('timeline (UTC):', ...timelineLines(detail.timeline));
        await out(`${lines.join('\n')}\n`);
        return 0;
      }
      case 'update': {
        const id = incidentId(
          positionals(args, 'incident update', { max: 1, what: 'incident id' })[0],
          'incident update',
        );
        const { id: _id, ...change } = requestFrom(contract.incidents.update.request, values, FLAGS, { id });
        if (Object.keys(change).length === 0)
          throw new InputError(
            'nothing to update: give --status, --severity, --title, --summary, --root-cause or --impact',
          );
        const incident = engine.updateIncident(id, change);
        await out(values.json ? `${JSON.stringify(incident, null, 2)}\n` : `${describeIncident(incident)}\n`);
        return 0;
      }
    }
    return 2;
  } finally {
    await engine.close();
    ctx.close();
  }
}
