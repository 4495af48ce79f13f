// Round trips: pings answered by pongs, and requests answered by responses that carry the same
// id: on a connection with a protocol, the protocol's own (requestKey/responseKey), else the JSON
// id field. A subscription's stream is never a response. Above 100 ms at the 95th percentile is slow.
import { finding, type Finding } from '../findings.js';
import type { DiagConnection, DiagFrame, DiagMessage, Micros, RuleResult } from './input.js';
import { Sample, type Values } from './sample.js';
import { latencySummary, type LatencySummary } from './stats.js';

/** Round trips slower than this at p95 are a finding. */
export const HIGH_LATENCY_P95_MS = 100;
/** Fewer samples than this say nothing about a percentile. */
export const MIN_SAMPLES = 3;

/** Requests sent with an id, and the responses that carried it back. */
export interface RequestPairs {
  requests: number;
  answered: number;
  rttMs: Sample;
  /** Answered pairs by what paired them: the protocol's own ids, or the JSON id field. */
  pairedBy: { protocol: number; field: number };
}

const isData = (f: DiagFrame) => f.opcode === 'text' || f.opcode === 'binary';

/** Requests kept waiting for their answer per connection; the oldest beyond this go unanswered. */
const MAX_PENDING_REQUESTS = 100_000;

/**
 * The key that makes a message sent a request, in its protocol: a JSON-RPC request's id, a
 * Socket.IO event's ack id, an MQTT packet id (QoS 1/2 PUBLISH, SUBSCRIBE, UNSUBSCRIBE), a STOMP
 * receipt, a SignalR invocation id, a Phoenix ref. graphql-ws operations are paired apart (see
 * RequestAccumulator): their answers are streams.
 */
export function requestKey(m: DiagMessage): string | undefined {
  switch (m.type) {
    case 'request':
      return m.id;
    case 'EVENT':
    case 'BINARY_EVENT':
      return m.id === undefined ? undefined : `${m.namespace ?? '/'}#${m.id}`;
    case 'PUBLISH':
      return (m.qos ?? 0) > 0 && m.packetId !== undefined ? `pub#${m.packetId}` : undefined;
    case 'SUBSCRIBE':
      return m.packetId !== undefined ? `sub#${m.packetId}` : m.receipt;
    case 'UNSUBSCRIBE':
      return m.packetId !== undefined ? `unsub#${m.packetId}` : m.receipt;
    case 'Invocation':
      return m.invocationId;
    default:
      return m.receipt ?? (m.ref !== undefined && m.type !== 'phx_reply' ? `ref#${m.ref}` : undefined);
  }
}

/** The key of the request a received message answers, in its protocol (see requestKey). */
export function responseKey(m: DiagMessage): string | undefined {
  switch (m.type) {
    case 'result':
    case 'error':
      return m.id;
    case 'ACK':
    case 'BINARY_ACK':
      return m.id === undefined ? undefined : `${m.namespace ?? '/'}#${m.id}`;
    case 'PUBACK':
    case 'PUBREC':
      return m.packetId === undefined ? undefined : `pub#${m.packetId}`;
    case 'SUBACK':
      return m.packetId === undefined ? undefined : `sub#${m.packetId}`;
    case 'UNSUBACK':
      return m.packetId === undefined ? undefined : `unsub#${m.packetId}`;
    case 'RECEIPT':
      return m.receiptId;
    case 'Completion':
      return m.invocationId;
    case 'phx_reply':
      return m.ref === undefined ? undefined : `ref#${m.ref}`;
    default:
      return undefined;
  }
}

/** A graphql-ws operation sent, and its first result while it is the only one. */
interface Operation {
  sent: Micros;
  firstResult: Micros | null;
  results: number;
}

const GRAPHQL_START = new Set(['subscribe', 'start']);
const GRAPHQL_RESULT = new Set(['next', 'data']);

/**
 * Pairs outgoing messages with the first incoming message that answers them, per connection, one
 * frame at a time (in time order), in bounded memory. A graphql-ws operation (a subscribe, or the
 * legacy start) counts only when it completes right after its one result (a query or a mutation):
 * the results of a subscription are its stream, never a response.
 */
export class RequestAccumulator {
  readonly pairs: RequestPairs = {
    requests: 0,
    answered: 0,
    rttMs: new Sample(),
    pairedBy: { protocol: 0, field: 0 },
  };
  private readonly pending = new Map<number, Map<string, number>>();
  private readonly operations = new Map<number, Map<string, Operation>>();

