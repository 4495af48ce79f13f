// A query step's chart as geometry: each series' line over the incident's window, the threshold
// line, and the axes' ticks. Drawn by the console (React) and by the report (SVG text in the engine),
// so the walk and the report show the same curve.
import type { QueryAnswer, Threshold } from '../prometheus.js';
import { formatValue } from '../prometheus.js';
import { linearScale, timeTicks, type Scale } from './scale.js';

/** How many series a chart draws; the rest are named in the legend as not drawn. */
export const CHART_SERIES_MAX = 6;

export interface SeriesChartLayout {
  /**
   * Epoch microseconds → pixels (the time axis shares the session charts' ticks), from the first
   * point in the window (or the window's start, when it has points from then) to the window's end.
   */
  x: Scale;
  y: Scale;
  width: number;
  height: number;
  plotTop: number;
  plotBottom: number;
  /** Value ticks on the left axis, with their labels. */
  yTicks: Array<{ value: number; label: string }>;
  /** Time ticks under the plot, epoch microseconds, and their step. */
  xTicks: { ticks: number[]; step: number };
  /** One path per drawn series (breaks where Prometheus had no point), in the answer's order. */
  lines: Array<{ index: number; d: string; points: number }>;
  /** The threshold's y and where its label goes (above the line, below it at the plot's top). */
  threshold: { y: number; labelY: number; label: string } | null;
}

export const SERIES_AXIS_LEFT = 52;
const AXIS_RIGHT = 10;
const PLOT_TOP = 8;

/** Round value ticks from `lo` to `hi` (about `count`), as 1-2-5 steps. */
function valueTicks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const first = Math.floor(lo / step) * step;
  const ticks: number[] = [];
  for (let v = first; v < hi + step * (1 - 1e-9); v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks.length < 2) ticks.push(Number((first + step).toPrecision(12)));
  return ticks;
}

/**
 * Lays out `answer` over the window [from, to] (epoch seconds) in a `width`×`height` box, with room
 * for the time axis below (`axisHeight`).
 */
export function layoutSeriesChart(
  answer: QueryAnswer,
  window: { from: number; to: number; stepSeconds: number },
  threshold: Threshold | null,
  width: number,
  height: number,
  axisHeight = 20,
): SeriesChartLayout {
  const drawn = answer.series.slice(0, CHART_SERIES_MAX);
  const plotBottom = height - axisHeight;
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of drawn)
    for (const [, v] of s.points)
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
  if (threshold) {
    lo = Math.min(lo, threshold.value);
    hi = Math.max(hi, threshold.value);
  }
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  // Counts and rates read from zero; a value far from zero (a latency in seconds is not) keeps its own floor.
  if (lo >= 0) lo = 0;
  const yTickValues = valueTicks(lo, hi, height >= 160 ? 4 : 3);
  const yLo = yTickValues[0]!;
  const yHi = yTickValues[yTickValues.length - 1]!;
  const y = linearScale([yLo, yHi], [plotBottom, PLOT_TOP]);
  // The part of the window Prometheus has points for: a window that begins before the first scrape
  // would draw its curve squeezed against the right edge.
  let first = Infinity;
  for (const s of drawn) if (s.points.length) first = Math.min(first, s.points[0]![0]);
  const from = Math.max(window.from, Math.min(first, window.to - window.stepSeconds * 2));
  const x = linearScale([from * 1e6, window.to * 1e6], [SERIES_AXIS_LEFT, width - AXIS_RIGHT]);
  const [plotLeft, plotRight] = x.range;
  const xTicks = timeTicks(from * 1e6, window.to * 1e6, Math.max(2, Math.floor((plotRight - plotLeft) / 90)));
  const gap = window.stepSeconds * 1.5;
  const lines = drawn.map((s, index) => {
    let d = '';
    let last: number | null = null;
    for (const [t, v] of s.points) {
      if (!Number.isFinite(v)) {
        last = null;
        continue;
      }
      const px = x(t * 1e6).toFixed(1);
      const py = y(v).toFixed(1);
      d += `${last === null || t - last > gap ? 'M' : 'L'}${px},${py}`;
      last = t;
    }
    // A lone point is drawn as a short stroke, so that it shows.
    if (/^M[^L]*$/.test(d)) d += `h0.1`;
    return { index, d, points: s.points.length };
  });
  return {
    x,
    y,
    width,
    height,
    plotTop: PLOT_TOP,
    plotBottom,
    yTicks: yTickValues.map((value) => ({ value, label: formatValue(value) })),
    xTicks,
    lines,
    threshold: threshold
      ? {
          y: y(threshold.value),
          labelY: y(threshold.value) - PLOT_TOP - 4 < 10 ? y(threshold.value) + 13 : y(threshold.value) - 4,
          label: `${threshold.op} ${formatValue(threshold.value)}`,
        }
      : null,
  };
}
