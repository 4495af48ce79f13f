// Pairs the answers of a replay with the answers of the original: by a JSON id field when the
// messages carry one (JSON-RPC, GraphQL-WS, custom keys), by order when they do not. Each pair is
// matched, changed (with the paths that differ), missing (the original got an answer the replay did
// not) or extra (the replay got one the original did not), with its latency against the original's.
import { quantile } from '../diagnosis/stats.js';
import { diffMessages, parseJson, type MessageBody, type ReadStructure } from './diff.js';
import type { IgnoreRules } from './volatile.js';

/** A message with the time it was seen, epoch µs. */
export interface TimedMessage extends MessageBody {
  ts: number;
}

/** One connection seen from the client: what it sent and what it received, in time order. */
export interface Conversation {
  sent: readonly TimedMessage[];
  received: readonly TimedMessage[];
}

export type PairKind = 'matched' | 'changed' | 'missing' | 'extra';

/** One answer of the original beside the replay's. */
export interface Pair {
  kind: PairKind;
  /** The id that paired them; null when paired by order. */
  id: string | number | null;
  /** The request the answer followed (the original's, or the replay's for an extra answer). */
  request: string | null;
  expected: string | null;
  actual: string | null;
  /** Where they differ, as JSONPaths; empty unless changed. */
  paths: string[];
  /** Request → answer in the original and in the replay, in ms; null when there is no request or no answer. */
  originalMs: number | null;
  replayMs: number | null;
}

