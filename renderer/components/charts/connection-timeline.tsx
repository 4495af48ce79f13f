// Every connection of a session as a bar on the shared time axis, coloured by how it ended; the
// gaps between bars are the reconnect waits, drawn as dotted backoff lines under their markers.
import { describeCloseCode } from '../../../shared/close-codes';
import { barLabel, closedByLabel, legsLabel, outcomeLabel } from '../../../shared/charts/connection-class';
import { ChartCrosshair } from './chart-crosshair';
import { zoneWord } from '../time-zone';
import { clockMicros } from './clock';
import { formatDuration, type Scale } from '../../../shared/charts/scale';
import { assignLanes, spanPixels } from '../../../shared/charts/lanes';
import type { ConnectionSpan, EventMark } from '../../../shared/charts/timeline-model';

export interface ConnectionTimelineProps {
  spans: ConnectionSpan[];
  marks: EventMark[];
  x: Scale;
  width: number;
  hoverTs: number | null;
  /** Connection ids to emphasise (hovered or selected elsewhere). */
  highlighted: ReadonlySet<number>;
  onSelect?: (connectionId: number) => void;
}

const MARK_Y = 9;
const BAR_Y = 20;
const BAR_H = 22;
const LANE_GAP = 4;
const BOTTOM = 16;

/** The timeline's height for `lanes` rows of bars. */
export function timelineHeight(lanes: number): number {
  return BAR_Y + lanes * BAR_H + (lanes - 1) * LANE_GAP + BOTTOM;
}

/** What a connection's bar says when asked: its outcome, reason, who closed it and when. */
export function describeSpan(s: ConnectionSpan): string {
  const c = s.connection;
  const lines = [`Connection ${c.ordinal}: ${outcomeLabel(c)}`];
  if (c.closeCode !== null) lines.push(describeCloseCode(c.closeCode).meaning);
  if (c.closeReason) lines.push(`reason "${c.closeReason}"`);
  const by = closedByLabel(c);
  if (by) lines.push(by);
  const legs = legsLabel(c);
  if (legs) lines.push(`closes of both legs: ${legs}`);
  if (c.error) lines.push(c.error.message);
  if (s.openedAt !== null) {
    lines.push(
      `opened ${clockMicros(s.openedAt)} ${zoneWord()}, ${s.stillOpen ? 'open for' : 'lasted'} ${formatDuration(s.endAt - s.openedAt)}`,
    );
  } else if (!s.stillOpen) {
    lines.push(`failed ${clockMicros(s.endAt)} ${zoneWord()} after ${formatDuration(s.endAt - s.attemptAt)}`);
  }
  if (c.frames > 0) lines.push(`${c.frames.toLocaleString('en-US')} frames`);
  return lines.join('\n');
}

/** What an event marker says when asked. */
export function markLabel(m: EventMark): string {
  const d = (m.event.detail ?? {}) as Record<string, unknown>;
  switch (m.event.kind) {
    case 'reconnect-scheduled':
      return `Reconnect scheduled after connection ${String(d.after ?? '?')}: attempt ${String(d.attempt ?? '?')}, waiting ${String(d.delayMs ?? '?')} ms`;
    case 'reconnect-gave-up':
      return `Gave up reconnecting after ${String(d.attempts ?? '?')} failed attempts`;
    case 'session-interrupted': {
      const recovered = typeof d.recoveredFromSpool === 'number' ? d.recoveredFromSpool : null;
      const kept =
        recovered === null
          ? ''
          : recovered === 0
            ? ' Every frame had already been committed.'
            : ` ${recovered} frames were recovered from its spool.`;
      const damaged =
        typeof d.spoolError === 'string'
          ? ` The spool was damaged: ${d.spoolError}${typeof d.damagedSpool === 'string' ? `; it is kept at ${d.damagedSpool}` : ''}.`
          : '';
      return `Session interrupted: the recording process stopped before the capture ended.${kept}${damaged}`;
    }
    default:
      return m.event.kind;
  }
}

