// The report as one self-contained HTML file: inline stylesheet and SVG, no script, nothing
// fetched (its own Content-Security-Policy says so), laid out for the screen and for print (A4,
// headings kept with what follows, tables repeating their heads). Every text is escaped: a captured
// `<script>` or `onerror=` is shown, never run.
import type { Comparison } from '../../../shared/contract/compare.js';
import { findingGroups } from '../../../shared/diagnosis/compare.js';
import { SCORE_NAMES, scoreValue, scoreVerdict } from '../../../shared/scorecard-text.js';
import type { Scorecard } from '../../../shared/contract/diagnose.js';
import type { Report, ReportSession, ReportStep, ReportWalk } from '../../../shared/contract/reports.js';
import { evidenceText } from '../../../shared/finding-text.js';
import { REPORT_CSS, reportContentSecurityPolicy } from './report-style.js';
import { connectionTimelineSvg, esc, flowchartSvg, queryChartSvg, rateChartSvg } from './svg.js';
import { QueryResultSchema } from '../../../shared/prometheus.js';
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

/** A text someone wrote, kept as they wrote it (line breaks too); an empty one says so. */
function prose(text: string, empty = 'Not written yet.'): string {
  return text.trim() === '' ? `<p class="empty">${esc(empty)}</p>` : `<p class="text">${esc(text)}</p>`;
}

function heading(id: string, level = 2): string {
  return `<h${level} id="${id}">${esc(section(id))}</h${level}>`;
}

function header(report: Report, escaped: number): string {
  const i = report.incident;
  const facts = [
    ['Severity', `<span class="sev ${i.severity}">${i.severity}</span>`],
    ['Status', esc(i.status)],
    ...times(i).map(([k, v]) => [k, esc(v)]),
    ...metrics(i).map(([k, v, what]) => [`${k} <span class="muted">(${esc(what)})</span>`, esc(v)]),
  ];
  return [
    `<header>`,
    `<p class="meta">Incident report · Frameline incident #${i.id}</p>`,
    `<h1>${esc(i.title)}</h1>`,
    `<p class="redaction${report.redaction.enabled ? '' : ' is-off'}" data-testid="redaction">${esc(redactionSentence(report.redaction))}</p>`,
    ...(escaped ? [`<p class="meta" data-testid="escapes">${esc(ESCAPES_SENTENCE)}</p>`] : []),
    `<dl class="facts">${facts.map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`).join('')}</dl>`,
    `<p class="meta">Responders: ${i.responders.length ? esc(i.responders.join(', ')) : '—'} · generated ${esc(when(report.generatedAt))} by Frameline ${esc(report.generator.version)} · report schema ${report.schemaVersion}</p>`,
    `</header>`,
  ].join('\n');
}

function timeline(report: Report): string {
  if (report.timeline.length === 0) return '<p class="empty">Nothing happened yet.</p>';
  const rows = report.timeline.map(
    (e) =>
      `<tr data-kind="${esc(e.kind)}"><td class="time">${esc(clock(e.ts))}</td><td class="mono kind">${esc(e.kind)}</td><td class="text">${esc(e.text)}</td></tr>`,
  );
  const first = report.timeline[0]!.ts.slice(0, 10);
  return `<p class="muted">Times in UTC, from ${esc(first)}.</p><table><thead><tr><th>Time</th><th>What</th><th>Detail</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function findings(report: Report): string {
  if (report.findings.length === 0) return '<p class="empty">No finding was recorded.</p>';
  return report.findings
    .map((f) => {
      const source =
        f.source === 'walk'
          ? `attached to a walk, ${when(f.at)}`
          : `${f.source === 'probe' ? 'probe' : 'diagnosis'} of session ${f.sessionId}, ${when(f.at)}`;
      return [
        `<div class="finding" data-finding="${esc(f.id)}">`,
        `<h3><span class="sev ${f.severity}">${esc(f.severity)}</span> ${esc(f.title)} <span class="muted mono">${esc(f.id)}</span></h3>`,
        `<p>${esc(f.summary)}</p>`,
        `<p><strong>Evidence:</strong> <span class="mono">${esc(evidenceText(f.evidence) || '—')}</span></p>`,
        `<p><strong>Cause:</strong> ${esc(f.cause)}</p>`,
        `<p><strong>Fix:</strong> ${esc(f.fix)}</p>`,
        `<p class="meta">From the ${esc(source)}; runbook step <span class="mono">${esc(f.runbook)}</span>.</p>`,
        `</div>`,
      ].join('\n');
    })
    .join('\n');
}

