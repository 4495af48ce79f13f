import { describe, expect, it } from 'vitest';
import {
  EMPTY_FILTER,
  FILTER_OPCODES,
  isEmpty,
  parseTimeBound,
  matchPattern,
  toApiFilter,
  type FilterState,
} from '../../../../../renderer/features/frames/frame-filter';
import { parseMicros } from '../../../../../shared/time';

/** The first frame of the session: 2025-11-22 02:07:40.250 UTC. */
const FIRST = parseMicros('2025-11-22T02:07:40.250000Z');
const NOT_A_TIME = (s: string) =>
  `"${s}" is not a time; use +2.5 (seconds after the first frame), 02:07:42 (a time of day) or an ISO timestamp`;

describe('parseTimeBound: seconds after the first frame', () => {
  it('reads +seconds, with or without a fraction', () => {
    expect(parseTimeBound('+2.5', FIRST)).toBe(FIRST + 2_500_000);
    expect(parseTimeBound('+0', FIRST)).toBe(FIRST);
    expect(parseTimeBound(' +12 ', FIRST)).toBe(FIRST + 12_000_000);
    expect(parseTimeBound('+0.000001', FIRST)).toBe(FIRST + 1);
    expect(parseTimeBound('+0.3', FIRST)).toBe(FIRST + 300_000);
  });

  it('reads a number with an s or ms unit, with or without +', () => {
    expect(parseTimeBound('2.5s', FIRST)).toBe(FIRST + 2_500_000);
    expect(parseTimeBound('2.5 s', FIRST)).toBe(FIRST + 2_500_000);
    expect(parseTimeBound('+2.5s', FIRST)).toBe(FIRST + 2_500_000);
    expect(parseTimeBound('250ms', FIRST)).toBe(FIRST + 250_000);
    expect(parseTimeBound('+0.5 ms', FIRST)).toBe(FIRST + 500);
  });

  it('rounds to whole microseconds', () => {
    expect(parseTimeBound('+1.0000004', FIRST)).toBe(FIRST + 1_000_000);
    expect(parseTimeBound('+1.0000006', FIRST)).toBe(FIRST + 1_000_001);
  });

  it('refuses a bare number, which could be anything', () => {
    expect(() => parseTimeBound('2.5', FIRST)).toThrow(NOT_A_TIME('2.5'));
  });

  it('refuses negative offsets', () => {
    expect(() => parseTimeBound('-2s', FIRST)).toThrow(NOT_A_TIME('-2s'));
  });

  it('needs a first frame', () => {
    expect(() => parseTimeBound('+2.5', null)).toThrow('relative times need at least one frame');
    expect(() => parseTimeBound('250ms', null)).toThrow('relative times need at least one frame');
  });
});

describe('parseTimeBound: UTC time of day', () => {
  it('reads it on the first frame’s date', () => {
    expect(parseTimeBound('02:07:42.5', FIRST)).toBe(parseMicros('2025-11-22T02:07:42.500000Z'));
    expect(parseTimeBound('02:07:42.592108', FIRST)).toBe(parseMicros('2025-11-22T02:07:42.592108Z'));
    expect(parseTimeBound('02:07:42', FIRST)).toBe(parseMicros('2025-11-22T02:07:42Z'));
    expect(parseTimeBound('2:07', FIRST)).toBe(parseMicros('2025-11-22T02:07:00Z'));
    expect(parseTimeBound('23:59:59.999999', FIRST)).toBe(parseMicros('2025-11-22T23:59:59.999999Z'));
  });

  it('keeps the first frame’s date even for a session that runs past midnight', () => {
    const lateFirst = parseMicros('2025-11-22T23:59:50Z');
    expect(parseTimeBound('00:00:05', lateFirst)).toBe(parseMicros('2025-11-22T00:00:05Z'));
  });

  it('needs a first frame to take the date from', () => {
    expect(() => parseTimeBound('02:07:42', null)).toThrow(
      'a time of day needs at least one frame to take the date from',
    );
  });

  it('refuses an hour that does not exist', () => {
    expect(() => parseTimeBound('25:00', FIRST)).toThrow(/not a valid date/);
  });

  it('refuses malformed clock readings', () => {
    for (const s of ['02:7', '02:07:4', '123:00', '02:07:42.1234567']) {
      expect(() => parseTimeBound(s, FIRST), s).toThrow(NOT_A_TIME(s));
    }
  });
});

describe('parseTimeBound: ISO timestamps', () => {
  it('reads them with their zone, without needing a first frame', () => {
    expect(parseTimeBound('2025-11-22T02:07:42.592108Z', null)).toBe(
      parseMicros('2025-11-22T02:07:42.592108Z'),
    );
    expect(parseTimeBound('2025-11-22T03:07:42+01:00', FIRST)).toBe(parseMicros('2025-11-22T02:07:42Z'));
    expect(parseTimeBound('2025-11-22T00:07:42.5-02:00', FIRST)).toBe(
      parseMicros('2025-11-22T02:07:42.500000Z'),
    );
  });

  it('takes a timestamp without a zone as UTC', () => {
    expect(parseTimeBound(' 2025-11-22T02:07:42.5 ', null)).toBe(parseMicros('2025-11-22T02:07:42.500000Z'));
  });

  it('refuses an impossible date', () => {
    expect(() => parseTimeBound('2025-02-30T00:00:00Z', null)).toThrow(
      '"2025-02-30T00:00:00Z" is not a valid date',
    );
  });
});

