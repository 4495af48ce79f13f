// Reads a runbook file: optional front matter, a mermaid flowchart whose nodes and edges are the walk,
// and step sections (a heading marked `{#NODE}`) that say what to do at a node: text, a shell command
// (a ```sh block), an app action, a time box, and the findings the node fixes. A Markdown file with a
// flowchart and nothing else is a runbook too. Every problem is reported with its line.
import { parseCaptureScript, ScriptError } from '../capture-script.js';
import { FlowchartError, isFlowchart, parseFlowchart, type Flowchart } from './mermaid.js';
import {
  StepActionSchema,
  type NodeKind,
  type Runbook,
  type RunbookEdge,
  type RunbookNode,
  type RunbookStep,
  type StepAction,
} from './schemas.js';

/** A problem in a runbook file at a 1-based line. */
export class RunbookError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'RunbookError';
  }
}

export interface ParseOptions {
  /** The file's name: the runbook id and title fall back to it. */
  fileName?: string;
}

interface FrontMatter {
  id?: { value: string; line: number };
  title?: string;
  version?: string;
  description?: string;
  appliesTo: { value: string; line: number }[];
  start?: { value: string; line: number };
  flowchart?: { value: number; line: number };
  /** First line after the front matter (0-based). */
  bodyStart: number;
}

interface Fence {
  start: number;
  end: number;
  info: string;
  body: string[];
}

interface Heading {
  line: number;
  level: number;
  text: string;
  node: string | null;
}

const SHELL_LANGS = new Set(['sh', 'bash', 'shell', 'zsh']);
const FINDING_ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const RUNBOOK_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Parses a runbook file; throws a RunbookError with the line of the first problem. */
export function parseRunbook(text: string, options: ParseOptions = {}): Runbook {
  const lines = text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n');
  const fm = parseFrontMatter(lines);
  const { fences, headings } = scanMarkdown(lines, fm.bodyStart);

  // Every flowchart must parse; the walk is the one front matter names, else the first with a decision.
  const charts: Array<{ fence: Fence; chart: Flowchart }> = [];
  for (const fence of fences) {
    if (fence.info.split(/\s+/)[0]!.toLowerCase() !== 'mermaid') continue;
    const body = fence.body.join('\n');
    if (!isFlowchart(body)) continue;
    try {
      charts.push({ fence, chart: parseFlowchart(body, fence.start + 2) });
    } catch (err) {
      if (err instanceof FlowchartError) throw new RunbookError(err.line, err.message);
      throw err;
    }
  }
  if (charts.length === 0)
    throw new RunbookError(
      1,
      'no mermaid flowchart: a runbook needs a ```mermaid block that starts with "flowchart" or "graph"',
    );
  let walk = charts.find((c) => c.chart.nodes.length > 0 && c.chart.nodes.some((n) => n.shape === 'rhombus'));
  if (fm.flowchart) {
    walk = charts[fm.flowchart.value - 1];
    if (!walk)
      throw new RunbookError(
        fm.flowchart.line,
        `flowchart: ${fm.flowchart.value} names no chart; this file has ${charts.length} flowchart block(s)`,
      );
  }
  walk ??= charts[0]!;
  const chart = walk.chart;
  if (chart.nodes.length === 0)
    throw new RunbookError(walk.fence.start + 1, 'the flowchart has no nodes to walk');

  const edges: RunbookEdge[] = chart.edges
    .filter((e) => e.stroke !== 'invisible')
    .map((e) => ({ from: e.from, to: e.to, label: e.label }));
  const nodeIds = new Set(chart.nodes.map((n) => n.id));
  const sections = readSections(lines, headings, fences, nodeIds);

  const nodes: RunbookNode[] = chart.nodes.map((n) => {
    const section = sections.get(n.id);
    return {
      id: n.id,
      label: n.label,
      kind: kindOf(n.id, n.shape === 'rhombus', edges),
      shape: n.shape,
      subgraph: n.subgraph,
      text: section?.text ?? '',
      timeboxSeconds: section?.timeboxSeconds ?? null,
      fixes: section?.fixes ?? [],
    };
  });
  const steps: RunbookStep[] = chart.nodes.flatMap((n) => sections.get(n.id)?.steps ?? []);

  let start = nodes.find((n) => n.kind === 'start')?.id ?? nodes[0]!.id;
  if (fm.start) {
    if (!nodeIds.has(fm.start.value))
      throw new RunbookError(fm.start.line, `start: "${fm.start.value}" is not a node of the flowchart`);
    start = fm.start.value;
  }

  const firstHeading = headings.find((h) => h.level === 1);
  const fileStem = options.fileName
    ?.replace(/^.*[\\/]/, '')
    .replace(/\.[^.]*$/, '')
    .trim();
  const title = fm.title ?? firstHeading?.text ?? fileStem ?? 'Untitled runbook';
  let id: string;
  if (fm.id) {
    if (!RUNBOOK_ID.test(fm.id.value))
      throw new RunbookError(
        fm.id.line,
        `id "${fm.id.value}" must be lowercase letters, digits, ".", "_" or "-" (at most 64), such as ws-idle-drops`,
      );
    id = fm.id.value;
  } else {
    id = slug(fileStem ?? title);
  }
  return {
    id,
    title,
    version: fm.version ?? '1',
    description: fm.description ?? firstParagraph(lines, fm.bodyStart, fences),
    appliesTo: fm.appliesTo.map((a) => a.value),
    start,
    nodes,
    edges,
    steps,
  };
}

