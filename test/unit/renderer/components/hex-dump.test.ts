// Only the pure helpers of the hex dump; the component itself is not rendered here.
import { describe, expect, it } from 'vitest';
import { hexColumns, toHex } from '../../../../renderer/components/hex-dump';

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('hexColumns', () => {
  // 0x00 and 0x1f are control characters, 0x20 is a space, 0x7e '~' is the last printable, 0x7f
  // (DEL) and 0x80–0xff are not printable either.
  const sample = Uint8Array.from(
    [
      [0x00, 0x1f, 0x20, 0x41, 0x7e, 0x7f, 0x80, 0xff],
      [0x0a, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36],
      [0x61, 0x62, 0x63],
    ].flat(),
  );

  it('shows offsets, sixteen bytes a line in two groups of eight, and printable ASCII', () => {
    expect(hexColumns(sample, 0, 2)).toEqual({
      offsets: '00000000\n00000010',
      hex: '00 1f 20 41 7e 7f 80 ff  0a 30 31 32 33 34 35 36\n61 62 63',
      ascii: '.. A~....0123456\nabc',
    });
  });

  it('shows only the lines asked for, with their real offsets', () => {
    expect(hexColumns(sample, 1, 2)).toEqual({ offsets: '00000010', hex: '61 62 63', ascii: 'abc' });
  });

  it('keeps the gap between the groups on a line that ends in the second group', () => {
    const text = new TextEncoder().encode('{"op":"ping"}');
    expect(hexColumns(text, 0, 1)).toEqual({
      offsets: '00000000',
      hex: '7b 22 6f 70 22 3a 22 70  69 6e 67 22 7d',
      ascii: '{"op":"ping"}',
    });
  });

  it('ends a line of exactly eight bytes without the group gap', () => {
    expect(hexColumns(bytes(1, 2, 3, 4, 5, 6, 7, 8), 0, 1).hex).toBe('01 02 03 04 05 06 07 08');
  });

  it('counts offsets in hex, eight digits wide', () => {
    const big = new Uint8Array(0x1_0000 + 16);
    const { offsets } = hexColumns(big, 0xfff, 0x1001);
    expect(offsets).toBe('0000fff0\n00010000');
  });

  it('is empty for no lines', () => {
    expect(hexColumns(bytes(), 0, 0)).toEqual({ offsets: '', hex: '', ascii: '' });
    expect(hexColumns(sample, 1, 1)).toEqual({ offsets: '', hex: '', ascii: '' });
  });
});

describe('toHex', () => {
  it('writes space-separated lowercase pairs', () => {
    expect(toHex(bytes(0x00, 0x01, 0x7a, 0xff))).toBe('00 01 7a ff');
    expect(toHex(bytes(0x0f))).toBe('0f');
  });

  it('is empty for no bytes', () => {
    expect(toHex(bytes())).toBe('');
  });

  it('writes every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const pairs = toHex(all).split(' ');
    expect(pairs).toHaveLength(256);
    expect(pairs[0]).toBe('00');
    expect(pairs[171]).toBe('ab');
    expect(pairs[255]).toBe('ff');
    expect(pairs.every((p) => /^[0-9a-f]{2}$/.test(p))).toBe(true);
  });
});
