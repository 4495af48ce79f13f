// Search matches marked in the text that is shown: the words of a frame search (FTS5's syntax as the
// engine reads it — words, "quoted phrases", prefix*) found in a payload, case-insensitively, at
// word boundaries. Only the visible rows and the open detail are marked: no work per frame.
import { createContext, useContext, type ReactNode } from 'react';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The pattern that marks the matches of a search, or null when there is nothing to mark. */
export function searchPattern(query: string): RegExp | null {
  const parts = query.match(/"[^"]*"|\S+/g) ?? [];
  const alternatives: string[] = [];
  for (const p of parts) {
    if (p.length > 1 && p.startsWith('"') && p.endsWith('"')) {
      const words = p.slice(1, -1).split(/\s+/).filter(Boolean).map(escape);
      if (words.length) alternatives.push(`\\b${words.join('[^\\p{L}\\p{N}]+')}\\b`);
      continue;
    }
    const prefix = p.endsWith('*');
    const word = (prefix ? p.slice(0, -1) : p).replace(/^"|"$/g, '');
    // A word of the search is a token to the index: punctuation in it separates tokens.
    const tokens = word
      .split(/[^\p{L}\p{N}_]+/u)
      .filter(Boolean)
      .map(escape);
    if (!tokens.length) continue;
    alternatives.push(`\\b${tokens.join('[^\\p{L}\\p{N}]+')}${prefix ? '[\\p{L}\\p{N}_]*' : '\\b'}`);
  }
  if (!alternatives.length) return null;
  return new RegExp(alternatives.join('|'), 'giu');
}

/** `text` with the matches of `pattern` in <mark>. */
export function Highlighted({ text, pattern }: { text: string; pattern: RegExp | null }): ReactNode {
  if (!pattern || !text) return text;
  const out: ReactNode[] = [];
  let last = 0;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    if (m[0] === '') {
      pattern.lastIndex++;
      continue;
    }
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push(<mark key={m.index}>{m[0]}</mark>);
    last = m.index + m[0].length;
  }
  if (out.length === 0) return text;
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** The search to mark inside a subtree (the frame detail's payload). */
export const HighlightContext = createContext<RegExp | null>(null);

/** Text marked with the search of the surrounding HighlightContext. */
export function Marked({ text }: { text: string }): ReactNode {
  return <Highlighted text={text} pattern={useContext(HighlightContext)} />;
}
