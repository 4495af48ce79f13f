// A query step's chart as geometry, the same for the console and the report: a line per series
// broken where Prometheus had no point, the threshold with its label kept inside the plot, and the
// time axis from the first point when the window begins before Prometheus had any.
import { describe, expect, it } from 'vitest';
import { CHART_SERIES_MAX, layoutSeriesChart } from '../../../../shared/charts/series-chart.js';
import type { QueryAnswer } from '../../../../shared/prometheus.js';

const WINDOW = { from: 1_000, to: 1_300, stepSeconds: 10 };

function answer(series: Array<Array<[number, number]>>): QueryAnswer {
  return {
    promql: 'up',
    series: series.map((points, i) => ({
      labels: { i: String(i) },
      value: points.at(-1)?.[1] ?? null,
      pass: null,
      points,
    })),
    error: null,
    pass: true,
    verdict: '',
  };
}

describe('the series chart', () => {
  it('draws each series as one path, broken where a step has no point', () => {
    const points: Array<[number, number]> = [
      [1_000, 1],
      [1_010, 2],
      [1_020, 3],
      [1_100, 4],
      [1_110, 5],
    ];
    const l = layoutSeriesChart(answer([points]), WINDOW, null, 600, 160);
    const moves = l.lines[0]!.d.match(/M/g)!.length;
    expect(moves).toBe(2);
    expect(l.lines[0]!.d.match(/L/g)!.length).toBe(3);
    // From zero: counts and rates read from the floor; the top tick covers the highest value.
    expect(l.yTicks[0]!.value).toBe(0);
    expect(l.yTicks.at(-1)!.value).toBeGreaterThanOrEqual(5);
  });

  it('keeps the threshold in the plot, its label below the line when the line is at the top', () => {
    const low = layoutSeriesChart(answer([[[1_000, 1]]]), WINDOW, { op: '<', value: 10 }, 600, 160);
    expect(low.yTicks.at(-1)!.value).toBeGreaterThanOrEqual(10);
    expect(low.threshold!.label).toBe('< 10');
    expect(low.threshold!.labelY).toBeGreaterThan(low.threshold!.y);
    const high = layoutSeriesChart(answer([[[1_000, 50]]]), WINDOW, { op: '<', value: 10 }, 600, 160);
    expect(high.threshold!.labelY).toBeLessThan(high.threshold!.y);
  });

  it('starts the time axis at the first point when Prometheus has none earlier in the window', () => {
    const late = layoutSeriesChart(
      answer([
        [
          [1_250, 1],
          [1_260, 1],
        ],
      ]),
      WINDOW,
      null,
      600,
      160,
    );
    expect(late.x.domain).toEqual([1_250e6, 1_300e6]);
    const full = layoutSeriesChart(answer([[[1_000, 1]]]), WINDOW, null, 600, 160);
    expect(full.x.domain).toEqual([1_000e6, 1_300e6]);
  });

  it(`draws at most ${CHART_SERIES_MAX} series`, () => {
    const many = Array.from({ length: 9 }, (_, i): Array<[number, number]> => [[1_000, i]]);
    expect(layoutSeriesChart(answer(many), WINDOW, null, 600, 160).lines).toHaveLength(CHART_SERIES_MAX);
  });
});
