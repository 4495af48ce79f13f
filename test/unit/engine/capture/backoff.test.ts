import { describe, expect, it } from 'vitest';
import { reconnectDelay } from '../../../../electron/engine/capture/backoff.js';
import type { ReconnectPolicy } from '../../../../shared/contract.js';

const policy: ReconnectPolicy = {
  baseMs: 100,
  maxMs: 10_000,
  factor: 2,
  jitter: 0.2,
  attempts: 10,
  giveUpOnRefusal: false,
};
const mid = (): number => 0.5; // no jitter
const low = (): number => 0; // -jitter
const high = (): number => 1; // +jitter

describe('reconnectDelay', () => {
  it('starts at baseMs and grows by the factor per attempt', () => {
    expect([1, 2, 3, 4, 5].map((a) => reconnectDelay(policy, a, mid))).toEqual([100, 200, 400, 800, 1600]);
  });

  it('uses another factor', () => {
    const p = { ...policy, factor: 3 };
    expect([1, 2, 3].map((a) => reconnectDelay(p, a, mid))).toEqual([100, 300, 900]);
  });

  it('treats attempt 0 like attempt 1', () => {
    expect(reconnectDelay(policy, 0, mid)).toBe(100);
  });

  it('is capped at maxMs', () => {
    expect(reconnectDelay(policy, 8, mid)).toBe(10_000); // 12 800 uncapped
    expect(reconnectDelay(policy, 50, mid)).toBe(10_000);
    expect(reconnectDelay(policy, 5000, mid)).toBe(10_000); // factor ** n overflows to Infinity
  });

  it('never exceeds maxMs even with full positive jitter', () => {
    expect(reconnectDelay(policy, 20, high)).toBe(10_000);
  });

  it('spreads by exactly -jitter and +jitter at the extremes of random()', () => {
    expect(reconnectDelay(policy, 1, low)).toBe(80);
    expect(reconnectDelay(policy, 1, high)).toBe(120);
    expect(reconnectDelay(policy, 3, low)).toBe(320);
    expect(reconnectDelay(policy, 3, high)).toBe(480);
    expect(reconnectDelay(policy, 20, low)).toBe(8_000); // jitter below the cap
  });

  it('stays within ±jitter of the nominal delay for any random value', () => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      const nominal = Math.min(policy.maxMs, policy.baseMs * policy.factor ** (attempt - 1));
      for (let i = 0; i <= 100; i++) {
        const r = i / 100;
        const d = reconnectDelay(policy, attempt, () => r);
        expect(d).toBeGreaterThanOrEqual(Math.floor(nominal * (1 - policy.jitter)));
        expect(d).toBeLessThanOrEqual(Math.min(policy.maxMs, Math.ceil(nominal * (1 + policy.jitter))));
      }
    }
  });

  it('gives whole, non-negative milliseconds', () => {
    const p = { ...policy, baseMs: 333, factor: 1.7, jitter: 1 };
    for (let attempt = 1; attempt < 12; attempt++) {
      for (const r of [0, 0.123, 0.5, 0.999, 1]) {
        const d = reconnectDelay(p, attempt, () => r);
        expect(Number.isInteger(d)).toBe(true);
        expect(d).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('is constant with factor 1 and no jitter', () => {
    const p = { ...policy, factor: 1, jitter: 0 };
    expect([1, 2, 10, 100].map((a) => reconnectDelay(p, a, Math.random))).toEqual([100, 100, 100, 100]);
  });

  it('gives 0, not NaN, for a zero base after very many attempts', () => {
    expect(reconnectDelay({ ...policy, baseMs: 0 }, 2000, mid)).toBe(0);
  });
});
