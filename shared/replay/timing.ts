// When a replay sends each message: the recorded offsets from the open, divided by the speed (or all
// at once at "max"), kept as offsets from the replay's own open so that lateness never accumulates.
import { quantile } from '../diagnosis/stats.js';

/** How fast a replay plays: a factor of the recorded pace, or as fast as the socket takes them. */
export type Speed = number | 'max';

/** Milliseconds after the open at which each message is sent; `offsetsUs` are recorded offsets in µs. */
export function sendPlan(offsetsUs: readonly number[], speed: Speed): number[] {
  if (speed === 'max') return offsetsUs.map(() => 0);
  return offsetsUs.map((us) => Math.max(0, us) / 1000 / speed);
}

/** The absolute error of each gap between consecutive sends, in ms, against the recorded gap scaled by the speed. */
export function gapErrors(
  recordedUs: readonly number[],
  replayedUs: readonly number[],
  speed: number,
): number[] {
  const n = Math.min(recordedUs.length, replayedUs.length);
  const out: number[] = [];
  for (let i = 1; i < n; i++) {
    const want = (recordedUs[i]! - recordedUs[i - 1]!) / 1000 / speed;
    const got = (replayedUs[i]! - replayedUs[i - 1]!) / 1000;
    out.push(Math.abs(got - want));
  }
  return out;
}

/** The p50 and p99 of a list of errors, in ms, rounded to the microsecond. */
export function errorSummary(errorsMs: readonly number[]): { p50: number; p99: number; max: number } {
  const r = (x: number) => Math.round(x * 1000) / 1000;
  if (errorsMs.length === 0) return { p50: 0, p99: 0, max: 0 };
  return {
    p50: r(quantile(errorsMs, 0.5)),
    p99: r(quantile(errorsMs, 0.99)),
    max: r(Math.max(...errorsMs)),
  };
}
