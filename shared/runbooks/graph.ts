// Moving through a runbook's flowchart: the ways on from a node, and which one a typed answer means.
import type { Runbook, RunbookNode } from './schemas.js';
import type { Choice } from './../contract/incidents.js';

/** A node by id, or undefined. */
export function nodeOf(runbook: Runbook, id: string): RunbookNode | undefined {
  return runbook.nodes.find((n) => n.id === id);
}

/**
 * A node's label as one line of text. Labels of one or two lines are a name broken for the chart
 * ("Connections<br/>stable again?") and read whole; three lines or more are a title with details,
 * and the title is the name.
 */
export function labelTitle(label: string): string {
  const lines = label
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.length >= 3 ? lines[0]! : lines.join(' ');
}

/** A node's name as one line (see labelTitle), or `fallback` when there is no node. */
export function shortLabel(node: RunbookNode | undefined, fallback = ''): string {
  return node ? labelTitle(node.label) || node.id : fallback;
}

/**
 * The ways on from a node: each outgoing edge, named by its label, else by the target's label; a
 * single unlabelled way on from a step is "next".
 */
export function choicesAt(runbook: Runbook, nodeId: string): Choice[] {
  const out = runbook.edges.filter((e) => e.from === nodeId);
  const seen = new Set<string>();
  const choices: Choice[] = [];
  for (const e of out) {
    const target = nodeOf(runbook, e.to);
    const toLabel = shortLabel(target, e.to);
    let label = e.label ?? (out.length === 1 ? 'next' : toLabel);
    // Two edges with the same text (A -->|yes| B, A -->|yes| C) stay tellable apart.
    if (seen.has(label.toLowerCase())) label = `${label} → ${toLabel}`;
    seen.add(label.toLowerCase());
    choices.push({ label, to: e.to, toLabel });
  }
  return choices;
}

const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();

/**
 * Which choice an answer means: the label itself (case and spacing aside), the target node's id or
 * label, the choice's 1-based number, or a unique beginning of a label. Throws with the choices when
 * the answer matches none or several.
 */
export function matchChoice(choices: Choice[], answer: string | undefined): Choice {
  const list = choices.map((c, i) => `${i + 1}. "${c.label}"`).join(', ');
  if (choices.length === 0) throw new ChoiceError('this node has no way on: the walk ends here');
  if (answer === undefined || answer.trim() === '') {
    if (choices.length === 1) return choices[0]!;
    throw new ChoiceError(`choose one of ${list}`);
  }
  const a = norm(answer);
  const tries: Array<(c: Choice, i: number) => boolean> = [
    (c) => norm(c.label) === a,
    (c) => norm(c.to) === a,
    (c) => norm(c.toLabel) === a,
    (_c, i) => /^\d+$/.test(a) && Number(a) === i + 1,
    (c) => norm(c.label).startsWith(a),
  ];
  for (const t of tries) {
    const hits = choices.filter(t);
    if (hits.length === 1) return hits[0]!;
    if (hits.length > 1)
      throw new ChoiceError(`"${answer}" could mean ${hits.map((h) => `"${h.label}"`).join(' or ')}`);
  }
  throw new ChoiceError(`"${answer}" is not a way on from here; choose one of ${list}`);
}

/** A choice that does not exist or is ambiguous. */
export class ChoiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChoiceError';
  }
}

/**
 * Nodes reachable from `from` without passing through `avoid` (the decision being made), `from`
 * included.
 */
export function reachable(runbook: Runbook, from: string, avoid: string): Set<string> {
  const seen = new Set<string>();
  const todo = [from];
  while (todo.length) {
    const id = todo.pop()!;
    if (id === avoid || seen.has(id)) continue;
    seen.add(id);
    for (const e of runbook.edges) if (e.from === id) todo.push(e.to);
  }
  return seen;
}

/** Whether a node can be reached from the runbook's start, and a way to it as node ids. */
export function pathTo(runbook: Runbook, target: string): string[] | null {
  const prev = new Map<string, string | null>([[runbook.start, null]]);
  const queue = [runbook.start];
  while (queue.length) {
    const id = queue.shift()!;
    if (id === target) {
      const path: string[] = [];
      for (let at: string | null = id; at !== null; at = prev.get(at) ?? null) path.unshift(at);
      return path;
    }
    for (const e of runbook.edges) {
      if (e.from === id && !prev.has(e.to)) {
        prev.set(e.to, id);
        queue.push(e.to);
      }
    }
  }
  return null;
}
