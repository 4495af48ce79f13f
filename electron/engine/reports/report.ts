// The incident report, built once as data: the post-mortem, the timeline, the findings, the walks
// with the path taken step by step, the evidence of each linked session, the action items. Every
// text that came from a capture, a command or a person goes through one Redactor on the way in, so
// every format written from it is redacted alike and can say what was taken out.
import type { ActionItem, Incident, WalkRun } from '../../../shared/contract/incidents.js';
import {
  REPORT_SCHEMA_VERSION,
  ReportSchema,
  type Report,
  type ReportFinding,
  type ReportRun,
  type ReportWalk,
} from '../../../shared/contract/reports.js';
import type { RedactionOptions } from '../../../shared/contract/fields.js';
import { evidenceText } from '../../../shared/finding-text.js';
import { FINDINGS, runbookRef, sortFindings, type FindingId } from '../../../shared/findings.js';
import { Redactor } from '../../../shared/redaction.js';
import type { Runbook } from '../../../shared/runbooks/schemas.js';
import { walkMarks } from '../../../shared/runbooks/walk-marks.js';
import { formatMicros, parseMicros } from '../../../shared/time.js';
import { nowMicros } from '../clock.js';
import type { EngineContext } from '../context.js';
import { compare } from '../diagnose/compare.js';
import { storedDiagnosis } from '../diagnose/session-analysis.js';
import { InputError } from '../errors.js';
import type { WalkEngine } from '../incidents/walk.js';
import { sessionEvidence } from './session-evidence.js';
import { addTallies, emptyTally, judgeTally, scoreAndDamageOf } from '../diagnose/scorecard.js';
import { getSessionRow } from '../sessions/session-store.js';
import { storedDamage } from '../sessions/sessions.js';

/** Characters of a command's output a report keeps (the first and the last half). */
export const REPORT_OUTPUT_CAP = 4000;

/** What a report is built from: the database, and the walks domain (incidents and walks). */
export interface ReportSources {
  ctx: EngineContext;
  walks: WalkEngine;
  /** The version of Frameline writing the report. */
  version: string;
}

/** Builds the report of an incident, redacted by `redaction`, and checks it against its schema. */
export async function buildReport(
  sources: ReportSources,
  incidentId: number,
  redaction: RedactionOptions,
  /** Two linked sessions for the "Before and after" section. */
  compared?: { before: number; after: number },
): Promise<Report> {
  const { ctx, walks } = sources;
  const r = new Redactor(redaction);
  const detail = walks.incidents.detail(incidentId);

  const walkReports = [...detail.walks].reverse().map((w) => walkReport(walks, w.id, r));

  // Findings concluded about the linked sessions, then those attached to walks by other means.
  const findings: ReportFinding[] = [];
  for (const s of detail.sessions) {
    const stored = storedDiagnosis(ctx, s.id);
    if (!stored) continue;
    for (const f of sortFindings(stored.findings))
      findings.push({
        ...f,
        summary: r.prose(f.summary),
        evidence: r.value(f.evidence) as Record<string, unknown>,
        source: stored.source,
        sessionId: s.id,
        at: stored.at,
      });
  }
  const seen = new Set(findings.map((f) => f.id as string));
  for (const w of [...detail.walks].reverse())
    for (const f of walks.view(w.id).findings) {
      if (seen.has(f.id) || !(f.id in FINDINGS)) continue;
      seen.add(f.id);
      const spec = FINDINGS[f.id as FindingId];
      const evidence = r.prose(f.evidence);
      findings.push({
        id: spec.id,
        // As the probe or the diagnosis found it (a rule may judge it less or more grave than the
        // catalogue does); the catalogue's for one added by hand.
        severity: f.severity,
        title: spec.title,
        summary: evidence || spec.meaning,
        evidence: evidence ? { observed: evidence, attachedBy: f.source } : { attachedBy: f.source },
        cause: spec.cause,
        fix: spec.fix,
        runbook: runbookRef(spec.id),
        source: 'walk',
        sessionId: null,
        at: f.at,
      });
    }

  const sessions = [];
  let tally = emptyTally();
  for (const s of detail.sessions) {
    const row = getSessionRow(ctx.db, s.id);
    // One pass over the session's frames for its scorecard and for the damage check of every payload.
    const one = row
      ? await scoreAndDamageOf(ctx, row)
      : { tally: emptyTally(), damaged: storedDamage(ctx, s.id) };
    tally = addTallies(tally, one.tally);
    sessions.push(await sessionEvidence(ctx, s, r, one.tally, one.damaged));
  }
  // Only the incident's own evidence is compared: both sessions are in the report's sessions too.
  for (const id of compared ? [compared.before, compared.after] : [])
    if (!detail.sessions.some((s) => s.id === id))
      throw new InputError(
        `session ${id} is not linked to incident ${incidentId}, so its report cannot compare it; link it with "frameline incident link ${incidentId} --session ${id}"`,
      );
  const comparison = compared ? await compare(ctx, compared, r) : null;

  const report: Report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: formatMicros(nowMicros()),
    generator: { name: 'Frameline', version: sources.version },
    redaction: { enabled: true, rules: [], userFields: [], userPatterns: 0 },
    incident: redactIncident(detail.incident, r),
    timeline: detail.timeline.map((e) => ({
      ts: e.ts,
      kind: e.kind,
      walkId: e.walkId,
      node: e.node,
      text: r.prose(e.text),
    })),
    findings,
    walks: walkReports,
    sessions,
    comparison,
    scorecard: judgeTally(tally),
    actionItems: detail.actionItems.map((a) => redactAction(a, r)),
  };
  // Counted last: everything above went through the redactor.
  report.redaction = r.summary();
  return ReportSchema.parse(report);
}

