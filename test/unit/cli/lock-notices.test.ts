// What a capture says about the write lock, on the writer's busy/free reports as they came from a
// capture beside a running mock (the two take the lock in turns of a few seconds): one line per wait
// and one when it is over, never a line sooner than MIN_INTERVAL_MS after the one before.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { LockNotices, MIN_INTERVAL_MS, NOTICE_AFTER_MS } from '../../../electron/cli/lock-notices.js';

let lines: Array<{ at: number; line: string }>;
let notices: LockNotices;
const start = Date.UTC(2026, 11, 7, 3, 0, 0);

beforeEach(() => {
  vi.useFakeTimers({ now: start });
  lines = [];
  notices = new LockNotices((line) => lines.push({ at: Date.now() - start, line }));
});
afterEach(() => vi.useRealTimers());

/** Busy for `busyMs`, then free for `freeMs`, `times` over. */
function turns(times: number, busyMs: number, freeMs: number): void {
  for (let i = 0; i < times; i++) {
    notices.busy(true);
    vi.advanceTimersByTime(busyMs);
    notices.busy(false);
    vi.advanceTimersByTime(freeMs);
  }
}

it('says a lock that keeps changing hands once, and once when it is free for good', () => {
  turns(6, 2500, 1500);
  vi.advanceTimersByTime(MIN_INTERVAL_MS * 2);
  expect(lines.map((l) => l.line)).toEqual([
    'the database is locked by another process: frames wait in the spool and are committed when it is free',
    'the database is free again after 22.5 s: committing the frames that waited',
  ]);
});

it('keeps lines at least MIN_INTERVAL_MS apart, and says a short turn of the lock not at all', () => {
  turns(3, 500, 300);
  expect(lines).toEqual([]);
  turns(1, NOTICE_AFTER_MS + 100, MIN_INTERVAL_MS * 2);
  turns(1, NOTICE_AFTER_MS + 100, MIN_INTERVAL_MS * 2);
  expect(lines.map((l) => l.line.slice(0, 25))).toEqual([
    'the database is locked by',
    'the database is free agai',
    'the database is locked by',
    'the database is free agai',
  ]);
  for (let i = 1; i < lines.length; i++)
    expect(lines[i]!.at - lines[i - 1]!.at).toBeGreaterThanOrEqual(MIN_INTERVAL_MS);
});

it('says the end of a wait when the capture ends, whatever the interval', () => {
  notices.busy(true);
  vi.advanceTimersByTime(NOTICE_AFTER_MS + 500);
  notices.busy(false);
  notices.flush();
  expect(lines.map((l) => l.line)).toEqual([
    'the database is locked by another process: frames wait in the spool and are committed when it is free',
    'the database is free again after 2.5 s: committing the frames that waited',
  ]);
});
