// A measurement of a session that may hold millions of values (round trips, gaps between
// messages): kept whole up to a bound, and beyond it as a uniform random sample of that many
// (reservoir sampling with a fixed seed, so that a diagnosis reads the same every time), with the
// exact count, minimum and maximum. Quantiles of small sets are exact; of huge ones, estimates
// from the sample. This is what keeps `frameline diagnose` in bounded memory whatever the size.

/** Values kept at most, unless a smaller bound is asked for. */
export const SAMPLE_CAPACITY = 50_000;

/** A bounded sample of a measurement. */
export class Sample {
  count = 0;
  min = Infinity;
  max = -Infinity;
  private readonly kept: number[] = [];
  private state = 0x2545f491;

  constructor(readonly capacity = SAMPLE_CAPACITY) {}

  add(value: number): void {
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (this.kept.length < this.capacity) {
      this.kept.push(value);
      return;
    }
    const j = Math.floor(this.random() * this.count);
    if (j < this.capacity) this.kept[j] = value;
  }

  /** The values kept: all of them while there are no more than the capacity. */
  get values(): readonly number[] {
    return this.kept;
  }

  /** xorshift32: deterministic, so that the same session always reads the same. */
  private random(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 0x1_0000_0000;
  }
}

/** Values given as a list or as a sample. */
export type Values = readonly number[] | Sample;

/** The values to compute statistics on (a sample's kept values). */
export function valuesOf(v: Values): readonly number[] {
  return v instanceof Sample ? v.values : v;
}

/** How many values there were (a sample counts them all, kept or not). */
export function countOf(v: Values): number {
  return v instanceof Sample ? v.count : v.length;
}
