// Frames over a session, incoming and outgoing stacked, drawn as SVG steps: one step per bucket the
// engine counted, so a burst or a silence shows where it happened, not smoothed away. Buckets of a
// second or more are drawn in frames per second; narrower ones in frames per bucket (two frames in
// 25 ms are not "80/s" when the busiest second held 8), and the legend names the unit the bars use.
import type { ResponseOf } from '../../../shared/contract';
import { ChartCrosshair } from './chart-crosshair';
import {
  countTicks,
  formatCompact,
  formatDuration,
  linearScale,
  type Scale,
} from '../../../shared/charts/scale';

export type RateData = ResponseOf<'sessions', 'rate'>;

export interface RateChartProps {
  rate: RateData;
  /** The shared time axis (epoch microseconds → pixels). */
  x: Scale;
  width: number;
  height: number;
  /** The instant under the pointer, drawn as a crosshair. */
  hoverTs: number | null;
}

/** What one frame of a bucket counts for on the chart's axis: per second for wide buckets, 1 (per bucket) else. */
function unitFactor(rate: RateData): number {
  return rate.bucketUs >= 1_000_000 ? 1_000_000 / rate.bucketUs : 1;
}

/** The unit of the chart's axis, after a number: "/s", or " per 25 ms". */
export function rateUnit(rate: RateData): string {
  return rate.bucketUs >= 1_000_000 ? '/s' : ` per ${formatDuration(rate.bucketUs)}`;
}

/** The chart's title and its legend note: the peak the bars reach, in their unit. */
export function rateLegend(rate: RateData): { title: string; note: string } {
  const peak = `peak ${formatCompact(peakRate(rate))}${rateUnit(rate)}`;
  if (rate.bucketUs >= 1_000_000)
    return { title: 'Frames per second', note: `${peak} · ${formatDuration(rate.bucketUs)} buckets` };
  const busiest = busiestSecond(rate);
  return {
    title: `Frames per ${formatDuration(rate.bucketUs)}`,
    note: `${peak} · busiest second ${formatCompact(busiest)} ${busiest === 1 ? 'frame' : 'frames'}`,
  };
}

/** The rates of one bucket, in the chart's unit (rateUnit). */
export function ratesAt(rate: RateData, ts: number): { incoming: number; outgoing: number } | null {
  const i = Math.floor((ts - rate.startTs) / rate.bucketUs);
  if (i < 0 || i >= rate.incoming.length) return null;
  const k = unitFactor(rate);
  return { incoming: (rate.incoming[i] ?? 0) * k, outgoing: (rate.outgoing[i] ?? 0) * k };
}

/**
 * Frames in the busiest second of a session, both directions: what "peak n/s" means to a reader. A
 * rate read off one narrow bucket is not one (a single frame in a 1 ms bucket is not "1k/s").
 */
export function busiestSecond(rate: RateData): number {
  const perSecond = Math.max(1, Math.round(1_000_000 / rate.bucketUs));
  if (perSecond === 1) {
    let peak = 0;
    for (let i = 0; i < rate.incoming.length; i++)
      peak = Math.max(peak, (rate.incoming[i] ?? 0) + (rate.outgoing[i] ?? 0));
    return (peak * 1_000_000) / rate.bucketUs;
  }
  let sum = 0;
  let peak = 0;
  for (let i = 0; i < rate.incoming.length; i++) {
    sum += (rate.incoming[i] ?? 0) + (rate.outgoing[i] ?? 0);
    if (i >= perSecond) sum -= (rate.incoming[i - perSecond] ?? 0) + (rate.outgoing[i - perSecond] ?? 0);
    peak = Math.max(peak, sum);
  }
  return peak;
}

/** The highest stacked bar of a session, in the chart's unit (rateUnit). */
export function peakRate(rate: RateData): number {
  let peak = 0;
  for (let i = 0; i < rate.incoming.length; i++)
    peak = Math.max(peak, (rate.incoming[i] ?? 0) + (rate.outgoing[i] ?? 0));
  return peak * unitFactor(rate);
}

