// A layered (Sugiyama-style) layout of a runbook's flowchart, top to bottom, computed here rather
// than by mermaid: mermaid injects <style> elements and style attributes that our CSP
// (`style-src 'self'`) blocks, which leaves its drawing unstyled and without labels. Pure: the
// caller passes how wide a line of text is. One layout for the console's walk view and for the
// incident report's drawing of the path taken. The graph phases are in flow-graph.ts; this file
// sizes the nodes, places the edge labels and draws the edges.
import { labelTitle } from './graph.js';
import type { NodeKind, RunbookEdge, RunbookNode } from './schemas.js';
import { breakCycles, longestPathLayers, orderLayers, placeLayers, type Vertex } from './flow-graph.js';

/** A node placed on the chart: its box (centre and size) and the lines of text in it. */
export interface LayoutNode {
  id: string;
  kind: NodeKind;
  /** The lines drawn in the box (wrapped). */
  lines: string[];
  /** The whole label, for a tooltip. */
  label: string;
  /** Centre. */
  x: number;
  y: number;
  width: number;
  height: number;
  layer: number;
}

/** An edge drawn on the chart: its path, and where its label goes. */
export interface LayoutEdge {
  from: string;
  to: string;
  label: string | null;
  /** SVG path data, ending at the target's border. */
  path: string;
  /** Where the label goes (its centre), when there is one. */
  labelAt: { x: number; y: number } | null;
  /** The label's box width. */
  labelWidth: number;
  /** Drawn against the flow (an edge that closes a loop). */
  back: boolean;
}

/** A laid-out flowchart: its size and every node and edge placed. */
export interface FlowLayout {
  width: number;
  height: number;
  nodes: LayoutNode[];
  edges: LayoutEdge[];
}

/** Width in pixels of a line of text at the size the chart draws it. */
export type Measure = (text: string, bold: boolean) => number;

const LINE_HEIGHT = 15;
const PAD_X = 12;
const PAD_Y = 8;
/** Extra width of a decision's pointed ends. */
const DECISION_POINT = 12;
const MAX_TEXT_WIDTH = 128;
const MAX_LINES = 3;
const NODE_GAP = 22;
const LAYER_GAP = 50;
/** Distance of a label's centre from the node it is placed by. */
const LABEL_OFFSET = 14;
const MARGIN = 16;

/** What a node shows: the name its label reads as, one line (shared with the engine and CLI). */
export const nodeText = labelTitle;

/** Greedy word wrap to `max` pixels, at most `maxLines` lines (the last one cut with "…"). */
export function wrap(text: string, measure: Measure, bold: boolean, max: number, maxLines: number): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const next = line ? `${line} ${word}` : word;
    if (line && measure(next, bold) > max) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines) return lines.length ? lines : [''];
  const kept = lines.slice(0, maxLines);
  let last = `${kept[maxLines - 1]} ${lines.slice(maxLines).join(' ')}`;
  while (last.length > 1 && measure(`${last}…`, bold) > max) last = last.slice(0, -1).trimEnd();
  kept[maxLines - 1] = `${last}…`;
  return kept;
}