/** The id of a JSON message: a top-level string or number under `idField`; undefined otherwise. */
export function messageId(m: MessageBody, idField: string): string | number | undefined {
  if (m.opcode !== 'text') return undefined;
  const parsed = parseJson(m.text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const v = (parsed as Record<string, unknown>)[idField];
  return typeof v === 'string' || typeof v === 'number' ? v : undefined;
}

const keyOf = (id: string | number) => `${typeof id}:${id}`;

interface Side {
  /** Answers that carry an id, by id key, in order. */
  keyed: Map<string, Array<{ m: TimedMessage; id: string | number }>>;
  /** Answers without an id, in order. */
  unkeyed: TimedMessage[];
  /** The first request carrying each id. */
  requestById: Map<string, TimedMessage>;
  sent: readonly TimedMessage[];
}

function side(c: Conversation, idField: string): Side {
  const keyed = new Map<string, Array<{ m: TimedMessage; id: string | number }>>();
  const unkeyed: TimedMessage[] = [];
  const requestById = new Map<string, TimedMessage>();
  for (const m of c.sent) {
    const id = messageId(m, idField);
    if (id !== undefined && !requestById.has(keyOf(id))) requestById.set(keyOf(id), m);
  }
  for (const m of c.received) {
    const id = messageId(m, idField);
    // An id only pairs an answer when a request carried it: a server's own counter is not an id.
    if (id !== undefined && requestById.has(keyOf(id))) {
      const k = keyOf(id);
      let list = keyed.get(k);
      if (!list) keyed.set(k, (list = []));
      list.push({ m, id });
    } else unkeyed.push(m);
  }
  return { keyed, unkeyed, requestById, sent: c.sent };
}

/** The last request sent at or before `ts` (requests are in time order). */
function requestBefore(sent: readonly TimedMessage[], ts: number): TimedMessage | undefined {
  let lo = 0;
  let hi = sent.length - 1;
  let found: TimedMessage | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sent[mid]!.ts <= ts) {
      found = sent[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

const ms = (from: TimedMessage | undefined, to: TimedMessage | undefined): number | null =>
  from && to && to.ts >= from.ts ? Math.round((to.ts - from.ts) / 10) / 100 : null;

/**
 * Pairs every answer of the original with the replay's. Keyed answers pair by id (the n-th answer
 * carrying an id with the replay's n-th carrying it); the rest pair by order. Pairs come in the
 * original's order, extra answers last in the replay's order.
 */
export function pairConversations(
  original: Conversation,
  replay: Conversation,
  options: { idField: string; rules: IgnoreRules; read?: ReadStructure },
): Pair[] {
  const a = side(original, options.idField);
  const b = side(replay, options.idField);
  const out: Array<Pair & { order: [number, number] }> = [];
  const compare = (
    id: string | number | null,
    exp: TimedMessage | undefined,
    act: TimedMessage | undefined,
    reqA: TimedMessage | undefined,
    reqB: TimedMessage | undefined,
  ): Pair & { order: [number, number] } => {
    const paths = exp && act ? diffMessages(exp, act, options.rules, options.read) : [];
    return {
      kind: !act ? 'missing' : !exp ? 'extra' : paths.length ? 'changed' : 'matched',
      id,
      request: (reqA ?? reqB)?.text ?? null,
      expected: exp?.text ?? null,
      actual: act?.text ?? null,
      paths,
      originalMs: ms(reqA, exp),
      replayMs: ms(reqB, act),
      order: exp ? [0, exp.ts] : [1, act!.ts],
    };
  };
  for (const [k, list] of a.keyed) {
    const other = b.keyed.get(k) ?? [];
    for (let i = 0; i < Math.max(list.length, other.length); i++) {
      const exp = list[i];
      const act = other[i];
      out.push(compare((exp ?? act)!.id, exp?.m, act?.m, a.requestById.get(k), b.requestById.get(k)));
    }
  }
  for (const [k, other] of b.keyed) {
    if (a.keyed.has(k)) continue;
    for (const act of other) out.push(compare(act.id, undefined, act.m, undefined, b.requestById.get(k)));
  }
  for (let i = 0; i < Math.max(a.unkeyed.length, b.unkeyed.length); i++) {
    const exp = a.unkeyed[i];
    const act = b.unkeyed[i];
    out.push(
      compare(
        null,
        exp,
        act,
        exp ? requestBefore(a.sent, exp.ts) : undefined,
        act ? requestBefore(b.sent, act.ts) : undefined,
      ),
    );
  }
  // The original's answers in the order they came, then the replay's extra ones in theirs.
  return out
    .sort((x, y) => x.order[0] - y.order[0] || x.order[1] - y.order[1])
    .map(({ order: _order, ...p }) => p);
}

/** Counts of each kind and the latency percentiles of both runs, in ms (null when nothing was timed). */
export interface PairSummary {
  matched: number;
  changed: number;
  missing: number;
  extra: number;
  latency: {
    originalP50Ms: number | null;
    originalP95Ms: number | null;
    replayP50Ms: number | null;
    replayP95Ms: number | null;
  };
}

export function summarisePairs(pairs: readonly Pair[]): PairSummary {
  const count = (k: PairKind) => pairs.filter((p) => p.kind === k).length;
  const q = (values: number[], p: number) =>
    values.length === 0 ? null : Math.round(quantile(values, p) * 100) / 100;
  const orig = pairs.flatMap((p) => (p.originalMs === null ? [] : [p.originalMs]));
  const rep = pairs.flatMap((p) => (p.replayMs === null ? [] : [p.replayMs]));
  return {
    matched: count('matched'),
    changed: count('changed'),
    missing: count('missing'),
    extra: count('extra'),
    latency: {
      originalP50Ms: q(orig, 0.5),
      originalP95Ms: q(orig, 0.95),
      replayP50Ms: q(rep, 0.5),
      replayP95Ms: q(rep, 0.95),
    },
  };
}

/**
 * The server's greeting: messages without a request's id that came before the first answer carrying
 * one (a hello, a snapshot). With no ids at all, those that came before the first request.
 */
export function greetingOf(c: Conversation, idField: string): Set<TimedMessage> {
  const ids = new Set<string>();
  for (const m of c.sent) {
    const id = messageId(m, idField);
    if (id !== undefined) ids.add(keyOf(id));
  }
  const keyed = (m: TimedMessage) => {
    const id = messageId(m, idField);
    return id !== undefined && ids.has(keyOf(id));
  };
  const firstKeyed = c.received.find(keyed);
  const before = firstKeyed ? firstKeyed.ts : (c.sent[0]?.ts ?? Infinity);
  return new Set(c.received.filter((m) => m.ts < before && !keyed(m)));
}
