// How long an answer may have waited for this process. On a busy machine the OS may leave
// Frameline unscheduled for tens or hundreds of milliseconds; an answer that arrives meanwhile is
// read only when the process runs again, and the round trip measured across that gap is this
// machine's delay, not the endpoint's. A timer ticks every TICK_MS; a tick that comes late by more
// than SLACK_MS marks the time in between as a stall. Only the stall that ended as the answer was
// read can have held it back (had the answer come before an earlier stall ended, it would have been
// read then; stalls a moment apart count as one), so a round trip gives back that stall's time,
// from the send on at most.
import { nowMicros } from '../clock.js';

/** How often the watcher ticks. */
const TICK_MS = 5;
/** Lateness below this is ordinary timer jitter, not a stall. */
const SLACK_MS = 5;
/**
 * A stall that ended this close before the read is one the answer waited through; stalls this close
 * to each other are one.
 */
const READ_GAP_MS = 20;
/** Stalls kept (the oldest go first): a probe's round trips need the last few seconds. */
const MAX_STALLS = 4096;

interface Stall {
  fromUs: number;
  toUs: number;
}

export class LocalStalls {
  private readonly stalls: Stall[] = [];
  private lastUs = nowMicros();
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  /** Notes the gap since the last tick as a stall if it was longer than a tick and its slack. */
  private tick(): void {
    const now = nowMicros();
    const expectedUs = this.lastUs + TICK_MS * 1000;
    if (now - expectedUs > SLACK_MS * 1000) {
      this.stalls.push({ fromUs: expectedUs, toUs: now });
      if (this.stalls.length > MAX_STALLS) this.stalls.shift();
    }
    this.lastUs = now;
  }

  /**
   * How long an answer read at `readUs` (epoch µs, the frames' clock) may have waited for this
   * process since `fromUs`: the stall that ended as it was read, clipped to the window; 0 if none.
   */
  heldBack(fromUs: number, readUs: number): number {
    this.tick();
    const gapUs = READ_GAP_MS * 1000;
    let i = this.stalls.length - 1;
    while (i >= 0 && this.stalls[i]!.fromUs > readUs) i--; // began after the read
    if (i < 0 || this.stalls[i]!.toUs < readUs - gapUs) return 0; // the answer was not there yet
    // Stalls only a moment apart are one: the process barely ran between them (preempted again
    // before it reached the answer).
    let us = 0;
    let next = readUs;
    for (; i >= 0; i--) {
      const s = this.stalls[i]!;
      if (s.toUs < next - gapUs || s.toUs <= fromUs) break;
      us += Math.max(0, Math.min(s.toUs, readUs) - Math.max(s.fromUs, fromUs));
      next = s.fromUs;
    }
    return us / 1000;
  }

  /** A round trip from `fromUs` to `readUs` without the time the answer waited for this process. */
  roundTrip(fromUs: number, readUs: number): { rttMs: number; stalledMs: number } {
    const stalledMs = this.heldBack(fromUs, readUs);
    return { rttMs: Math.max(0, (readUs - fromUs) / 1000 - stalledMs), stalledMs };
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
