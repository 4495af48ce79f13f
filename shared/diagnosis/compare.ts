// What changed between two measured sessions (before and after a fix), in rows of words that the
// console, the command line and the report show alike, the findings each has alone, and a verdict
// in one line: "the 3 s idle cuts are gone; p95 answer latency 410 → 95 ms".
import type { ComparedSession, Comparison, ComparisonRow } from '../contract/compare.js';
import type { Finding } from '../findings.js';
import { MIN_SAMPLES } from './latency.js';

/** A change smaller than this share of the before value is no change (captures are noisy). */
export const SAME_WITHIN = 0.1;

/** Seconds in few characters: `3 s`, `2.5 s`. */
export function secondsText(s: number): string {
  const r = Math.round(s * 10) / 10;
  return `${Number.isInteger(r) ? r.toFixed(0) : r.toFixed(1)} s`;
}

/** Milliseconds in few characters: `95 ms`, `0.42 ms`. */
function msText(ms: number): string {
  return ms >= 10 ? `${Math.round(ms)}` : `${Math.round(ms * 100) / 100}`;
}

type Change = ComparisonRow['change'];

/** better when `after` is lower by more than SAME_WITHIN (or higher, with `higherIsBetter`). */
function trend(before: number | null, after: number | null, higherIsBetter = false): Change {
  if (before === null || after === null) return 'different';
  const scale = Math.max(Math.abs(before), Math.abs(after), 1e-9);
  if (Math.abs(after - before) <= SAME_WITHIN * scale) return 'same';
  return after > before === higherIsBetter ? 'better' : 'worse';
}

/** A p95 of enough round trips (a percentile of one or two says nothing), else null. */
function p95Of(l: ComparedSession['heartbeat']): number | null {
  return l !== null && l.samples >= MIN_SAMPLES ? l.p95Ms : null;
}

/** The p95 answer latency, when there are enough answers. */
function enoughP95(s: ComparedSession): number | null {
  return p95Of(s.answers.latency);
}

/** Connections dropped without a close handshake (1006, or the network side). */
export function drops(s: ComparedSession): number {
  return s.closes.filter((c) => c.code === 1006 || c.closedBy === 'network').reduce((n, c) => n + c.count, 0);
}

function closesText(s: ComparedSession): string {
  if (s.closes.length === 0) return 'none';
  return s.closes
    .slice(0, 4)
    .map((c) => `${c.code ?? c.name} ×${c.count}${c.closedBy ? ` (${c.closedBy})` : ''}`)
    .join(', ')
    .concat(s.closes.length > 4 ? `, ${s.closes.length - 4} more` : '');
}

function latencyText(l: ComparedSession['heartbeat']): string {
  return l === null ? 'none' : `p50 ${msText(l.p50Ms)} ms, p95 ${msText(l.p95Ms)} ms (${l.samples})`;
}

function typesText(
  items: ReadonlyArray<{ direction: string; count: number }>,
  name: (i: never) => string,
): string {
  if (items.length === 0) return 'none';
  return items
    .slice(0, 5)
    .map((i) => `${i.direction === 'in' ? '<' : '>'} ${name(i as never)} ${i.count}`)
    .join(', ')
    .concat(items.length > 5 ? `, ${items.length - 5} more` : '');
}

function findingsCount(fs: readonly Finding[]): string {
  const critical = fs.filter((f) => f.severity === 'critical').length;
  const warning = fs.filter((f) => f.severity === 'warning').length;
  return fs.length === 0
    ? 'none'
    : `${critical} critical, ${warning} warning, ${fs.length - critical - warning} info`;
}

