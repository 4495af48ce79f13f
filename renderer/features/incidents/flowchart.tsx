// The runbook's flowchart with the walk on it: the current node, the path taken to it, the ways on
// from it, and the branches that were taken and then gone back from. Drawn as our own SVG (see
// shared/runbooks/flow-layout.ts for why not mermaid), styled by classes from incidents.css. It
// opens at a size that can be read, centred on the current node; a minimap shows the whole chart and
// where the view is, and the chart pans by dragging. "Fit" shows all of it, however small that makes it.
import { useCallback, useEffect, useId, useRef, useState, type PointerEvent } from 'react';
import type { WalkView } from '../../../shared/contract/incidents';
import {
  layoutFlowchart,
  type FlowLayout,
  type LayoutNode,
  type Measure,
} from '../../../shared/runbooks/flow-layout';
import { walkMarks, type EdgeState } from '../../../shared/runbooks/walk-marks';

let canvas: HTMLCanvasElement | null = null;

/** Measures text with the console's font, the way the chart draws it. */
function canvasMeasure(): Measure {
  canvas ??= document.createElement('canvas');
  const ctx = canvas.getContext('2d');
  const family =
    getComputedStyle(document.documentElement).getPropertyValue('--font-ui').trim() || 'sans-serif';
  return (text, bold) => {
    if (!ctx) return text.length * 7;
    ctx.font = `${bold ? 600 : 400} 12px ${family}`;
    return ctx.measureText(text).width;
  };
}

function shapePath(n: LayoutNode): string {
  const l = n.x - n.width / 2;
  const r = n.x + n.width / 2;
  const t = n.y - n.height / 2;
  const b = n.y + n.height / 2;
  // A decision is a hexagon: a diamond large enough for its label would take twice the room.
  const p = 12;
  return `M${l + p},${t} L${r - p},${t} L${r},${n.y} L${r - p},${b} L${l + p},${b} L${l},${n.y} Z`;
}

const ZOOMS = [0.6, 0.75, 0.9, 1, 1.2] as const;
/** The scroller's padding on each side: the chart fits inside what is left. */
const PAD = 4;

interface View {
  left: number;
  top: number;
  width: number;
  height: number;
}

