// The words both text formats of a report use (Markdown and HTML), so that they say the same
// thing: times, durations, the metrics with what they measure, the redaction header, how a step
// was left, how a run went.
import type { Incident } from '../../../shared/contract/incidents.js';
import type { Report, ReportRun, ReportSession } from '../../../shared/contract/reports.js';
export { redactionSentence } from '../../../shared/redaction.js';
import { formatDuration } from '../../../shared/charts/scale.js';
import type { DamagedFrames } from '../../../shared/contract/sessions.js';
import { damageWords } from '../../../shared/frame-damage.js';

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

/** `2026-11-22 02:07:42 UTC` */
export function when(iso: string | null): string {
  if (iso === null) return '—';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** `02:07:42` */
export function clock(iso: string): string {
  return iso.slice(11, 19);
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