/** The measures of both sessions, row by row. */
export function comparisonRows(b: ComparedSession, a: ComparedSession): ComparisonRow[] {
  const row = (measure: string, before: string, after: string, change: Change): ComparisonRow => ({
    measure,
    before,
    after,
    change: before === after ? 'same' : change,
  });
  const connections = (s: ComparedSession) =>
    `${s.connections.total}${s.connections.failed ? ` (${s.connections.failed} failed)` : ''} in ${secondsText(s.session.durationSeconds)}`;
  const lifetimes = (s: ComparedSession) =>
    s.lifetimes === null
      ? 'none closed'
      : s.lifetimes.count === 1
        ? `1 connection, ${secondsText(s.lifetimes.maxSeconds)}`
        : `median ${secondsText(s.lifetimes.medianSeconds)} (${secondsText(s.lifetimes.minSeconds)}–${secondsText(s.lifetimes.maxSeconds)})`;
  const idle = (s: ComparedSession) =>
    s.idleBeforeClose.timeoutSeconds !== null
      ? `cut after ${secondsText(s.idleBeforeClose.timeoutSeconds)} idle`
      : s.idleBeforeClose.medianSeconds === null
        ? 'no close'
        : `no idle timeout (median ${secondsText(s.idleBeforeClose.medianSeconds)})`;
  const reconnects = (s: ComparedSession) =>
    `${s.reconnects.count}${s.reconnects.medianGapSeconds !== null ? ` (gap median ${secondsText(s.reconnects.medianGapSeconds)})` : ''}`;
  const answers = (s: ComparedSession) =>
    s.answers.latency === null
      ? s.answers.requests > 0
        ? `none of ${s.answers.requests} answered`
        : 'no requests with an id'
      : `${latencyText(s.answers.latency)}, ${s.answers.answered} of ${s.answers.requests} answered`;
  const idleChange: Change =
    b.idleBeforeClose.timeoutSeconds !== null && a.idleBeforeClose.timeoutSeconds === null
      ? 'better'
      : b.idleBeforeClose.timeoutSeconds === null && a.idleBeforeClose.timeoutSeconds !== null
        ? 'worse'
        : 'same';
  const serious = (s: ComparedSession) => s.findings.filter((f) => f.severity !== 'info').length;
  return [
    row('connections', connections(b), connections(a), 'different'),
    row(
      'closes',
      closesText(b),
      closesText(a),
      drops(a) < drops(b) ? 'better' : drops(a) > drops(b) ? 'worse' : 'different',
    ),
    row(
      'lifetimes',
      lifetimes(b),
      lifetimes(a),
      trend(b.lifetimes?.medianSeconds ?? null, a.lifetimes?.medianSeconds ?? null, true),
    ),
    row('idle before close', idle(b), idle(a), idleChange),
    row('reconnects', reconnects(b), reconnects(a), trend(b.reconnects.count, a.reconnects.count)),
    row(
      'heartbeat round trips',
      latencyText(b.heartbeat),
      latencyText(a.heartbeat),
      trend(p95Of(b.heartbeat), p95Of(a.heartbeat)),
    ),
    row('answer latency', answers(b), answers(a), trend(enoughP95(b), enoughP95(a))),
    row(
      'frames',
      typesText(b.frameKinds, (i: { opcode: string }) => i.opcode),
      typesText(a.frameKinds, (i: { opcode: string }) => i.opcode),
      'different',
    ),
    ...(b.messageTypes.length + a.messageTypes.length > 0
      ? [
          row(
            'message types',
            typesText(b.messageTypes, (i: { type: string }) => i.type),
            typesText(a.messageTypes, (i: { type: string }) => i.type),
            'different',
          ),
        ]
      : []),
    row('findings', findingsCount(b.findings), findingsCount(a.findings), trend(serious(b), serious(a))),
  ];
}

/** The longest a connection of the session was seen alive: a closed one's lifetime, or an open one's span. */
function longestSeen(s: ComparedSession): number {
  let longest = s.lifetimes?.maxSeconds ?? 0;
  for (const span of s.timeline.spans)
    if (span.openedAt !== null) longest = Math.max(longest, (span.endAt - span.openedAt) / 1e6);
  return longest;
}

