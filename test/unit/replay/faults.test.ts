import { describe, expect, it } from 'vitest';
import { faultText, parseFault, parseFaults } from '../../../shared/replay/faults.js';

describe('faults', () => {
  it('reads each fault as written on the command line, and writes it back', () => {
    const cases: Array<[string, unknown]> = [
      ['idle-cut=30', { kind: 'idle-cut', seconds: 30 }],
      ['drop-after=1.5', { kind: 'drop-after', seconds: 1.5 }],
      ['close=1011:pricing down@5', { kind: 'close', code: 1011, reason: 'pricing down', seconds: 5 }],
      ['close=4001@0.5', { kind: 'close', code: 4001, reason: '', seconds: 0.5 }],
      ['delay=200±50', { kind: 'delay', ms: 200, jitterMs: 50 }],
      ['delay=200', { kind: 'delay', ms: 200, jitterMs: 0 }],
      ['reject=503', { kind: 'reject', status: 503 }],
      ['no-pong', { kind: 'no-pong' }],
      ['slow-accept=750', { kind: 'slow-accept', ms: 750 }],
    ];
    for (const [text, fault] of cases) {
      expect(parseFault(text)).toEqual(fault);
      expect(faultText(parseFault(text))).toBe(text);
    }
  });

  it('says what is wrong in one sentence', () => {
    expect(() => parseFault('idle-cut')).toThrow(/needs its value: idle-cut=S/);
    expect(() => parseFault('idle-cut=0')).toThrow('the seconds of idle-cut must be a number from 0.001');
    expect(() => parseFault('close=1006@1')).toThrow('1006 is not a close code a server sends');
    expect(() => parseFault('close=1000')).toThrow('close=CODE[:REASON]@S');
    expect(() => parseFault(`close=1000:${'x'.repeat(124)}@1`)).toThrow('at most 123 bytes');
    expect(() => parseFault('reject=101')).toThrow('from 200 to 599');
    expect(() => parseFault('no-pong=1')).toThrow('no-pong takes no value');
    expect(() => parseFault('boom')).toThrow(/must be one of idle-cut, drop-after/);
    expect(() => parseFaults(['idle-cut=1', 'idle-cut=2'])).toThrow('idle-cut is given twice');
  });

  it("reads a relay's faults, and keeps them from a mock, which forwards nothing", () => {
    const cases: Array<[string, unknown]> = [
      ['delay=200±50:out', { kind: 'delay', ms: 200, jitterMs: 50, direction: 'out' }],
      ['delay=200:both', { kind: 'delay', ms: 200, jitterMs: 0, direction: 'both' }],
      ['stall=10@2.5', { kind: 'stall', seconds: 10, atSeconds: 2.5 }],
      ['throttle=1024/s', { kind: 'throttle', bytesPerSecond: 1024 }],
    ];
    for (const [text, fault] of cases) {
      expect(parseFault(text, 'relay')).toEqual(fault);
      expect(faultText(parseFault(text, 'relay'))).toBe(text);
      expect(() => parseFault(text, 'mock')).toThrow(/is a relay's fault/);
    }
    expect(parseFault('delay=200:in', 'mock')).toEqual({
      kind: 'delay',
      ms: 200,
      jitterMs: 0,
      direction: 'in',
    });
    // cut-after is the relay's word for drop-after: one fault, written back under the mock's name.
    expect(parseFault('cut-after=3', 'relay')).toEqual({ kind: 'drop-after', seconds: 3 });
    expect(() => parseFaults(['cut-after=1', 'drop-after=2'], 'relay')).toThrow('drop-after is given twice');
    expect(() => parseFault('stall=10', 'relay')).toThrow('stall=S@T');
    expect(() => parseFault('throttle=1024', 'relay')).toThrow('throttle=BYTES/S');
    expect(() => parseFault('throttle=0/s', 'relay')).toThrow('from 1 to');
    expect(() => parseFault('delay=200:sideways', 'relay')).toThrow('delay=MS[±J][:in|:out|:both]');
  });
});
