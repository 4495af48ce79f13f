// The words both text formats of a report use (Markdown and HTML), so that they say the same
// thing: times, durations, the metrics with what they measure, the redaction header, how a step
// was left, how a run went; and the text of a report as a reader is shown it.
import type { Incident } from '../../../shared/contract/incidents.js';
import type {
  Report,
  ReportConnection,
  ReportFrame,
  ReportRun,
  ReportSession,
} from '../../../shared/contract/reports.js';
export { redactionSentence } from '../../../shared/redaction.js';
import { formatDuration } from '../../../shared/charts/scale.js';
import type { DamagedFrames } from '../../../shared/contract/sessions.js';
import { damageWords } from '../../../shared/frame-damage.js';
import { escapeInvisible } from '../../../shared/command-text.js';

/** The sections of a report, in order, with their anchors. */
export const SECTIONS = [
  ['summary', 'Summary'],
  ['impact', 'Impact'],
  ['trigger', 'Trigger'],
  ['root-cause', 'Root cause'],
  ['detection', 'Detection'],
  ['resolution', 'Resolution'],
  ['timeline', 'Timeline'],
  ['findings', 'Findings'],
  ['runbook', 'Runbook path'],
  ['sessions', 'Evidence: sessions'],
  ['action-items', 'Action items'],
  ['lessons', 'Lessons'],
] as const;

/**
 * Who closed a connection, in the report's words: `client`, `server`, `network`, or Frameline's
 * relay with its fault; a relayed connection adds its leg to the server (`server leg 1006`).
 */
export function closerWords(
  x: Pick<ReportConnection, 'closedBy' | 'closeFault' | 'upstreamCloseCode'>,
): string | null {
  if (x.closedBy === null) return null;
  const by =
    x.closedBy === 'relay' ? `Frameline's relay${x.closeFault ? `, fault ${x.closeFault}` : ''}` : x.closedBy;
  return x.upstreamCloseCode === null ? by : `${by}; server leg ${x.upstreamCloseCode}`;
}

