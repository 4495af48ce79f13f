// Small statistics the rules share: percentiles, medians, rounding for evidence.
import { countOf, Sample, valuesOf, type Values } from './sample.js';

/**
 * The q-quantile (0..1) of values, by linear interpolation between the closest ranks; of a sample
 * beyond its capacity, estimated from the values it kept (its extremes stay exact).
 */
export function quantile(input: Values, q: number): number {
  if (input instanceof Sample && input.count > input.values.length) {
    if (q <= 0) return input.min;
    if (q >= 1) return input.max;
  }
  const values = valuesOf(input);
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** The median of values (NaN for none). */
export function median(values: Values): number {
  return quantile(values, 0.5);
}

/** Rounds to one decimal (seconds in evidence). */
export function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Rounds to two decimals (milliseconds in evidence). */
export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Round-trip statistics in milliseconds, as evidence. */
export interface LatencySummary {
  samples: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

/** Summarises round trips in milliseconds; null for none. */
export function latencySummary(ms: Values): LatencySummary | null {
  if (countOf(ms) === 0) return null;
  return {
    samples: countOf(ms),
    p50Ms: round2(quantile(ms, 0.5)),
    p95Ms: round2(quantile(ms, 0.95)),
    maxMs: round2(maxOf(ms)),
  };
}

/** Seconds between two epoch-microsecond times. */
export function seconds(fromUs: number, toUs: number): number {
  return (toUs - fromUs) / 1e6;
}

/** Counts values by key, as a plain object for evidence. */
export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** The largest value (−Infinity for none); safe on long arrays, unlike Math.max(...values). */
export function maxOf(values: Values): number {
  if (values instanceof Sample) return values.max;
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  return m;
}

/** The smallest value (Infinity for none). */
export function minOf(values: Values): number {
  if (values instanceof Sample) return values.min;
  let m = Infinity;
  for (const v of values) if (v < m) m = v;
  return m;
}