/** `decision` for rhombus nodes, `start` without incoming edges, `end` without outgoing, else `step`. */
function kindOf(id: string, rhombus: boolean, edges: RunbookEdge[]): NodeKind {
  if (rhombus) return 'decision';
  if (!edges.some((e) => e.to === id)) return 'start';
  if (!edges.some((e) => e.from === id)) return 'end';
  return 'step';
}

function slug(s: string): string {
  const out = s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return out === '' ? 'runbook' : out;
}

function firstParagraph(lines: string[], from: number, fences: Fence[]): string {
  const out: string[] = [];
  for (let i = from; i < lines.length; i++) {
    if (fences.some((f) => i >= f.start && i <= f.end)) {
      if (out.length) break;
      continue;
    }
    const t = lines[i]!.trim();
    if (t.startsWith('#') || t === '') {
      if (out.length) break;
      continue;
    }
    out.push(t);
  }
  return out.join(' ');
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && ((t[0] === '"' && t.endsWith('"')) || (t[0] === "'" && t.endsWith("'"))))
    return t.slice(1, -1);
  return t;
}

function parseFrontMatter(lines: string[]): FrontMatter {
  const fm: FrontMatter = { appliesTo: [], bodyStart: 0 };
  if (lines[0]?.trim() !== '---') return fm;
  let end = -1;
  for (let i = 1; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t === '---' || t === '...') {
      end = i;
      break;
    }
  }
  if (end === -1) throw new RunbookError(1, 'the front matter opened by "---" is never closed with "---"');
  let listKey: string | null = null;
  for (let i = 1; i < end; i++) {
    const raw = lines[i]!;
    const line = i + 1;
    if (raw.trim() === '' || raw.trim().startsWith('#')) continue;
    const item = /^\s+-\s+(.*)$/.exec(raw) ?? /^-\s+(.*)$/.exec(raw);
    if (item && listKey) {
      addListValue(fm, listKey, unquote(item[1]!), line);
      continue;
    }
    const m = /^([A-Za-z][\w-]*)\s*:\s*(.*)$/.exec(raw);
    if (!m)
      throw new RunbookError(line, `front matter lines are "key: value", not "${raw.trim().slice(0, 40)}"`);
    const key = m[1]!.toLowerCase().replace(/_/g, '-');
    const value = m[2]!.trim();
    listKey = null;
    switch (key) {
      case 'id':
        fm.id = { value: unquote(value), line };
        break;
      case 'title':
        fm.title = unquote(value);
        break;
      case 'version':
        fm.version = unquote(value);
        break;
      case 'description':
        fm.description = unquote(value);
        break;
      case 'start':
        fm.start = { value: unquote(value), line };
        break;
      case 'flowchart': {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1)
          throw new RunbookError(
            line,
            `flowchart: "${value}" must be the number of a flowchart block, from 1`,
          );
        fm.flowchart = { value: n, line };
        break;
      }
      case 'applies-to':
      case 'appliesto':
      case 'findings':
        if (value === '') listKey = 'applies-to';
        else {
          const list = /^\[(.*)\]$/.exec(value);
          for (const v of (list ? list[1]! : value).split(',')) {
            if (v.trim() !== '') addListValue(fm, 'applies-to', unquote(v), line);
          }
        }
        break;
      default:
        // Other keys (owner, tags, review date...) are the author's and are kept out of the walk.
        listKey = value === '' ? key : null;
    }
  }
  fm.bodyStart = end + 1;
  return fm;
}