/** The verdict in one line, and which way it leans. */
export function verdictOf(
  b: ComparedSession,
  a: ComparedSession,
  gone: Finding[],
  appeared: Finding[],
): Comparison['verdict'] {
  const parts: string[] = [];
  let better = 0;
  let worse = 0;
  let tooShort = false;
  const cutBefore = b.idleBeforeClose.timeoutSeconds;
  const cutAfter = a.idleBeforeClose.timeoutSeconds;
  if (cutBefore !== null && cutAfter === null) {
    const seen = longestSeen(a);
    if (seen < cutBefore) {
      tooShort = true;
      parts.push(
        `no connection of the after session lived ${secondsText(cutBefore)} (the longest: ${secondsText(seen)}): too short to tell whether the ${secondsText(cutBefore)} idle cuts are gone`,
      );
    } else {
      better++;
      parts.push(`the ${secondsText(cutBefore)} idle cuts are gone`);
    }
  } else if (cutBefore === null && cutAfter !== null) {
    worse++;
    parts.push(`new idle cuts after ${secondsText(cutAfter)}`);
  } else if (cutBefore !== null && cutAfter !== null) {
    worse++;
    parts.push(`the idle cuts remain (${secondsText(cutBefore)} → ${secondsText(cutAfter)})`);
  }
  const serious = (f: Finding) => f.severity !== 'info' && f.id !== 'idle-timeout';
  const goneSerious = tooShort ? [] : gone.filter(serious);
  const newSerious = appeared.filter(serious);
  if (goneSerious.length) {
    better += goneSerious.length;
    parts.push(`no longer found: ${goneSerious.map((f) => f.id).join(', ')}`);
  }
  if (newSerious.length) {
    worse += newSerious.length;
    parts.push(`new: ${newSerious.map((f) => f.id).join(', ')}`);
  }
  const p95 = enoughP95;
  const latency = trend(p95(b), p95(a));
  if ((latency === 'better' || latency === 'worse') && p95(b) !== null && p95(a) !== null) {
    if (latency === 'better') better++;
    else worse++;
    parts.push(`p95 answer latency ${msText(p95(b)!)} → ${msText(p95(a)!)} ms`);
  }
  const dropsBefore = drops(b);
  const dropsAfter = drops(a);
  if (dropsBefore !== dropsAfter && cutBefore === null && cutAfter === null)
    parts.push(`dropped connections ${dropsBefore} → ${dropsAfter}`);
  if (parts.length === 0) parts.push('no difference the diagnosis sees');
  const text = parts.join('; ');
  const tone: Comparison['verdict']['tone'] =
    better > 0 && worse > 0
      ? 'mixed'
      : better > 0
        ? 'better'
        : worse > 0
          ? 'worse'
          : tooShort
            ? 'inconclusive'
            : 'same';
  return { text: text.charAt(0).toUpperCase() + text.slice(1), tone };
}

/** A group of a comparison's findings, as every view lists them. */
export interface FindingGroup {
  title: 'Gone (before only)' | 'New (after only)' | 'Still there';
  findings: Array<Pick<Finding, 'id' | 'severity' | 'summary'>>;
}

/** The findings gone, new and still there (with the after session's words). */
export function findingGroups(c: Pick<Comparison, 'findings'>): FindingGroup[] {
  return [
    { title: 'Gone (before only)', findings: c.findings.gone },
    { title: 'New (after only)', findings: c.findings.appeared },
    {
      title: 'Still there',
      findings: c.findings.remaining.map((f) => ({ id: f.id, severity: f.severity, summary: f.after })),
    },
  ];
}

/** Two measured sessions compared. */
export function compareSessions(before: ComparedSession, after: ComparedSession): Comparison {
  const ids = (s: ComparedSession) => new Set(s.findings.map((f) => f.id));
  const beforeIds = ids(before);
  const afterIds = ids(after);
  const gone = before.findings.filter((f) => !afterIds.has(f.id));
  const appeared = after.findings.filter((f) => !beforeIds.has(f.id));
  const remaining = after.findings
    .filter((f) => beforeIds.has(f.id))
    .map((f) => ({
      id: f.id,
      severity: f.severity,
      before: before.findings.find((x) => x.id === f.id)!.summary,
      after: f.summary,
    }));
  return {
    before,
    after,
    rows: comparisonRows(before, after),
    findings: { gone, appeared, remaining },
    verdict: verdictOf(before, after, gone, appeared),
  };
}
