// One Prometheus query over the incident's window, as the walk shows it: a line per series, the
// runbook's threshold dashed, the time axis shared with the session charts. The geometry is the
// report's (shared/charts/series-chart.ts), so the walk and the report draw the same curve.
import { CHART_SERIES_MAX, layoutSeriesChart } from '../../../shared/charts/series-chart';
import { formatValue, seriesName, type QueryAnswer, type QueryResult } from '../../../shared/prometheus';
import { TimeAxis } from './time-axis';
import { useWidth } from './use-width';

/** The plot's height; the time axis goes under it (charts.css keeps the space while the width is measured). */
const PLOT_HEIGHT = 140;

export function QueryChart({ result, answer }: { result: QueryResult; answer: QueryAnswer }) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const drawn = answer.series.slice(0, CHART_SERIES_MAX);
  const hasPoints = answer.series.some((s) => s.points.length > 0);
  const layout =
    width > 0 && hasPoints
      ? layoutSeriesChart(answer, result.window, result.expect, width, PLOT_HEIGHT, 0)
      : null;
  return (
    <div className="query-chart" ref={ref} data-testid="query-chart" data-series={answer.series.length}>
      {!hasPoints ? (
        <p className="muted small">No points in the window: nothing to chart.</p>
      ) : layout ? (
        <>
          <svg
            className="chart query-plot"
            width={width}
            height={PLOT_HEIGHT}
            role="img"
            aria-label={`${answer.promql}: ${answer.verdict}`}
          >
            {layout.yTicks.map((t) => (
              <g key={t.value} className="chart-grid">
                <line
                  x1={layout.x.range[0]}
                  x2={layout.x.range[1]}
                  y1={Math.round(layout.y(t.value)) + 0.5}
                  y2={Math.round(layout.y(t.value)) + 0.5}
                />
                <text x={layout.x.range[0] - 6} y={layout.y(t.value)} dy="0.32em" textAnchor="end">
                  {t.label}
                </text>
              </g>
            ))}
            {layout.threshold ? (
              <g className="query-threshold" data-testid="query-threshold">
                <line
                  x1={layout.x.range[0]}
                  x2={layout.x.range[1]}
                  y1={layout.threshold.y}
                  y2={layout.threshold.y}
                />
                <text x={layout.x.range[1] - 4} y={layout.threshold.labelY} textAnchor="end">
                  expect {layout.threshold.label}
                </text>
              </g>
            ) : null}
            {layout.lines.map((l) => (
              <path key={l.index} className={`query-series series-${l.index}`} d={l.d} />
            ))}
          </svg>
          <TimeAxis x={layout.x} width={width} />
        </>
      ) : (
        <div className="query-chart-pending" />
      )}
      <ul className="query-legend">
        {drawn.map((s, i) => (
          <li key={i} className={s.pass === false ? 'is-failing' : undefined}>
            <span className={`query-key series-${i}`} aria-hidden="true" />
            <code>{seriesName(s.labels)}</code> ={' '}
            {s.value === null ? 'no value at the end' : formatValue(s.value)}
            {s.pass === null ? '' : s.pass ? ' — meets' : ' — does not meet'}
          </li>
        ))}
        {answer.series.length > drawn.length ? (
          <li className="muted">
            {answer.series.length - drawn.length} more series not drawn (Details has them)
          </li>
        ) : null}
      </ul>
    </div>
  );
}
