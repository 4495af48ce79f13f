// A parser for mermaid's flowchart language (`flowchart` / `graph`), enough of it to walk a chart:
// every node shape, every link style with or without text, chains and `&` groups, subgraphs, and the
// styling statements (classDef, class, style, linkStyle, click...) that a walk can ignore. Mermaid's
// own parser needs a DOM (DOMPurify) and cannot run under plain Node, so this one is ours; it reports
// the line of the first thing it does not understand.
import type { NodeShape } from './schemas.js';

/** A node as the chart declares it. */
export interface FlowNode {
  id: string;
  label: string;
  shape: NodeShape;
  /** Line of its first mention. */
  line: number;
  subgraph: string | null;
}

/** A link between two nodes; bidirectional links (`<-->`, `o--o`, `x--x`) come as two edges. */
export interface FlowEdge {
  from: string;
  to: string;
  label: string | null;
  stroke: 'normal' | 'thick' | 'dotted' | 'invisible';
  line: number;
}

export interface FlowSubgraph {
  id: string;
  title: string;
  line: number;
  /** The subgraph this one is nested in. */
  parent: string | null;
}

export interface Flowchart {
  direction: string;
  /** In order of first mention. */
  nodes: FlowNode[];
  edges: FlowEdge[];
  subgraphs: FlowSubgraph[];
}

/** A problem in a chart, at a 1-based line of the text given to the parser (offset by `firstLine`). */
export class FlowchartError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'FlowchartError';
  }
}

/** The first word of a chart's first statement, or null for an empty one (`%%` comments, config skipped). */
export function diagramType(source: string): string | null {
  const lines = source.split('\n');
  let i = skipConfig(lines);
  for (; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t === '' || t.startsWith('%%')) continue;
    return /^[A-Za-z][\w-]*/.exec(t)?.[0] ?? t;
  }
  return null;
}

/** True for the diagram types this parser reads. */
export function isFlowchart(source: string): boolean {
  const t = diagramType(source);
  return t === 'flowchart' || t === 'graph' || t === 'flowchart-elk';
}

/** Index of the first line after a `---` config block at the top of a chart (0 when none). */
function skipConfig(lines: string[]): number {
  let i = 0;
  while (i < lines.length && lines[i]!.trim() === '') i++;
  if (lines[i]?.trim() !== '---') return 0;
  for (let j = i + 1; j < lines.length; j++) if (lines[j]!.trim() === '---') return j + 1;
  return 0;
}

interface Shape {
  open: string;
  /** Closers this opener accepts; the first one found ends the label. */
  close: string[];
  shape: (closer: string) => NodeShape;
}

// Longest openers first, so that `((` is not read as `(`.
const SHAPES: Shape[] = [
  { open: '(((', close: [')))'], shape: () => 'double-circle' },
  { open: '((', close: ['))'], shape: () => 'circle' },
  { open: '([', close: ['])'], shape: () => 'stadium' },
  { open: '(-', close: ['-)'], shape: () => 'ellipse' },
  { open: '[(', close: [')]'], shape: () => 'cylinder' },
  { open: '[[', close: [']]'], shape: () => 'subroutine' },
  { open: '[/', close: ['/]', '\\]'], shape: (c) => (c === '/]' ? 'parallelogram' : 'trapezoid') },
  { open: '[\\', close: ['\\]', '/]'], shape: (c) => (c === '\\]' ? 'parallelogram-alt' : 'trapezoid-alt') },
  { open: '{{', close: ['}}'], shape: () => 'hexagon' },
  { open: '[', close: [']'], shape: () => 'rect' },
  { open: '(', close: [')'], shape: () => 'round' },
  { open: '{', close: ['}'], shape: () => 'rhombus' },
  { open: '>', close: [']'], shape: () => 'asymmetric' },
];

/** Shape names of the `A@{ shape: ... }` syntax that matter for a walk. */
const EXPANDED_SHAPES: Record<string, NodeShape> = {
  diamond: 'rhombus',
  diam: 'rhombus',
  decision: 'rhombus',
  question: 'rhombus',
  rhombus: 'rhombus',
  rect: 'rect',
  rectangle: 'rect',
  proc: 'rect',
  process: 'rect',
  rounded: 'round',
  event: 'round',
  stadium: 'stadium',
  pill: 'stadium',
  terminal: 'stadium',
  subproc: 'subroutine',
  subroutine: 'subroutine',
  cyl: 'cylinder',
  cylinder: 'cylinder',
  database: 'cylinder',
  db: 'cylinder',
  circle: 'circle',
  circ: 'circle',
  'dbl-circ': 'double-circle',
  'double-circle': 'double-circle',
  hex: 'hexagon',
  hexagon: 'hexagon',
  prepare: 'hexagon',
  'lean-r': 'parallelogram',
  'lean-l': 'parallelogram-alt',
  'trap-b': 'trapezoid',
  'trap-t': 'trapezoid-alt',
};

