// How a walk marks its runbook's flowchart: the current node, the path taken to it, the branches
// taken and then gone back from, and the ways on. One reading for the console's live flowchart and
// for the incident report's drawing of the path taken.
import type { TimelineEntry, WalkView } from '../contract/incidents.js';

/** A node as the walk left it. */
export type NodeState = 'current' | 'visited' | 'left' | 'next' | 'idle';
/** An edge as the walk left it. */
export type EdgeState = 'taken' | 'left' | 'next' | 'idle';

/** What of a walk marks its flowchart. */
export type MarkedWalk = Pick<WalkView, 'path' | 'current' | 'timeline' | 'status'>;

/** The walk's marks on its flowchart, as functions of a node or an edge. */
export interface WalkMarks {
  node(id: string): NodeState;
  edge(from: string, to: string): EdgeState;
  /** Nodes whose visit on the path took longer than their time box. */
  overrun: ReadonlySet<string>;
  /** Nodes the walk's findings suggest going to next. */
  suggested: ReadonlySet<string>;
}

const key = (from: string, to: string) => `${from}\u0000${to}`;

/** Edges taken by a choice (and possibly left again by going back), from the timeline. */
function chosenEdges(timeline: readonly TimelineEntry[]): Set<string> {
  const out = new Set<string>();
  for (const e of timeline) {
    if (e.kind !== 'choice') continue;
    const d = e.detail as { from?: unknown; to?: unknown } | null;
    if (d && typeof d.from === 'string' && typeof d.to === 'string') out.add(key(d.from, d.to));
  }
  return out;
}

/** Reads a walk's marks: the path is what is on it now; what was gone back from stays, faded. */
export function walkMarks(walk: MarkedWalk): WalkMarks {
  const { path, current } = walk;
  const currentNode = current.visit.node;
  const onPath = new Set(path.map((v) => v.node));
  const taken = new Set<string>();
  for (let i = 1; i < path.length; i++) taken.add(key(path[i - 1]!.node, path[i]!.node));
  const chosen = chosenEdges(walk.timeline);
  const everVisited = new Set(
    walk.timeline.filter((e) => e.kind === 'node-entered' && e.node).map((e) => e.node!),
  );
  const nextNodes = new Set(current.choices.map((c) => c.to));
  return {
    node: (id) =>
      id === currentNode
        ? 'current'
        : onPath.has(id)
          ? 'visited'
          : nextNodes.has(id)
            ? 'next'
            : everVisited.has(id)
              ? 'left'
              : 'idle',
    edge: (from, to) => {
      const k = key(from, to);
      if (taken.has(k)) return 'taken';
      if (from === currentNode && walk.status === 'active') return 'next';
      if (chosen.has(k)) return 'left';
      return 'idle';
    },
    overrun: new Set(path.filter((v) => v.overrun).map((v) => v.node)),
    suggested: new Set(current.suggestions.map((s) => s.to)),
  };
}