export const RATE_AXIS_WIDTH = 44;

function stepPath(
  rate: RateData,
  x: Scale,
  y: Scale,
  lower: (i: number) => number,
  upper: (i: number) => number,
): string {
  const n = rate.incoming.length;
  if (n === 0) return '';
  const unit = unitFactor(rate);
  const [plotLeft, plotRight] = x.range;
  const left = (i: number) => Math.min(plotRight, Math.max(plotLeft, x(rate.startTs + i * rate.bucketUs)));
  const top: string[] = [];
  const bottom: string[] = [];
  for (let i = 0; i < n; i++) {
    const x0 = left(i).toFixed(1);
    const x1 = left(i + 1).toFixed(1);
    const hi = y(upper(i) * unit).toFixed(1);
    const lo = y(lower(i) * unit).toFixed(1);
    top.push(`${x0},${hi}`, `${x1},${hi}`);
    bottom.push(`${x0},${lo}`, `${x1},${lo}`);
  }
  return `M${top.join('L')}L${bottom.reverse().join('L')}Z`;
}

/** The top edge of a series as a step line, broken where `visible` says the series is empty. */
function stepLine(
  rate: RateData,
  x: Scale,
  y: Scale,
  upper: (i: number) => number,
  visible: (i: number) => boolean,
) {
  const unit = unitFactor(rate);
  const [plotLeft, plotRight] = x.range;
  const left = (i: number) => Math.min(plotRight, Math.max(plotLeft, x(rate.startTs + i * rate.bucketUs)));
  let d = '';
  let drawing = false;
  for (let i = 0; i < rate.incoming.length; i++) {
    if (!visible(i)) {
      drawing = false;
      continue;
    }
    const hi = y(upper(i) * unit).toFixed(1);
    d += `${drawing ? 'L' : 'M'}${left(i).toFixed(1)},${hi}L${left(i + 1).toFixed(1)},${hi}`;
    drawing = true;
  }
  return d;
}

export function RateChart({ rate, x, width, height, hoverTs }: RateChartProps) {
  const peak = peakRate(rate);
  const ticks = countTicks(peak, height >= 120 ? 3 : 2);
  const yMax = Math.max(ticks[ticks.length - 1] ?? 1, 1);
  const y = linearScale([0, yMax], [height - 1, 6]);
  const incoming = (i: number) => rate.incoming[i] ?? 0;
  const stacked = (i: number) => incoming(i) + (rate.outgoing[i] ?? 0);
  const inPath = stepPath(rate, x, y, () => 0, incoming);
  const outPath = stepPath(rate, x, y, incoming, stacked);
  const inLine = stepLine(rate, x, y, incoming, () => true);
  const outLine = stepLine(rate, x, y, stacked, (i) => (rate.outgoing[i] ?? 0) > 0);
  const [plotLeft, plotRight] = x.range;
  const total = rate.incoming.reduce((a, b) => a + b, 0) + rate.outgoing.reduce((a, b) => a + b, 0);
  return (
    <svg
      className="chart rate-chart"
      width={width}
      height={height}
      role="img"
      aria-label={`${rateLegend(rate).title}: ${total} frames, peak ${formatCompact(peak)}${rateUnit(rate)}`}
      data-testid="rate-chart"
      data-buckets={rate.incoming.length}
      data-frames={total}
    >
      {ticks.map((t) => (
        <g key={t} className="chart-grid">
          <line x1={plotLeft} x2={plotRight} y1={Math.round(y(t)) + 0.5} y2={Math.round(y(t)) + 0.5} />
          <text x={plotLeft - 6} y={y(t)} dy="0.32em" textAnchor="end">
            {formatCompact(t)}
          </text>
        </g>
      ))}
      <path className="rate-in" d={inPath} />
      <path className="rate-out" d={outPath} />
      <path className="rate-line is-in" d={inLine} />
      <path className="rate-line is-out" d={outLine} />
      {hoverTs !== null && <ChartCrosshair x={x} ts={hoverTs} height={height} />}
    </svg>
  );
}
