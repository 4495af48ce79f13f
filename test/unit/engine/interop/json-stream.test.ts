// The streaming JSON reader against JSON.parse: the same values whatever the chunk boundaries
// (inside an escape, a multi-byte character, a number, a literal), and errors that say where.
import { describe, expect, it } from 'vitest';
import {
  JsonStreamReader,
  JsonSyntaxError,
  pathText,
  ValueBuilder,
  type JsonListener,
} from '../../../../electron/engine/interop/json-stream.js';

/** Parses `text` fed in chunks of `size` bytes (0: split at every given position in `cuts`). */
function parse(text: string, cuts: number[]): unknown {
  const b = new ValueBuilder();
  let result: unknown;
  const done = (v: unknown) => {
    if (v !== undefined) result = v;
  };
  const listener: JsonListener = {
    startObject: () => b.startObject(),
    startArray: () => b.startArray(),
    endObject: () => done(b.end()),
    endArray: () => done(b.end()),
    key: (k) => b.key(k),
    value: (v) => done(b.value(v)),
  };
  const reader = new JsonStreamReader(listener);
  const bytes = Buffer.from(text, 'utf8');
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (cut <= at) continue;
    reader.write(bytes.subarray(at, cut));
    at = cut;
  }
  reader.end();
  // Progress counts every byte once, wherever the chunks were cut.
  expect(reader.offset).toBe(bytes.length);
  return result;
}

const DOCUMENTS = [
  '{"a":1,"b":[true,false,null],"c":{"d":"e"}}',
  '[1, -2.5e3, 0, 0.125, 1E-7, "x"]',
  '{"esc":"quote \\" backslash \\\\ slash \\/ tab \\t nl \\n u \\u00e9 pair \\ud83d\\ude00","end":"\\\\"}',
  '{"utf8":"héllo wörld — 😀 漢字","k\\"ey":"v"}',
  ' \n {"log": {"entries": [{"x": "\\\\\\\\\\"", "y": []}, {}], "empty": ""}} \n',
  '"just a string"',
  '42',
];

describe('JsonStreamReader', () => {
  it.each(DOCUMENTS)('reads %s as JSON.parse does, cut at every byte', (text) => {
    const expected = JSON.parse(text) as unknown;
    const n = Buffer.byteLength(text);
    expect(parse(text, [])).toEqual(expected);
    for (let i = 1; i < n; i++) expect(parse(text, [i])).toEqual(expected);
    // and in many small pieces
    expect(
      parse(
        text,
        Array.from({ length: n }, (_, i) => i),
      ),
    ).toEqual(expected);
  });

  it.each([
    ['{"a":1,}', 'expected a key in quotes, found "}"', 'a'],
    ['{"a" 1}', 'expected ":" after the key, found "1"', 'a'],
    ['[1 2]', 'expected "," or "]", found "2"', '[0]'],
    ['{"a":[1,{"b":tru}]}', '"tru" is not a value (true, false, null, a number or a string)', 'a[1].b'],
    ['{"a":01}', '"01" is not a number', 'a'],
    ['{"a":"x\ny"}', 'a string has a raw control character in it (a line break?)', 'a'],
    ['{"a":"\\q"}', 'a string has a bad escape or a control character in it', 'a'],
    ['{"a":[1,2', 'the file ends early, inside an array', 'a[1]'],
    ['', 'the file is empty', 'the top level'],
    ['{} {}', 'unexpected "{" after the end of the document', 'the top level'],
  ])('refuses %j: %s (at %s)', (text, message, where) => {
    let err: unknown;
    try {
      parse(text, []);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(JsonSyntaxError);
    expect((err as JsonSyntaxError).message).toBe(message);
    expect(pathText((err as JsonSyntaxError).path)).toBe(where);
  });

  it('skips the strings its listener does not need without keeping them', () => {
    const seen: unknown[] = [];
    const listener: JsonListener = {
      startObject: () => {},
      startArray: () => {},
      endObject: () => {},
      endArray: () => {},
      key: () => {},
      value: (v) => seen.push(v),
      skipString: () => true,
    };
    const reader = new JsonStreamReader(listener);
    const big = `{"body":"${'x'.repeat(100_000)}\\"${'y'.repeat(10)}","n":3}`;
    const bytes = Buffer.from(big);
    for (let i = 0; i < bytes.length; i += 4096) reader.write(bytes.subarray(i, i + 4096));
    reader.end();
    expect(seen).toEqual(['', 3]);
  });
});
