// Round trips: pings answered by pongs, and requests answered by responses that carry the same
// JSON id. Above 100 ms at the 95th percentile is slow.
import { finding, type Finding } from '../findings.js';
import type { DiagConnection, DiagFrame, RuleResult } from './input.js';
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
}

const isData = (f: DiagFrame) => f.opcode === 'text' || f.opcode === 'binary';

/** Requests kept waiting for their answer per connection; the oldest beyond this go unanswered. */
const MAX_PENDING_REQUESTS = 100_000;

/**
 * Pairs outgoing messages with the first incoming message that carries the same id, per
 * connection, one frame at a time (in time order), in bounded memory.
 */
export class RequestAccumulator {
  readonly pairs: RequestPairs = { requests: 0, answered: 0, rttMs: new Sample() };
  private readonly pending = new Map<number, Map<string, number>>();

  add(f: DiagFrame): void {
    if (!isData(f) || f.messageId === undefined) return;
    let waiting = this.pending.get(f.connection);
    if (f.direction === 'out') {
      if (!waiting) this.pending.set(f.connection, (waiting = new Map()));
      if (waiting.has(f.messageId)) return;
      if (waiting.size >= MAX_PENDING_REQUESTS) waiting.delete(waiting.keys().next().value!);
      waiting.set(f.messageId, f.ts);
      this.pairs.requests++;
      return;
    }
    const sent = waiting?.get(f.messageId);
    if (sent === undefined) return;
    waiting!.delete(f.messageId);
    this.pairs.answered++;
    this.pairs.rttMs.add((f.ts - sent) / 1000);
  }

  /** Forgets what a finished connection still waited for. */
  finish(connection: number): void {
    this.pending.delete(connection);
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
        idField,
      },
    },
    findings: f ? [f] : [],
  };
}
