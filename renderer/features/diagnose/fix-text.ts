// The catalogue writes configuration and commands in backticks inside its sentences: the sentence
// shows them as inline code. (The blocks to paste come from shared/fix-advice.ts.)

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
