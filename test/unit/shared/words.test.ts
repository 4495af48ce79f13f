// Words every output shares: counts with their plural, a word with its article, and the redaction
// sentence the console shows as it is (no CLI flag in it).
import { describe, expect, it } from 'vitest';
import { plural, withArticle } from '../../../shared/words.js';
import { redactionSentence } from '../../../shared/redaction.js';
import { describeCheck } from '../../../shared/diagnosis/describe.js';

describe('words', () => {
  it('counts in the singular for one and the plural otherwise, with thousands separated', () => {
    expect(plural(1, 'entry', 'entries')).toBe('1 entry');
    expect(plural(0, 'entry', 'entries')).toBe('0 entries');
    expect(plural(1234, 'frame')).toBe('1,234 frames');
  });

  it('puts "an" before a vowel and "a" before anything else', () => {
    expect(withArticle('Artillery load test')).toBe('an Artillery load test');
    expect(withArticle('k6 load test')).toBe('a k6 load test');
  });

  it('says one connection lived, not "1 connections"', () => {
    const lifetimes = (detail: Record<string, unknown>) =>
      describeCheck({ name: 'lifetimes', ok: true, ms: null, detail });
    expect(lifetimes({ connections: 1, minSeconds: 4, maxSeconds: 4, medianSeconds: 4 })).toBe(
      '1 connection lived 4 s',
    );
    expect(lifetimes({ connections: 2, minSeconds: 1, maxSeconds: 3, medianSeconds: 2 })).toBe(
      '2 connections lived 1–3 s (median 2 s)',
    );
  });

  it('says an export is unredacted in words the console can show, not as a command-line flag', () => {
    const sentence = redactionSentence({ enabled: false, rules: [], userFields: [], userPatterns: 0 });
    expect(sentence).not.toMatch(/--/);
    expect(sentence).toMatch(/^Redaction was turned off for this export: it may hold credentials/);
  });
});
