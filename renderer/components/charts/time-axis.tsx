// The time axis under the session charts: clock ticks in the console's zone, precise enough for the
// span shown.
import { timeTicks, type Scale } from '../../../shared/charts/scale';
import { clockLabel } from './clock';

export const TIME_AXIS_HEIGHT = 20;

export function TimeAxis({ x, width }: { x: Scale; width: number }) {
  const [plotLeft, plotRight] = x.range;
  const [from, to] = x.domain;
  const { ticks, step } = timeTicks(from, to, Math.max(2, Math.floor((plotRight - plotLeft) / 84)));
  return (
    <svg className="chart time-axis" width={width} height={TIME_AXIS_HEIGHT} aria-hidden="true">
      <line className="time-axis-line" x1={plotLeft} x2={plotRight} y1={0.5} y2={0.5} />
      {ticks.map((t) => {
        const tx = Math.round(x(t)) + 0.5;
        const label = clockLabel(t, step);
        // Monospaced digits: a label that would run off either end is left out, its tick kept.
        const half = label.length * 3.2;
        return (
          <g key={t}>
            <line className="time-axis-tick" x1={tx} x2={tx} y1={0} y2={4} />
            {tx - half >= 0 && tx + half <= width && (
              <text x={tx} y={15} textAnchor="middle">
                {label}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}
