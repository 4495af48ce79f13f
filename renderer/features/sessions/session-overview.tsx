// A session at a glance: frames per second over time above the connection timeline, on one time
// axis, with the connections listed beside them. The connections come with the session; the rate
// is a scan of every frame and arrives later, so it is fetched here and drawn when it lands.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Api } from '../../../shared/contract';
import { parseMicros } from '../../../shared/time';
import {
  CLASS_LABELS,
  closedByLabel,
  legsLabel,
  outcomeLabel,
  type ConnectionClass,
} from '../../../shared/charts/connection-class';
import { ConnectionTimeline, describeSpan, markLabel } from '../../components/charts/connection-timeline';
import {
  RATE_AXIS_WIDTH,
  RateChart,
  rateLegend,
  ratesAt,
  rateUnit,
  type RateData,
} from '../../components/charts/rate-chart';
import { clockMicros } from '../../components/charts/clock';
import { formatCompact, formatDuration, formatOffset, linearScale } from '../../../shared/charts/scale';
import { TimeAxis } from '../../components/charts/time-axis';
import {
  buildTimeline,
  spanAt,
  type ConnectionSpan,
  type EventMark,
  type SessionDetail,
} from '../../../shared/charts/timeline-model';
import { useWidth } from '../../components/charts/use-width';
import { CloseExplanation } from '../../components/close-explanation';
import { errorMessage } from '../../components/error-note';
import { zoneWord } from '../../components/time-zone';
import { formatBytes, formatCount } from '../../components/format';

const RATE_HEIGHT = 120;
const MAX_BUCKETS = 360;
/** Narrower buckets than this turn a steady stream into a comb of spikes. */
const MIN_BUCKET_US = 50_000;
const PLOT_RIGHT_PAD = 12;

export interface SessionOverviewProps {
  api: Api;
  detail: SessionDetail;
  /** Bumped to fetch the rate again (a live session grows). */
  rateVersion: number;
  /** A connection was picked (its id): the frames below are narrowed to it. */
  onPickConnection?: (connectionId: number) => void;
}

interface Hover {
  ts: number;
  px: number;
  span: ConnectionSpan | null;
  mark: EventMark | null;
}

/** As many buckets as the chart can show, none shorter than MIN_BUCKET_US. */
function bucketsFor(detail: SessionDetail): number {
  let first = Infinity;
  let last = -Infinity;
  for (const c of detail.connections) {
    if (c.firstFrameTs) first = Math.min(first, parseMicros(c.firstFrameTs));
    if (c.lastFrameTs) last = Math.max(last, parseMicros(c.lastFrameTs));
  }
  const span = last - first;
  if (!Number.isFinite(span)) return MAX_BUCKETS;
  return Math.min(MAX_BUCKETS, Math.max(10, Math.ceil(span / MIN_BUCKET_US)));
}

