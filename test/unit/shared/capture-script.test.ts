// The conversation script's syntax: every step, its defaults, and a mistake named with its line.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EXPECT_TIMEOUT_MS,
  ScriptError,
  expectMatches,
  jsonContains,
  parseCaptureScript,
} from '../../../shared/capture-script.js';

function mistake(text: string): { line: number; message: string } {
  try {
    parseCaptureScript(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ScriptError);
    return { line: (err as ScriptError).line, message: (err as Error).message };
  }
  throw new Error('the script was accepted');
}

describe('parseCaptureScript', () => {
  it('reads every step, skipping comments and blank lines, with line numbers', () => {
    const steps = parseCaptureScript(
      [
        '# say hello',
        'send {"op":"hello"}',
        '',
        'expect /welcome, (\\w+)/i 5s',
        '  expect {"type":"ack","ids":[1]} 1.5s',
        'sleep 500ms',
        'PING',
        'expect [1, 2]',
        'close 4000 all done',
      ].join('\r\n'),
    );
    expect(steps.map((s) => [s.line, s.kind])).toEqual([
      [2, 'send'],
      [4, 'expect'],
      [5, 'expect'],
      [6, 'sleep'],
      [7, 'ping'],
      [8, 'expect'],
      [9, 'close'],
    ]);
    expect(steps[0]).toMatchObject({ kind: 'send', text: '{"op":"hello"}' });
    expect(steps[1]).toMatchObject({
      written: '/welcome, (\\w+)/i',
      pattern: { regex: 'welcome, (\\w+)', flags: 'i' },
      timeoutMs: 5000,
    });
    expect(steps[2]).toMatchObject({ pattern: { json: { type: 'ack', ids: [1] } }, timeoutMs: 1500 });
    expect(steps[2]!.source).toBe('expect {"type":"ack","ids":[1]} 1.5s');
    expect(steps[3]).toMatchObject({ kind: 'sleep', ms: 500 });
    expect(steps[5]).toMatchObject({ pattern: { json: [1, 2] }, timeoutMs: DEFAULT_EXPECT_TIMEOUT_MS });
    expect(steps[6]).toMatchObject({ kind: 'close', code: 4000, reason: 'all done' });
  });

  it('closes with 1000 and no reason by default; a regex may hold spaces and slashes', () => {
    const [close, exp] = parseCaptureScript('close\nexpect /a b\\/c/ 2m');
    expect(close).toMatchObject({ code: 1000, reason: '' });
    expect(exp).toMatchObject({ pattern: { regex: 'a b\\/c', flags: '' }, timeoutMs: 120_000 });
  });

  it('names the line and what to write instead', () => {
    expect(mistake('send hi\n\nwait 5s')).toEqual({
      line: 3,
      message:
        'line 3: "wait" is not a step; a line is one of send, expect, sleep, ping, close (or a # comment)',
    });
    expect(mistake('sleep 5')).toMatchObject({
      line: 1,
      message: expect.stringContaining('give a unit: 5s or 5ms'),
    });
    expect(mistake('expect {"a": 1} 5').message).toContain('give a unit');
    expect(mistake('# x\nexpect welcome').message).toMatch(
      /^line 2: expect welcome: give \/regular expression\//,
    );
    expect(mistake('expect {"a":').message).toMatch(/^line 1: expect \{"a":: not valid JSON/);
    expect(mistake('expect /(/').message).toMatch(/^line 1: expect \/\(\/: Invalid regular expression/);
    expect(mistake('expect /a/g').message).toContain('flags "g" are not some of i, m, s, u');
    expect(mistake('expect').message).toContain('expect needs a pattern');
    expect(mistake('send').message).toContain('send needs the text');
    expect(mistake('ping now').message).toContain('"now" is left over');
    expect(mistake('close 1006').message).toContain('close code "1006" cannot be sent');
    expect(mistake(`close 1000 ${'x'.repeat(124)}`).message).toContain('at most 123 bytes');
    expect(mistake('sleep 2d').message).toContain('"2d" is not a duration');
    expect(mistake('sleep 25h')).toMatchObject({ line: 1 });
    expect(mistake('expect /x/ 1441m').message).toContain('longer than a day');
    expect(mistake('# only\n\n').message).toBe(
      'line 3: the script has no steps (only comments or blank lines)',
    );
    expect(mistake('ping\n'.repeat(1001)).message).toBe('line 1001: a script has at most 1000 steps');
  });
});

describe('expect patterns', () => {
  it('finds a regular expression anywhere in the text', () => {
    expect(expectMatches({ regex: 'wel+come', flags: 'i' }, 'say WELLCOME')).toBe(true);
    expect(expectMatches({ regex: '^welcome$', flags: '' }, 'welcome!')).toBe(false);
  });

  it('matches a JSON subset: more keys and elements are fine, other values are not', () => {
    const msg = '{"type":"ack","id":7,"data":{"user":"ana","roles":["a","b"]},"n":null}';
    expect(expectMatches({ json: { type: 'ack' } }, msg)).toBe(true);
    expect(expectMatches({ json: { data: { roles: ['a'] }, n: null } }, msg)).toBe(true);
    expect(expectMatches({ json: { data: { roles: ['b'] } } }, msg)).toBe(false);
    expect(expectMatches({ json: { id: '7' } }, msg)).toBe(false);
    expect(expectMatches({ json: { missing: null } }, msg)).toBe(false);
    expect(expectMatches({ json: { type: 'ack' } }, 'not json')).toBe(false);
    expect(jsonContains([1, { a: 2, b: 3 }], [1, { a: 2 }])).toBe(true);
    expect(jsonContains({ 0: 1 }, [1])).toBe(false);
    expect(jsonContains([1], { 0: 1 })).toBe(false);
  });
});
