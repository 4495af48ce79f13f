// The two charts of a comparison, where a look says more than the numbers: every connection's
// lifetime in both sessions on one scale (an idle cut is a row of equal short bars, its fix one long
// bar), and the round trips' p50 and p95 before and after.
import type { ComparedSession } from '../../../shared/contract/compare';
import { useWidth } from '../../components/charts/use-width';

/** Bars drawn per session; a storm of thousands would be lines thinner than a pixel. */
export const LIFETIME_BARS = 60;

const HEIGHT = 150;
const AXIS = 40;
const TOP = 14;
const BOTTOM = 22;

/** Seconds as a short axis label: `3 s`, `1.5 min`, `2 h`. */
function axisSeconds(s: number): string {
  if (s >= 7200) return `${Math.round(s / 360) / 10} h`;
  if (s >= 120) return `${Math.round(s / 6) / 10} min`;
  return `${Math.round(s * 10) / 10} s`;
}

interface Bar {
  ordinal: number;
  cls: string;
  seconds: number;
  label: string;
}

function lifetimeBars(s: ComparedSession): Bar[] {
  return s.timeline.spans
    .filter((span) => span.openedAt !== null)
    .slice(0, LIFETIME_BARS)
    .map((span) => ({
      ordinal: span.ordinal,
      cls: span.cls,
      seconds: (span.endAt - span.openedAt!) / 1e6,
      label: span.label,
    }));
}

/** Every connection's lifetime in both sessions, on one scale. */
export function LifetimeChart({ before, after }: { before: ComparedSession; after: ComparedSession }) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const sides = [
    { name: 'Before', bars: lifetimeBars(before) },
    { name: 'After', bars: lifetimeBars(after) },
  ];
  const max = Math.max(1e-3, ...sides.flatMap((s) => s.bars.map((b) => b.seconds)));
  const plot = Math.max(0, width - AXIS);
  const half = plot / 2;
  const y = (s: number) => TOP + (HEIGHT - TOP - BOTTOM) * (1 - s / max);
  const ticks = [0, max / 2, max];
  return (
    <figure className="compare-chart" aria-label="Connection lifetimes, before and after">
      <figcaption>Connection lifetimes</figcaption>
      <div ref={ref} className="compare-chart-plot">
        {width > 0 ? (
          <svg
            className="chart"
            width={width}
            height={HEIGHT}
            role="img"
            aria-label="Lifetime of each connection"
          >
            <g className="chart-grid">
              {ticks.map((t) => (
                <line key={t} x1={AXIS} x2={width} y1={y(t)} y2={y(t)} />
              ))}
            </g>
            {ticks.map((t) => (
              <text key={t} x={AXIS - 6} y={y(t) + 3} textAnchor="end">
                {axisSeconds(t)}
              </text>
            ))}
            {sides.map((side, i) => {
              const left = AXIS + i * half + 8;
              const room = half - 16;
              const step = side.bars.length > 0 ? room / side.bars.length : room;
              const barWidth = Math.max(1, Math.min(40, step * 0.7));
              return (
                <g key={side.name} data-side={side.name.toLowerCase()}>
                  <text x={left} y={HEIGHT - 6}>
                    {side.name}:{' '}
                    {side.bars.length === 0
                      ? 'no connection opened'
                      : `${side.bars.length} connection${side.bars.length === 1 ? '' : 's'}`}
                  </text>
                  {side.bars.map((b, k) => (
                    <rect
                      key={b.ordinal}
                      className={`compare-bar cls-${b.cls}`}
                      x={left + k * step}
                      y={y(b.seconds)}
                      width={barWidth}
                      height={Math.max(1, y(0) - y(b.seconds))}
                    >
                      <title>{`Connection ${b.ordinal}: lived ${axisSeconds(b.seconds)}${b.label ? `, ${b.label}` : ''}`}</title>
                    </rect>
                  ))}
                </g>
              );
            })}
            <line
              className="compare-divider"
              x1={AXIS + half}
              x2={AXIS + half}
              y1={TOP}
              y2={HEIGHT - BOTTOM}
            />
          </svg>
        ) : null}
      </div>
    </figure>
  );
}

/** The round trips' p50 and p95, before and after, as paired bars. */
export function LatencyChart({ before, after }: { before: ComparedSession; after: ComparedSession }) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const rows = [
    { name: 'answers p50', b: before.answers.latency?.p50Ms, a: after.answers.latency?.p50Ms },
    { name: 'answers p95', b: before.answers.latency?.p95Ms, a: after.answers.latency?.p95Ms },
    { name: 'heartbeat p50', b: before.heartbeat?.p50Ms, a: after.heartbeat?.p50Ms },
    { name: 'heartbeat p95', b: before.heartbeat?.p95Ms, a: after.heartbeat?.p95Ms },
  ].filter((r) => r.b !== undefined || r.a !== undefined);
  const LABEL = 92;
  const ROW = 30;
  const height = rows.length * ROW + 8;
  const max = Math.max(1e-3, ...rows.flatMap((r) => [r.b ?? 0, r.a ?? 0]));
  const room = Math.max(0, width - LABEL - 70);
  const ms = (v: number) => `${v >= 10 ? Math.round(v) : Math.round(v * 100) / 100} ms`;
  return (
    <figure className="compare-chart" aria-label="Round trips, before and after">
      <figcaption>
        Round trips <span className="compare-key is-before">before</span>{' '}
        <span className="compare-key is-after">after</span>
      </figcaption>
      <div ref={ref} className="compare-chart-plot">
        {rows.length === 0 ? (
          <p className="muted compare-chart-empty">
            Neither session has round trips: no pings answered, no request answered by its id.
          </p>
        ) : width > 0 ? (
          <svg className="chart" width={width} height={height} role="img" aria-label="Round-trip percentiles">
            {rows.map((r, i) => {
              const top = 4 + i * ROW;
              return (
                <g key={r.name}>
                  <text x={0} y={top + 15}>
                    {r.name}
                  </text>
                  {(['b', 'a'] as const).map((side, k) => {
                    const v = r[side];
                    const barY = top + k * 12;
                    return v === undefined ? (
                      <text key={side} x={LABEL} y={barY + 9}>
                        none
                      </text>
                    ) : (
                      <g key={side}>
                        <rect
                          className={`compare-latency ${side === 'b' ? 'is-before' : 'is-after'}`}
                          x={LABEL}
                          y={barY}
                          width={Math.max(1, (room * v) / max)}
                          height={10}
                        />
                        <text x={LABEL + Math.max(1, (room * v) / max) + 4} y={barY + 9}>
                          {ms(v)}
                        </text>
                      </g>
                    );
                  })}
                </g>
              );
            })}
          </svg>
        ) : null}
      </div>
    </figure>
  );
}