const STATEMENT_KEYWORDS = ['classDef', 'class', 'style', 'linkStyle', 'click', 'accTitle', 'accDescr'];

/** Characters a node id may hold (mermaid allows more; these cover real charts). */
function isIdChar(c: string | undefined): boolean {
  return c !== undefined && /[\p{L}\p{N}_]/u.test(c);
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  '#39': "'",
};

/** Resolves mermaid's label markup: `<br/>` to a line break, `#quot;`/`&amp;` entities, other tags dropped. */
export function cleanLabel(raw: string): string {
  let s = raw.replace(/<br\s*\/?>/gi, '\n');
  s = s.replace(/<\/?[A-Za-z][^<>]*>/g, '');
  // Mermaid's own entity codes (#quot; #35; #9829;) and HTML's (&amp; &#35;).
  s = s.replace(/[#&](#?)(x?[0-9A-Fa-f]+|[A-Za-z]+);/g, (m, hash: string, name: string) => {
    if (/^\d+$/.test(name)) return safeCodePoint(Number(name)) ?? m;
    if (/^x[0-9A-Fa-f]+$/.test(name) && (hash === '#' || m.startsWith('#')))
      return safeCodePoint(parseInt(name.slice(1), 16)) ?? m;
    return ENTITIES[name.toLowerCase()] ?? m;
  });
  return s
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .join('\n')
    .replace(/^\n+|\n+$/g, '');
}

/** A quoted mermaid string: a markdown string ("`**bold** text`") loses its backticks. */
function quotedText(raw: string): string {
  return raw.length >= 2 && raw.startsWith('`') && raw.endsWith('`') ? raw.slice(1, -1) : raw;
}