function step(s: ReportStep, n: number): string {
  const box =
    s.timeboxSeconds === null
      ? ''
      : ` · time box ${esc(duration(s.timeboxSeconds))}${s.overrun ? ` <span class="overrun">overrun</span>` : ''}`;
  const left = s.leftBy ? ` · left: ${esc(s.leftBy)}` : s.leftAt === null ? ' · current' : '';
  const parts = [
    `<div class="step${s.onPath ? '' : ' is-left'}" data-node="${esc(s.node)}">`,
    `<h4>${n}. ${esc(s.node)} — ${esc(s.label.replace(/\n/g, ' · '))}</h4>`,
    `<p class="meta">Entered ${esc(clock(s.enteredAt))}, ${esc(duration(s.elapsedSeconds))}${box}${left}${s.onPath ? '' : ' · gone back from'}</p>`,
  ];
  if (s.checklist.length)
    parts.push(
      `<ul class="checklist">${s.checklist.map((c) => `<li class="${c.checked ? 'is-checked' : ''}">${c.index}. ${esc(c.title)}</li>`).join('')}</ul>`,
    );
  for (const run of s.runs) {
    if (run.kind === 'shell') {
      const oneLine = !run.request.includes('\n');
      parts.push(
        `<div class="run" data-run="${run.id}"><p>Ran ${oneLine ? `<code>${esc(run.request)}</code> ` : ''}— <span class="status-${esc(run.status)}">${esc(runOutcome(run))}</span></p>`,
      );
      if (!oneLine) parts.push(`<pre>${esc(run.request)}</pre>`);
      if (run.original !== null)
        parts.push(`<p class="meta">Edited; the runbook has:</p><pre>${esc(run.original)}</pre>`);
      if (run.output !== '') parts.push(`<pre class="output">${esc(run.output)}</pre>`);
      if (run.truncated)
        parts.push(
          `<p class="meta">Output cut: ${run.outputBytes.toLocaleString('en-US')} bytes in all, the first and the last part kept.</p>`,
        );
    } else if (run.kind === 'query') parts.push(queryRun(run));
    else
      parts.push(
        `<div class="run" data-run="${run.id}"><p>App action <strong>${esc(run.kind)}</strong> <code>${esc(run.request)}</code> — <span class="status-${esc(run.status)}">${esc(runOutcome(run))}</span>${run.summary ? `: ${esc(run.summary)}` : ''}</p>`,
      );
    parts.push('</div>');
  }
  for (const note of s.notes)
    parts.push(
      `<div class="note"><p class="meta">Note, ${esc(clock(note.at))}</p><p class="text">${esc(note.text)}</p></div>`,
    );
  parts.push('</div>');
  return parts.join('\n');
}

/** A query step's run: each query with its verdict and its chart over the incident's window. */
function queryRun(run: ReportStep['runs'][number]): string {
  const parsed = QueryResultSchema.safeParse(run.result);
  const head = `<div class="run" data-run="${run.id}"><p>Asked Prometheus — <span class="status-${esc(run.status)}">${esc(runOutcome(run))}</span></p>`;
  if (!parsed.success) return `${head}<p>${esc(run.summary)}</p>`;
  const q = parsed.data;
  const parts = [
    head,
    `<p class="meta">${esc(q.server)}, ${esc(clock(new Date(q.window.from * 1000).toISOString()))} to ${esc(clock(new Date(q.window.to * 1000).toISOString()))} UTC, a point every ${q.window.stepSeconds} s${q.expect ? `; expected ${esc(`${q.expect.op} ${q.expect.value}`)}` : ''}</p>`,
  ];
  q.queries.forEach((a, i) => {
    parts.push(
      `<div class="query" data-query="${i}" data-pass="${a.pass}"><p><code>${esc(a.promql)}</code> <span class="${a.pass ? 'verdict-pass' : 'verdict-fail'}">${a.pass ? 'PASS' : 'FAIL'}</span> ${esc(a.error ?? a.verdict)}</p>`,
      queryChartSvg(q, i),
      '</div>',
    );
  });
  return parts.join('\n');
}

function walk(w: ReportWalk): string {
  const path = w.path.join(' → ');
  return [
    `<h3 id="walk-${w.id}">Walk ${w.id}: ${esc(w.runbook.title)} <span class="muted">v${esc(w.runbook.version)}</span></h3>`,
    `<p class="meta">Started ${esc(when(w.startedAt))}, ${esc(w.status)}${w.endedAt ? ` ${esc(when(w.endedAt))}` : ''}${w.target ? ` · endpoint <code>${esc(w.target)}</code>` : ''}${w.direct ? ` · backend <code>${esc(w.direct)}</code>` : ''}</p>`,
    `<p><strong>Path taken:</strong> <span class="mono">${esc(path)}</span></p>`,
    `<figure>${flowchartSvg(w.flowchart, String(w.id), w.runbook.title)}<figcaption>The path taken is drawn thick; branches gone back from are dashed; the current or last node is filled.</figcaption></figure>`,
    ...w.steps.map((s, i) => step(s, i + 1)),
  ].join('\n');
}

