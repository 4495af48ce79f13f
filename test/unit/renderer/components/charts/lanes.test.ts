// The connection timeline's rows (shared with the report), "peak n/s" as the busiest second rather
// than a narrow bucket, and a rate chart whose legend says what its bars reach.
import { describe, expect, it } from 'vitest';
import { assignLanes } from '../../../../../shared/charts/lanes';
import {
  busiestSecond,
  peakRate,
  rateLegend,
  ratesAt,
} from '../../../../../renderer/components/charts/rate-chart';

describe('assignLanes', () => {
  it('keeps a capture’s connections, one after the other, on one row', () => {
    expect(
      assignLanes([
        [0, 10],
        [12, 20],
        [20, 30],
      ]),
    ).toEqual([0, 0, 0]);
  });

  it('gives overlapping connections (a probe’s) a row each while they overlap', () => {
    expect(
      assignLanes([
        [0, 100],
        [10, 20],
        [15, 40],
        [30, 50],
        [120, 130],
      ]),
    ).toEqual([0, 1, 2, 1, 0]);
  });

  it('places by start time whatever the order given', () => {
    expect(
      assignLanes([
        [50, 60],
        [0, 100],
      ]),
    ).toEqual([1, 0]);
  });
});

describe('busiestSecond', () => {
  it('counts a session of three frames in a few milliseconds as 3/s, not thousands', () => {
    const rate = {
      startTs: 0,
      bucketUs: 1000,
      incoming: [2, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      outgoing: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    };
    expect(busiestSecond(rate)).toBe(3);
  });

  it('slides a one-second window over narrow buckets', () => {
    const incoming = new Array<number>(40).fill(0);
    incoming[5] = 10;
    incoming[14] = 10;
    incoming[30] = 7;
    const rate = { startTs: 0, bucketUs: 100_000, incoming, outgoing: new Array<number>(40).fill(0) };
    expect(busiestSecond(rate)).toBe(20);
  });

  it('reads a rate off buckets of a second or more', () => {
    const rate = { startTs: 0, bucketUs: 2_000_000, incoming: [10, 40], outgoing: [0, 0] };
    expect(busiestSecond(rate)).toBe(20);
  });
});

describe('the rate chart’s legend and bars', () => {
  // Eight frames in the busiest second, two of them in one 25 ms bucket: the bars must not reach
  // 80 on a frames-per-second axis while the legend says 8/s.
  const incoming = new Array<number>(80).fill(0);
  incoming[0] = 2;
  for (const i of [4, 8, 12, 16, 20, 24]) incoming[i] = 1;
  const narrow = { startTs: 0, bucketUs: 25_000, incoming, outgoing: new Array<number>(80).fill(0) };

  it('draws narrow buckets as frames per bucket, and the legend names that unit and the busiest second', () => {
    expect(busiestSecond(narrow)).toBe(8);
    expect(peakRate(narrow)).toBe(2);
    expect(ratesAt(narrow, 10_000)).toEqual({ incoming: 2, outgoing: 0 });
    expect(rateLegend(narrow)).toEqual({
      title: 'Frames per 25 ms',
      note: 'peak 2 per 25 ms · busiest second 8 frames',
    });
  });

  it('draws buckets of a second or more in frames per second, as the legend says', () => {
    const wide = { startTs: 0, bucketUs: 2_000_000, incoming: [10, 40], outgoing: [0, 20] };
    expect(peakRate(wide)).toBe(30);
    expect(rateLegend(wide)).toEqual({ title: 'Frames per second', note: 'peak 30/s · 2.00 s buckets' });
  });
});