describe('parseTimeBound: anything else', () => {
  it('says what it accepts', () => {
    for (const s of ['yesterday', '2025-11-22', '10 minutes ago', '+', '']) {
      expect(() => parseTimeBound(s, FIRST), s).toThrow(NOT_A_TIME(s));
    }
    expect(() => parseTimeBound('  soon  ', FIRST)).toThrow(NOT_A_TIME('soon'));
  });
});

describe('toApiFilter', () => {
  const state = (patch: Partial<FilterState>): FilterState => ({ ...EMPTY_FILTER, ...patch });

  it('lets everything through for the empty filter bar', () => {
    const { filter, error } = toApiFilter(EMPTY_FILTER, FIRST);
    expect(filter).toStrictEqual({});
    expect(error).toBeNull();
    expect(isEmpty(filter)).toBe(true);
  });

  it('ignores a blank search, a blank message filter and blank bounds', () => {
    const { filter, error } = toApiFilter(state({ text: '   ', from: ' ', to: '', message: '  ' }), null);
    expect(filter).toStrictEqual({});
    expect(error).toBeNull();
  });

  it('carries every narrowing the user set', () => {
    const { filter, error } = toApiFilter(
      state({
        text: '  "order rejected" ',
        direction: 'in',
        opcodes: ['close', 'ping'],
        from: '+1',
        to: '02:07:42.5',
        message: '  EVENT chat ',
      }),
      FIRST,
    );
    expect(error).toBeNull();
    expect(filter).toStrictEqual({
      text: '"order rejected"',
      direction: 'in',
      opcodes: ['close', 'ping'],
      message: 'EVENT chat',
      fromTs: FIRST + 1_000_000,
      toTs: parseMicros('2025-11-22T02:07:42.500000Z'),
    });
    expect(isEmpty(filter)).toBe(false);
  });

  it('leaves the opcodes out when every checkbox is ticked, in any order', () => {
    expect(toApiFilter(state({ opcodes: [...FILTER_OPCODES].reverse() }), FIRST).filter).toStrictEqual({});
  });

  it('sends an empty opcode list when every checkbox is cleared', () => {
    expect(toApiFilter(state({ opcodes: [] }), FIRST).filter).toStrictEqual({ opcodes: [] });
  });

  it('sends a copy of the opcodes, not the filter bar’s array', () => {
    const opcodes = ['text', 'binary'] as const;
    const { filter } = toApiFilter(state({ opcodes }), FIRST);
    expect(filter.opcodes).toEqual(['text', 'binary']);
    expect(filter.opcodes).not.toBe(opcodes);
  });

  it('reports a bad From bound and keeps the good To bound', () => {
    const { filter, error } = toApiFilter(state({ from: '+5', to: '2025-11-22T02:08:00Z' }), null);
    expect(error).toBe('From: relative times need at least one frame');
    expect(filter).toStrictEqual({ toTs: parseMicros('2025-11-22T02:08:00Z') });
  });

  it('reports a bad To bound and keeps the good From bound', () => {
    const { filter, error } = toApiFilter(state({ direction: 'out', from: '+5', to: 'soon' }), FIRST);
    expect(error).toBe(`To: ${NOT_A_TIME('soon')}`);
    expect(filter).toStrictEqual({ direction: 'out', fromTs: FIRST + 5_000_000 });
  });

  it('sends what is typed as a regular expression or a JSONPath condition, by the search mode', () => {
    expect(toApiFilter(state({ text: ' /time(out)?/i ', mode: 'regex' }), FIRST).filter).toStrictEqual({
      grep: '/time(out)?/i',
    });
    expect(toApiFilter(state({ text: '$.type == "error"', mode: 'jsonpath' }), FIRST).filter).toStrictEqual({
      where: '$.type == "error"',
    });
  });

  it('says in one line why a pattern does not parse, and sends the rest of the filter', () => {
    const regex = toApiFilter(state({ text: '(open', mode: 'regex', direction: 'in' }), FIRST);
    expect(regex.error).toBe('"(open" is not a regular expression: Unterminated group');
    expect(regex.filter).toStrictEqual({ direction: 'in' });
    const path = toApiFilter(state({ text: 'type == 1', mode: 'jsonpath' }), FIRST);
    expect(path.error).toMatch(/^"type == 1" is not a JSONPath: /);
  });

  it('reports the From error first when both bounds are bad', () => {
    expect(toApiFilter(state({ from: 'later', to: 'soon' }), FIRST).error).toBe(
      `From: ${NOT_A_TIME('later')}`,
    );
  });
});

describe('matchPattern', () => {
  it('marks a regular expression’s matches, and where a JSONPath condition points', () => {
    expect('Read TIMEOUT'.match(matchPattern({ grep: '/timeout/i' })!)).toEqual(['TIMEOUT']);
    expect('{"type":"error"}'.match(matchPattern({ where: '$.type == "error"' })!)).toEqual([
      '"type":"error"',
    ]);
    expect(matchPattern({})).toBeNull();
  });
});

describe('isEmpty', () => {
  it('is true only for a filter without any narrowing', () => {
    expect(isEmpty({})).toBe(true);
    expect(isEmpty({ direction: 'out' })).toBe(false);
    expect(isEmpty({ text: 'error' })).toBe(false);
    expect(isEmpty({ opcodes: [] })).toBe(false);
    expect(isEmpty({ fromTs: 0 })).toBe(false);
  });
});
