import { describe, expect, it } from 'vitest';
import {
  clockLabel,
  clockMicros,
  countTicks,
  formatCompact,
  formatDuration,
  formatOffset,
  linearScale,
  timeTicks,
} from '../../../../shared/charts/scale';
import { parseMicros } from '../../../../shared/time';

const MS = 1000;
const S = 1_000_000;
const MIN = 60 * S;
const H = 60 * MIN;
const DAY = 24 * H;
const T = parseMicros('2025-11-22T02:07:40Z');
const utc = (clock: string) => parseMicros(`2025-11-22T${clock}Z`);

describe('linearScale', () => {
  it('maps a time domain onto the plot and back', () => {
    const x = linearScale([T, T + MIN], [40, 640]);
    expect(x(T)).toBe(40);
    expect(x(T + 30 * S)).toBe(340);
    expect(x(T + MIN)).toBe(640);
    expect(x.invert(340)).toBe(T + 30 * S);
    expect(x.invert(40)).toBe(T);
    expect(x.domain).toEqual([T, T + MIN]);
    expect(x.range).toEqual([40, 640]);
  });

  it('extrapolates outside the domain', () => {
    const x = linearScale([0, 100], [0, 500]);
    expect(x(-10)).toBe(-50);
    expect(x(120)).toBe(600);
  });

  it('runs a count axis upwards with a reversed range', () => {
    const y = linearScale([0, 100], [120, 0]);
    expect(y(0)).toBe(120);
    expect(y(25)).toBe(90);
    expect(y(100)).toBe(0);
    expect(y.invert(90)).toBe(25);
  });

  it('does not divide by zero for a single-instant domain', () => {
    const x = linearScale([T, T], [0, 100]);
    expect(x(T)).toBe(0);
    expect(x(T + 1)).toBe(100);
    expect(Number.isFinite(x.invert(50))).toBe(true);
  });
});

describe('timeTicks', () => {
  it('puts ten-second ticks on a one-minute window', () => {
    const { ticks, step } = timeTicks(T, T + MIN, 6);
    expect(step).toBe(10 * S);
    expect(ticks.map((t) => clockLabel(t, step))).toEqual([
      '02:07:40',
      '02:07:50',
      '02:08:00',
      '02:08:10',
      '02:08:20',
      '02:08:30',
      '02:08:40',
    ]);
  });

  it('starts at the first round instant inside an unaligned window', () => {
    const { ticks, step } = timeTicks(utc('02:07:43.250'), utc('02:07:44.100'), 5);
    expect(step).toBe(200 * MS);
    expect(ticks).toEqual([utc('02:07:43.400'), utc('02:07:43.600'), utc('02:07:43.800'), utc('02:07:44')]);
    expect(ticks.map((t) => clockLabel(t, step))).toEqual([
      '02:07:43.400',
      '02:07:43.600',
      '02:07:43.800',
      '02:07:44.000',
    ]);
  });

  it('uses quarter minutes, aligned on the clock', () => {
    const { ticks, step } = timeTicks(T, T + 100 * S, 8);
    expect(step).toBe(15 * S);
    expect(ticks.map((t) => clockLabel(t, step))).toEqual([
      '02:07:45',
      '02:08:00',
      '02:08:15',
      '02:08:30',
      '02:08:45',
      '02:09:00',
      '02:09:15',
    ]);
  });

  it('uses whole hours for a working day', () => {
    const { ticks, step } = timeTicks(utc('02:00:00'), utc('08:30:00'), 6);
    expect(step).toBe(2 * H);
    expect(ticks.map((t) => clockLabel(t, step))).toEqual(['02:00', '04:00', '06:00', '08:00']);
  });

  it('goes down to microseconds', () => {
    const { ticks, step } = timeTicks(T, T + 40, 5);
    expect(step).toBe(10);
    expect(ticks).toEqual([T, T + 10, T + 20, T + 30, T + 40]);
    expect(clockLabel(ticks[1]!, step)).toBe('02:07:40.000010');
  });

  it('falls back to whole days beyond a week a tick', () => {
    const { ticks, step } = timeTicks(T, T + 90 * DAY, 5);
    expect(step).toBe(18 * DAY);
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    expect(ticks.length).toBeLessThanOrEqual(5);
    for (const t of ticks) expect(t % step).toBe(0);
  });

  it('gives the one instant of an empty window', () => {
    expect(timeTicks(T, T, 5)).toEqual({ ticks: [T], step: 1 });
  });

  it('keeps ticks round, inside the window, and about as many as asked', () => {
    const spans = [37, 850 * MS, 7 * S, 95 * S, 17 * MIN, 5 * H, 3 * DAY, 40 * DAY];
    for (const span of spans) {
      for (const count of [2, 5, 9]) {
        const from = T + 123_457;
        const { ticks, step } = timeTicks(from, from + span, count);
        expect(span / step, `span ${span} count ${count}`).toBeLessThanOrEqual(count);
        expect(ticks.length).toBeLessThanOrEqual(count + 1);
        expect(ticks.length).toBeGreaterThanOrEqual(1);
        for (const t of ticks) {
          expect(t).toBeGreaterThanOrEqual(from);
          expect(t).toBeLessThanOrEqual(from + span);
          expect(t % step).toBe(0);
        }
      }
    }
  });
});

