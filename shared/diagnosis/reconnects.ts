// Reconnect behaviour (a reconnect is a connection opened once the ones before it had ended, so a
// probe's connections side by side are none): how many attempts fall in any 10-second window (a storm is more than 5 a
// second over 10 s) and whether the delays between a failure and the next attempt grow (backoff)
// or stay flat.
import { finding, type Finding } from '../findings.js';
import type { DiagConnection, Micros, RuleResult } from './input.js';
import { median, round1, round2 } from './stats.js';

/** The storm threshold: reconnects per second, sustained over the window. */
export const STORM_RATE_PER_SECOND = 5;
/** The window the storm rate is measured over. */
export const STORM_WINDOW_SECONDS = 10;
/** A connection that stays up this long is a success: the next reconnect starts a new run. */
export const STABLE_SECONDS = 10;
/** Flat delays count as "no backoff" from this many reconnects in a row. */
export const FLAT_RUN = 5;
/** …when their median is below this (a patient fixed retry is not a storm). */
export const FLAT_MEDIAN_MS = 5000;

/** An attempt on the time axis, epoch microseconds; `endedAt` is Infinity while it is still open. */
export interface AttemptSpan {
  startedAt: Micros;
  endedAt: Micros;
}

/** A reconnect: the attempt at `index`, begun `gapUs` after the attempt at `after` ended. */
export interface Reconnect {
  index: number;
  after: number;
  gapUs: number;
}

/**
 * The reconnects among attempts: an attempt is one when every attempt begun before it had ended
 * (connections opened side by side, as a probe opens them, are not reconnects); its gap runs from
 * the latest of those ends. Indexes point into `attempts`, in any order given.
 */
export function reconnectsOf(attempts: readonly AttemptSpan[]): Reconnect[] {
  const order = attempts.map((_, i) => i).sort((a, b) => attempts[a]!.startedAt - attempts[b]!.startedAt);
  const reconnects: Reconnect[] = [];
  let last = -1;
  for (const i of order) {
    const a = attempts[i]!;
    if (last >= 0) {
      const end = attempts[last]!.endedAt;
      if (a.startedAt >= end) reconnects.push({ index: i, after: last, gapUs: a.startedAt - end });
    }
    if (last < 0 || a.endedAt > attempts[last]!.endedAt) last = i;
  }
  return reconnects;
}

/** A connection's span: a failed attempt ends where it began, an open one never. */
function spanOf(c: DiagConnection): AttemptSpan {
  return {
    startedAt: c.startedAt,
    endedAt: c.closedAt ?? (c.openedAt === null ? c.startedAt : Number.POSITIVE_INFINITY),
  };
}

/** The most attempts that start within any window of `windowUs`, among sorted start times. */
export function peakInWindow(sortedStarts: readonly number[], windowUs: number): number {
  let peak = 0;
  let lo = 0;
  for (let hi = 0; hi < sortedStarts.length; hi++) {
    while (sortedStarts[hi]! - sortedStarts[lo]! >= windowUs) lo++;
    peak = Math.max(peak, hi - lo + 1);
  }
  return peak;
}

/** The longest run of reconnects after short-lived or failed attempts, as delays in ms. */
export function longestFailingRun(attempts: readonly DiagConnection[]): number[] {
  let best: number[] = [];
  let run: number[] = [];
  for (const r of reconnectsOf(attempts.map(spanOf))) {
    const prev = attempts[r.after]!;
    const lived = prev.openedAt === null ? 0 : ((prev.closedAt ?? prev.startedAt) - prev.openedAt) / 1e6;
    if (lived >= STABLE_SECONDS) {
      run = [];
      continue;
    }
    run.push(r.gapUs / 1000);
    if (run.length > best.length) best = [...run];
  }
  return best;
}

/** True when a run of delays does not grow: the last two are under twice the first two. */
export function flatDelays(delaysMs: readonly number[]): boolean {
  if (delaysMs.length < FLAT_RUN) return false;
  const head = median(delaysMs.slice(0, 2));
  const tail = median(delaysMs.slice(-2));
  return tail < 2 * Math.max(head, 1) && median(delaysMs) < FLAT_MEDIAN_MS;
}

/** The reconnect check and the reconnect-storm finding of a session. */
export function reconnectRule(connections: readonly DiagConnection[]): RuleResult {
  const attempts = [...connections].sort((a, b) => a.startedAt - b.startedAt);
  const found = reconnectsOf(attempts.map(spanOf));
  const reconnects = found.length;
  const findings: Finding[] = [];
  if (reconnects === 0) {
    return { check: { name: 'reconnects', ok: true, ms: null, detail: { reconnects: 0 } }, findings };
  }
  const starts = found.map((r) => attempts[r.index]!.startedAt).sort((a, b) => a - b);
  const peak = peakInWindow(starts, STORM_WINDOW_SECONDS * 1e6);
  const peakPerSecond = round2(peak / STORM_WINDOW_SECONDS);
  const run = longestFailingRun(attempts);
  const flat = flatDelays(run);
  const overRate = peak > STORM_RATE_PER_SECOND * STORM_WINDOW_SECONDS;
  const medianDelayMs = run.length > 0 ? round1(median(run)) : null;
  const detail = {
    reconnects,
    peakPerSecond,
    windowSeconds: STORM_WINDOW_SECONDS,
    peakInWindow: peak,
    failingRun: run.length,
    medianDelayMs,
    firstDelaysMs: run.slice(0, 5).map(round1),
    lastDelaysMs: run.slice(-5).map(round1),
    backoff: run.length >= FLAT_RUN ? !flat : null,
  };
  if (overRate || flat) {
    findings.push(
      finding(
        'reconnect-storm',
        overRate
          ? `${peak} reconnects within ${STORM_WINDOW_SECONDS} s (${peakPerSecond} a second, above ${STORM_RATE_PER_SECOND}).`
          : `${run.length} reconnects in a row after failures, ${medianDelayMs} ms apart, without backing off.`,
        detail,
      ),
    );
  }
  return { check: { name: 'reconnects', ok: findings.length === 0, ms: null, detail }, findings };
}
