// The catalogue writes configuration and commands in backticks inside its sentences. Here they are
// picked out: the sentence keeps them as inline code, and the fix gets a block of them, one directive
// a line, ready to paste into nginx, HAProxy, an environment file or a shell.

/** A sentence split into plain text and `code`, alternating. */
export interface TextPart {
  code: boolean;
  text: string;
}

export function splitInlineCode(text: string): TextPart[] {
  const parts = text.split('`');
  // An unmatched backtick leaves an odd count of separators: the tail is plain text.
  if (parts.length % 2 === 0) parts[parts.length - 2] += `\`${parts.pop()!}`;
  return parts.map((t, i) => ({ code: i % 2 === 1, text: t })).filter((p) => p.text.length > 0);
}

/** One snippet as lines: "a 1; b 2;" becomes two directives. */
function snippetLines(snippet: string): string[] {
  const s = snippet.trim();
  if (/;\s+\S/.test(s) && s.endsWith(';')) {
    return s
      .split(/;\s+/)
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => (d.endsWith(';') ? d : `${d};`));
  }
  return [s];
}

/** The configuration and commands of a fix, one a line, without repeats. */
export function fixSnippets(fix: string): string[] {
  const out: string[] = [];
  for (const part of splitInlineCode(fix)) {
    if (!part.code) continue;
    for (const line of snippetLines(part.text)) if (!out.includes(line)) out.push(line);
  }
  return out;
}
