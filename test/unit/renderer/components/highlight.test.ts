// Search matches marked in payloads: the frame search's words, phrases and prefixes, case-insensitive,
// at word boundaries (as the full-text index matches them).
import { describe, expect, it } from 'vitest';
import { searchPattern } from '../../../../renderer/components/highlight';

const marks = (query: string, text: string) => text.match(searchPattern(query) ?? /$^/g) ?? [];

describe('searchPattern', () => {
  it('marks whole words, whatever their case', () => {
    expect(marks('margin', '{"level":"margin-call","Margin":1,"margins":2}')).toEqual(['margin', 'Margin']);
  });

  it('marks a prefix* and everything after it in the word', () => {
    expect(marks('subscr*', 'subscribe unsubscribe subscription')).toEqual(['subscribe', 'subscription']);
  });

  it('marks a "quoted phrase" across the punctuation between its words', () => {
    expect(marks('"margin call"', 'a margin-call and a margin that calls')).toEqual(['margin-call']);
  });

  it('marks every word of a search, and nothing for an empty one', () => {
    expect(marks('FRML ask', '{"symbol":"FRML","ask":101.27}')).toEqual(['FRML', 'ask']);
    expect(searchPattern('   ')).toBeNull();
    expect(searchPattern('{"id":')).not.toBeNull();
  });
});
