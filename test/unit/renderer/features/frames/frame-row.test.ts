// The frame list's preview column says a damaged frame is damaged, in words, instead of showing an
// empty payload as if the frame had carried none.
import { describe, expect, it } from 'vitest';
import { previewText } from '../../../../../renderer/features/frames/frame-row';
import { DAMAGE_REASONS } from '../../../../../shared/frame-damage';

const row = {
  seq: 5,
  connection: 1,
  ts: 1_763_776_433_000_000,
  direction: 'in' as const,
  opcode: 'text' as const,
  size: 34,
  truncated: false,
  preview: '',
  message: null,
};

describe('previewText', () => {
  it('names a damaged frame and why, and leaves an intact empty one as it was', () => {
    expect(previewText({ ...row, damaged: true, damage: DAMAGE_REASONS.checksum })).toBe(
      'Damaged — checksum mismatch: the stored bytes changed after they were recorded',
    );
    expect(previewText({ ...row, opcode: 'close', damaged: true, damage: DAMAGE_REASONS['cut-short'] })).toBe(
      'Damaged — cut short: the segment file ends before this payload',
    );
    expect(previewText({ ...row, size: 0 })).toBe('(empty text)');
    expect(previewText({ ...row, preview: '{"id":5}' })).toBe('{"id":5}');
  });
});