describe('clockLabel', () => {
  const t = parseMicros('2025-11-22T02:07:42.595683Z');

  it('shows as much of the UTC clock as the step needs', () => {
    expect(clockLabel(t, 2 * H)).toBe('02:07');
    expect(clockLabel(t, MIN)).toBe('02:07');
    expect(clockLabel(t, 15 * MIN)).toBe('02:07');
    expect(clockLabel(t, 90 * S)).toBe('02:07:42');
    expect(clockLabel(t, 15 * S)).toBe('02:07:42');
    expect(clockLabel(t, S)).toBe('02:07:42');
    expect(clockLabel(t, 5 * MS)).toBe('02:07:42.595');
    expect(clockLabel(t, MS)).toBe('02:07:42.595');
    expect(clockLabel(t, 500)).toBe('02:07:42.595683');
  });

  it('reads the full clock with microseconds for the frame list', () => {
    expect(clockMicros(t)).toBe('02:07:42.595683');
    expect(clockMicros(parseMicros('2025-11-22T00:00:00.000001Z'))).toBe('00:00:00.000001');
  });

  it('tells day ticks apart', () => {
    const { ticks, step } = timeTicks(T, T + 8 * DAY, 8);
    expect(step).toBe(DAY);
    const labels = ticks.map((tick) => clockLabel(tick, step));
    expect(new Set(labels).size).toBe(labels.length);
  });
});

describe('formatDuration', () => {
  it('uses the unit a person would', () => {
    expect(formatDuration(0)).toBe('0 µs');
    expect(formatDuration(840)).toBe('840 µs');
    expect(formatDuration(1 * MS)).toBe('1 ms');
    expect(formatDuration(1_250)).toBe('1.25 ms');
    expect(formatDuration(10 * MS)).toBe('10 ms');
    expect(formatDuration(12_400)).toBe('12.4 ms');
    expect(formatDuration(120 * MS)).toBe('120 ms');
    expect(formatDuration(3_200_000)).toBe('3.20 s');
    expect(formatDuration(12_340_000)).toBe('12.3 s');
    expect(formatDuration(4 * MIN + 12 * S)).toBe('4 min 12 s');
    expect(formatDuration(4 * MIN + 5 * S)).toBe('4 min 05 s');
    expect(formatDuration(2 * H + 5 * MIN)).toBe('2 h 05 min');
    expect(formatDuration(DAY + 3 * H)).toBe('1 d 3 h');
  });

  it('drops trailing zeros of milliseconds only', () => {
    expect(formatDuration(2_500)).toBe('2.5 ms');
    expect(formatDuration(100 * MS)).toBe('100 ms');
    expect(formatDuration(2 * S)).toBe('2.00 s');
  });

  it('shows a negative duration as zero', () => {
    expect(formatDuration(-5)).toBe('0 µs');
  });
});

describe('formatOffset', () => {
  it('puts a plus before the duration', () => {
    expect(formatOffset(0)).toBe('+0 µs');
    expect(formatOffset(12 * MS)).toBe('+12 ms');
    expect(formatOffset(1_500_000)).toBe('+1.50 s');
    expect(formatOffset(4 * MIN + 12 * S)).toBe('+4 min 12 s');
  });
});

describe('countTicks', () => {
  it('gives only zero for an empty chart', () => {
    expect(countTicks(0, 3)).toEqual([0]);
    expect(countTicks(-3, 3)).toEqual([0]);
  });

  it('uses 1-2-2.5-5 steps and ends at or just above the maximum', () => {
    expect(countTicks(100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(countTicks(7, 4)).toEqual([0, 2, 4, 6, 8]);
    expect(countTicks(10, 4)).toEqual([0, 2.5, 5, 7.5, 10]);
    expect(countTicks(1234, 3)).toEqual([0, 500, 1000, 1500]);
    expect(countTicks(38, 2)).toEqual([0, 20, 40]);
    expect(countTicks(3, 5)).toEqual([0, 1, 2, 3]);
  });

  it('gives clean decimals for small rates', () => {
    expect(countTicks(1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(countTicks(0.3, 3)).toEqual([0, 0.1, 0.2, 0.3]);
    // Ten steps of 0.1 add up to 0.9999999999999999: no extra tick above the maximum for that.
    expect(countTicks(0.9, 9)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
  });

  it('always covers the maximum with one tick, and no more', () => {
    for (const max of [0.7, 3, 9, 11, 99, 101, 950, 4321, 1e6 + 1]) {
      for (const count of [2, 3, 5]) {
        const ticks = countTicks(max, count);
        expect(ticks[0]).toBe(0);
        expect(ticks.at(-1)!, `max ${max} count ${count}`).toBeGreaterThanOrEqual(max);
        expect(ticks.at(-2)!).toBeLessThan(max);
      }
    }
  });
});

describe('formatCompact', () => {
  it('keeps small counts as they are', () => {
    expect(formatCompact(0)).toBe('0');
    expect(formatCompact(950)).toBe('950');
    expect(formatCompact(2.5)).toBe('2.5');
    expect(formatCompact(12.6)).toBe('13');
  });

  it('abbreviates thousands, millions and billions', () => {
    expect(formatCompact(1000)).toBe('1k');
    expect(formatCompact(1234)).toBe('1.2k');
    expect(formatCompact(34_000)).toBe('34k');
    expect(formatCompact(34_600)).toBe('35k');
    expect(formatCompact(1_500_000)).toBe('1.5M');
    expect(formatCompact(12_000_000)).toBe('12M');
    expect(formatCompact(2_000_000_000)).toBe('2.0G');
  });

  it('keeps the sign', () => {
    expect(formatCompact(-1500)).toBe('-1.5k');
  });
});