/** Lays out the flowchart; `start` is drawn at the top. */
export function layoutFlowchart(
  nodes: readonly RunbookNode[],
  edges: readonly RunbookEdge[],
  start: string,
  measure: Measure,
): FlowLayout {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const usable = edges.filter((e) => byId.has(e.from) && byId.has(e.to) && e.from !== e.to);

  // 1. Break cycles: the edges that close a loop are laid out reversed.
  const { reversed, discovery } = breakCycles(
    nodes.map((n) => n.id),
    usable,
    byId.has(start) ? start : null,
  );

  // The graph as layered: every edge points down.
  const dag = usable.map((e) =>
    reversed.has(e) ? { from: e.to, to: e.from, edge: e } : { from: e.from, to: e.to, edge: e },
  );

  // 2. Longest-path layers.
  const layer = longestPathLayers(discovery, dag);

  // Node boxes.
  const boxes = new Map<string, { lines: string[]; width: number; height: number }>();
  for (const n of nodes) {
    const bold = n.kind !== 'step';
    const lines = wrap(nodeText(n.label), measure, bold, MAX_TEXT_WIDTH, MAX_LINES);
    const textWidth = Math.max(...lines.map((l) => measure(l, bold)));
    const extra = n.kind === 'decision' ? DECISION_POINT * 2 : n.kind === 'step' ? 0 : 8;
    boxes.set(n.id, {
      lines,
      width: Math.ceil(Math.max(72, textWidth + PAD_X * 2 + extra)),
      height: lines.length * LINE_HEIGHT + PAD_Y * 2,
    });
  }

  // Edge labels sit by the end where they cannot collide: above the target when it is the only
  // labelled way into it (the branches of a decision), else below the source when it is its only
  // labelled way out, else halfway. The node they sit by is spaced as wide as the label.
  const labelWidth = (e: RunbookEdge) => (e.label ? Math.ceil((measure(e.label, false) * 11) / 12) + 12 : 0);
  const count = (key: (e: RunbookEdge) => string) => {
    const m = new Map<string, number>();
    for (const e of usable) if (e.label) m.set(key(e), (m.get(key(e)) ?? 0) + 1);
    return m;
  };
  const labelledIn = count((e) => e.to);
  const labelledOut = count((e) => e.from);
  const labelPlace = new Map<RunbookEdge, 'target' | 'source' | 'middle'>();
  const spacing = new Map<string, number>();
  const widen = (id: string, w: number) => spacing.set(id, Math.max(spacing.get(id) ?? 0, w));
  for (const e of usable) {
    if (!e.label) continue;
    const place = reversed.has(e)
      ? 'middle'
      : labelledIn.get(e.to) === 1
        ? 'target'
        : labelledOut.get(e.from) === 1
          ? 'source'
          : 'middle';
    labelPlace.set(e, place);
    if (place === 'target') widen(e.to, labelWidth(e));
    if (place === 'source') widen(e.from, labelWidth(e));
  }

  // 3. Vertices in layers, with dummies along long edges.
  const vertices = new Map<string, Vertex>();
  const layers: Vertex[][] = [];
  const place = (v: Vertex) => {
    vertices.set(v.id, v);
    (layers[v.layer] ??= []).push(v);
  };
  for (const id of discovery) {
    const width = Math.max(boxes.get(id)!.width, spacing.get(id) ?? 0);
    place({ id, dummy: false, width, layer: layer.get(id)!, order: 0, x: 0 });
  }
  const chains = dag.map((d, i) => {
    const chain = [d.from];
    for (let l = layer.get(d.from)! + 1; l < layer.get(d.to)!; l++) {
      const id = `\u0000${i}:${l}`;
      place({ id, dummy: true, width: 8, layer: l, order: 0, x: 0 });
      chain.push(id);
    }
    chain.push(d.to);
    return { ...d, chain };
  });
  const up = new Map<string, string[]>();
  const down = new Map<string, string[]>();
  for (const v of vertices.keys()) {
    up.set(v, []);
    down.set(v, []);
  }
  for (const c of chains) {
    for (let i = 0; i + 1 < c.chain.length; i++) {
      down.get(c.chain[i]!)!.push(c.chain[i + 1]!);
      up.get(c.chain[i + 1]!)!.push(c.chain[i]!);
    }
  }

  // 4. Order within layers, then 5. x positions.
  orderLayers(layers, vertices, up, down);
  placeLayers(layers, vertices, up, down, NODE_GAP);

  // y positions: each layer as tall as its tallest node.
  const layerTop: number[] = [];
  const layerHeight: number[] = [];
  let y = MARGIN;
  layers.forEach((row, l) => {
    const h = Math.max(8, ...(row ?? []).filter((v) => !v.dummy).map((v) => boxes.get(v.id)!.height));
    layerTop[l] = y;
    layerHeight[l] = h;
    y += h + LAYER_GAP;
  });
  const height = y - LAYER_GAP + MARGIN;
  const centreY = (l: number) => layerTop[l]! + layerHeight[l]! / 2;

  // Geometry in layout coordinates first; the drawing is shifted into view at the end.
  const laid: LayoutNode[] = discovery.map((id) => {
    const v = vertices.get(id)!;
    const n = byId.get(id)!;
    const b = boxes.get(id)!;
    return {
      id,
      kind: n.kind,
      lines: b.lines,
      label: n.label,
      x: v.x,
      y: centreY(v.layer),
      width: b.width,
      height: b.height,
      layer: v.layer,
    };
  });
  const laidById = new Map(laid.map((n) => [n.id, n]));

  type Point = { x: number; y: number };
  const drawn = chains.map((c) => {
    const back = reversed.has(c.edge);
    const from = laidById.get(c.edge.from)!;
    const to = laidById.get(c.edge.to)!;
    const via: Point[] = c.chain.slice(1, -1).map((id) => {
      const v = vertices.get(id)!;
      return { x: v.x, y: centreY(v.layer) };
    });
    const width = labelWidth(c.edge);
    let points: Point[];
    let labelAt: Point | null = null;
    if (back) {
      // A loop leaves its node on the side and swings up beside the chart's flow to the node it
      // returns to, so that it never runs over the forward edges.
      via.reverse();
      const mean = via.length ? via.reduce((s, p) => s + p.x, 0) / via.length : Infinity;
      const side = mean < from.x ? -1 : 1;
      const start = { x: from.x + (side * from.width) / 2, y: from.y };
      const end = { x: to.x + (side * to.width) / 2, y: to.y };
      if (via.length === 0) {
        const outer = side > 0 ? Math.max(start.x, end.x) + 32 : Math.min(start.x, end.x) - 32;
        via.push({ x: outer, y: (start.y + end.y) / 2 });
      }
      points = [start, ...via, end];
      if (c.edge.label) {
        const mid = via[Math.floor((via.length - 1) / 2)]!;
        labelAt = { x: mid.x + side * (width / 2 + 6), y: mid.y };
      }
      return { c, back, points, labelAt, width, side };
    }
    points = [{ x: from.x, y: from.y + from.height / 2 }, ...via, { x: to.x, y: to.y - to.height / 2 }];
    const place = labelPlace.get(c.edge);
    const [first, second] = [points[0]!, points[1]!];
    labelAt =
      place === 'target'
        ? { x: to.x, y: to.y - to.height / 2 - LABEL_OFFSET }
        : place === 'source'
          ? { x: from.x, y: from.y + from.height / 2 + LABEL_OFFSET }
          : place === 'middle'
            ? via.length
              ? second
              : { x: (first.x + second.x) / 2, y: (first.y + second.y) / 2 }
            : null;
    return { c, back, points, labelAt, width, side: 0 };
  });

  let minX = Infinity;
  let maxX = -Infinity;
  const extend = (lo: number, hi: number) => {
    minX = Math.min(minX, lo);
    maxX = Math.max(maxX, hi);
  };
  for (const n of laid) extend(n.x - n.width / 2, n.x + n.width / 2);
  for (const d of drawn) {
    for (const p of d.points) extend(p.x - 6, p.x + 6);
    if (d.labelAt) extend(d.labelAt.x - d.width / 2, d.labelAt.x + d.width / 2);
  }
  const dx = MARGIN - minX;
  const shift = (p: Point) => ({ x: p.x + dx, y: p.y });
  for (const n of laid) n.x += dx;

  const laidEdges: LayoutEdge[] = drawn.map((d) => ({
    from: d.c.edge.from,
    to: d.c.edge.to,
    label: d.c.edge.label,
    path: d.back ? loopPath(d.points.map(shift), d.side) : smoothPath(d.points.map(shift)),
    labelAt: d.labelAt ? shift(d.labelAt) : null,
    labelWidth: d.width,
    back: d.back,
  }));

  return {
    width: Math.ceil(maxX - minX + MARGIN * 2),
    height: Math.ceil(height),
    nodes: laid,
    edges: laidEdges,
  };
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * A loop's path: a Catmull-Rom curve through the points, leaving and entering its nodes
 * horizontally on `side` (1 right, -1 left).
 */
function loopPath(points: ReadonlyArray<{ x: number; y: number }>, side: number): string {
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const all = [{ x: first.x - side * 40, y: first.y }, ...points, { x: last.x - side * 40, y: last.y }];
  let d = `M${round(first.x)},${round(first.y)}`;
  for (let i = 1; i + 2 < all.length; i++) {
    const [p0, p1, p2, p3] = [all[i - 1]!, all[i]!, all[i + 1]!, all[i + 2]!];
    const c1 = { x: p1.x + (p2.x - p0.x) / 6, y: p1.y + (p2.y - p0.y) / 6 };
    const c2 = { x: p2.x - (p3.x - p1.x) / 6, y: p2.y - (p3.y - p1.y) / 6 };
    d += ` C${round(c1.x)},${round(c1.y)} ${round(c2.x)},${round(c2.y)} ${round(p2.x)},${round(p2.y)}`;
  }
  return d;
}

/** A path through the points with vertical tangents at each of them. */
function smoothPath(points: ReadonlyArray<{ x: number; y: number }>): string {
  const f = round;
  let d = `M${f(points[0]!.x)},${f(points[0]!.y)}`;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const my = (b.y - a.y) / 2;
    d += ` C${f(a.x)},${f(a.y + my)} ${f(b.x)},${f(b.y - my)} ${f(b.x)},${f(b.y)}`;
  }
  return d;
}