/** `2026-11-22 02:07:42 UTC` */
export function when(iso: string | null): string {
  if (iso === null) return '—';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** `02:07:42` */
export function clock(iso: string): string {
  return iso.slice(11, 19);
}

/**
 * A frame of a session's evidence in one line, as `frameline show` prints it: time, connection,
 * direction, opcode, size, the decoded message in brackets, the redacted payload.
 */
export function frameWords(f: ReportFrame): string {
  const time = f.ts.slice(11, 26);
  const arrow = f.direction === 'in' ? '<' : '>';
  const said = f.label ? `[${f.label}] ` : '';
  return `${time} #${f.connection} ${arrow} ${f.opcode} ${f.size} B  ${said}${f.damaged ? '(damaged: its stored bytes failed their check)' : f.preview}`;
}

/** The protocols a session's listed connections spoke, in words: `socket.io`, `none known`. */
export function protocolWords(s: ReportSession): string {
  const names = [...new Set(s.connections.shown.map((c) => c.protocol ?? 'none known'))];
  return names.length ? names.join(', ') : 'no connection';
}

/** A duration in seconds for people: `840 ms`, `3.20 s`, `4 min 12 s`. */
export function duration(seconds: number | null): string {
  return seconds === null ? '—' : formatDuration(seconds * 1e6);
}

/** The incident's times as label and value, in the order they happen. */
export function times(i: Incident): Array<[string, string]> {
  return [
    ['Impact started', when(i.impactStartedAt)],
    ['Detected', when(i.detectedAt)],
    ['Acknowledged', when(i.acknowledgedAt)],
    ['Mitigated', when(i.mitigatedAt)],
    ['Resolved', when(i.resolvedAt)],
  ];
}

/** The derived metrics with what each measures, so that nobody reads "MTTR" two ways. */
export function metrics(i: Incident): Array<[string, string, string]> {
  const m = i.metrics;
  const from = m.measuredFrom === 'impact-start' ? 'impact start' : 'detection';
  return [
    ['Time to detect', duration(m.timeToDetectSeconds), 'impact start → detected'],
    ['Time to acknowledge', duration(m.timeToAcknowledgeSeconds), 'detected → acknowledged'],
    ['Time to mitigate', duration(m.timeToMitigateSeconds), `${from} → mitigated`],
    ['Time to resolve', duration(m.timeToResolveSeconds), `${from} → resolved`],
  ];
}

/** How a run went, in a few words. */
export function runOutcome(run: ReportRun): string {
  const took = run.durationSeconds === null ? '' : ` after ${duration(run.durationSeconds)}`;
  if (run.kind === 'shell') {
    if (run.status === 'ok' || run.status === 'failed') return `exit ${run.exitCode ?? '?'}${took}`;
    return `${run.status}${took}`;
  }
  return `${run.status}${took}`;
}

/** Round trips in a few words: `p50 12 ms, p95 40 ms, max 51 ms (120 pings)`. */
export function latencyWords(l: ReportSession['roundTrips']['ping'], what: string): string {
  if (!l) return `no ${what}`;
  return `p50 ${l.p50Ms} ms, p95 ${l.p95Ms} ms, max ${l.maxMs} ms over ${l.samples} ${what}`;
}

/** The file name a report is saved under: `incident-3-chat-drops-every-minute.html`. */
export function reportFileName(report: Pick<Report, 'incident'>, ext: string): string {
  const slug = report.incident.title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return `incident-${report.incident.id}${slug ? `-${slug}` : ''}.${ext}`;
}

/** A session's damaged frames in the report: how many, which, and what the report did with them. */
export function damagedWords(d: DamagedFrames): string {
  return `${damageWords(d)}; their stored bytes failed the integrity check, so they were left out of the round trips`;
}

/** Characters a report keeps that a command would show escaped: tab, ZWJ, variation selectors, NBSP. */
const PROSE_KEEPS = '\t\u200d\ufe0e\ufe0f\u00a0';

/**
 * A text as a report shows it: each character that is invisible or changes how the text reads (a
 * bidi override or isolate, a terminal escape, a bell, a backspace, a zero-width character) as
 * ⟦U+XXXX⟧, by the rule that shows a command before it runs; line breaks (a CRLF is one) and tabs kept.
 * Unlike a command, a report is prose people write: the joiner and variation selectors that make
 * emoji (👩‍💻, ❤️) and the non-breaking space pasted from a document are kept, since none of them
 * reorders or hides what is read.
 */
export function visible(text: string): { text: string; escaped: number } {
  return escapeInvisible(text.replace(/\r\n/g, '\n'), { keep: PROSE_KEEPS });
}

/** Every text of `value`, at any depth, made visible; with how many characters were escaped. */
function visibleTexts(value: unknown, count: { escaped: number }): unknown {
  const one = (text: string) => {
    const v = visible(text);
    count.escaped += v.escaped;
    return v.text;
  };
  if (typeof value === 'string') return one(value);
  if (Array.isArray(value)) return value.map((v) => visibleTexts(v, count));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [one(k), visibleTexts(v, count)]));
  return value;
}

/**
 * The report as Markdown, HTML and the PDF show it: every text in it made visible, whoever wrote it
 * (a person, a capture, a command, a runbook), so no field can be forgotten. The JSON is not: see
 * reportJson.
 */
export function shownReport(report: Report): { report: Report; escaped: number } {
  const count = { escaped: 0 };
  return { report: visibleTexts(report, count) as Report, escaped: count.escaped };
}

/** What a report with escaped characters says about them. */
export const ESCAPES_SENTENCE =
  '⟦U+XXXX⟧ stands for one character that is invisible or changes how the text reads (a control such as a terminal escape, a bidi override, a zero-width or an unusual space); the report as data (JSON) holds the text as written.';
