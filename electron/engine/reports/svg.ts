// The report's drawings as inline SVG text: the runbook's flowchart with the path taken, the rate
// chart and the connection timeline of a session. Laid out with the console's own code (the
// flowchart layout, the walk's marks, the chart scales), styled by classes from report-style.ts
// (no style attributes: the report's policy allows its one stylesheet only), every text escaped.
import type { ReportFlowchart, ReportSession } from '../../../shared/contract/reports.js';
import { CLASS_LABELS } from '../../../shared/charts/connection-class.js';
import { assignLanes, spanPixels } from '../../../shared/charts/lanes.js';
import {
  clockLabel,
  countTicks,
  formatCompact,
  linearScale,
  timeTicks,
  type Scale,
} from '../../../shared/charts/scale.js';
import { decisionPath, layoutFlowchart } from '../../../shared/runbooks/flow-layout.js';
import { measureLabel, textWidth } from './text-width.js';

/** Escapes text for HTML and SVG content and attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  );
}

const n1 = (x: number) => (Math.round(x * 10) / 10).toString();

/** The flowchart with the path taken highlighted; `key` keeps marker ids unique in the document. */
export function flowchartSvg(chart: ReportFlowchart, key: string, title: string): string {
  const byId = new Map(chart.nodes.map((n) => [n.id, n]));
  const layout = layoutFlowchart(
    chart.nodes.map((n) => ({
      ...n,
      shape: 'rect',
      subgraph: null,
      text: '',
      timeboxSeconds: null,
      fixes: [],
    })),
    chart.edges,
    chart.start,
    measureLabel,
  );
  const stateOf = new Map(chart.edges.map((e) => [`${e.from}\u0000${e.to}`, e.state]));
  const rank = { idle: 0, left: 1, next: 2, taken: 3 } as const;
  const edges = layout.edges
    .map((e) => ({ ...e, state: stateOf.get(`${e.from}\u0000${e.to}`) ?? 'idle' }))
    .sort((a, b) => rank[a.state] - rank[b.state]);
  const marker = (s: string) => `fl-${key}-${s}`;
  const out: string[] = [];
  const path = chart.nodes.filter((n) => n.state === 'visited' || n.state === 'current').map((n) => n.id);
  out.push(
    `<svg class="flowchart" viewBox="0 0 ${layout.width} ${layout.height}" width="${layout.width}" height="${layout.height}" role="img" aria-label="${esc(`Flowchart of ${title}: path ${path.join(' → ')}`)}" xmlns="http://www.w3.org/2000/svg">`,
  );
  out.push('<defs>');
  for (const s of ['idle', 'left', 'next', 'taken'])
    out.push(
      `<marker id="${marker(s)}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,1 L9,5 L0,9 Z" class="flow-arrow is-${s}"/></marker>`,
    );
  out.push('</defs>');
  for (const e of edges)
    out.push(
      `<path d="${e.path}" class="flow-edge is-${e.state}${e.back ? ' is-back' : ''}" data-from="${esc(e.from)}" data-to="${esc(e.to)}" data-state="${e.state}" marker-end="url(#${marker(e.state)})"/>`,
    );
  for (const e of edges) {
    if (!e.label || !e.labelAt) continue;
    const w = e.labelWidth;
    out.push(
      `<g class="flow-edge-label is-${e.state}" transform="translate(${n1(e.labelAt.x)},${n1(e.labelAt.y)})"><rect x="${n1(-w / 2)}" y="-9" width="${n1(w)}" height="18" rx="4"/><text text-anchor="middle" dy="0.35em">${esc(e.label)}</text></g>`,
    );
  }
  for (const n of layout.nodes) {
    const node = byId.get(n.id)!;
    const l = n.x - n.width / 2;
    const t = n.y - n.height / 2;
    const textTop = n.y - ((n.lines.length - 1) * 15) / 2;
    out.push(
      `<g class="flow-node kind-${n.kind} is-${node.state}${node.overrun ? ' is-overrun' : ''}" data-node="${esc(n.id)}" data-state="${node.state}">`,
    );
    out.push(`<title>${esc(`${n.id}: ${n.label.replace(/\n/g, ' · ')}`)}</title>`);
    out.push(
      n.kind === 'decision'
        ? `<path d="${decisionPath(n)}" class="flow-shape"/>`
        : `<rect x="${n1(l)}" y="${n1(t)}" width="${n1(n.width)}" height="${n1(n.height)}" rx="${n.kind === 'step' ? 5 : n1(n.height / 2)}" class="flow-shape"/>`,
    );
    n.lines.forEach((line, i) =>
      out.push(
        `<text x="${n1(n.x)}" y="${n1(textTop + i * 15)}" text-anchor="middle" dy="0.35em">${esc(line)}</text>`,
      ),
    );
    if (node.overrun)
      out.push(
        `<g class="flow-overrun" transform="translate(${n1(l + n.width - 4)},${n1(t + 2)})"><circle r="7"/><text text-anchor="middle" dy="0.35em">!</text></g>`,
      );
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n');
}

const CHART_WIDTH = 680;
const AXIS_LEFT = 46;
const AXIS_RIGHT = 10;

function timeAxis(x: Scale, y: number): string {
  const [from, to] = x.domain;
  const [left, right] = x.range;
  const { ticks, step } = timeTicks(from, to, Math.max(2, Math.floor((right - left) / 90)));
  const parts = [`<line class="axis" x1="${left}" x2="${right}" y1="${y + 0.5}" y2="${y + 0.5}"/>`];
  for (const t of ticks) {
    const tx = Math.round(x(t)) + 0.5;
    const label = clockLabel(t, step);
    const half = textWidth(label, 10) / 2;
    parts.push(`<line class="axis" x1="${tx}" x2="${tx}" y1="${y}" y2="${y + 4}"/>`);
    if (tx - half >= 0 && tx + half <= CHART_WIDTH)
      parts.push(
        `<text class="axis-label" x="${tx}" y="${y + 15}" text-anchor="middle">${esc(label)}</text>`,
      );
  }
  return parts.join('');
}

/** Frames per second over the session, incoming and outgoing stacked, one step per bucket. */
export function rateChartSvg(session: ReportSession): string {
  const rate = session.rate;
  const height = 150;
  const plotBottom = 120;
  const n = rate.incoming.length;
  if (n === 0) return '<p class="muted">No frames: nothing to chart.</p>';
  const from = rate.startTs;
  const to = rate.startTs + n * rate.bucketUs;
  const x = linearScale([from, to], [AXIS_LEFT, CHART_WIDTH - AXIS_RIGHT]);
  const perSecond = 1_000_000 / rate.bucketUs;
  let peak = 0;
  for (let i = 0; i < n; i++) peak = Math.max(peak, (rate.incoming[i] ?? 0) + (rate.outgoing[i] ?? 0));
  const ticks = countTicks(peak * perSecond, 3);
  const yMax = Math.max(ticks[ticks.length - 1] ?? 1, 1);
  const y = linearScale([0, yMax], [plotBottom, 8]);
  const area = (lower: (i: number) => number, upper: (i: number) => number) => {
    const top: string[] = [];
    const bottom: string[] = [];
    for (let i = 0; i < n; i++) {
      const x0 = n1(x(from + i * rate.bucketUs));
      const x1 = n1(x(from + (i + 1) * rate.bucketUs));
      const hi = n1(y(upper(i) * perSecond));
      const lo = n1(y(lower(i) * perSecond));
      top.push(`${x0},${hi}`, `${x1},${hi}`);
      bottom.push(`${x0},${lo}`, `${x1},${lo}`);
    }
    return `M${top.join('L')}L${bottom.reverse().join('L')}Z`;
  };
  const incoming = (i: number) => rate.incoming[i] ?? 0;
  const stacked = (i: number) => incoming(i) + (rate.outgoing[i] ?? 0);
  const total = rate.incoming.reduce((a, b) => a + b, 0) + rate.outgoing.reduce((a, b) => a + b, 0);
  const parts = [
    `<svg class="chart rate-chart" viewBox="0 0 ${CHART_WIDTH} ${height}" width="${CHART_WIDTH}" height="${height}" role="img" aria-label="${esc(`Frames per second: ${total} frames, peak ${formatCompact(peak * perSecond)} per second`)}" xmlns="http://www.w3.org/2000/svg">`,
  ];
  for (const t of ticks)
    parts.push(
      `<line class="grid" x1="${AXIS_LEFT}" x2="${CHART_WIDTH - AXIS_RIGHT}" y1="${Math.round(y(t)) + 0.5}" y2="${Math.round(y(t)) + 0.5}"/><text class="axis-label" x="${AXIS_LEFT - 6}" y="${n1(y(t))}" dy="0.32em" text-anchor="end">${esc(formatCompact(t))}</text>`,
    );
  parts.push(`<path class="rate-in" d="${area(() => 0, incoming)}"/>`);
  parts.push(`<path class="rate-out" d="${area(incoming, stacked)}"/>`);
  parts.push(timeAxis(x, plotBottom));
  parts.push(
    `<g class="legend"><rect class="rate-in" x="${AXIS_LEFT}" y="${height - 12}" width="10" height="8"/><text class="axis-label" x="${AXIS_LEFT + 14}" y="${height - 5}">received</text><rect class="rate-out" x="${AXIS_LEFT + 80}" y="${height - 12}" width="10" height="8"/><text class="axis-label" x="${AXIS_LEFT + 94}" y="${height - 5}">sent</text><text class="axis-label" x="${CHART_WIDTH - AXIS_RIGHT}" y="${height - 5}" text-anchor="end">frames per second, UTC</text></g>`,
  );
  parts.push('</svg>');
  return parts.join('\n');
}

/** Every connection as a bar on the session's time axis, coloured by how it ended. */
export function connectionTimelineSvg(
  session: Pick<ReportSession, 'timeline'> & { connections: { total: number } },
): string {
  const t = session.timeline;
  if (t.spans.length === 0) return '<p class="muted">No connection was attempted.</p>';
  const barY = 14;
  const barH = 22;
  const laneGap = 4;
  const x = linearScale([t.from, t.to], [AXIS_LEFT, CHART_WIDTH - AXIS_RIGHT]);
  const clamp = (ts: number) => Math.min(CHART_WIDTH - AXIS_RIGHT, Math.max(AXIS_LEFT, x(ts)));
  // Connections side by side (a probe's) take a row each while they overlap, as in the console.
  const lanes = assignLanes(t.spans.map((s) => spanPixels(s, clamp)));
  const laneCount = Math.max(1, ...lanes.map((l) => l + 1));
  const rowsHeight = laneCount * barH + (laneCount - 1) * laneGap;
  const height = 64 + rowsHeight;
  const parts = [
    `<svg class="chart connection-timeline" viewBox="0 0 ${CHART_WIDTH} ${height}" width="${CHART_WIDTH}" height="${height}" role="img" aria-label="${esc(`Connection timeline: ${session.connections.total} connection${session.connections.total === 1 ? '' : 's'}`)}" xmlns="http://www.w3.org/2000/svg">`,
    `<line class="track" x1="${AXIS_LEFT}" x2="${CHART_WIDTH - AXIS_RIGHT}" y1="${barY + barH / 2}" y2="${barY + barH / 2}"/>`,
  ];
  const classes = new Set<string>();
  for (const [index, s] of t.spans.entries()) {
    classes.add(s.cls);
    const top = barY + (lanes[index] ?? 0) * (barH + laneGap);
    const mid = top + barH / 2;
    const x0 = clamp(s.attemptAt);
    const x1 = clamp(s.endAt);
    if (s.openedAt === null) {
      parts.push(
        `<path class="conn cls-${s.cls} cross" d="M${n1(x1 - 4)},${mid - 4}L${n1(x1 + 4)},${mid + 4}M${n1(x1 + 4)},${mid - 4}L${n1(x1 - 4)},${mid + 4}" data-connection="${s.ordinal}"/>`,
      );
      continue;
    }
    const barX = clamp(s.openedAt);
    const w = Math.max(1.5, x1 - barX);
    if (barX - x0 >= 1)
      parts.push(
        `<rect class="handshake" x="${n1(x0)}" y="${mid - 2}" width="${n1(barX - x0)}" height="4"/>`,
      );
    parts.push(
      `<rect class="conn cls-${s.cls}" x="${n1(barX)}" y="${top}" width="${n1(w)}" height="${barH}" rx="2" data-connection="${s.ordinal}"/>`,
    );
    const label = `#${s.ordinal} ${s.label}`.trim();
    if (w >= textWidth(label, 10) + 12)
      parts.push(`<text class="conn-label" x="${n1(barX + 6)}" y="${mid}" dy="0.34em">${esc(label)}</text>`);
  }
  parts.push(timeAxis(x, barY + rowsHeight + 10));
  let lx = AXIS_LEFT;
  const legend: string[] = [];
  for (const cls of Object.keys(CLASS_LABELS) as Array<keyof typeof CLASS_LABELS>) {
    if (!classes.has(cls)) continue;
    const label = CLASS_LABELS[cls];
    legend.push(
      `<rect class="conn cls-${cls}" x="${n1(lx)}" y="${height - 12}" width="10" height="8"/><text class="axis-label" x="${n1(lx + 14)}" y="${height - 5}">${esc(label)}</text>`,
    );
    lx += 22 + textWidth(label, 10);
  }
  parts.push(`<g class="legend">${legend.join('')}</g>`);
  parts.push('</svg>');
  return parts.join('\n');
}

/** A sparkline of a session's rate for text formats: one block character per group of buckets. */
export function rateSparkline(session: ReportSession, width = 60): string {
  const rate = session.rate;
  const n = rate.incoming.length;
  if (n === 0) return '';
  const per = Math.ceil(n / width);
  const sums: number[] = [];
  for (let i = 0; i < n; i += per) {
    let s = 0;
    for (let j = i; j < Math.min(n, i + per); j++) s += (rate.incoming[j] ?? 0) + (rate.outgoing[j] ?? 0);
    sums.push(s);
  }
  const max = Math.max(1, ...sums);
  const blocks = ' ▁▂▃▄▅▆▇█';
  return sums.map((s) => blocks[s === 0 ? 0 : Math.max(1, Math.round((s / max) * 8))]).join('');
}
