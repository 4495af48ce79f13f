import { describe, expect, it } from 'vitest';
import { CLOSE_CODES, describeCloseCode } from '../../../shared/close-codes.js';

describe('CLOSE_CODES', () => {
  it('has an entry for every code from 1000 to 1015', () => {
    for (let code = 1000; code <= 1015; code++) {
      const entry = CLOSE_CODES.find((c) => c.code === code);
      expect(entry, `entry for ${code}`).toBeDefined();
      expect(entry!.name.length).toBeGreaterThan(0);
      expect(entry!.meaning.length).toBeGreaterThan(0);
      expect(entry!.usualCauses.length).toBeGreaterThan(0);
      expect(entry!.source).not.toBe('range');
      expect(describeCloseCode(code)).toBe(entry);
    }
  });

  it('lists codes once each, in numeric order', () => {
    const codes = CLOSE_CODES.map((c) => c.code);
    expect(codes).toEqual([...codes].sort((a, b) => a - b));
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('marks exactly 1005, 1006 and 1015 as never sent on the wire among 1000-1015', () => {
    const notSent = CLOSE_CODES.filter((c) => c.code <= 1015 && !c.sentOnWire).map((c) => c.code);
    expect(notSent).toEqual([1005, 1006, 1015]);
    for (const code of [1005, 1006, 1015]) expect(describeCloseCode(code).sentOnWire).toBe(false);
    expect(describeCloseCode(1000).sentOnWire).toBe(true);
  });

  it('names the common codes', () => {
    expect(describeCloseCode(1000).name).toBe('Normal Closure');
    expect(describeCloseCode(1006).name).toBe('Abnormal Closure');
    expect(describeCloseCode(1009).name).toBe('Message Too Big');
  });
});

describe('describeCloseCode ranges', () => {
  it.each([4000, 4001, 4403, 4999])('describes %i as application-defined', (code) => {
    const info = describeCloseCode(code);
    expect(info.code).toBe(code);
    expect(info.source).toBe('range');
    expect(info.name).toBe('Application-defined');
    expect(info.sentOnWire).toBe(true);
  });

  it.each([3001, 3500, 3999])('describes unregistered %i as a registered library/framework range', (code) => {
    const info = describeCloseCode(code);
    expect(info.code).toBe(code);
    expect(info.source).toBe('range');
    expect(info.name).toMatch(/^Registered/);
    expect(info.meaning).toMatch(/3000.3999/);
  });

  it('keeps the own entries of registered 3xxx codes', () => {
    expect(describeCloseCode(3000).name).toBe('Unauthorized');
    expect(describeCloseCode(3003).name).toBe('Forbidden');
    expect(describeCloseCode(3008).name).toBe('Timeout');
    expect(describeCloseCode(3000).source).toBe('IANA');
  });

  it.each([1016, 1100, 2000, 2999])('describes %i as reserved', (code) => {
    const info = describeCloseCode(code);
    expect(info.code).toBe(code);
    expect(info.source).toBe('range');
    expect(info.name).toBe('Reserved');
  });

  it.each([999, 0, -1, 5000, 65535])('describes %i as invalid and never sent on the wire', (code) => {
    const info = describeCloseCode(code);
    expect(info.code).toBe(code);
    expect(info.source).toBe('range');
    expect(info.name).toBe('Invalid');
    expect(info.sentOnWire).toBe(false);
  });
});
