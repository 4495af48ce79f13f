// The charts' clock readings in the zone the engineer chose (UTC or local time): the shared
// formatting, shifted by the console's time-zone switch. The incident report reads UTC only.
import { clockLabel as utcClockLabel } from '../../../shared/charts/scale';
import { shiftedMs } from '../time-zone';

/** A clock reading precise enough for ticks `step` apart, in the console's zone. */
export function clockLabel(us: number, step: number): string {
  return utcClockLabel(us, step, shiftedMs);
}

/** A full clock reading with microseconds, in the console's zone: `02:07:42.595683`. */
export function clockMicros(us: number): string {
  return clockLabel(us, 1);
}