function addListValue(fm: FrontMatter, key: string, value: string, line: number): void {
  if (key !== 'applies-to') return;
  if (!FINDING_ID.test(value))
    throw new RunbookError(
      line,
      `applies-to: "${value}" is not a finding id; finding ids are lowercase words joined by "-", such as idle-timeout`,
    );
  fm.appliesTo.push({ value, line });
}

/** Fenced code blocks and ATX headings outside them; 0-based line indexes. */
function scanMarkdown(lines: string[], from: number): { fences: Fence[]; headings: Heading[] } {
  const fences: Fence[] = [];
  const headings: Heading[] = [];
  for (let i = from; i < lines.length; i++) {
    const open = /^(\s{0,3})(`{3,}|~{3,})(.*)$/.exec(lines[i]!);
    if (open) {
      const marker = open[2]!;
      const info = open[3]!.trim();
      if (marker[0] === '`' && info.includes('`')) continue; // not a fence: inline code
      const body: string[] = [];
      let end = -1;
      for (let j = i + 1; j < lines.length; j++) {
        const close = /^\s{0,3}(`{3,}|~{3,})\s*$/.exec(lines[j]!);
        if (close && close[1]![0] === marker[0] && close[1]!.length >= marker.length) {
          end = j;
          break;
        }
        body.push(lines[j]!);
      }
      if (end === -1)
        throw new RunbookError(
          i + 1,
          `the code block opened here with ${marker} is never closed; add a line ${marker} after it`,
        );
      fences.push({ start: i, end, info, body });
      i = end;
      continue;
    }
    const h = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(lines[i]!);
    if (h) {
      const attr = /\s*\{#([^}\s]*)\}\s*$/.exec(h[2]!);
      const text = (attr ? h[2]!.slice(0, attr.index) : h[2]!).trim();
      if (attr && attr[1] === '') throw new RunbookError(i + 1, 'the heading\'s "{#}" names no node');
      headings.push({ line: i, level: h[1]!.length, text, node: attr ? attr[1]! : null });
    }
  }
  return { fences, headings };
}

interface Section {
  text: string;
  timeboxSeconds: number | null;
  fixes: string[];
  steps: RunbookStep[];
}

interface StepDraft {
  title: string;
  text: string[];
  command: string | null;
  successExitCodes: number[] | null;
  /** The line of the exit codes, to point at when the step has no command for them. */
  exitCodesLine: number | null;
  action: StepAction | null;
  timeboxSeconds: number | null;
  fixes: string[];
}

const DIRECTIVE =
  /^\s*(?:[-*]\s+)?(?:\*\*|__)?(action|time ?box|fixes|success exit codes?)(?:\*\*|__)?\s*:(?:\*\*|__)?\s*(.*)$/i;

/** Step sections by node: a `{#NODE}` heading up to the next heading of its level or above. */
function readSections(
  lines: string[],
  headings: Heading[],
  fences: Fence[],
  nodeIds: Set<string>,
): Map<string, Section> {
  const sections = new Map<string, Section>();
  const fenceAt = new Map(fences.map((f) => [f.start, f]));
  headings.forEach((h, hi) => {
    if (!h.node) return;
    if (!nodeIds.has(h.node)) {
      const known = [...nodeIds].slice(0, 12).join(', ');
      throw new RunbookError(
        h.line + 1,
        `step section {#${h.node}} names no node of the flowchart (nodes: ${known}${nodeIds.size > 12 ? ', …' : ''})`,
      );
    }
    if (sections.has(h.node))
      throw new RunbookError(
        h.line + 1,
        `node ${h.node} has a second step section; put its steps under one {#${h.node}} heading`,
      );
    let end = lines.length;
    const subheadings: Heading[] = [];
    for (const next of headings.slice(hi + 1)) {
      if (next.level <= h.level || next.node) {
        end = next.line;
        break;
      }
      subheadings.push(next);
    }
    // The part before the first sub-heading belongs to the node; each sub-heading is a step.
    const parts: Array<{ title: string; from: number; to: number; heading: number }> = [];
    const cuts = [h, ...subheadings];
    cuts.forEach((c, i) => {
      parts.push({ title: c.text, from: c.line + 1, to: cuts[i + 1]?.line ?? end, heading: c.line });
    });
    const drafts = parts.map((p) => readPart(lines, p.from, p.to, p.title, fenceAt));
    const [own, ...rest] = drafts as [StepDraft, ...StepDraft[]];
    // The node's own text is a step only when it has something to do (a command or an action).
    const headIsStep = own.command !== null || own.action !== null;
    const steps: StepDraft[] = headIsStep ? [own, ...rest] : rest;
    const stepBoxes = rest.map((s) => s.timeboxSeconds).filter((t): t is number => t !== null);
    const nodeBox = own.timeboxSeconds ?? (stepBoxes.length ? stepBoxes.reduce((a, b) => a + b, 0) : null);
    sections.set(h.node, {
      text: headIsStep ? '' : own.text.join('\n').trim(),
      timeboxSeconds: nodeBox,
      fixes: [...new Set(drafts.flatMap((d) => d.fixes))],
      steps: steps.map((s, i) => ({
        node: h.node!,
        index: i + 1,
        title: s.title,
        text: s.text.join('\n').trim(),
        command: s.command,
        ...(s.successExitCodes ? { successExitCodes: s.successExitCodes } : {}),
        action: s.action,
        timeboxSeconds: s.timeboxSeconds,
      })),
    });
  });
  return sections;
}

