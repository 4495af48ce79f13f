// How long an answer waited for this process: the stall that ended as it was read, and no other.
import { afterEach, expect, it } from 'vitest';
import { nowMicros } from '../../../../electron/engine/clock.js';
import { LocalStalls } from '../../../../electron/engine/diagnose/local-stalls.js';

let stalls: LocalStalls | undefined;
afterEach(() => stalls?.stop());

/** Keeps this thread busy for `ms` of wall time: to the timers, the process did not run. */
function block(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy
  }
}

/** Waits until the watcher has ticked, on its own schedule. */
const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('gives back a stall that ended as the answer was read', () => {
  stalls = new LocalStalls();
  const sentUs = nowMicros();
  block(150);
  const readUs = nowMicros();
  const trip = stalls.roundTrip(sentUs, readUs);
  // The whole block held the answer back (less a tick and its slack at most), never more than the trip.
  expect(trip.stalledMs).toBeGreaterThanOrEqual(140);
  expect(trip.stalledMs).toBeLessThanOrEqual((readUs - sentUs) / 1000);
  expect(trip.rttMs).toBe(Math.max(0, (readUs - sentUs) / 1000 - trip.stalledMs));
});

it('keeps a stall that ended before the answer came: the answer was not there yet', async () => {
  stalls = new LocalStalls();
  const sentUs = nowMicros();
  block(150);
  const blockEndUs = nowMicros();
  // The process runs again (the watcher ticks) while the answer is still on its way.
  await later(100);
  const readUs = nowMicros();
  const trip = stalls.roundTrip(sentUs, readUs);
  // Only a stall after the block can be given back (a busy machine may have made one meanwhile).
  expect(trip.stalledMs).toBeLessThanOrEqual((readUs - blockEndUs) / 1000);
  expect(trip.rttMs).toBeGreaterThanOrEqual((blockEndUs - sentUs) / 1000);
});

it('never makes a round trip negative', () => {
  stalls = new LocalStalls();
  const from = nowMicros();
  block(60);
  expect(stalls.roundTrip(from, from + 1000).rttMs).toBeGreaterThanOrEqual(0);
});