export function SessionOverview({ api, detail, rateVersion, onPickConnection }: SessionOverviewProps) {
  const id = detail.session.id;
  const buckets = bucketsFor(detail);
  const [rate, setRate] = useState<{ id: number; data: RateData } | null>(null);
  const [rateError, setRateError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    api.sessions
      .rate({ id, buckets })
      .then((data) => {
        if (!current) return;
        setRate({ id, data });
        setRateError(null);
      })
      .catch((err: unknown) => current && setRateError(errorMessage(err)));
    return () => {
      current = false;
    };
    // The bucket count follows the session's length, which only changes while it is live: refetching
    // is paced by rateVersion, not by every refresh of the detail.
  }, [api, id, rateVersion]);
  const rateData = rate?.id === id ? rate.data : null;

  // The clock of a live session's right edge moves only when new data comes in, so that the chart
  // stays still between refreshes.
  const timeline = useMemo(() => buildTimeline(detail, Date.now() * 1000), [detail]);
  const [chartRef, width] = useWidth<HTMLDivElement>();
  const x = linearScale(
    [timeline.from, timeline.to],
    [RATE_AXIS_WIDTH, Math.max(RATE_AXIS_WIDTH + 10, width - PLOT_RIGHT_PAD)],
  );

  const [hover, setHover] = useState<Hover | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [listHover, setListHover] = useState<number | null>(null);
  const highlighted = useMemo(
    () => new Set([selected, listHover, hover?.span?.connection.id].filter((v): v is number => v != null)),
    [selected, listHover, hover],
  );
  const listRef = useRef<HTMLOListElement>(null);

  const onPointer = (e: React.PointerEvent<HTMLDivElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const px = e.clientX - box.left;
    const [left, right] = x.range;
    if (px < left || px > right) return setHover(null);
    const ts = x.invert(px);
    const slack = x.invert(left + 4) - x.invert(left);
    let mark: EventMark | null = null;
    for (const m of timeline.marks) {
      if (Math.abs(x(m.ts) - px) <= 6 && (!mark || Math.abs(x(m.ts) - px) < Math.abs(x(mark.ts) - px)))
        mark = m;
    }
    setHover({ ts, px, span: spanAt(timeline.spans, ts, slack), mark });
  };

  const selectConnection = (connectionId: number) => {
    setSelected((s) => (s === connectionId ? null : connectionId));
    onPickConnection?.(connectionId);
    listRef.current
      ?.querySelector(`[data-connection-id="${connectionId}"]`)
      ?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  };

  const classes = [...new Set(timeline.spans.map((s) => s.cls))] as ConnectionClass[];
  const failed = timeline.spans.filter((s) => s.cls === 'failed').length;
  const legend = rateData && rateData.incoming.length > 0 ? rateLegend(rateData) : null;
  const unit = rateData ? rateUnit(rateData) : '/s';
  const rates = hover && rateData ? ratesAt(rateData, hover.ts) : null;

  return (
    <section className="session-overview" aria-label="Session overview">
      <div className="overview-charts">
        <header className="overview-legend">
          <span className="overview-title">{legend?.title ?? 'Frames per second'}</span>
          <span className="legend-item">
            <i className="chart-swatch chart-swatch-in" /> in
          </span>
          <span className="legend-item">
            <i className="chart-swatch chart-swatch-out" /> out
          </span>
          {legend && <span className="legend-note">{legend.note}</span>}
        </header>
        <div
          className="overview-plot"
          ref={chartRef}
          onPointerMove={onPointer}
          onPointerLeave={() => setHover(null)}
        >
          {width > 0 && (
            <>
              <div className="rate-slot" style={{ height: RATE_HEIGHT }}>
                {rateData ? (
                  rateData.incoming.length > 0 ? (
                    <RateChart
                      rate={rateData}
                      x={x}
                      width={width}
                      height={RATE_HEIGHT}
                      hoverTs={hover?.ts ?? null}
                    />
                  ) : (
                    <p className="chart-placeholder">No frames were recorded in this session.</p>
                  )
                ) : rateError ? (
                  <p className="chart-placeholder is-error" role="alert">
                    Could not chart the frame rate: {rateError}
                  </p>
                ) : (
                  <p className="chart-placeholder is-loading" data-testid="rate-loading">
                    Counting frames per second…
                  </p>
                )}
              </div>
              <ConnectionTimeline
                spans={timeline.spans}
                marks={timeline.marks}
                x={x}
                width={width}
                hoverTs={hover?.ts ?? null}
                highlighted={highlighted}
                onSelect={selectConnection}
              />
              <TimeAxis x={x} width={width} />
            </>
          )}
          {hover && (
            <div
              className={`chart-tooltip${hover.px > width - 300 ? ' is-left' : ''}`}
              style={{
                left: hover.px > width - 300 ? hover.px - 12 : hover.px + 12,
                // Pinned to the top of the plot, beside the crosshair: it stays over the charts and
                // never covers the frame list below.
                top: 0,
              }}
              role="tooltip"
            >
              <div className="tooltip-time">
                {clockMicros(Math.round(hover.ts))} {zoneWord()}{' '}
                <span className="muted">{formatOffset(hover.ts - timeline.from)}</span>
              </div>
              {rates && (
                <div className="tooltip-rates">
                  <span>
                    <i className="chart-swatch chart-swatch-in" /> in {formatCompact(rates.incoming)}
                    {unit}
                  </span>
                  <span>
                    <i className="chart-swatch chart-swatch-out" /> out {formatCompact(rates.outgoing)}
                    {unit}
                  </span>
                </div>
              )}
              {hover.mark && <div className="tooltip-mark">{markLabel(hover.mark)}</div>}
              {hover.span && (
                <div className={`tooltip-conn cls-${hover.span.cls}`}>
                  {describeSpan(hover.span)
                    .split('\n')
                    .map((line, i) => (
                      <div key={i} className={i === 0 ? 'tooltip-conn-title' : undefined}>
                        {line}
                      </div>
                    ))}
                </div>
              )}
            </div>
          )}
        </div>
        <div className="overview-legend is-below">
          {timeline.marks.some((m) => m.until !== null) && (
            <span className="legend-item">
              <i className="chart-swatch chart-swatch-mark" /> reconnect scheduled, then its backoff wait
            </span>
          )}
          {classes.map((c) => (
            <span key={c} className="legend-item">
              <i className={`chart-swatch chart-swatch-conn cls-${c}`} /> {CLASS_LABELS[c]}
            </span>
          ))}
          <span className="legend-note">times in {zoneWord()}</span>
        </div>
      </div>
      <aside className="overview-connections" aria-label="Connections">
        <header className="overview-connections-head">
          <span className="overview-title">
            {timeline.spans.length} connection{timeline.spans.length === 1 ? '' : 's'}
          </span>
          {failed > 0 && <span className="muted">{failed} failed to connect</span>}
        </header>
        {timeline.spans.length === 0 ? (
          <p className="muted overview-empty">No connection was attempted.</p>
        ) : (
          <ol className="connection-list" ref={listRef}>
            {timeline.spans.map((s) => (
              <ConnectionItem
                key={s.connection.id}
                span={s}
                sessionStart={timeline.from}
                expanded={selected === s.connection.id}
                highlighted={highlighted.has(s.connection.id)}
                onToggle={() => {
                  setSelected((v) => (v === s.connection.id ? null : s.connection.id));
                  onPickConnection?.(s.connection.id);
                }}
                onHover={(on) => setListHover(on ? s.connection.id : null)}
              />
            ))}
          </ol>
        )}
      </aside>
    </section>
  );
}

