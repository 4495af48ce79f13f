// One monotonic clock anchored to wall time, shared by everything that timestamps frames, so that
// frames from different connections (and both directions) order correctly even if the wall clock
// steps during a capture.
import { performance } from 'node:perf_hooks';

const anchorWallUs = Date.now() * 1000;
const anchorMonoMs = performance.now();

/** Current time in epoch microseconds, monotonic within this process. */
export function nowMicros(): number {
  return Math.round(anchorWallUs + (performance.now() - anchorMonoMs) * 1000);
}

/** Milliseconds on the monotonic clock, for measuring durations. */
export function monoMs(): number {
  return performance.now();
}
