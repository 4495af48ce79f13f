// The vertical line that marks the instant under the pointer, the same on every chart of a session.
import type { Scale } from '../../../shared/charts/scale';

export function ChartCrosshair({ x, ts, height }: { x: Scale; ts: number; height: number }) {
  const at = Math.round(x(ts)) + 0.5;
  return <line className="chart-crosshair" x1={at} x2={at} y1={0} y2={height} />;
}
