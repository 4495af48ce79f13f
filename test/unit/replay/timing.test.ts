import { describe, expect, it } from 'vitest';
import { errorSummary, gapErrors, sendPlan } from '../../../shared/replay/timing.js';

describe('timing plan', () => {
  it('scales the recorded offsets by the speed, from the open', () => {
    expect(sendPlan([0, 1000, 25_000], 1)).toEqual([0, 1, 25]);
    expect(sendPlan([0, 1000, 25_000], 2)).toEqual([0, 0.5, 12.5]);
    expect(sendPlan([0, 1000, 25_000], 'max')).toEqual([0, 0, 0]);
  });

  it('measures the error of each replayed gap against the recorded one', () => {
    const errors = gapErrors([0, 1000, 3000], [500, 1600, 3500], 1);
    expect(errors.map((e) => Math.round(e * 1000) / 1000)).toEqual([0.1, 0.1]);
    expect(errorSummary([0.1, 0.2, 5])).toEqual({ p50: 0.2, p99: 4.904, max: 5 });
  });
});