function safeCodePoint(n: number): string | null {
  return Number.isInteger(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : null;
}

class Scanner {
  pos = 0;
  line: number;

  constructor(
    readonly text: string,
    firstLine: number,
  ) {
    this.line = firstLine;
  }

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(n = 1): string {
    return this.text.slice(this.pos, this.pos + n);
  }

  at(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }

  advance(n: number): string {
    const s = this.text.slice(this.pos, this.pos + n);
    for (const c of s) if (c === '\n') this.line++;
    this.pos += n;
    return s;
  }

  /** Spaces and tabs, never line ends (they end statements). */
  skipBlanks(): void {
    while (this.peek() === ' ' || this.peek() === '\t' || this.peek() === '\r') this.pos++;
  }

  /** Skips a `%%` comment up to (not including) the line end. */
  skipComment(): boolean {
    if (!this.at('%%')) return false;
    while (!this.done && this.peek() !== '\n') this.pos++;
    return true;
  }

  /** The rest of the current line (not consumed). */
  restOfLine(): string {
    const end = this.text.indexOf('\n', this.pos);
    return this.text.slice(this.pos, end === -1 ? undefined : end);
  }

  skipLine(): void {
    while (!this.done && this.peek() !== '\n') this.pos++;
  }

  fail(message: string, line = this.line): never {
    throw new FlowchartError(line, message);
  }
}

interface Link {
  stroke: FlowEdge['stroke'];
  label: string | null;
  bidirectional: boolean;
}

/**
 * Parses a flowchart. `firstLine` is the line number of the chart's first line in its file, so that
 * errors point into the file.
 */
export function parseFlowchart(source: string, firstLine = 1): Flowchart {
  const lines = source.split('\n');
  const start = skipConfig(lines);
  const s = new Scanner(lines.slice(start).join('\n'), firstLine + start);
  const nodes = new Map<string, FlowNode & { declared: boolean }>();
  const edges: FlowEdge[] = [];
  const subgraphs: FlowSubgraph[] = [];
  const edgeIds = new Set<string>();
  // Subgraphs still open, innermost last, each with the node ids its own statements name.
  const open: { subgraph: FlowSubgraph; named: string[] }[] = [];

  const mention = (id: string, line: number) => {
    let n = nodes.get(id);
    if (!n) {
      n = { id, label: id, shape: 'plain', line, subgraph: null, declared: false };
      nodes.set(id, n);
    }
    open[open.length - 1]?.named.push(id);
    return n;
  };
  // Mermaid's rule: a node belongs to the first subgraph to close that names it (so the innermost),
  // wherever the node was named first.
  const close = (named: string[], id: string) => {
    for (const nodeId of named) {
      const n = nodes.get(nodeId);
      if (n && n.subgraph === null && !subgraphs.some((sg) => sg.id === nodeId)) n.subgraph = id;
    }
  };

  // Header: `flowchart TD`, `graph LR`, or either alone.
  const direction = parseHeader(s);

  while (!s.done) {
    s.skipBlanks();
    if (s.skipComment()) continue;
    const c = s.peek();
    if (c === '\n' || c === ';') {
      s.advance(1);
      continue;
    }
    if (s.done) break;
    const word = /^[A-Za-z]+/.exec(s.restOfLine())?.[0] ?? '';
    const after = s.text[s.pos + word.length];
    const endsWord = after === undefined || /[\s;:{]/.test(after);
    if (word === 'end' && (after === undefined || /[\s;]/.test(after))) {
      const line = s.line;
      s.advance(3);
      const closing = open.pop();
      if (!closing) throw new FlowchartError(line, '"end" without a subgraph to close');
      close(closing.named, closing.subgraph.id);
      continue;
    }
    if (word === 'subgraph' && endsWord) {
      const line = s.line;
      s.advance(word.length);
      const sg = parseSubgraphTitle(s.restOfLine(), line, subgraphs.length);
      sg.parent = open[open.length - 1]?.subgraph.id ?? null;
      s.skipLine();
      subgraphs.push(sg);
      open.push({ subgraph: sg, named: [] });
      continue;
    }
    if (word === 'direction' && endsWord) {
      s.skipLine();
      continue;
    }
    if (STATEMENT_KEYWORDS.includes(word) && endsWord) {
      skipStyling(s, word);
      continue;
    }
    parseChain(s, mention, edges, edgeIds);
  }
  if (open.length > 0) {
    const sg = open[open.length - 1]!.subgraph;
    s.fail(`subgraph "${sg.title}" is never closed; end it with a line "end"`, sg.line);
  }
  // An edge may point at a subgraph: walk it as a node named after the subgraph.
  for (const sg of subgraphs) {
    const n = nodes.get(sg.id);
    if (n && !n.declared) n.label = sg.title;
  }
  return {
    direction,
    nodes: [...nodes.values()].map(({ declared: _d, ...n }) => n),
    edges,
    subgraphs,
  };
}

function parseHeader(s: Scanner): string {
  while (!s.done) {
    s.skipBlanks();
    if (s.skipComment() || s.peek() === '\n') {
      if (s.peek() === '\n') s.advance(1);
      continue;
    }
    break;
  }
  const line = s.line;
  const m = /^(flowchart-elk|flowchart|graph)(?=[\s;]|$)(?:[ \t]+([^\s;%]+))?/.exec(s.restOfLine());
  if (!m) {
    const first = s.restOfLine().trim();
    s.fail(
      first === ''
        ? 'the chart is empty; start it with "flowchart TD" (or graph LR...) and add nodes'
        : `a flowchart starts with "flowchart" or "graph" and a direction (flowchart TD), not "${first.slice(0, 40)}"`,
      line,
    );
  }
  const raw = m[2] ?? 'TB';
  const direction = raw.toUpperCase();
  if (!['TB', 'TD', 'BT', 'RL', 'LR', '<', '>', '^', 'V'].includes(direction))
    s.fail(`"${raw}" is not a flowchart direction; use TB, TD, BT, LR or RL`, line);
  s.advance(m[0].length);
  s.skipBlanks();
  if (!s.done && s.peek() !== '\n' && s.peek() !== ';' && !s.at('%%'))
    s.fail(`unexpected "${s.restOfLine().trim().slice(0, 30)}" after the flowchart's direction`, line);
  return direction === 'TD' ? 'TB' : direction;
}

function parseSubgraphTitle(rest: string, line: number, index: number): FlowSubgraph {
  const text = rest.replace(/%%.*$/, '').trim();
  if (text === '') return { id: `subgraph${index + 1}`, title: '', line, parent: null };
  const quoted = /^"([^"]*)"$/.exec(text);
  if (quoted) return { id: quoted[1]!, title: cleanLabel(quotedText(quoted[1]!)), line, parent: null };
  const withTitle = /^([^\s[\]"]+)\s*\[\s*(?:"([^"]*)"|([^\]]*))\s*\]$/.exec(text);
  if (withTitle) {
    const title = withTitle[2] === undefined ? (withTitle[3] ?? '') : quotedText(withTitle[2]);
    return { id: withTitle[1]!, title: cleanLabel(title), line, parent: null };
  }
  if (text.includes('[') && !text.endsWith(']'))
    throw new FlowchartError(line, `the subgraph title "${text}" opens "[" without closing it`);
  return { id: text, title: cleanLabel(text), line, parent: null };
}

function skipStyling(s: Scanner, word: string): void {
  const line = s.line;
  if (word === 'accDescr' && /^accDescr\s*\{/.test(s.restOfLine())) {
    const close = s.text.indexOf('}', s.pos);
    if (close === -1) s.fail('"accDescr {" is never closed with "}"', line);
    s.advance(close + 1 - s.pos);
    return;
  }
  s.skipLine();
}

/** `A --> B -- text --> C & D`: node groups joined by links, ending at the end of the statement. */
function parseChain(
  s: Scanner,
  mention: (id: string, line: number) => FlowNode & { declared: boolean },
  edges: FlowEdge[],
  edgeIds: Set<string>,
): void {
  const statementLine = s.line;
  // `e1@{ animate: true }` styles an edge: nothing for a walk.
  const edgeStyle = /^([\p{L}\p{N}_-]+)@\{/u.exec(s.restOfLine());
  if (edgeStyle && edgeIds.has(edgeStyle[1]!)) {
    skipBraces(s, statementLine);
    return;
  }
  let left = parseGroup(s, mention);
  for (;;) {
    s.skipBlanks();
    if (s.done || s.peek() === '\n' || s.peek() === ';' || s.at('%%')) return;
    const linkLine = s.line;
    const link = parseLink(s, edgeIds);
    if (!link) {
      const rest = s.restOfLine().trim();
      s.fail(
        `unexpected "${rest.slice(0, 30)}" after node ${left[left.length - 1]}; ` +
          'put one statement per line, link nodes with an arrow such as -->, or group them with &',
      );
    }
    s.skipBlanks();
    if (s.done || s.peek() === '\n' || s.peek() === ';' || s.at('%%'))
      s.fail(`the link after node ${left[left.length - 1]} has no node at its other end`, linkLine);
    const right = parseGroup(s, mention);
    for (const from of left) {
      for (const to of right) {
        edges.push({ from, to, label: link.label, stroke: link.stroke, line: linkLine });
        if (link.bidirectional)
          edges.push({ from: to, to: from, label: link.label, stroke: link.stroke, line: linkLine });
      }
    }
    left = right;
  }
}

function skipBraces(s: Scanner, line: number): void {
  const close = s.text.indexOf('}', s.pos);
  if (close === -1) s.fail('"@{" is never closed with "}"', line);
  s.advance(close + 1 - s.pos);
}

/** `A & B:::cls & C[text]` */
function parseGroup(s: Scanner, mention: (id: string, line: number) => FlowNode & { declared: boolean }) {
  const ids: string[] = [];
  for (;;) {
    s.skipBlanks();
    ids.push(parseNode(s, mention));
    s.skipBlanks();
    if (s.peek() !== '&') return ids;
    s.advance(1);
  }
}

function parseNode(
  s: Scanner,
  mention: (id: string, line: number) => FlowNode & { declared: boolean },
): string {
  const line = s.line;
  let id = '';
  while (!s.done) {
    const c = s.peek();
    if (isIdChar(c)) {
      id += s.advance(1);
      continue;
    }
    // `-` and `.` belong to ids (api-gw, v1.2) unless they start a link.
    if ((c === '-' || c === '.') && id !== '' && !startsLink(s.text, s.pos)) {
      id += s.advance(1);
      continue;
    }
    break;
  }
  if (id === '') {
    const rest = s.restOfLine().trim();
    s.fail(
      rest === ''
        ? 'a node is missing here'
        : `"${rest.slice(0, 30)}" is not a node; node ids are letters, digits and _ (A, api_gw, step2)`,
      line,
    );
  }
  const node = mention(id, line);
  // A shape may follow right away (or after spaces, except `>` which would read as an arrow head).
  const before = s.pos;
  const beforeLine = s.line;
  s.skipBlanks();
  if (s.at('@{')) {
    parseExpanded(s, node, line);
  } else {
    const shape = SHAPES.find((sh) => s.at(sh.open) && (sh.open !== '>' || s.pos === before));
    if (shape) {
      const { text, closer } = readLabel(s, shape, id);
      node.label = cleanLabel(text);
      node.shape = shape.shape(closer);
      node.declared = true;
    } else {
      s.pos = before;
      s.line = beforeLine;
    }
  }
  if (s.at(':::')) {
    s.advance(3);
    const cls = /^[\p{L}\p{N}_-]+/u.exec(s.restOfLine());
    if (!cls) s.fail(`":::" after node ${id} needs a class name`);
    s.advance(cls[0].length);
  }
  return id;
}

/** Whether a link token starts at `pos` (`--`, `-.`, `==`, `~~~`, `<-`...). */
function startsLink(text: string, pos: number): boolean {
  return /^(?:--|-\.|==|~~~|<[-=]|[ox][-=]{2})/.test(text.slice(pos, pos + 4));
}

function readLabel(s: Scanner, shape: Shape, id: string): { text: string; closer: string } {
  const line = s.line;
  s.advance(shape.open.length);
  const lead = /^[ \t]*/.exec(s.restOfLine())![0];
  if (s.text[s.pos + lead.length] === '"') {
    s.advance(lead.length + 1);
    const end = s.text.indexOf('"', s.pos);
    if (end === -1) s.fail(`the quoted label of node ${id} is never closed with "`, line);
    const text = quotedText(s.advance(end - s.pos));
    s.advance(1);
    s.skipBlanks();
    const closer = shape.close.find((c) => s.at(c));
    if (!closer)
      s.fail(
        `node ${id}: expected "${shape.close[0]}" after its quoted label, found "${s.restOfLine().trim().slice(0, 20)}"`,
        line,
      );
    s.advance(closer.length);
    return { text, closer };
  }
  // Unquoted: up to the first closer on this line.
  const rest = s.restOfLine();
  let best: { at: number; closer: string } | null = null;
  for (const c of shape.close) {
    const at = rest.indexOf(c);
    if (at !== -1 && (best === null || at < best.at)) best = { at, closer: c };
  }
  if (!best)
    s.fail(
      `node ${id}: "${shape.open}" is never closed with "${shape.close[0]}" on this line (quote a label that holds brackets: ${id}${shape.open}"..."${shape.close[0]})`,
      line,
    );
  const text = rest.slice(0, best.at);
  s.advance(best.at + best.closer.length);
  return { text, closer: best.closer };
}

/** `A@{ shape: diamond, label: "Is it up?" }` */
function parseExpanded(s: Scanner, node: FlowNode & { declared: boolean }, line: number): void {
  s.advance(2);
  const close = s.text.indexOf('}', s.pos);
  if (close === -1) s.fail(`node ${node.id}: "@{" is never closed with "}"`, line);
  const body = s.advance(close - s.pos);
  s.advance(1);
  const re = /([A-Za-z]+)\s*:\s*(?:"((?:[^"\\]|\\.)*)"|([^,\n}]*))/g;
  for (const m of body.matchAll(re)) {
    const key = m[1]!;
    const value = (m[2] ?? m[3] ?? '').trim();
    if (key === 'label') {
      node.label = cleanLabel(value);
      node.declared = true;
    } else if (key === 'shape') {
      const shape = EXPANDED_SHAPES[value];
      node.shape = shape ?? 'rect';
      node.declared = true;
    }
  }
}

/**
 * Reads a link: `-->`, `---`, `-.->`, `==>`, `--o`, `--x`, `<-->`, `~~~`, longer ones (`--->`),
 * text forms (`-- text -->`, `-. text .->`, `== text ==>`) and a `|text|` after any of them.
 * Returns null when no link starts here.
 */
function parseLink(s: Scanner, edgeIds: Set<string>): Link | null {
  // Edge ids: `A e1@--> B`.
  const named = /^([\p{L}\p{N}_-]+)@(?=[-=.<~ox])/u.exec(s.restOfLine());
  if (named) {
    edgeIds.add(named[1]!);
    s.advance(named[0].length);
  }
  const rest = s.restOfLine();
  const headOk = (after: string | undefined) => after === undefined || !/[\p{L}\p{N}_]/u.test(after);
  let link: Link | null = null;
  let m: RegExpExecArray | null;
  if ((m = /^~{3,}/.exec(rest))) {
    s.advance(m[0].length);
    link = { stroke: 'invisible', label: null, bidirectional: false };
  } else if ((m = /^([<ox])?(-{2,}|={2,})(>|-|=|o|x)/.exec(rest)) && isWholeArrow(m, rest, headOk)) {
    const stroke = m[2]!.startsWith('=') ? 'thick' : 'normal';
    s.advance(m[0].length);
    link = { stroke, label: null, bidirectional: m[1] !== undefined };
  } else if ((m = /^([<ox])?-(\.+)-([>ox])?/.exec(rest))) {
    // `-.-oB`: an `o`/`x` that runs into a name starts the node, it is no arrow head.
    const length =
      m[3] !== undefined && m[3] !== '>' && !headOk(rest[m[0].length]) ? m[0].length - 1 : m[0].length;
    s.advance(length);
    link = { stroke: 'dotted', label: null, bidirectional: m[1] !== undefined };
  } else if ((m = /^([<ox])?(--|==|-\.)(?=[^-=.>])/.exec(rest))) {
    link = parseTextLink(s, rest, m);
  }
  if (!link) return null;
  // `-->|text|`
  const pipe = /^[ \t]*\|/.exec(s.restOfLine());
  if (pipe) {
    const line = s.line;
    s.advance(pipe[0].length);
    const text = s.restOfLine();
    const quoted = /^\s*"([^"]*)"\s*\|/.exec(text);
    if (quoted) {
      s.advance(quoted[0].length);
      link.label = cleanLabel(quotedText(quoted[1]!));
    } else {
      const end = text.indexOf('|');
      if (end === -1) s.fail('the link text "|..." is never closed with "|"', line);
      s.advance(end + 1);
      link.label = cleanLabel(text.slice(0, end));
    }
    if (link.label === '') link.label = null;
  }
  return link;
}

