// Payload searches: the JSONPath subset, regular expressions as typed, and what marks a match.
import { describe, expect, it } from 'vitest';
import {
  compileGrep,
  evaluateJsonPath,
  jsonPathMark,
  parseJsonPath,
  payloadMatcher,
} from '../../../shared/payload-query';

const hits = (path: string, doc: unknown) => evaluateJsonPath(parseJsonPath(path), doc);
const doc = {
  type: 'error',
  code: 42,
  error: null,
  data: {
    items: [
      { id: 'a1', price: 9.5 },
      { id: 'b2', price: 12 },
    ],
    'odd key': true,
  },
};

describe('parseJsonPath and evaluateJsonPath', () => {
  it('finds members, indexes, negative indexes and quoted names', () => {
    expect(hits('$.data.items[0].id', doc)).toEqual([['data', 'items', 0, 'id']]);
    expect(hits('$.data.items[-1].id == "b2"', doc)).toEqual([['data', 'items', 1, 'id']]);
    expect(hits(`$.data['odd key']`, doc)).toEqual([['data', 'odd key']]);
    expect(hits('$.data.items[5].id', doc)).toEqual([]);
  });

  it('says a member exists even when its value is null, and not when it is missing', () => {
    expect(hits('$.error', doc)).toEqual([['error']]);
    expect(hits('$.missing', doc)).toEqual([]);
    expect(hits('$.error', [doc])).toEqual([]);
  });

  it('compares strings and numbers with == != < > <= >=', () => {
    expect(hits('$.type == "error"', doc)).toHaveLength(1);
    expect(hits("$.type == 'error'", doc)).toHaveLength(1);
    expect(hits('$.type != "error"', doc)).toHaveLength(0);
    expect(hits('$.code > 40', doc)).toHaveLength(1);
    expect(hits('$.code < 40', doc)).toHaveLength(0);
    expect(hits('$.code >= 42', doc)).toHaveLength(1);
    expect(hits('$.code <= 41.5', doc)).toHaveLength(0);
    expect(hits('$.type > "a"', doc)).toHaveLength(1);
    // Order between a number and a string is no order: the condition does not hold.
    expect(hits('$.type > 1', doc)).toHaveLength(0);
    expect(hits('$.code == "42"', doc)).toHaveLength(0);
    expect(hits('$.error == null', doc)).toHaveLength(1);
  });

  it('walks every child with a wildcard', () => {
    expect(hits('$.data.items[*].price > 10', doc)).toEqual([['data', 'items', 1, 'price']]);
    expect(hits('$.data.items.*.id', doc)).toHaveLength(2);
  });

  it('refuses what it does not read, in one line that says where', () => {
    for (const bad of ['type == "x"', '$..id', '$.a[', '$.a ~ 3', '$.a == error', '$.a[x]', '$.a == "open'])
      expect(() => parseJsonPath(bad), bad).toThrow(/^"[^\n]+$/);
    expect(() => parseJsonPath('$.a[0')).toThrow('"]" is expected at character 6');
    expect(() => parseJsonPath('$.a == error')).toThrow(
      'use a "quoted string", a number, true, false or null',
    );
  });
});

describe('compileGrep', () => {
  it('reads a pattern as typed, or between slashes with flags', () => {
    expect(compileGrep('err(or)?').test('an error')).toBe(true);
    expect(compileGrep('/TIMEOUT/i').test('read timeout')).toBe(true);
    expect(compileGrep('TIMEOUT').test('read timeout')).toBe(false);
  });

  it('says in one line why a pattern is no regular expression', () => {
    expect(() => compileGrep('(a')).toThrow('"(a" is not a regular expression: Unterminated group');
    expect(() => compileGrep('/a/x')).toThrow('use i, m, s or u');
  });
});

describe('payloadMatcher', () => {
  it('needs both the pattern and the condition when both are given', () => {
    const match = payloadMatcher({ grep: 'b2', where: '$.type == "error"' });
    expect(match(JSON.stringify(doc))).toBe(true);
    expect(match(JSON.stringify({ ...doc, type: 'ok' }))).toBe(false);
    expect(match('{"type":"error"}')).toBe(false);
    expect(payloadMatcher({ where: '$.type' })('not json, type')).toBe(false);
  });
});

describe('jsonPathMark', () => {
  it('marks the last named member, with its value for an equality', () => {
    expect('{"type": "error","x":1}'.match(jsonPathMark(parseJsonPath('$.type == "error"'))!)).toEqual([
      '"type": "error"',
    ]);
    expect(
      '{"data":{"items":[{"id":"a1"}]}}'.match(jsonPathMark(parseJsonPath('$.data.items[0].id'))!),
    ).toEqual(['"id":']);
    expect(jsonPathMark(parseJsonPath('$[0]'))).toBeNull();
  });
});