export function Flowchart({ walk }: { walk: WalkView }) {
  const { runbook, path, current } = walk;
  const markerId = useId().replace(/:/g, '');
  // A walk keeps the runbook it started with: its layout is made once, not on every refresh.
  const laidOut = useRef<{ walkId: number; layout: FlowLayout } | null>(null);
  if (laidOut.current?.walkId !== walk.id)
    laidOut.current = {
      walkId: walk.id,
      layout: layoutFlowchart(runbook.nodes, runbook.edges, runbook.start, canvasMeasure()),
    };
  const layout = laidOut.current.layout;
  // Readable first: the chart opens at its own size (12 px text), panned to the current node.
  const [zoom, setZoom] = useState<number | 'fit'>(1);
  const scroller = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<View>({ left: 0, top: 0, width: 0, height: 0 });
  const readView = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    setView({ left: el.scrollLeft, top: el.scrollTop, width: el.clientWidth, height: el.clientHeight });
  }, []);
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(readView);
    observer.observe(el);
    readView();
    return () => observer.disconnect();
  }, [readView]);
  // "Fit" shows all of the chart, both ways: nothing is cut, however small it gets.
  const fitScale =
    view.width > 0 && view.height > 0
      ? Math.min(1, (view.width - 2 * PAD) / layout.width, (view.height - 2 * PAD) / layout.height)
      : 1;
  const scale = zoom === 'fit' ? Math.max(0.05, fitScale) : zoom;
  const chartWidth = Math.floor(layout.width * scale);
  const chartHeight = Math.floor(layout.height * scale);
  const overflows = chartWidth > view.width - 2 * PAD + 1 || chartHeight > view.height - 2 * PAD + 1;

  // Drag the chart to pan it.
  const drag = useRef<{ x: number; y: number; left: number; top: number } | null>(null);
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    const el = scroller.current;
    if (!el || e.button !== 0 || !overflows) return;
    drag.current = { x: e.clientX, y: e.clientY, left: el.scrollLeft, top: el.scrollTop };
    el.setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const el = scroller.current;
    const d = drag.current;
    if (!el || !d) return;
    el.scrollLeft = d.left - (e.clientX - d.x);
    el.scrollTop = d.top - (e.clientY - d.y);
  };
  const endDrag = (e: PointerEvent<HTMLDivElement>) => {
    if (!drag.current) return;
    drag.current = null;
    scroller.current?.releasePointerCapture(e.pointerId);
  };
  /** Centres the view on a point of the chart (its own coordinates). */
  const centreOn = (x: number, y: number, smooth = true) => {
    const el = scroller.current;
    if (!el) return;
    el.scrollTo({
      left: Math.max(0, x * scale - el.clientWidth / 2),
      top: Math.max(0, y * scale - el.clientHeight / 2),
      behavior: smooth ? 'smooth' : 'auto',
    });
  };

  const currentNode = current.visit.node;
  const marks = walkMarks(walk);
  const { overrun, suggested } = marks;
  const onPath = new Set(path.map((v) => v.node));
  const nodeState = marks.node;
  const edgeState = marks.edge;

  // Keep the current node in view as the walk moves.
  useEffect(() => {
    const el = scroller.current;
    const node = layout.nodes.find((n) => n.id === currentNode);
    if (!el || !node) return;
    const x = node.x * scale - el.clientWidth / 2;
    const y = node.y * scale - el.clientHeight / 2;
    el.scrollTo({ left: Math.max(0, x), top: Math.max(0, y), behavior: 'smooth' });
  }, [currentNode, layout, scale, view.width, view.height]);

  const edges = layout.edges.map((e) => ({ ...e, state: edgeState(e.from, e.to) }));
  // Highlighted edges are drawn last, over the others.
  const rank: Record<EdgeState, number> = { idle: 0, left: 1, next: 2, taken: 3 };
  edges.sort((a, b) => rank[a.state] - rank[b.state]);

  return (
    <div className="flowchart">
      <div className="flowchart-tools">
        <span className="flowchart-legend" aria-hidden="true">
          <span className="legend-swatch is-current" /> current
          <span className="legend-swatch is-visited" /> path taken
          <span className="legend-swatch is-left" /> gone back from
          <span className="legend-swatch is-next" /> ways on
        </span>
        <span className="spacer" />
        <div className="segmented" role="radiogroup" aria-label="Zoom">
          <button
            type="button"
            role="radio"
            aria-checked={zoom === 'fit'}
            className={zoom === 'fit' ? 'is-on' : ''}
            onClick={() => setZoom('fit')}
          >
            Fit
          </button>
          {ZOOMS.map((z) => (
            <button
              key={z}
              type="button"
              role="radio"
              aria-checked={zoom === z}
              className={zoom === z ? 'is-on' : ''}
              onClick={() => setZoom(z)}
            >
              {Math.round(z * 100)}%
            </button>
          ))}
        </div>
      </div>
      <div className="flowchart-stage">
        <div
          className={`flowchart-scroll${overflows ? ' is-pannable' : ''}`}
          ref={scroller}
          onScroll={readView}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={endDrag}
          onPointerCancel={endDrag}
        >
          <svg
            className="flowchart-svg"
            data-testid="flowchart"
            data-current={currentNode}
            data-zoom={zoom}
            viewBox={`0 0 ${layout.width} ${layout.height}`}
            width={chartWidth}
            height={chartHeight}
            role="img"
            aria-label={`Flowchart of ${runbook.title}: at ${currentNode}, path ${path.map((v) => v.node).join(' → ')}`}
          >
            <defs>
              {(['idle', 'left', 'next', 'taken'] as const).map((s) => (
                <marker
                  key={s}
                  id={`${markerId}-${s}`}
                  viewBox="0 0 10 10"
                  refX="9"
                  refY="5"
                  markerWidth="7"
                  markerHeight="7"
                  orient="auto-start-reverse"
                >
                  <path d="M0,1 L9,5 L0,9 Z" className={`flow-arrow is-${s}`} />
                </marker>
              ))}
            </defs>
            <g className="flow-edges">
              {edges.map((e) => (
                <path
                  key={`${e.from}-${e.to}-${e.label ?? ''}`}
                  d={e.path}
                  className={`flow-edge is-${e.state}${e.back ? ' is-back' : ''}`}
                  data-from={e.from}
                  data-to={e.to}
                  data-state={e.state}
                  markerEnd={`url(#${markerId}-${e.state})`}
                />
              ))}
            </g>
            <g className="flow-edge-labels">
              {edges
                .filter((e) => e.label && e.labelAt)
                .map((e) => {
                  const w = e.labelWidth;
                  return (
                    <g
                      key={`${e.from}-${e.to}-${e.label}`}
                      className={`flow-edge-label is-${e.state}${suggested.has(e.to) && e.from === currentNode ? ' is-suggested' : ''}`}
                      transform={`translate(${e.labelAt!.x},${e.labelAt!.y})`}
                    >
                      <rect x={-w / 2} y={-9} width={w} height={18} rx={4} />
                      <text textAnchor="middle" dy="0.35em">
                        {e.label}
                      </text>
                    </g>
                  );
                })}
            </g>
            <g className="flow-nodes">
              {layout.nodes.map((n) => {
                const state = nodeState(n.id);
                const l = n.x - n.width / 2;
                const t = n.y - n.height / 2;
                const textTop = n.y - ((n.lines.length - 1) * 15) / 2;
                return (
                  <g
                    key={n.id}
                    className={`flow-node kind-${n.kind} is-${state}${suggested.has(n.id) ? ' is-suggested' : ''}${overrun.has(n.id) ? ' is-overrun' : ''}`}
                    data-node={n.id}
                    data-state={state}
                  >
                    <title>{`${n.id}: ${n.label.replace(/\n/g, ' · ')}`}</title>
                    {n.kind === 'decision' ? (
                      <path d={shapePath(n)} className="flow-shape" />
                    ) : (
                      <rect
                        x={l}
                        y={t}
                        width={n.width}
                        height={n.height}
                        rx={n.kind === 'step' ? 5 : n.height / 2}
                        className="flow-shape"
                      />
                    )}
                    {n.lines.map((line, i) => (
                      <text key={i} x={n.x} y={textTop + i * 15} textAnchor="middle" dy="0.35em">
                        {line}
                      </text>
                    ))}
                    {overrun.has(n.id) ? (
                      <g className="flow-overrun" transform={`translate(${l + n.width - 4},${t + 2})`}>
                        <circle r="7" />
                        <text textAnchor="middle" dy="0.35em">
                          !
                        </text>
                      </g>
                    ) : null}
                  </g>
                );
              })}
            </g>
          </svg>
        </div>
        {overflows ? (
          <Minimap
            layout={layout}
            currentNode={currentNode}
            onPath={onPath}
            view={{
              left: view.left / scale,
              top: view.top / scale,
              width: view.width / scale,
              height: view.height / scale,
            }}
            onPick={(x, y) => centreOn(x, y, false)}
          />
        ) : null}
      </div>
    </div>
  );
}