  add(f: DiagFrame): void {
    if (!isData(f)) return;
    const m = f.message;
    if (
      m &&
      m.id !== undefined &&
      (GRAPHQL_START.has(m.type) || GRAPHQL_RESULT.has(m.type) || m.type === 'complete')
    )
      return this.operation(f, m, m.id);
    // A graphql-ws error ends its operation unanswered.
    if (m?.type === 'error' && m.id !== undefined && this.operations.get(f.connection)?.delete(m.id)) return;
    const key = m ? (f.direction === 'out' ? requestKey(m) : responseKey(m)) : f.messageId;
    if (key === undefined) return;
    let waiting = this.pending.get(f.connection);
    if (f.direction === 'out') {
      if (!waiting) this.pending.set(f.connection, (waiting = new Map()));
      if (waiting.has(key)) return;
      if (waiting.size >= MAX_PENDING_REQUESTS) waiting.delete(waiting.keys().next().value!);
      waiting.set(key, f.ts);
      this.pairs.requests++;
      return;
    }
    const sent = waiting?.get(key);
    if (sent === undefined) return;
    waiting!.delete(key);
    this.answer(sent, f.ts, m ? 'protocol' : 'field');
  }

  private answer(sent: Micros, at: Micros, by: keyof RequestPairs['pairedBy']): void {
    this.pairs.answered++;
    this.pairs.pairedBy[by]++;
    this.pairs.rttMs.add((at - sent) / 1000);
  }

  private operation(f: DiagFrame, m: DiagMessage, id: string): void {
    let ops = this.operations.get(f.connection);
    if (f.direction === 'out') {
      if (!GRAPHQL_START.has(m.type)) return;
      if (!ops) this.operations.set(f.connection, (ops = new Map()));
      if (ops.size >= MAX_PENDING_REQUESTS) ops.delete(ops.keys().next().value!);
      ops.set(id, { sent: f.ts, firstResult: null, results: 0 });
      this.pairs.requests++;
      return;
    }
    const op = ops?.get(id);
    if (!op) return;
    if (GRAPHQL_RESULT.has(m.type)) {
      op.results++;
      op.firstResult ??= f.ts;
      // A second result: a stream, never paired; forgotten.
      if (op.results > 1) ops!.delete(id);
      return;
    }
    ops!.delete(id);
    if (op.firstResult !== null) this.answer(op.sent, op.firstResult, 'protocol');
  }

  /** Forgets what a finished connection still waited for. */
  finish(connection: number): void {
    this.pending.delete(connection);
    this.operations.delete(connection);
  }
}

/** Pairs outgoing messages with the first incoming message that carries the same id, per connection. */
export function pairRequests(
  connections: readonly DiagConnection[],
  byConnection: Map<number, DiagFrame[]>,
): RequestPairs {
  const acc = new RequestAccumulator();
  for (const c of connections) for (const f of byConnection.get(c.ordinal) ?? []) acc.add(f);
  return acc.pairs;
}

/** One source of round trips, for evidence. */
export interface LatencySource {
  source: 'echo' | 'ping' | 'request-response';
  summary: LatencySummary | null;
}

/** A high-latency finding from the slowest source over the threshold, or null. */
export function highLatencyFinding(
  sources: readonly LatencySource[],
  extra: Record<string, unknown> = {},
): Finding | null {
  const slow = sources
    .filter(
      (s) => s.summary !== null && s.summary.samples >= MIN_SAMPLES && s.summary.p95Ms > HIGH_LATENCY_P95_MS,
    )
    .sort((a, b) => b.summary!.p95Ms - a.summary!.p95Ms);
  const worst = slow[0];
  if (!worst) return null;
  const s = worst.summary!;
  const words = { echo: 'echo', ping: 'ping', 'request-response': 'request/response' }[worst.source];
  return finding(
    'high-latency',
    `${words} round trips: p95 ${s.p95Ms} ms (p50 ${s.p50Ms} ms, max ${s.maxMs} ms over ${s.samples}), above ${HIGH_LATENCY_P95_MS} ms.`,
    {
      source: worst.source,
      ...s,
      thresholdMs: HIGH_LATENCY_P95_MS,
      sources: Object.fromEntries(sources.map((x) => [x.source, x.summary])),
      ...extra,
    },
  );
}

/** Round trips of a session: pings and request/response pairs, both already paired. */
export function latencyRule(requests: RequestPairs, pingRttMs: Values, idField: string): RuleResult {
  const sources: LatencySource[] = [
    { source: 'ping', summary: latencySummary(pingRttMs) },
    { source: 'request-response', summary: latencySummary(requests.rttMs) },
  ];
  const f = highLatencyFinding(sources, { idField });
  return {
    check: {
      name: 'round trips',
      ok: f === null,
      ms: null,
      detail: {
        ping: sources[0]!.summary,
        requestResponse: sources[1]!.summary,
        requests: requests.requests,
        answered: requests.answered,
        pairedBy: requests.pairedBy,
        idField,
      },
    },
    findings: f ? [f] : [],
  };
}