function ConnectionItem({
  span,
  sessionStart,
  expanded,
  highlighted,
  onToggle,
  onHover,
}: {
  span: ConnectionSpan;
  sessionStart: number;
  expanded: boolean;
  highlighted: boolean;
  onToggle: () => void;
  onHover: (on: boolean) => void;
}) {
  const c = span.connection;
  const started = span.openedAt ?? span.attemptAt;
  const by = closedByLabel(c);
  const t = c.timings;
  const timing = (label: string, ms: number | null) =>
    ms === null ? null : (
      <span>
        {label} <b>{ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms</b>
      </span>
    );
  return (
    <li
      className={`connection-item cls-${span.cls}${highlighted ? ' is-highlighted' : ''}`}
      data-connection-id={c.id}
      onPointerEnter={() => onHover(true)}
      onPointerLeave={() => onHover(false)}
    >
      <button type="button" className="connection-summary" aria-expanded={expanded} onClick={onToggle}>
        <span className="connection-ordinal">#{c.ordinal}</span>
        <span className="connection-outcome">
          <i className={`chart-swatch chart-swatch-conn cls-${span.cls}`} />
          {outcomeLabel(c)}
        </span>
        <span className="connection-when" title={`${clockMicros(started)} ${zoneWord()}`}>
          {formatOffset(started - sessionStart)}
        </span>
        <span className="connection-life">
          {span.openedAt === null
            ? ''
            : `${span.stillOpen ? 'open ' : ''}${formatDuration(span.endAt - span.openedAt)}`}
        </span>
        {(c.closeReason || by || c.error || c.protocol) && (
          <span className="connection-why">
            {c.protocol ? (
              <span className="connection-protocol" title="The application protocol its frames speak">
                {c.protocol}
              </span>
            ) : null}
            {c.closeReason ? `“${c.closeReason}”` : ''}
            {c.closeReason && by ? ' · ' : ''}
            {by ?? (c.closeReason ? '' : c.error?.message)}
          </span>
        )}
      </button>
      {expanded && (
        <div className="connection-more">
          {c.status !== null && (
            <div>
              HTTP <b>{c.status}</b>
              {c.subprotocol && (
                <>
                  {' '}
                  · subprotocol <b>{c.subprotocol}</b>
                </>
              )}
              {c.extensions && <> · {c.extensions}</>}
            </div>
          )}
          <div className="connection-timings">
            {timing('dns', t.dnsMs)}
            {timing('tcp', t.tcpMs)}
            {timing('tls', t.tlsMs)}
            {timing('upgrade', t.upgradeMs)}
          </div>
          <div>
            {formatCount(c.frames)} frames · {formatBytes(c.bytesIn)} in · {formatBytes(c.bytesOut)} out
          </div>
          {c.error && <div className="connection-error">{c.error.message}</div>}
          {legsLabel(c) && <div className="connection-legs">Closes of both legs: {legsLabel(c)}</div>}
          {c.closeCode !== null && <CloseExplanation code={c.closeCode} reason={c.closeReason} />}
          <div className="muted mono">{c.url}</div>
        </div>
      )}
    </li>
  );
}
