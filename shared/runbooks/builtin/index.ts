// The runbooks Frameline ships, parsed once on first use.
import { parseRunbook } from '../parse.js';
import type { Runbook, RunbookSummary } from '../schemas.js';
import { INCIDENT_CHECKLIST } from './incident-checklist.js';
import { ROOT_CAUSES } from './root-causes.js';
import { SERVICE_RUNBOOK } from './service-runbook.js';
import { SYMPTOM_MATRIX } from './symptom-matrix.js';
import { THREE_AM } from './ws-3am.js';

/** The Markdown of every built-in runbook, by file name. */
export const BUILTIN_SOURCES: ReadonlyArray<{ fileName: string; source: string }> = [
  { fileName: 'ws-3am.md', source: THREE_AM },
  { fileName: 'incident-checklist.md', source: INCIDENT_CHECKLIST },
  { fileName: 'symptom-matrix.md', source: SYMPTOM_MATRIX },
  { fileName: 'service-runbook.md', source: SERVICE_RUNBOOK },
  { fileName: 'root-causes.md', source: ROOT_CAUSES },
];

let parsed: Runbook[] | null = null;

/** The built-in runbooks, parsed (a parse error here is a bug the unit tests catch). */
export function builtinRunbooks(): Runbook[] {
  parsed ??= BUILTIN_SOURCES.map((b) => parseRunbook(b.source, { fileName: b.fileName }));
  return parsed;
}

/** The Markdown of a built-in runbook by its id, or undefined. */
export function builtinSource(id: string): string | undefined {
  const i = builtinRunbooks().findIndex((r) => r.id === id);
  return i === -1 ? undefined : BUILTIN_SOURCES[i]!.source;
}

/** A built-in runbook as listed: trusted, since its commands ship with Frameline. */
export function builtinSummary(r: Runbook): RunbookSummary {
  return {
    id: r.id,
    title: r.title,
    version: r.version,
    source: 'builtin',
    provenance: 'builtin',
    trusted: true,
    appliesTo: r.appliesTo,
    nodes: r.nodes.length,
    steps: r.steps.length,
    importedAt: null,
    fileName: null,
  };
}
