// The report as Markdown, for tickets, wikis and repositories: the same sections as the HTML, the
// runbook's flowchart as a mermaid block with the path taken styled (so it renders where Markdown
// is read), traffic as a sparkline. Text from captures and commands is escaped (or fenced), so
// that no Markdown renderer turns it into markup; what people wrote keeps its Markdown, never HTML.
import type { Comparison } from '../../../shared/contract/compare.js';
import { findingGroups } from '../../../shared/diagnosis/compare.js';
import { SCORE_NAMES, scoreValue, scoreVerdict } from '../../../shared/scorecard-text.js';
import type { Scorecard } from '../../../shared/contract/diagnose.js';
import { formatValue, QueryResultSchema, seriesName } from '../../../shared/prometheus.js';
import type {
  Report,
  ReportFlowchart,
  ReportSession,
  ReportStep,
  ReportWalk,
} from '../../../shared/contract/reports.js';
import { evidenceText } from '../../../shared/finding-text.js';
import { rateSparkline } from './svg.js';
import {
  ESCAPES_SENTENCE,
  SECTIONS,
  clock,
  closerWords,
  frameWords,
  protocolWords,
  damagedWords,
  duration,
  latencyWords,
  metrics,
  redactionSentence,
  runOutcome,
  shownReport,
  times,
  when,
} from './words.js';

const section = (id: string) => SECTIONS.find((s) => s[0] === id)![1];

/** Text from a capture or a command, inline: no Markdown or HTML in it takes effect. */
export function mdText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_{}[\]#|~])/g, '\\$1')
    .replace(/\r?\n/g, ' ')
    .replace(/^([-+])(\s)/, '\\$1$2')
    .replace(/^(\d+)([.)])(\s)/, '$1\\$2$3');
}

/** The same, in a table cell (line breaks kept as <br>). */
function cell(text: string): string {
  return text.split(/\r?\n/).map(mdText).join('<br>');
}

