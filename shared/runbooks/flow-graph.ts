// The graph phases of the flowchart layout (flow-layout.ts): cycles broken by reversing the edges
// that close them (found by a depth-first walk from the start node), longest-path layers, the order
// within layers improved by barycentre sweeps (keeping the order with the fewest crossings), and x
// positions that pull each vertex towards its neighbours while keeping order and spacing (a weighted
// isotonic fit, solved by pooling adjacent violators). Pure and free of the DOM.

/** A node of the layered graph, or a dummy point on an edge that spans several layers. */
export interface Vertex {
  id: string;
  dummy: boolean;
  /** The width it needs on its layer. */
  width: number;
  layer: number;
  order: number;
  x: number;
}

interface Edge {
  from: string;
  to: string;
}

/** The edges (of `edges`) that close a loop, and the nodes in depth-first discovery order. */
export function breakCycles<E extends Edge>(
  ids: readonly string[],
  edges: readonly E[],
  start: string | null,
): { reversed: Set<E>; discovery: string[] } {
  const out = new Map<string, E[]>(ids.map((id) => [id, []]));
  for (const e of edges) out.get(e.from)?.push(e);
  const state = new Map<string, 'open' | 'done'>();
  const reversed = new Set<E>();
  const discovery: string[] = [];
  const visit = (root: string) => {
    const stack: Array<{ id: string; next: number }> = [{ id: root, next: 0 }];
    state.set(root, 'open');
    discovery.push(root);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const list = out.get(top.id) ?? [];
      if (top.next >= list.length) {
        state.set(top.id, 'done');
        stack.pop();
        continue;
      }
      const e = list[top.next++]!;
      const s = state.get(e.to);
      // An edge to a node still on the stack closes a loop.
      if (s === 'open') reversed.add(e);
      else if (s === undefined) {
        state.set(e.to, 'open');
        discovery.push(e.to);
        stack.push({ id: e.to, next: 0 });
      }
    }
  };
  if (start !== null) visit(start);
  for (const id of ids) if (!state.has(id)) visit(id);
  return { reversed, discovery };
}

/** Each node's layer: the longest way to it from a node nothing points to (`dag` has no cycle). */
export function longestPathLayers(ids: readonly string[], dag: readonly Edge[]): Map<string, number> {
  const indegree = new Map(ids.map((id) => [id, 0]));
  for (const d of dag) indegree.set(d.to, (indegree.get(d.to) ?? 0) + 1);
  const layer = new Map<string, number>();
  const queue = ids.filter((id) => indegree.get(id) === 0);
  for (const id of queue) layer.set(id, 0);
  while (queue.length) {
    const id = queue.shift()!;
    for (const d of dag) {
      if (d.from !== id) continue;
      layer.set(d.to, Math.max(layer.get(d.to) ?? 0, layer.get(id)! + 1));
      indegree.set(d.to, indegree.get(d.to)! - 1);
      if (indegree.get(d.to) === 0) queue.push(d.to);
    }
  }
  return layer;
}

/** Edge crossings between consecutive layers, for the order the vertices have now. */
function crossings(layers: Vertex[][], vertices: Map<string, Vertex>, down: Map<string, string[]>): number {
  let total = 0;
  for (let l = 0; l + 1 < layers.length; l++) {
    const pairs: Array<[number, number]> = [];
    for (const v of layers[l] ?? [])
      for (const w of down.get(v.id)!) pairs.push([v.order, vertices.get(w)!.order]);
    for (let i = 0; i < pairs.length; i++)
      for (let j = i + 1; j < pairs.length; j++) {
        const [a1, b1] = pairs[i]!;
        const [a2, b2] = pairs[j]!;
        if ((a1 - a2) * (b1 - b2) < 0) total++;
      }
  }
  return total;
}