/** The success metrics as a table: metric, value, threshold, verdict, evidence. */
function scorecardTable(card: Scorecard): string {
  const rows = SCORE_NAMES.map(([key, name]) => {
    const x = card[key];
    const verdict = scoreVerdict(x);
    return `<tr data-metric="${key}"><td>${esc(name)}</td><td class="num">${esc(scoreValue(x))}</td><td class="num">&gt; ${x.threshold} %</td><td><span class="score-verdict ${verdict === 'PASS' ? 'pass' : verdict === 'FAIL' ? 'fail' : 'none'}">${verdict}</span></td><td>${esc(x.evidence)}</td></tr>`;
  }).join('');
  return `<table class="scorecard"><thead><tr><th>Metric</th><th class="num">Value</th><th class="num">Threshold</th><th>Verdict</th><th>Evidence</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function sessionBlock(s: ReportSession): string {
  const c = s.connections;
  const lifetimes = s.lifetimes
    ? `min ${duration(s.lifetimes.minSeconds)}, median ${duration(s.lifetimes.medianSeconds)}, max ${duration(s.lifetimes.maxSeconds)} over ${s.lifetimes.count}`
    : 'no connection both opened and closed';
  const reconnects =
    s.reconnects.count === 0
      ? 'none'
      : `${s.reconnects.count}; gap before the next attempt median ${duration(s.reconnects.medianGapSeconds)}, max ${duration(s.reconnects.maxGapSeconds)}`;
  const codes = s.closeCodes
    .map(
      (x) =>
        `<tr><td class="num">${x.code ?? '—'}</td><td>${esc(x.name)}</td><td class="num">${x.count}</td><td>${esc(x.meaning)}</td></tr>`,
    )
    .join('');
  const rows = c.shown
    .map(
      (x) =>
        `<tr><td class="num">${x.ordinal}</td><td class="time">${esc(x.openedAt ? clock(x.openedAt) : '—')}</td><td class="time">${esc(x.closedAt ? clock(x.closedAt) : '—')}</td><td class="num">${esc(duration(x.lifetimeSeconds))}</td><td>${esc(x.outcome)}${x.closeReason ? ` <span class="mono">“${esc(x.closeReason)}”</span>` : ''}${closerWords(x) ? ` <span class="muted">(${esc(closerWords(x)!)})</span>` : ''}${x.error ? `<br><span class="muted">${esc(x.error)}</span>` : ''}</td><td>${esc(x.protocol ?? '—')}</td><td class="num">${x.frames}</td></tr>`,
    )
    .join('');
  return [
    `<div class="session" data-session="${s.id}">`,
    `<h3 id="session-${s.id}">Session ${s.id}: ${esc(s.name)} <span class="muted">${esc(s.kind)}, ${esc(s.status)}</span></h3>`,
    `<p class="meta">Target <code>${esc(s.target)}</code> · ${esc(when(s.createdAt))} to ${esc(when(s.endedAt))} · ${s.frames.toLocaleString('en-US')} frames · linked ${s.linkedVia === 'walk' ? 'by a walk' : 'by hand'}</p>`,
    `<ul><li><strong>Connections:</strong> ${c.total} (${c.opened} opened, ${c.failed} failed)</li><li><strong>Protocol:</strong> ${esc(protocolWords(s))}</li><li><strong>Reconnects:</strong> ${esc(reconnects)}</li><li><strong>Lifetimes:</strong> ${esc(lifetimes)}</li><li><strong>Round trips:</strong> ping ${esc(latencyWords(s.roundTrips.ping, 'pings'))}; request/response ${esc(latencyWords(s.roundTrips.requestResponse, 'requests'))}</li>${s.damagedFrames?.frames ? `<li><strong>Damaged frames:</strong> ${esc(damagedWords(s.damagedFrames))}</li>` : ''}</ul>`,
    s.scorecard ? `<h4>Scorecard</h4>${scorecardTable(s.scorecard)}` : '',
    `<figure>${rateChartSvg(s)}<figcaption>Frames per second.</figcaption></figure>`,
    `<figure>${connectionTimelineSvg(s)}<figcaption>Connections over time, coloured by how they ended${s.timeline.omitted ? ` (the first ${s.timeline.spans.length} drawn, ${s.timeline.omitted} more not)` : ''}.</figcaption></figure>`,
    codes
      ? `<h4>Close codes</h4><table><thead><tr><th class="num">Code</th><th>Name</th><th class="num">Count</th><th>Meaning</th></tr></thead><tbody>${codes}</tbody></table>`
      : '',
    rows
      ? `<h4>Connections</h4><table><thead><tr><th class="num">#</th><th>Opened</th><th>Closed</th><th class="num">Lived</th><th>Ended</th><th>Protocol</th><th class="num">Frames</th></tr></thead><tbody>${rows}</tbody></table>${c.omitted ? `<p class="meta">${c.omitted} more connections are not listed (they are counted above).</p>` : ''}`
      : '',
    s.lastFrames.length
      ? `<h4>Last frames</h4><p class="meta">Redacted, each message decoded in its connection's protocol.</p><pre class="frames">${esc(s.lastFrames.map(frameWords).join('\n'))}</pre>`
      : '',
    `</div>`,
  ].join('\n');
}