/** A code span that holds any text (backticks inside get a longer fence). */
export function code(text: string): string {
  const flat = text.replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat.trim() === '' ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A fenced block that holds any text. */
export function fenced(text: string, info = 'text'): string {
  const longest = Math.max(2, ...(text.match(/`{3,}/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${info}\n${text.replace(/\n$/, '')}\n${fence}`;
}

/** A fence line (at most three spaces in): its run of backticks or tildes, and what follows it. */
const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
/** A `#` that would start a heading: at the line's start, behind spaces or list markers. */
const HEADING = /^([ \t]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+)*)(#{1,6})(?=[ \t]|$)/;
/** A line that makes the text line above it a heading (setext: `===` or `---` alone). */
const UNDERLINE = /^([ \t]*)(=+|-+)([ \t]*)$/;
/** A link definition whose destination is not on the web or on the next line (not a footnote). */
const LINK_DEFINITION = /^([ \t]*)\[(?!\^)(?=[^\]]+\]:(?![ \t]*(?:https?:\/\/|mailto:|#)))/i;

/**
 * What a person wrote, as a block of the report: their Markdown stays (emphasis, lists, tables,
 * links to the web, the code fences they closed), HTML does not, nor links anywhere but the web,
 * and nothing in it can change the report's own structure. The one set of rules for every field
 * written as a block (the post-mortem's sections and lessons); a field written inline (a title, a
 * name, a note, a table cell) goes through mdText, which leaves no Markdown in it at all.
 *  - A `#` that would start a heading is escaped, and so is a `===`/`---` line under a line of text.
 *  - Every fence line is written at the start of its line, where it can only open or close a fence
 *    at the top (in a list item it would close with the item, and a later one would open at the
 *    top unseen); the lines inside a fence are left as written.
 *  - A fence still open at the field's end is closed there, so the sections after it stay sections.
 * Each field is followed by a blank line, which ends whatever else it opened (a list, a table, a
 * paragraph that a line of the report could have continued).
 */
export function written(text: string, empty = '_Not written yet._'): string {
  if (text.trim() === '') return empty;
  const lines = text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\]\(\s*(?!https?:\/\/|mailto:|#)/gi, '\\]\\(')
    .split(/\r?\n/);
  const out: string[] = [];
  let open: string | null = null;
  let above = '';
  for (const line of lines) {
    const fence = FENCE.exec(line);
    const mark = fence?.[1] ?? '';
    if (open !== null) {
      // Inside a fence: only a fence of the same kind, at least as long, with nothing after it, closes.
      const closes = mark[0] === open[0] && mark.length >= open.length && fence![2]!.trim() === '';
      out.push(closes ? mark : line);
      if (closes) open = null;
      above = '';
    } else if (fence && !(mark[0] === '`' && fence[2]!.includes('`'))) {
      out.push(`${mark}${fence[2]}`);
      open = mark;
      above = '';
    } else {
      let shown = line.replace(HEADING, '$1\\$2').replace(LINK_DEFINITION, '$1\\[');
      if (above.trim() !== '') shown = shown.replace(UNDERLINE, '$1\\$2$3');
      out.push(shown);
      above = shown;
    }
  }
  if (open !== null) out.push(open);
  return out.join('\n');
}

/** A mermaid label: quoted, with mermaid's entity codes for what would end or break it. */
function mermaidLabel(text: string): string {
  const safe = text
    .replace(/\r?\n/g, ' · ')
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/`/g, '#96;');
  return `"${safe}"`;
}

const STATE_STYLES: Record<string, string> = {
  current: 'fill:#c2410c,stroke:#c2410c,color:#ffffff,stroke-width:3px',
  visited: 'fill:#fff1e8,stroke:#c2410c,stroke-width:2px',
  left: 'fill:#f6f7f9,stroke:#8a94a3,stroke-dasharray:4 3',
  next: 'fill:#ffffff,stroke:#6b7684',
  idle: 'fill:#ffffff,stroke:#b6bdc6,color:#56606c',
};

/** The flowchart as mermaid, the path taken in bold orange: nodes by class, edges by linkStyle. */
export function mermaid(chart: ReportFlowchart): string {
  const ids = new Map<string, string>();
  chart.nodes.forEach((n, i) =>
    ids.set(n.id, /^[A-Za-z][A-Za-z0-9_]*$/.test(n.id) && n.id !== 'end' ? n.id : `n${i}`),
  );
  const lines = ['flowchart TD'];
  for (const n of chart.nodes) {
    const id = ids.get(n.id)!;
    const label = mermaidLabel(n.label);
    const shape =
      n.kind === 'decision'
        ? `{${label}}`
        : n.kind === 'start' || n.kind === 'end'
          ? `([${label}])`
          : `[${label}]`;
    lines.push(`    ${id}${shape}:::${n.state}`);
  }
  const taken: number[] = [];
  const left: number[] = [];
  // linkStyle counts links in the order they are written.
  let link = 0;
  for (const e of chart.edges) {
    const from = ids.get(e.from);
    const to = ids.get(e.to);
    if (!from || !to) continue;
    lines.push(`    ${from} -->${e.label ? `|${mermaidLabel(e.label)}|` : ''} ${to}`);
    if (e.state === 'taken') taken.push(link);
    if (e.state === 'left') left.push(link);
    link++;
  }
  for (const [state, style] of Object.entries(STATE_STYLES)) lines.push(`    classDef ${state} ${style}`);
  if (taken.length) lines.push(`    linkStyle ${taken.join(',')} stroke:#c2410c,stroke-width:4px`);
  if (left.length) lines.push(`    linkStyle ${left.join(',')} stroke:#8a94a3,stroke-dasharray:5 4`);
  return fenced(lines.join('\n'), 'mermaid');
}

function header(report: Report, escaped: number): string[] {
  const i = report.incident;
  const rows = [
    ['Severity', i.severity],
    ['Status', i.status],
    ...times(i),
    ...metrics(i).map(([k, v, what]) => [`${k} (${what})`, v]),
    ['Responders', i.responders.length ? i.responders.join(', ') : '—'],
  ];
  return [
    `# Incident report: ${mdText(i.title)}`,
    '',
    `> Frameline incident #${i.id} · generated ${when(report.generatedAt)} by Frameline ${mdText(report.generator.version)} · report schema ${report.schemaVersion}`,
    `>`,
    `> **${report.redaction.enabled ? 'Redaction' : 'Redaction off'}:** ${mdText(redactionSentence(report.redaction))}`,
    ...(escaped ? ['>', `> ${ESCAPES_SENTENCE}`] : []),
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${cell(k!)} | ${cell(v!)} |`),
  ];
}

function step(s: ReportStep, n: number): string[] {
  const box =
    s.timeboxSeconds === null
      ? ''
      : `, time box ${duration(s.timeboxSeconds)}${s.overrun ? ' — **overrun**' : ''}`;
  const left = s.leftBy ? `; left: ${mdText(s.leftBy)}` : s.leftAt === null ? '; current' : '';
  const out = [
    `#### ${n}. ${mdText(s.node)} — ${mdText(s.label.replace(/\n/g, ' · '))}${s.onPath ? '' : ' _(gone back from)_'}`,
    '',
    `Entered ${clock(s.enteredAt)} UTC, ${duration(s.elapsedSeconds)}${box}${left}.`,
    '',
  ];
  if (s.checklist.length) {
    for (const c of s.checklist) out.push(`- [${c.checked ? 'x' : ' '}] ${c.index}. ${mdText(c.title)}`);
    out.push('');
  }
  for (const run of s.runs) {
    if (run.kind === 'shell') {
      const oneLine = !run.request.includes('\n');
      out.push(`Ran ${oneLine ? `${code(run.request)} ` : ''}— ${runOutcome(run)}`, '');
      if (!oneLine) out.push(fenced(run.request, 'sh'), '');
      if (run.original !== null) out.push('Edited; the runbook has:', '', fenced(run.original, 'sh'), '');
      if (run.output !== '') out.push(fenced(run.output), '');
      if (run.truncated)
        out.push(
          `_Output cut: ${run.outputBytes.toLocaleString('en-US')} bytes in all, the first and the last part kept._`,
          '',
        );
    } else if (run.kind === 'query' && QueryResultSchema.safeParse(run.result).success) {
      const q = QueryResultSchema.parse(run.result);
      out.push(
        `Asked Prometheus (${mdText(q.server)}) over ${clock(new Date(q.window.from * 1000).toISOString())} to ${clock(new Date(q.window.to * 1000).toISOString())} UTC — ${runOutcome(run)}`,
        '',
      );
      for (const a of q.queries) {
        out.push(`- ${code(a.promql)} **${a.pass ? 'PASS' : 'FAIL'}** ${mdText(a.error ?? a.verdict)}`);
        if (a.error === null && a.series.length > 4)
          for (const x of a.series)
            out.push(
              `  - ${code(seriesName(x.labels))} = ${x.value === null ? 'no value at the end' : formatValue(x.value)}`,
            );
      }
      out.push('');
    } else
      out.push(
        `App action **${run.kind}** ${code(run.request)} — ${runOutcome(run)}${run.summary ? `: ${mdText(run.summary)}` : ''}`,
        '',
      );
  }
  for (const note of s.notes) {
    out.push(`> **Note, ${clock(note.at)}:** ${note.text.split(/\r?\n/).map(mdText).join('<br>')}`, '');
  }
  return out;
}

function walk(w: ReportWalk): string[] {
  return [
    `### Walk ${w.id}: ${mdText(w.runbook.title)} (v${mdText(w.runbook.version)})`,
    '',
    `Started ${when(w.startedAt)}, ${w.status}${w.endedAt ? ` ${when(w.endedAt)}` : ''}${w.target ? ` · endpoint ${code(w.target)}` : ''}${w.direct ? ` · backend ${code(w.direct)}` : ''}.`,
    '',
    `**Path taken:** ${w.path.map(mdText).join(' → ')}`,
    '',
    mermaid(w.flowchart),
    '',
    ...w.steps.flatMap((s, i) => step(s, i + 1)),
  ];
}

/** The success metrics as a table: metric, value, threshold, verdict, evidence. */
function scorecardTable(card: Scorecard): string[] {
  return [
    '| Metric | Value | Threshold | Verdict | Evidence |',
    '|---|---:|---:|---|---|',
    ...SCORE_NAMES.map(([key, name]) => {
      const x = card[key];
      return `| ${name} | ${scoreValue(x)} | > ${x.threshold} % | ${scoreVerdict(x)} | ${cell(x.evidence)} |`;
    }),
  ];
}

function session(s: ReportSession): string[] {
  const c = s.connections;
  const out = [
    `### Session ${s.id}: ${mdText(s.name)} (${s.kind}, ${s.status})`,
    '',
    `Target ${code(s.target)} · ${when(s.createdAt)} to ${when(s.endedAt)} · ${s.frames.toLocaleString('en-US')} frames · linked ${s.linkedVia === 'walk' ? 'by a walk' : 'by hand'}`,
    '',
    `- **Connections:** ${c.total} (${c.opened} opened, ${c.failed} failed)`,
    `- **Protocol:** ${mdText(protocolWords(s))}`,
    `- **Reconnects:** ${s.reconnects.count === 0 ? 'none' : `${s.reconnects.count}; gap before the next attempt median ${duration(s.reconnects.medianGapSeconds)}, max ${duration(s.reconnects.maxGapSeconds)}`}`,
    `- **Lifetimes:** ${s.lifetimes ? `min ${duration(s.lifetimes.minSeconds)}, median ${duration(s.lifetimes.medianSeconds)}, max ${duration(s.lifetimes.maxSeconds)} over ${s.lifetimes.count}` : 'no connection both opened and closed'}`,
    `- **Round trips:** ping ${latencyWords(s.roundTrips.ping, 'pings')}; request/response ${latencyWords(s.roundTrips.requestResponse, 'requests')}`,
  ];
  if (s.damagedFrames?.frames) out.push(`- **Damaged frames:** ${mdText(damagedWords(s.damagedFrames))}`);
  const spark = rateSparkline(s);
  if (spark) out.push(`- **Frames over time:** ${code(spark)}`);
  out.push('');
  if (s.scorecard) out.push(...scorecardTable(s.scorecard), '');
  if (s.closeCodes.length) {
    out.push('| Code | Name | Count | Meaning |', '|---:|---|---:|---|');
    for (const x of s.closeCodes)
      out.push(`| ${x.code ?? '—'} | ${cell(x.name)} | ${x.count} | ${cell(x.meaning)} |`);
    out.push('');
  }
  if (c.shown.length) {
    out.push(
      '| # | Opened | Closed | Lived | Ended | Protocol | Frames |',
      '|---:|---|---|---:|---|---|---:|',
    );
    for (const x of c.shown)
      out.push(
        `| ${x.ordinal} | ${x.openedAt ? clock(x.openedAt) : '—'} | ${x.closedAt ? clock(x.closedAt) : '—'} | ${duration(x.lifetimeSeconds)} | ${cell(x.outcome)}${x.closeReason ? ` “${cell(x.closeReason)}”` : ''}${closerWords(x) ? ` (${cell(closerWords(x)!)})` : ''}${x.error ? `<br>${cell(x.error)}` : ''} | ${x.protocol ?? '—'} | ${x.frames} |`,
      );
    if (c.omitted) out.push('', `_${c.omitted} more connections are not listed (they are counted above)._`);
    out.push('');
  }
  if (s.lastFrames.length) {
    out.push(
      `Its last ${s.lastFrames.length === 1 ? 'frame' : `${s.lastFrames.length} frames`}, redacted, each message decoded in its connection's protocol:`,
      '',
      fenced(s.lastFrames.map(frameWords).join('\n')),
      '',
    );
  }
  return out;
}

/** "Before and after": two linked sessions compared, the verdict first. */
function comparison(c: Comparison): string[] {
  const side = (name: string, s: Comparison['before']['session']) =>
    `- **${name}:** session ${s.id}, ${mdText(s.name)} (${s.kind}, ${s.status}), ${code(s.target)}, ${when(s.createdAt)}`;
  const list = (title: string, fs: ReadonlyArray<{ id: string; severity: string; summary: string }>) =>
    fs.length === 0
      ? []
      : [
          `**${title}:**`,
          '',
          ...fs.map((f) => `- ${f.severity.toUpperCase()} ${code(f.id)}: ${mdText(f.summary)}`),
          '',
        ];
  return [
    '## Before and after',
    '',
    `**Verdict:** ${mdText(c.verdict.text)}`,
    '',
    side('Before', c.before.session),
    side('After', c.after.session),
    '',
    '| Measure | Before | After | Change |',
    '|---|---|---|---|',
    ...c.rows.map((r) => `| ${cell(r.measure)} | ${cell(r.before)} | ${cell(r.after)} | ${r.change} |`),
    '',
    ...findingGroups(c).flatMap((g) => list(g.title, g.findings)),
  ];
}

/** The report as Markdown, every text in it visible (see shownReport). */
export function renderMarkdown(data: Report): string {
  const { report, escaped } = shownReport(data);
  const i = report.incident;
  const h = (id: string) => [`## ${section(id)}`, ''];
  const out: string[] = [
    ...header(report, escaped),
    '',
    ...h('summary'),
    written(i.summary),
    '',
    ...h('impact'),
    written(i.impact),
    '',
    ...h('trigger'),
    written(i.trigger),
    '',
    ...h('root-cause'),
    written(i.rootCause),
    '',
    ...h('detection'),
    written(i.detection),
    '',
    ...h('resolution'),
    written(i.resolution),
    '',
    ...h('timeline'),
  ];
  if (report.timeline.length) {
    out.push(
      `Times in UTC, from ${report.timeline[0]!.ts.slice(0, 10)}.`,
      '',
      '| Time | What | Detail |',
      '|---|---|---|',
    );
    for (const e of report.timeline) out.push(`| ${clock(e.ts)} | ${code(e.kind)} | ${cell(e.text)} |`);
  } else out.push('_Nothing happened yet._');
  out.push('', ...h('findings'));
  if (report.findings.length === 0) out.push('_No finding was recorded._', '');
  for (const f of report.findings) {
    const source =
      f.source === 'walk'
        ? `attached to a walk, ${when(f.at)}`
        : `${f.source === 'probe' ? 'probe' : 'diagnosis'} of session ${f.sessionId}, ${when(f.at)}`;
    out.push(
      `### ${f.severity.toUpperCase()} · ${mdText(f.title)} (${code(f.id)})`,
      '',
      mdText(f.summary),
      '',
      `- **Evidence:** ${code(evidenceText(f.evidence) || '—')}`,
      `- **Cause:** ${mdText(f.cause)}`,
      `- **Fix:** ${mdText(f.fix)}`,
      `- **From:** the ${mdText(source)}; runbook step ${code(f.runbook)}`,
      '',
    );
  }
  out.push(...h('runbook'));
  if (report.walks.length === 0) out.push('_No runbook was walked._', '');
  for (const w of report.walks) out.push(...walk(w));
  out.push(...h('sessions'));
  if (report.sessions.length === 0) out.push('_No session is linked to this incident._', '');
  else if (report.scorecard)
    out.push(
      "The runbooks' success metrics of the linked sessions together:",
      '',
      ...scorecardTable(report.scorecard),
      '',
    );
  for (const s of report.sessions) out.push(...session(s));
  if (report.comparison) out.push(...comparison(report.comparison));
  out.push(...h('action-items'));
  if (report.actionItems.length === 0) out.push('_No action item yet._');
  else {
    out.push('| # | Type | Action | Owner | Due | State |', '|---:|---|---|---|---|---|');
    for (const a of report.actionItems)
      out.push(
        `| ${a.id} | ${a.type} | ${cell(a.title)}${a.link ? `<br>${code(a.link)}` : ''} | ${cell(a.owner || '—')} | ${a.due ?? '—'} | ${a.done ? 'done' : 'open'} |`,
      );
  }
  out.push(
    '',
    ...h('lessons'),
    '### What went well',
    '',
    written(i.wentWell),
    '',
    '### What went wrong',
    '',
    written(i.wentWrong),
    '',
    '### Where we got lucky',
    '',
    written(i.gotLucky),
    '',
    '---',
    '',
    `_${mdText(redactionSentence(report.redaction))} The same content as data: ${code(`frameline report ${i.id} --format json`)}._`,
    '',
  );
  return out.join('\n');
}
