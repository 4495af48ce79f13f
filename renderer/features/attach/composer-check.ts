// What the composer checks before sending: JSON that parses, hex that makes whole bytes.

export type ComposeKind = 'text' | 'json' | 'binary';

/** Null when the message can be sent as is; else what is wrong, in words. */
export function checkMessage(kind: ComposeKind, data: string): string | null {
  if (kind === 'json') {
    if (!data.trim()) return 'Type a JSON value, such as {"op":"ping"}';
    try {
      JSON.parse(data);
      return null;
    } catch (err) {
      return `Not valid JSON: ${(err as Error).message}`;
    }
  }
  if (kind === 'binary') {
    const hex = data.replace(/\s+/g, '');
    const bad = /[^0-9a-fA-F]/.exec(hex);
    if (bad) return `"${bad[0]}" is not a hex digit; binary messages are hex pairs such as 01 ff 7a`;
    if (hex.length % 2 === 1)
      return `${hex.length} hex digits is an odd number: each byte is two digits, such as 01 ff 7a`;
    return null;
  }
  return null;
}

/**
 * A JSON message laid out with two-space indentation (unchanged when it does not parse). It
 * re-indents the text token by token instead of parsing into numbers, so that an id such as
 * 12345678901234567891 is sent exactly as typed.
 */
export function formatJson(data: string): string {
  try {
    JSON.parse(data);
  } catch {
    return data;
  }
  let out = '';
  let depth = 0;
  let inString = false;
  const newline = () => `\n${'  '.repeat(depth)}`;
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += data[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      let j = i + 1;
      while (/\s/.test(data[j] ?? '')) j++;
      if (data[j] === close) {
        out += c + close;
        i = j;
      } else {
        depth++;
        out += c + newline();
      }
    } else if (c === '}' || c === ']') {
      depth--;
      out += newline() + c;
    } else if (c === ',') out += `,${newline()}`;
    else if (c === ':') out += ': ';
    else if (!/\s/.test(c)) out += c;
  }
  return out;
}

/** The byte count a hex message will have, for the composer's footer. */
export function hexByteCount(data: string): number {
  return Math.floor(data.replace(/\s+/g, '').length / 2);
}