/** `---`, `-->`, `===`, `==>`, `--o`, `--x`: a solid arrow whose body and head agree. */
function isWholeArrow(
  m: RegExpExecArray,
  rest: string,
  headOk: (after: string | undefined) => boolean,
): boolean {
  const body = m[2]!;
  const head = m[3]!;
  const thick = body.startsWith('=');
  if (thick && head === '-') return false;
  if (!thick && head === '=') return false;
  // `--` + head `-` is `---` (an open link): needs three dashes in all, which the regex gives.
  if ((head === 'o' || head === 'x') && !headOk(rest[m[0].length])) return false;
  return true;
}

/** `-- text -->`, `== text ==>`, `-. text .->` and their open forms. */
function parseTextLink(s: Scanner, rest: string, m: RegExpExecArray): Link {
  const line = s.line;
  const startTok = m[2]!;
  const body = rest.slice(m[0].length);
  const end =
    startTok === '--'
      ? /-{2,}(?:>|-|[ox](?![\p{L}\p{N}_]))/u
      : startTok === '=='
        ? /={2,}(?:>|=|[ox](?![\p{L}\p{N}_]))/u
        : /\.+-(?:>|[ox](?![\p{L}\p{N}_]))?/u;
  let text: string;
  let endAt: number;
  let endLen: number;
  const quoted = /^\s*"([^"]*)"\s*/.exec(body);
  if (quoted) {
    const after = body.slice(quoted[0].length);
    const e = end.exec(after);
    if (!e || e.index !== 0) s.fail(`the link text after "${startTok}" is not followed by its arrow`, line);
    text = quotedText(quoted[1]!);
    endAt = quoted[0].length;
    endLen = e[0].length;
  } else {
    const e = end.exec(body);
    if (!e) {
      const closing = startTok === '--' ? '-->' : startTok === '==' ? '==>' : '.->';
      s.fail(`the link text after "${startTok}" is never closed with an arrow such as "${closing}"`, line);
    }
    text = body.slice(0, e.index);
    endAt = e.index;
    endLen = e[0].length;
  }
  s.advance(m[0].length + endAt + endLen);
  const stroke = startTok === '--' ? 'normal' : startTok === '==' ? 'thick' : 'dotted';
  const label = cleanLabel(text);
  return { stroke, label: label === '' ? null : label, bidirectional: m[1] !== undefined };
}
