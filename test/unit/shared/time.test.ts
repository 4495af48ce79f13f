import { describe, expect, it } from 'vitest';
import { formatMicros, parseMicros } from '../../../shared/time.js';

describe('formatMicros', () => {
  it('formats epoch microseconds as ISO-8601 UTC with six fractional digits', () => {
    expect(formatMicros(0)).toBe('1970-01-01T00:00:00.000000Z');
    expect(formatMicros(1_763_776_433_123_456)).toBe('2025-11-22T01:53:53.123456Z');
    expect(formatMicros(1_763_776_433_000_007)).toBe('2025-11-22T01:53:53.000007Z');
    expect(formatMicros(1_763_776_433_120_000)).toBe('2025-11-22T01:53:53.120000Z');
  });

  it('always gives exactly six fractional digits', () => {
    for (const us of [0, 1, 999, 1000, 1001, 999_999, 1_000_000, 1_763_776_433_999_999]) {
      expect(formatMicros(us)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    }
  });

  it('handles instants before the epoch', () => {
    expect(formatMicros(-1)).toBe('1969-12-31T23:59:59.999999Z');
    expect(formatMicros(-500_000)).toBe('1969-12-31T23:59:59.500000Z');
  });

  it('round-trips with parseMicros', () => {
    const samples = [
      0, 1, 999, 1000, 123_456, 1_763_776_433_123_456, 1_763_776_433_000_001, 4_102_444_799_999_999, -1,
    ];
    for (const us of samples) expect(parseMicros(formatMicros(us))).toBe(us);
  });
});

describe('parseMicros', () => {
  it('parses microsecond, millisecond and whole-second timestamps', () => {
    expect(parseMicros('2025-11-22T01:53:53.123456Z')).toBe(1_763_776_433_123_456);
    expect(parseMicros('2025-11-22T01:53:53.123Z')).toBe(1_763_776_433_123_000);
    expect(parseMicros('2025-11-22T01:53:53.1Z')).toBe(1_763_776_433_100_000);
    expect(parseMicros('2025-11-22T01:53:53Z')).toBe(1_763_776_433_000_000);
  });

  it('honours a numeric zone offset', () => {
    expect(parseMicros('2025-11-22T03:53:53.000001+02:00')).toBe(1_763_776_433_000_001);
    expect(parseMicros('2025-11-21T20:53:53.5-05:00')).toBe(1_763_776_433_500_000);
  });

  it.each([
    '',
    'garbage',
    'yesterday',
    '1763776433123456',
    '2025-11-22',
    '2025-11-22T01:53:53', // no zone: ambiguous
    '2025-11-22 01:53:53Z',
    '2025-11-22T01:53:53.1234567Z', // more than microsecond precision
    '2025-11-22T01:53:53.Z',
    '2025-13-01T00:00:00Z',
    '2025-11-22T01:61:00Z',
    'T01:53:53Z',
    'foo 2025-11-22T01:53:53Z',
  ])('rejects %j with an Error', (input) => {
    expect(() => parseMicros(input)).toThrow(Error);
  });

  it('names the offending input in its message', () => {
    expect(() => parseMicros('not a time')).toThrow(/not a time/);
  });

  it('rejects an impossible calendar day such as February 30', () => {
    expect(() => parseMicros('2025-02-30T00:00:00Z')).toThrow(Error);
  });
});
