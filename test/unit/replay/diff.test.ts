import { describe, expect, it } from 'vitest';
import { childPath, diffMessages } from '../../../shared/replay/diff.js';
import { ignorePath, ignoreRules, VOLATILE_FIELDS } from '../../../shared/replay/volatile.js';

const text = (t: string) => ({ opcode: 'text' as const, text: t });
const none = ignoreRules([], 'id', false);

describe('diffMessages', () => {
  it('compares JSON structurally: key order and spacing do not matter', () => {
    expect(diffMessages(text('{"a":1,"b":[1,2]}'), text('{ "b": [1, 2], "a": 1 }'), none)).toEqual([]);
  });

  it('names each changed, added and removed path', () => {
    const paths = diffMessages(
      text('{"id":7,"price":101.25,"items":[{"qty":1},{"qty":2}],"gone":true}'),
      text('{"id":7,"price":101.5,"items":[{"qty":1},{"qty":3},{"qty":4}],"new":null}'),
      none,
    );
    expect(paths).toEqual(['$.price', '$.items[1].qty', '$.items[2]', '$.gone', '$.new']);
  });

  it('reports a changed type at the path, and odd keys in brackets', () => {
    expect(diffMessages(text('{"a b":1,"n":"1"}'), text('{"a b":2,"n":1}'), none)).toEqual([
      '$["a b"]',
      '$.n',
    ]);
    expect(childPath('$', 3)).toBe('$[3]');
  });

  it('ignores volatile fields at any depth by default, and user names and paths', () => {
    const rules = ignoreRules(['$.quote.venue', '$.legs[*].at2'], 'id');
    expect(VOLATILE_FIELDS).toEqual(expect.arrayContaining(['ts', 'timestamp', 'sentAt']));
    expect(
      diffMessages(
        text('{"ts":1,"quote":{"sentAt":5,"venue":"X","bid":1},"legs":[{"at2":1,"q":1}]}'),
        text('{"ts":2,"quote":{"sentAt":6,"venue":"Y","bid":2},"legs":[{"at2":9,"q":1}]}'),
        rules,
      ),
    ).toEqual(['$.quote.bid']);
  });

  it('never ignores the id field, even when it is a volatile name', () => {
    const rules = ignoreRules([], 'ts');
    expect(diffMessages(text('{"ts":1}'), text('{"ts":2}'), rules)).toEqual(['$.ts']);
  });

  it('compares text that is not JSON, and binary, as a whole', () => {
    expect(diffMessages(text('hello'), text('hello'), none)).toEqual([]);
    expect(diffMessages(text('hello'), text('hullo'), none)).toEqual(['$']);
    expect(
      diffMessages({ opcode: 'binary', text: 'AAE=' }, { opcode: 'binary', text: 'AAI=' }, none),
    ).toEqual(['$']);
    expect(diffMessages(text('AAE='), { opcode: 'binary', text: 'AAE=' }, none)).toEqual(['$']);
  });
});

describe('--ignore paths', () => {
  it('reads the JSONPaths the diff reports, in either quoting, as the diff writes them', () => {
    expect(ignorePath('$.quote.ts')).toEqual({ path: '$.quote.ts' });
    expect(ignorePath('$.items[*].at')).toEqual({ path: '$.items[*].at' });
    expect(ignorePath('$["odd key"][2]')).toEqual({ path: '$["odd key"][2]' });
    expect(ignorePath("$['quote']['ts']")).toEqual({ path: '$.quote.ts' });
    expect(ignorePath('$')).toEqual({ path: '$' });
    // Read as the diff writes it, an entry matches what the diff reports.
    const rules = ignoreRules(["$['quote'].venue"], 'id', false);
    expect(
      diffMessages(text('{"quote":{"venue":"X","bid":1}}'), text('{"quote":{"venue":"Y","bid":2}}'), rules),
    ).toEqual(['$.quote.bid']);
  });

  it('refuses what is not a JSONPath, saying where it went wrong', () => {
    for (const [entry, where] of [
      ['$[[[', /character 3/],
      ['$.', /character 3/],
      ['$..a', /character 3/],
      ['$.a b', /character 4/],
      ['$[1', /character 4/],
      ['$["open', /character 3/],
      ['$[-1]', /character 3/],
      ['$.a.*', /character 5/],
      ['$a', /character 2/],
    ] as const) {
      const r = ignorePath(entry);
      expect({ entry, ok: 'path' in r }).toEqual({ entry, ok: false });
      expect((r as { error: string }).error).toMatch(where);
    }
  });
});