/** Reorders each layer (in place) by barycentre sweeps, keeping the order with fewest crossings. */
export function orderLayers(
  layers: Vertex[][],
  vertices: Map<string, Vertex>,
  up: Map<string, string[]>,
  down: Map<string, string[]>,
): void {
  const setOrder = () => layers.forEach((l) => l.forEach((v, i) => (v.order = i)));
  setOrder();
  let best = layers.map((l) => [...l]);
  let fewest = crossings(layers, vertices, down);
  for (let sweep = 0; sweep < 12 && fewest > 0; sweep++) {
    const downward = sweep % 2 === 0;
    const range = layers.map((_, i) => i);
    if (!downward) range.reverse();
    for (const l of range) {
      const row = layers[l];
      if (!row) continue;
      const centre = new Map<string, number>();
      for (const v of row) {
        const near = (downward ? up : down).get(v.id)!;
        centre.set(
          v.id,
          near.length ? near.reduce((s, n) => s + vertices.get(n)!.order, 0) / near.length : v.order,
        );
      }
      row.sort((a, b) => centre.get(a.id)! - centre.get(b.id)! || a.order - b.order);
      row.forEach((v, i) => (v.order = i));
    }
    const c = crossings(layers, vertices, down);
    if (c < fewest) {
      fewest = c;
      best = layers.map((l) => [...l]);
    }
  }
  best.forEach((row, l) => (layers[l] = row));
  setOrder();
}

/** Sets every vertex's x: each layer packed, then pulled towards its neighbours above and below. */
export function placeLayers(
  layers: Vertex[][],
  vertices: Map<string, Vertex>,
  up: Map<string, string[]>,
  down: Map<string, string[]>,
  nodeGap: number,
): void {
  const gap = (a: Vertex, b: Vertex) => (a.width + b.width) / 2 + (a.dummy && b.dummy ? 10 : nodeGap);
  for (const row of layers) {
    if (!row?.length) continue;
    let x = 0;
    row.forEach((v, i) => {
      if (i > 0) x += gap(row[i - 1]!, v);
      v.x = x;
    });
    const shift = (row[0]!.x + row[row.length - 1]!.x) / 2;
    row.forEach((v) => (v.x -= shift));
  }
  // Dummies weigh more: long edges stay straight.
  const weight = (v: Vertex) => (v.dummy ? 4 : 1);
  const align = (row: Vertex[], neighbours: Map<string, string[]>) => {
    const desired = row.map((v) => {
      const near = neighbours.get(v.id)!;
      if (!near.length) return v.x;
      return near.reduce((s, n) => s + vertices.get(n)!.x, 0) / near.length;
    });
    const xs = fitInOrder(
      desired,
      row.map(weight),
      row.map((v, i) => (i === 0 ? 0 : gap(row[i - 1]!, v))),
    );
    row.forEach((v, i) => (v.x = xs[i]!));
  };
  for (let pass = 0; pass < 8; pass++) {
    if (pass % 2 === 0) for (let l = 1; l < layers.length; l++) align(layers[l] ?? [], up);
    else for (let l = layers.length - 2; l >= 0; l--) align(layers[l] ?? [], down);
  }
  for (let l = 1; l < layers.length; l++) align(layers[l] ?? [], up);
}

/**
 * Positions as close as possible (weighted least squares) to `desired`, in the same order, each at
 * least `gaps[i]` right of the one before: pool adjacent violators over the positions minus the
 * cumulative gaps.
 */
export function fitInOrder(desired: number[], weights: number[], gaps: number[]): number[] {
  const offsets: number[] = [];
  let sum = 0;
  for (let i = 0; i < desired.length; i++) {
    sum += gaps[i] ?? 0;
    offsets.push(sum);
  }
  const blocks: Array<{ value: number; weight: number; count: number }> = [];
  desired.forEach((d, i) => {
    blocks.push({ value: d - offsets[i]!, weight: weights[i]!, count: 1 });
    while (blocks.length > 1 && blocks[blocks.length - 2]!.value > blocks[blocks.length - 1]!.value) {
      const b = blocks.pop()!;
      const a = blocks.pop()!;
      const weight = a.weight + b.weight;
      blocks.push({
        value: (a.value * a.weight + b.value * b.weight) / weight,
        weight,
        count: a.count + b.count,
      });
    }
  });
  const out: number[] = [];
  for (const b of blocks) for (let k = 0; k < b.count; k++) out.push(b.value + offsets[out.length]!);
  return out;
}
