// Diagnosis of a recorded session: every rule over the same plain data. The frames are read once,
// in time order, into the facts the rules need (shared/diagnosis/facts.ts), so that a session of
// any size is diagnosed in bounded memory: the store streams them in, the tests hand over a list.
import { sortFindings, type Check, type Finding } from '../findings.js';
import { appHeartbeatRule } from './app-heartbeat.js';
import { proxyBufferingFinding } from './bursts.js';
import { closeRule } from './closes.js';
import { FrameAccumulator, frameFacts, type FrameFacts } from './facts.js';
import { handshakeRule } from './handshakes.js';
import { heartbeatRule, noHeartbeatFinding } from './heartbeat.js';
import type { DiagEvent, DiagFrame, SessionData } from './input.js';
import { latencyRule } from './latency.js';
import { messagesRule } from './messages.js';
import { protocolRule } from './protocol.js';
import { reconnectRule } from './reconnects.js';
import { refusalRule } from './refusals.js';
import { maxOf, seconds } from './stats.js';

/** The checks and findings of a recorded session. */
export interface SessionDiagnosis {
  checks: Check[];
  findings: Finding[];
}

/** A session without its frames: what the rules read besides the frame facts. */
export type SessionHead = Omit<SessionData, 'frames'>;

/** Frames grouped by connection ordinal, in time order. */
export function framesByConnection(frames: readonly DiagFrame[]): Map<number, DiagFrame[]> {
  const out = new Map<number, DiagFrame[]>();
  for (const f of frames) {
    let list = out.get(f.connection);
    if (!list) out.set(f.connection, (list = []));
    list.push(f);
  }
  for (const list of out.values()) list.sort((a, b) => a.ts - b.ts);
  return out;
}

/** Runs every session rule; `idField` names the JSON field that pairs requests with responses. */
export function diagnoseSession(data: SessionData, options: { idField?: string } = {}): SessionDiagnosis {
  const idField = options.idField ?? 'id';
  return diagnoseFacts(data, frameFacts(data.connections, data.frames, data.endedAt, idField), idField);
}

/**
 * Starts a diagnosis whose frames come one at a time, in time order (`add`), then `finish`.
 * `expectedFrames` (per connection ordinal, as the store counts them) lets each connection's
 * working state go as soon as its last frame is in.
 */
export function streamDiagnosis(
  head: SessionHead,
  options: { idField?: string; expectedFrames?: ReadonlyMap<number, number> } = {},
): { add(frame: DiagFrame): void; finish(): SessionDiagnosis & { facts: FrameFacts } } {
  const idField = options.idField ?? 'id';
  const acc = new FrameAccumulator(head.connections, head.endedAt, idField, options.expectedFrames);
  return {
    add: (f) => acc.add(f),
    finish: () => {
      const facts = acc.finish();
      return { ...diagnoseFacts(head, facts, idField), facts };
    },
  };
}

/**
 * Who reset each connection that a reset ended, by ordinal ("10.0.0.5:443, the server side"), from
 * the TCP evidence an imported packet capture records (`tcp-closed-by-reset`).
 */
function tcpResets(events: readonly DiagEvent[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const e of events) {
    if (e.kind !== 'tcp-closed-by-reset' || e.connection === null) continue;
    const d = e.detail as { from?: unknown; side?: unknown } | null;
    if (typeof d?.from === 'string')
      out.set(e.connection, typeof d.side === 'string' ? `${d.from}, the ${d.side} side` : d.from);
  }
  return out;
}

/** Runs every session rule over the session and the facts of its frames. */
export function diagnoseFacts(head: SessionHead, facts: FrameFacts, idField = 'id'): SessionDiagnosis {
  const connections = [...head.connections].sort((a, b) => a.ordinal - b.ordinal);
  const handshakes = handshakeRule({ ...head, frames: [] });
  const appHeartbeat = appHeartbeatRule(connections, facts.appBeats, head.events);
  const refusals = refusalRule(
    connections,
    facts.refusals,
    head.events,
    (ordinal) => (facts.connections.get(ordinal)?.dataIn ?? 0) > 0,
  );
  const explained = new Set([...appHeartbeat.explained, ...refusals.explained]);
  const closes = closeRule(connections, facts.connections, explained, tcpResets(head.events));
  const reconnects = reconnectRule(connections);
  const heartbeat = heartbeatRule(facts.clientPings, facts.serverPings);
  const latency = latencyRule(facts.requests, heartbeat.client.rttMs, idField);
  const messages = messagesRule(connections, facts.connections, head.endedAt);
  const protocol = protocolRule(connections, head.events);

  const lived = connections
    .filter((c) => c.openedAt !== null)
    .map((c) => seconds(c.openedAt!, c.closedAt ?? head.endedAt ?? c.openedAt!));
  // A protocol that keeps its own heartbeat (Engine.IO, MQTT keep-alive, STOMP heart-beats…)
  // needs no WebSocket ping.
  const noHeartbeat = appHeartbeat.kept
    ? null
    : noHeartbeatFinding(heartbeat.server, closes.idleSeconds, lived.length ? maxOf(lived) : 0);

  const stats = facts.bursts;
  const buffering = proxyBufferingFinding(stats);

  const findings = [
    ...handshakes.findings,
    ...closes.findings,
    ...refusals.findings,
    ...appHeartbeat.findings,
    ...protocol.findings,
    ...reconnects.findings,
    ...heartbeat.findings,
    ...(noHeartbeat ? [noHeartbeat] : []),
    ...latency.findings,
    ...messages.findings,
    ...(buffering ? [buffering] : []),
  ];
  const checks: Check[] = [
    handshakes.check,
    ...closes.checks,
    protocol.check,
    {
      name: 'protocol refusals',
      ok: refusals.findings.length === 0,
      ms: null,
      detail: refusals.detail,
    },
    reconnects.check,
    {
      ...heartbeat.check,
      ok: heartbeat.check.ok && noHeartbeat === null && appHeartbeat.findings.length === 0,
      detail: { ...heartbeat.check.detail, protocolHeartbeats: appHeartbeat.detail },
    },
    latency.check,
    messages.check,
    {
      name: 'bursts',
      ok: buffering === null,
      ms: null,
      detail: {
        connectionsAnalysed: stats.length,
        bursty: stats
          .filter((s) => s.bursts > 0)
          .slice(0, 10)
          .map((s) => ({
            connection: s.connection,
            bursts: s.bursts,
            messages: s.messages,
            heldMs: s.heldMs,
          })),
      },
    },
  ];
  return { checks, findings: sortFindings(findings) };
}