export function ConnectionTimeline({
  spans,
  marks,
  x,
  width,
  hoverTs,
  highlighted,
  onSelect,
}: ConnectionTimelineProps) {
  const [plotLeft, plotRight] = x.range;
  const clampX = (ts: number) => Math.min(plotRight, Math.max(plotLeft, x(ts)));
  const lanes = assignLanes(spans.map((s) => spanPixels(s, clampX)));
  const laneCount = Math.max(1, ...lanes.map((l) => l + 1));
  const height = timelineHeight(laneCount);
  const laneY = (lane: number) => BAR_Y + lane * (BAR_H + LANE_GAP);
  return (
    <svg
      className="chart connection-timeline"
      width={width}
      height={height}
      role="group"
      aria-label={`Connection timeline: ${spans.length} connection${spans.length === 1 ? '' : 's'}`}
      data-testid="connection-timeline"
    >
      <line
        className="timeline-track"
        x1={plotLeft}
        x2={plotRight}
        y1={BAR_Y + BAR_H / 2}
        y2={BAR_Y + BAR_H / 2}
      />
      {marks.map((m, i) =>
        m.until === null ? null : (
          <line
            key={`wait-${i}`}
            className="timeline-backoff"
            x1={clampX(m.ts)}
            x2={clampX(m.until)}
            y1={BAR_Y + BAR_H / 2}
            y2={BAR_Y + BAR_H / 2}
          />
        ),
      )}
      {spans.map((s, index) => {
        const c = s.connection;
        const failed = s.openedAt === null;
        const x0 = clampX(s.attemptAt);
        const xOpen = s.openedAt === null ? null : clampX(s.openedAt);
        const x1 = clampX(s.endAt);
        const lane = lanes[index] ?? 0;
        const next = spans.slice(index + 1).find((_, k) => lanes[index + 1 + k] === lane);
        const room = (next ? clampX(next.attemptAt) : plotRight) - x1;
        const top = laneY(lane);
        const mid = top + BAR_H / 2;
        const className = `timeline-conn cls-${s.cls}${highlighted.has(c.id) ? ' is-highlighted' : ''}${s.stillOpen ? ' is-open' : ''}`;
        const common = {
          className,
          role: 'img',
          'aria-label': describeSpan(s),
          'data-connection': c.ordinal,
          'data-close-code': c.closeCode ?? undefined,
          'data-error-kind': c.error?.kind,
          'data-class': s.cls,
          'data-lane': lane,
          onClick: onSelect ? () => onSelect(c.id) : undefined,
        };
        if (failed) {
          // An attempt that never opened lasts milliseconds: a cross where it failed, named beside it.
          const label = `#${c.ordinal} ${c.error?.kind ?? 'failed'}`;
          return (
            <g key={c.id} {...common}>
              {x1 - x0 >= 2 && (
                <rect className="timeline-attempt" x={x0} y={mid - 3} width={x1 - x0} height={6} rx={1} />
              )}
              <rect className="timeline-hit" x={x1 - 7} y={top} width={14} height={BAR_H} />
              <path
                className="timeline-cross"
                d={`M${x1 - 4},${mid - 4}L${x1 + 4},${mid + 4}M${x1 + 4},${mid - 4}L${x1 - 4},${mid + 4}`}
              />
              {room >= label.length * 6.5 + 14 && (
                <text className="timeline-label is-outside" x={x1 + 8} y={mid} dy="0.34em">
                  {label}
                </text>
              )}
            </g>
          );
        }
        const barX = xOpen ?? x0;
        const barW = Math.max(2, x1 - barX);
        const code = barLabel(c);
        const showLabel = barW >= Math.max(30, code.length * 7 + 24);
        return (
          <g key={c.id} {...common}>
            {xOpen !== null && xOpen - x0 >= 1 && (
              <rect className="timeline-handshake" x={x0} y={mid - 2} width={xOpen - x0} height={4} />
            )}
            <rect className="timeline-bar" x={barX} y={top} width={barW} height={BAR_H} rx={2} />
            {showLabel && (
              <text className="timeline-label" x={barX + 6} y={mid} dy="0.34em">
                <tspan className="timeline-ordinal">#{c.ordinal}</tspan> {code}
              </text>
            )}
          </g>
        );
      })}
      {marks.map((m, i) => {
        const mx = clampX(m.ts);
        const kind = m.event.kind;
        return (
          <g
            key={`mark-${i}`}
            className={`timeline-mark mark-${kind}`}
            role="img"
            aria-label={markLabel(m)}
            data-event={kind}
          >
            {kind === 'reconnect-scheduled' ? (
              <path d={`M${mx - 4},${MARK_Y - 4}L${mx + 4},${MARK_Y - 4}L${mx},${MARK_Y + 3}Z`} />
            ) : kind === 'session-interrupted' || kind === 'reconnect-gave-up' ? (
              <path d={`M${mx},${MARK_Y - 5}L${mx + 5},${MARK_Y}L${mx},${MARK_Y + 5}L${mx - 5},${MARK_Y}Z`} />
            ) : (
              <circle cx={mx} cy={MARK_Y} r={3} />
            )}
            <line x1={mx} x2={mx} y1={MARK_Y + 4} y2={BAR_Y - 1} />
          </g>
        );
      })}
      {hoverTs !== null && <ChartCrosshair x={x} ts={hoverTs} height={height} />}
    </svg>
  );
}
