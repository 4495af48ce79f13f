import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatCount,
  formatIsoShort,
  formatMs,
  formatRate,
  formatRelative,
  formatTimeOfDay,
  plural,
} from '../../../../renderer/components/format';
import { parseMicros } from '../../../../shared/time';

describe('formatCount', () => {
  it('groups thousands with commas', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1000)).toBe('1,000');
    expect(formatCount(1_234_567)).toBe('1,234,567');
  });
});

describe('formatBytes', () => {
  it('shows bytes below 1 KiB exactly', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1023)).toBe('1023 B');
  });

  it('uses binary units with one decimal below 100', () => {
    expect(formatBytes(1024)).toBe('1.0 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(12_595)).toBe('12.3 KiB');
    expect(formatBytes(1_048_576)).toBe('1.0 MiB');
    expect(formatBytes(5_767_168)).toBe('5.5 MiB');
    expect(formatBytes(1024 ** 3)).toBe('1.0 GiB');
    expect(formatBytes(1024 ** 4)).toBe('1.0 TiB');
  });

  it('drops the decimal from 100 up', () => {
    expect(formatBytes(102_400)).toBe('100 KiB');
    expect(formatBytes(512 * 1024)).toBe('512 KiB');
    expect(formatBytes(250 * 1024 ** 2)).toBe('250 MiB');
  });

  it('stops at TiB', () => {
    expect(formatBytes(1024 ** 5)).toBe('1024 TiB');
  });

  it('moves to the next unit when rounding reaches 1024', () => {
    expect(formatBytes(1_048_575)).toBe('1.0 MiB');
  });
});

describe('formatMs', () => {
  it('is precise for short durations', () => {
    expect(formatMs(0)).toBe('0.00 ms');
    expect(formatMs(0.42)).toBe('0.42 ms');
    expect(formatMs(12.34)).toBe('12.3 ms');
    expect(formatMs(420)).toBe('420 ms');
  });

  it('switches to seconds, then minutes, then hours', () => {
    expect(formatMs(4200)).toBe('4.20 s');
    expect(formatMs(59_000)).toBe('59.00 s');
    expect(formatMs(60_000)).toBe('1 min 0 s');
    expect(formatMs(192_000)).toBe('3 min 12 s');
    expect(formatMs(3_600_000)).toBe('1 h 0 min');
    expect(formatMs(3_723_000)).toBe('1 h 2 min');
  });

  it('never shows 60 seconds', () => {
    expect(formatMs(119_600)).toBe('2 min 0 s');
  });
});

describe('formatTimeOfDay', () => {
  it('prints the UTC time with microseconds, as the command line does', () => {
    expect(formatTimeOfDay(parseMicros('2025-11-22T02:07:42.592108Z'))).toBe('02:07:42.592108');
    expect(formatTimeOfDay(parseMicros('2025-11-22T23:59:59.000007Z'))).toBe('23:59:59.000007');
    expect(formatTimeOfDay(0)).toBe('00:00:00.000000');
  });
});

describe('formatRelative', () => {
  const from = parseMicros('2025-11-22T02:07:40Z');

  it('gives seconds after the reference with six decimals', () => {
    expect(formatRelative(from + 12_345_678, from)).toBe('+12.345678');
    expect(formatRelative(from + 1, from)).toBe('+0.000001');
    expect(formatRelative(from, from)).toBe('+0.000000');
  });

  it('marks instants before the reference with a minus sign', () => {
    expect(formatRelative(from - 1_500_000, from)).toBe('\u22121.500000');
  });
});

describe('formatIsoShort', () => {
  it('shortens an ISO timestamp to the second, marked UTC', () => {
    expect(formatIsoShort('2025-11-22T02:07:42.592108Z')).toBe('2025-11-22 02:07:42 UTC');
  });
});

describe('formatRate', () => {
  it('rounds rates below a thousand to whole frames', () => {
    expect(formatRate(0)).toBe('0/s');
    expect(formatRate(12.4)).toBe('12/s');
    expect(formatRate(999)).toBe('999/s');
  });

  it('uses k and M above', () => {
    expect(formatRate(1000)).toBe('1.0k/s');
    expect(formatRate(12_345)).toBe('12.3k/s');
    expect(formatRate(1_500_000)).toBe('1.50M/s');
  });
});

describe('plural', () => {
  it('chooses the word by the count, and formats the count', () => {
    expect(plural(1, 'frame')).toBe('1 frame');
    expect(plural(0, 'frame')).toBe('0 frames');
    expect(plural(3, 'frame')).toBe('3 frames');
    expect(plural(1234, 'frame')).toBe('1,234 frames');
  });

  it('takes an irregular plural', () => {
    expect(plural(1, 'entry', 'entries')).toBe('1 entry');
    expect(plural(2, 'entry', 'entries')).toBe('2 entries');
  });
});
