// A frame's payload in one line, as the command line's frame lines and the incident report show it.
import type { Opcode } from './contract.js';

const PREVIEW = 96;
const utf8 = new TextDecoder('utf-8');

/** A one-line preview of a payload: text as is (control characters escaped), binary as hex. */
export function preview(opcode: Opcode, data: Uint8Array, max = PREVIEW): string {
  if (opcode === 'text') {
    const text = utf8.decode(data.subarray(0, Math.min(data.length, max * 4)));
    // eslint-disable-next-line no-control-regex
    const clean = text.replace(/[\u0000-\u001f\u007f]/g, (c) =>
      c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
    );
    return clean.length > max ? `${clean.slice(0, max)}…` : clean;
  }
  if (opcode === 'close') {
    if (data.length < 2) return '(no code)';
    return `${(data[0]! << 8) | data[1]!} ${JSON.stringify(utf8.decode(data.subarray(2)))}`;
  }
  const shown = data.subarray(0, Math.ceil(max / 3));
  const hex = Array.from(shown, (b) => b.toString(16).padStart(2, '0')).join(' ');
  return data.length > shown.length ? `${hex} …` : hex;
}
