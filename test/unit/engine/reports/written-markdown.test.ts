// What a person wrote in a post-mortem field, as the Markdown report writes it: their Markdown
// (emphasis, lists, tables, links to the web, fences they closed) stays as they wrote it, but no line
// of it can make a heading of the report or leave a fence open over the sections after it.
import { describe, expect, it } from 'vitest';
import { written } from '../../../../electron/engine/reports/render-markdown.js';

const FENCE = '```';

describe('a written field cannot change the report around it', () => {
  it('escapes a # that would start a heading, at the start of a line or behind list markers', () => {
    expect(written('first line\n# Injected heading\n## Another one')).toBe(
      'first line\n\\# Injected heading\n\\## Another one',
    );
    expect(written('- # in a list\n1. ## in a numbered one\n   ### indented\n#')).toBe(
      '- \\# in a list\n1. \\## in a numbered one\n   \\### indented\n\\#',
    );
  });

  it('leaves a # that makes no heading as it was written', () => {
    const text = '#5 was the culprit\nissue #12, C# and #hashtag\n####### seven';
    expect(written(text)).toBe(text);
  });

  it('escapes a setext underline under a line of text, not a rule after a blank line', () => {
    expect(written('Title\n===\nOther\n---\nthird\n  ==  ')).toBe(
      'Title\n\\===\nOther\n\\---\nthird\n  \\==  ',
    );
    const rule = 'above\n\n---\n\nbelow';
    expect(written(rule)).toBe(rule);
  });

  it('closes a fence left open at the end of the field, with the same fence', () => {
    expect(written(`before\n${FENCE}\nthe rest of the report would be code`)).toBe(
      `before\n${FENCE}\nthe rest of the report would be code\n${FENCE}`,
    );
    expect(written('~~~~ text\nx')).toBe('~~~~ text\nx\n~~~~');
    // A shorter fence does not close a longer one; a longer one does.
    expect(written('````\n```\nstill code')).toBe('````\n```\nstill code\n````');
    expect(written('```\n````\nafter')).toBe('```\n````\nafter');
  });

  it('keeps a closed fence as written, its content untouched, and goes on after it', () => {
    expect(written(`${FENCE}sh\n# a comment\nTitle\n---\n${FENCE}\n# after`)).toBe(
      `${FENCE}sh\n# a comment\nTitle\n---\n${FENCE}\n\\# after`,
    );
  });

  it('takes a line of backticks with a backtick in its info string for text, not a fence', () => {
    expect(written('``` not `a` fence\n# x')).toBe('``` not `a` fence\n\\# x');
  });

  it('writes an indented fence at the start of its line, so that it cannot open one at the top unseen', () => {
    // In a list item, "  ```" opens a fence that the item's end closes ("foo"); the "```" after it
    // would then open one at the top that runs to the end of the report. Written at the line's
    // start, every fence is one at the top, and each one opened is closed.
    expect(written(`- item\n  ${FENCE}\n  code\nfoo\n${FENCE}\nrest`)).toBe(
      `- item\n${FENCE}\n  code\nfoo\n${FENCE}\nrest`,
    );
    expect(written(`- item\n  ${FENCE}\n  code\nfoo\n  ${FENCE}\n${FENCE}\nrest`)).toBe(
      `- item\n${FENCE}\n  code\nfoo\n${FENCE}\n${FENCE}\nrest\n${FENCE}`,
    );
  });

  it("keeps the writer's tables, lists, web links and footnotes as they are", () => {
    const text =
      '| a | b |\n|---|---|\n| c | d |\n\n- one\n- two\n\n[runbook](https://example.com/rb)[^1]\n\n[^1]: a footnote';
    expect(written(text)).toBe(text);
  });

  it('turns no HTML into markup, and no link or link definition anywhere but the web into a link', () => {
    expect(written('<b>bold</b> & [x](javascript:alert(1))')).toBe(
      '&lt;b&gt;bold&lt;/b&gt; &amp; [x\\]\\(javascript:alert(1))',
    );
    expect(written('[x]: javascript:alert(1)\n[y]:\n  javascript:alert(2)\n[ok]: https://example.com')).toBe(
      '\\[x]: javascript:alert(1)\n\\[y]:\n  javascript:alert(2)\n[ok]: https://example.com',
    );
  });

  it('says a field is not written yet when it is empty', () => {
    expect(written('  \n ')).toBe('_Not written yet._');
  });
});
