// Text as a report shows it (Markdown, HTML, the PDF): what a reader cannot see, or what would
// reorder or recolour what they read, is written as ⟦U+XXXX⟧; line breaks and tabs stay.
import { describe, expect, it } from 'vitest';
import { visible } from '../../../../electron/engine/reports/words.js';

describe('visible text in a report', () => {
  it('shows bidi overrides and isolates escaped, in the order they were written', () => {
    expect(visible('deploy \u202eetadpu\u202c then \u2066isolate\u2069 done')).toEqual({
      text: 'deploy ⟦U+202E⟧etadpu⟦U+202C⟧ then ⟦U+2066⟧isolate⟦U+2069⟧ done',
      escaped: 4,
    });
  });

  it('shows terminal escapes, a bell, a backspace and a lone carriage return escaped', () => {
    expect(visible('\u001b[31mred\u001b[0m \u0007bell \u0008back\roverwritten').text).toBe(
      '⟦U+001B⟧[31mred⟦U+001B⟧[0m ⟦U+0007⟧bell ⟦U+0008⟧back⟦U+000D⟧overwritten',
    );
  });

  it('keeps line breaks (a CRLF as one) and tabs', () => {
    expect(visible('one\r\ntwo\n\tthree')).toEqual({ text: 'one\ntwo\n\tthree', escaped: 0 });
  });

  it('escapes a zero-width space and an escape typed by hand, so that none can be faked', () => {
    expect(visible('a\u200bb ⟦U+202E⟧').text).toBe('a⟦U+200B⟧b ⟦U+27E6⟧U+202E⟦U+27E7⟧');
  });

  it('keeps what prose is written with: emoji made of joined characters, a non-breaking space', () => {
    expect(visible('on call 👩\u200d💻 ❤\ufe0f 10\u00a0ms')).toEqual({
      text: 'on call 👩\u200d💻 ❤\ufe0f 10\u00a0ms',
      escaped: 0,
    });
  });
});