/** "Before and after": two linked sessions compared, the verdict first, each one's connections drawn. */
function comparisonBlock(c: Comparison): string {
  const side = (name: string, s: Comparison['before']) =>
    `<figure>${connectionTimelineSvg(s)}<figcaption>${name}: session ${s.session.id}, ${esc(s.session.name)} <span class="muted">(${esc(s.session.kind)}, ${esc(s.session.status)}, <code>${esc(s.session.target)}</code>, ${esc(when(s.session.createdAt))})</span></figcaption></figure>`;
  const rows = c.rows
    .map(
      (r) =>
        `<tr data-change="${r.change}"><td>${esc(r.measure)}</td><td>${esc(r.before)}</td><td>${esc(r.after)}</td><td>${esc(r.change)}</td></tr>`,
    )
    .join('');
  const list = (title: string, fs: ReadonlyArray<{ id: string; severity: string; summary: string }>) =>
    fs.length === 0
      ? ''
      : `<h4>${esc(title)}</h4><ul>${fs.map((f) => `<li><span class="sev ${esc(f.severity)}">${esc(f.severity)}</span> <code>${esc(f.id)}</code>: ${esc(f.summary)}</li>`).join('')}</ul>`;
  return [
    `<h2 id="before-and-after">Before and after</h2>`,
    `<p class="verdict" data-tone="${c.verdict.tone}"><strong>Verdict:</strong> ${esc(c.verdict.text)}</p>`,
    side('Before', c.before),
    side('After', c.after),
    `<table><thead><tr><th>Measure</th><th>Before</th><th>After</th><th>Change</th></tr></thead><tbody>${rows}</tbody></table>`,
    ...findingGroups(c).map((g) => list(g.title, g.findings)),
  ].join('\n');
}

function actionItems(report: Report): string {
  if (report.actionItems.length === 0) return '<p class="empty">No action item yet.</p>';
  const rows = report.actionItems.map(
    (a) =>
      `<tr><td class="num">${a.id}</td><td>${esc(a.type)}</td><td>${esc(a.title)}${a.link ? `<br><span class="mono muted">${esc(a.link)}</span>` : ''}</td><td>${esc(a.owner || '—')}</td><td class="time">${esc(a.due ?? '—')}</td><td>${a.done ? 'done' : 'open'}</td></tr>`,
  );
  return `<table><thead><tr><th class="num">#</th><th>Type</th><th>Action</th><th>Owner</th><th>Due</th><th>State</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The report as one HTML document, every text in it visible (see shownReport). */
export function renderHtml(data: Report): string {
  const { report, escaped } = shownReport(data);
  const i = report.incident;
  const body = [
    header(report, escaped),
    `<main>`,
    heading('summary'),
    prose(i.summary),
    heading('impact'),
    prose(i.impact),
    heading('trigger'),
    prose(i.trigger),
    heading('root-cause'),
    prose(i.rootCause),
    heading('detection'),
    prose(i.detection),
    heading('resolution'),
    prose(i.resolution),
    heading('timeline'),
    timeline(report),
    heading('findings'),
    findings(report),
    heading('runbook'),
    report.walks.length ? report.walks.map(walk).join('\n') : '<p class="empty">No runbook was walked.</p>',
    heading('sessions'),
    report.sessions.length && report.scorecard
      ? `<p>The runbooks' success metrics of the linked sessions together:</p>${scorecardTable(report.scorecard)}`
      : '',
    report.sessions.length
      ? report.sessions.map(sessionBlock).join('\n')
      : '<p class="empty">No session is linked to this incident.</p>',
    report.comparison ? comparisonBlock(report.comparison) : '',
    heading('action-items'),
    actionItems(report),
    heading('lessons'),
    `<h3>What went well</h3>${prose(i.wentWell)}`,
    `<h3>What went wrong</h3>${prose(i.wentWrong)}`,
    `<h3>Where we got lucky</h3>${prose(i.gotLucky)}`,
    `</main>`,
    `<footer>${esc(redactionSentence(report.redaction))} Written by Frameline ${esc(report.generator.version)}; the same content as data: <span class="mono">frameline report ${i.id} --format json</span>.</footer>`,
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${reportContentSecurityPolicy()}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Frameline ${esc(report.generator.version)}">
<title>${esc(`Incident ${i.id}: ${i.title}`)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
