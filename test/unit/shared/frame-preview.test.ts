// A payload in one line, as the command line's frame lines and the incident report show it.
import { describe, expect, it } from 'vitest';
import { preview } from '../../../shared/frame-preview.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('preview', () => {
  it('shows text as is, controls escaped, and cuts it at the width with an ellipsis', () => {
    expect(preview('text', bytes('{"a":1}\n\tend\u0007'))).toBe('{"a":1}\\n\\tend\\x07');
    expect(preview('text', bytes('é'.repeat(10)), 4)).toBe('éééé…');
  });

  it("shows a close frame's code and reason, or that it has none", () => {
    expect(preview('close', Uint8Array.from([0x03, 0xe8, ...bytes('bye "now"')]))).toBe(
      '1000 "bye \\"now\\""',
    );
    expect(preview('close', new Uint8Array(0))).toBe('(no code)');
  });

  it('shows other frames in hex, cut at a third of the width', () => {
    expect(preview('binary', Uint8Array.from([0x30, 0x13, 0x00]))).toBe('30 13 00');
    expect(preview('ping', Uint8Array.from([1, 2, 3, 4, 5]), 6)).toBe('01 02 …');
  });
});