function readPart(
  lines: string[],
  from: number,
  to: number,
  title: string,
  fenceAt: Map<number, Fence>,
): StepDraft {
  const d: StepDraft = {
    title,
    text: [],
    command: null,
    successExitCodes: null,
    exitCodesLine: null,
    action: null,
    timeboxSeconds: null,
    fixes: [],
  };
  for (let i = from; i < to; i++) {
    const fence = fenceAt.get(i);
    if (fence) {
      const lang = fence.info.split(/\s+/)[0]!.toLowerCase();
      if (SHELL_LANGS.has(lang)) {
        if (d.command !== null)
          throw new RunbookError(
            i + 1,
            `"${title}" already has a shell command; one command per step: give this one its own sub-heading`,
          );
        const body = fence.body.join('\n').trim();
        if (body === '') throw new RunbookError(i + 1, `the shell block of "${title}" is empty`);
        d.command = body;
      } else {
        d.text.push(...lines.slice(i, fence.end + 1));
      }
      i = fence.end;
      continue;
    }
    const line = lines[i]!;
    const m = DIRECTIVE.exec(line);
    if (!m) {
      d.text.push(line);
      continue;
    }
    const key = m[1]!.toLowerCase().replace(/\s/g, '');
    const value = m[2]!.trim();
    if (key === 'action') {
      if (d.action) throw new RunbookError(i + 1, `"${title}" already has an action; one action per step`);
      d.action = parseAction(value, i + 1);
    } else if (key === 'timebox') {
      d.timeboxSeconds = parseDuration(value, i + 1);
    } else if (key.startsWith('successexitcode')) {
      d.successExitCodes = parseExitCodes(value, i + 1);
      d.exitCodesLine = i + 1;
    } else {
      for (const f of value.split(/[,\s]+/).filter(Boolean)) {
        if (!FINDING_ID.test(f))
          throw new RunbookError(
            i + 1,
            `fixes: "${f}" is not a finding id; finding ids are lowercase words joined by "-", such as idle-timeout`,
          );
        d.fixes.push(f);
      }
    }
  }
  if (d.successExitCodes !== null && d.command === null)
    throw new RunbookError(
      d.exitCodesLine!,
      `"${title}" gives success exit codes but has no shell command; put them in the step of the command`,
    );
  return d;
}

/** `0, 1` → [0, 1]: the exit codes of a step's command that mean it went well. */
export function parseExitCodes(raw: string, line: number): number[] {
  const words = raw.split(/[\s,]+/).filter(Boolean);
  const codes = words.map(Number);
  if (words.length === 0 || codes.some((c) => !Number.isInteger(c) || c < 0 || c > 255))
    throw new RunbookError(
      line,
      `success exit codes "${raw.trim()}" are not whole numbers from 0 to 255 such as "0, 1"`,
    );
  return [...new Set(codes)].sort((a, b) => a - b);
}