const MINIMAP_WIDTH = 150;
const MINIMAP_MAX_HEIGHT = 120;

/** The whole chart, small, with the part in view outlined: click or drag on it to look elsewhere. */
function Minimap({
  layout,
  currentNode,
  onPath,
  view,
  onPick,
}: {
  layout: FlowLayout;
  currentNode: string;
  onPath: ReadonlySet<string>;
  view: View;
  onPick: (x: number, y: number) => void;
}) {
  const ratio = Math.min(MINIMAP_WIDTH / layout.width, MINIMAP_MAX_HEIGHT / layout.height);
  const width = Math.round(layout.width * ratio);
  const height = Math.round(layout.height * ratio);
  const dragging = useRef(false);
  const pick = (e: PointerEvent<SVGSVGElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    onPick((e.clientX - box.left) / ratio, (e.clientY - box.top) / ratio);
  };
  return (
    <svg
      className="flowchart-minimap"
      data-testid="flowchart-minimap"
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      width={width}
      height={height}
      role="img"
      aria-label="Minimap: the whole flowchart, with the part in view outlined; click to look elsewhere"
      onPointerDown={(e) => {
        dragging.current = true;
        e.currentTarget.setPointerCapture(e.pointerId);
        pick(e);
      }}
      onPointerMove={(e) => dragging.current && pick(e)}
      onPointerUp={(e) => {
        dragging.current = false;
        e.currentTarget.releasePointerCapture(e.pointerId);
      }}
    >
      {layout.nodes.map((n) => (
        <rect
          key={n.id}
          x={n.x - n.width / 2}
          y={n.y - n.height / 2}
          width={n.width}
          height={n.height}
          rx={6}
          className={`minimap-node${n.id === currentNode ? ' is-current' : onPath.has(n.id) ? ' is-visited' : ''}`}
        />
      ))}
      <rect
        className="minimap-view"
        x={Math.max(0, view.left)}
        y={Math.max(0, view.top)}
        width={Math.min(layout.width, view.width)}
        height={Math.min(layout.height, view.height)}
      />
    </svg>
  );
}