function redactIncident(i: Incident, r: Redactor): Incident {
  return {
    ...i,
    title: r.prose(i.title),
    responders: i.responders.map((x) => r.prose(x)),
    summary: r.prose(i.summary),
    impact: r.prose(i.impact),
    trigger: r.prose(i.trigger),
    rootCause: r.prose(i.rootCause),
    detection: r.prose(i.detection),
    resolution: r.prose(i.resolution),
    wentWell: r.prose(i.wentWell),
    wentWrong: r.prose(i.wentWrong),
    gotLucky: r.prose(i.gotLucky),
  };
}

function redactAction(a: ActionItem, r: Redactor): ActionItem {
  return {
    ...a,
    title: r.prose(a.title),
    owner: r.prose(a.owner),
    link: a.link === null ? null : r.url(a.link),
  };
}

/** The first and last part of a long output, cut at line ends where it can be. */
export function capOutput(text: string, cap = REPORT_OUTPUT_CAP): { text: string; cut: boolean } {
  if (text.length <= cap) return { text, cut: false };
  const half = Math.floor(cap / 2);
  let head = text.slice(0, half);
  let tail = text.slice(text.length - half);
  const headEnd = head.lastIndexOf('\n');
  if (headEnd > half / 2) head = head.slice(0, headEnd + 1);
  const tailStart = tail.indexOf('\n');
  if (tailStart >= 0 && tailStart < half / 2) tail = tail.slice(tailStart + 1);
  const left = text.length - head.length - tail.length;
  return { text: `${head}… ${left.toLocaleString('en-US')} characters left out …\n${tail}`, cut: true };
}

/**
 * What a run asked for: a shell command as text; an app action's JSON (written by the engine) with
 * its endpoint URLs redacted and its other fields as they are.
 */
function runRequest(run: WalkRun, r: Redactor): string {
  if (run.kind === 'shell') return r.prose(run.request);
  try {
    const action = JSON.parse(run.request) as Record<string, unknown>;
    for (const key of ['url', 'direct'])
      if (typeof action[key] === 'string') action[key] = r.url(action[key] as string);
    return JSON.stringify(action);
  } catch {
    return r.prose(run.request);
  }
}

function runReport(run: WalkRun, r: Redactor): ReportRun {
  const output = capOutput(r.prose(run.output));
  return {
    id: run.id,
    step: run.step,
    kind: run.kind,
    request: runRequest(run, r),
    original: run.original === null ? null : r.prose(run.original),
    status: run.status,
    startedAt: run.startedAt,
    durationSeconds:
      run.endedAt === null
        ? null
        : Math.round((parseMicros(run.endedAt) - parseMicros(run.startedAt)) / 1000) / 1000,
    exitCode: run.exitCode,
    output: output.text,
    truncated: run.truncated || output.cut,
    outputBytes: run.outputBytes,
    summary: r.prose(run.summary),
    result: r.value(run.result),
  };
}

function walkReport(walks: WalkEngine, walkId: number, r: Redactor): ReportWalk {
  const view = walks.view(walkId);
  const history = walks.history(walkId);
  const runbook: Runbook = view.runbook;
  const marks = walkMarks(view);
  const notes = view.timeline.filter((e) => e.kind === 'note');
  const now = parseMicros(view.now);
  const steps = history.visits.map((v, i) => {
    const entered = parseMicros(v.enteredAt);
    const left = v.leftAt === null ? now : parseMicros(v.leftAt);
    const next = history.visits[i + 1];
    const checked = new Set(view.checked[v.node] ?? []);
    return {
      node: v.node,
      label: v.label,
      kind: v.kind,
      enteredAt: v.enteredAt,
      leftAt: v.leftAt,
      elapsedSeconds: v.elapsedSeconds,
      timeboxSeconds: v.timeboxSeconds,
      overrun: v.overrun,
      leftBy:
        v.choice !== null
          ? `chose "${v.choice}"`
          : next && next.via === 'back' && v.leftAt !== null
            ? 'went back'
            : null,
      onPath: v.onPath,
      checklist: runbook.steps
        .filter((s) => s.node === v.node)
        .map((s) => ({ index: s.index, title: s.title || `step ${s.index}`, checked: checked.has(s.index) })),
      runs: history.runs.filter((run) => run.visitId === v.visitId).map((run) => runReport(run, r)),
      notes: notes
        .filter((n) => n.node === v.node && parseMicros(n.ts) >= entered && parseMicros(n.ts) <= left)
        .map((n) => ({ at: n.ts, text: r.prose(n.text) })),
    };
  });
  return {
    id: view.id,
    runbook: { id: runbook.id, title: runbook.title, version: runbook.version },
    target: view.target === null ? null : r.url(view.target),
    direct: view.direct === null ? null : r.url(view.direct),
    status: view.status,
    startedAt: view.startedAt,
    endedAt: view.endedAt,
    path: view.path.map((p) => p.node),
    flowchart: {
      start: runbook.start,
      nodes: runbook.nodes.map((n) => ({
        id: n.id,
        label: n.label,
        kind: n.kind,
        state: marks.node(n.id),
        overrun: marks.overrun.has(n.id),
      })),
      edges: runbook.edges.map((e) => ({
        from: e.from,
        to: e.to,
        label: e.label,
        state: marks.edge(e.from, e.to),
      })),
    },
    steps,
  };
}

/** The evidence of a finding on one line (shared with the command line and the console's cards). */
export function findingEvidence(f: ReportFinding): string {
  return evidenceText(f.evidence);
}