/** `5m`, `90s`, `1h`, `2m30s`, `< 5 minutes`, `10 min` → seconds. */
export function parseDuration(raw: string, line: number): number {
  const t = raw
    .trim()
    .replace(/^[<≤~]\s*|^(?:under|within|at most)\s+/i, '')
    .toLowerCase();
  const re = /(\d+(?:\.\d+)?)\s*(hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)(?![a-z])/g;
  let total = 0;
  let matched = '';
  for (const m of t.matchAll(re)) {
    const n = Number(m[1]);
    const unit = m[2]![0];
    total += unit === 'h' ? n * 3600 : unit === 'm' ? n * 60 : n;
    matched += m[0];
  }
  if (matched === '' || t.replace(re, '').trim() !== '' || total < 1 || total > 86_400)
    throw new RunbookError(
      line,
      `time box "${raw.trim()}" is not a duration from 1s to 24h such as 5m, 90s, 1h or 2m30s`,
    );
  return Math.round(total);
}

/** How long a relay step relays when it does not say: time to point the client at it and reproduce. */
export const RELAY_ACTION_SECONDS = 600;

const ACTION_ARGS: Record<StepAction['kind'], string[]> = {
  probe: [
    'url',
    'direct',
    'idleLimit',
    'origin',
    'checks',
    'protocol',
    'subprotocol',
    'initPayload',
    'header',
  ],
  capture: ['url', 'duration', 'script', 'protocol', 'subprotocol', 'initPayload', 'header'],
  relay: ['to', 'duration', 'port'],
  diagnose: ['session'],
};

/**
 * `probe direct=true idleLimit=90`, `probe protocol=graphql-ws initPayload='{"token":"…"}'`,
 * `capture duration=30`, `relay duration=300`, `diagnose session=latest`, or `kind {json}`.
 * `header="X-Tenant: blue"` (in JSON a line or a list of lines) is sent over the walk profile's headers.
 */
export function parseAction(raw: string, line: number): StepAction {
  const m = /^`?([a-z]+)\b\s*(.*?)`?$/.exec(raw.trim());
  if (!m || !(m[1]! in ACTION_ARGS))
    throw new RunbookError(
      line,
      `action "${raw.trim()}" is not one of probe, capture, relay, diagnose (e.g. "action: capture duration=30")`,
    );
  const kind = m[1] as StepAction['kind'];
  const rest = m[2]!.trim();
  const args: Record<string, unknown> = {};
  if (rest.startsWith('{')) {
    try {
      Object.assign(args, JSON.parse(rest) as object);
    } catch {
      throw new RunbookError(
        line,
        `the arguments of action ${kind} are not valid JSON: ${rest.slice(0, 40)}`,
      );
    }
  } else {
    const re = /([A-Za-z][\w-]*)=(?:"([^"]*)"|'([^']*)'|(\S+))|(\S+)/g;
    for (const a of rest.matchAll(re)) {
      if (a[5] !== undefined)
        throw new RunbookError(line, `action ${kind}: "${a[5]}" is not key=value (e.g. duration=30)`);
      const key = a[1]!;
      const quoted = a[2] ?? a[3];
      const bare = a[4];
      args[key] =
        quoted !== undefined
          ? quoted
          : bare === 'true'
            ? true
            : bare === 'false'
              ? false
              : /^-?\d+(\.\d+)?$/.test(bare!)
                ? Number(bare)
                : key === 'checks'
                  ? bare!.split(',')
                  : bare;
    }
  }
  for (const key of Object.keys(args)) {
    if (!ACTION_ARGS[kind].includes(key))
      throw new RunbookError(
        line,
        `action ${kind} takes ${ACTION_ARGS[kind].join(', ')}; "${key}" is not one of them`,
      );
  }
  if (kind === 'capture' && args.duration === undefined) args.duration = 30;
  if (kind === 'relay' && args.duration === undefined) args.duration = RELAY_ACTION_SECONDS;
  if (kind === 'probe' && typeof args.checks === 'string') args.checks = [args.checks];
  if (args.header !== undefined) {
    args.headers = typeof args.header === 'string' ? [args.header] : args.header;
    delete args.header;
  }
  const parsed = StepActionSchema.safeParse({ kind, ...args });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RunbookError(line, `action ${kind}: ${issue.path.join('.') || 'arguments'} ${issue.message}`);
  }
  if (parsed.data.kind === 'capture' && parsed.data.script !== undefined) {
    try {
      parseCaptureScript(parsed.data.script);
    } catch (err) {
      if (!(err instanceof ScriptError)) throw err;
      throw new RunbookError(line, `action capture: script ${err.message}`);
    }
  }
  return parsed.data;
}
