// Diagnosis of a recorded session: every rule over the same plain data, in one pass each.
import { sortFindings, type Check, type Finding } from '../findings.js';
import { burstStats, proxyBufferingFinding, type BurstStats } from './bursts.js';
import { closeRule } from './closes.js';
import { handshakeRule } from './handshakes.js';
import { heartbeatRule, noHeartbeatFinding } from './heartbeat.js';
import type { DiagFrame, SessionData } from './input.js';
import { latencyRule } from './latency.js';
import { messagesRule } from './messages.js';
import { protocolRule } from './protocol.js';
import { reconnectRule } from './reconnects.js';
import { maxOf, seconds } from './stats.js';

/** The checks and findings of a recorded session. */
export interface SessionDiagnosis {
  checks: Check[];
  findings: Finding[];
}

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
  const byConnection = framesByConnection(data.frames);
  const connections = [...data.connections].sort((a, b) => a.ordinal - b.ordinal);
  const handshakes = handshakeRule(data);
  const closes = closeRule(connections, byConnection);
  const reconnects = reconnectRule(connections);
  const heartbeat = heartbeatRule(connections, byConnection, data.endedAt);
  const latency = latencyRule(connections, byConnection, heartbeat.client.rttMs, options.idField ?? 'id');
  const messages = messagesRule(connections, byConnection, data.endedAt);
  const protocol = protocolRule(connections, data.events);

  const lived = connections
    .filter((c) => c.openedAt !== null)
    .map((c) => seconds(c.openedAt!, c.closedAt ?? data.endedAt ?? c.openedAt!));
  const noHeartbeat = noHeartbeatFinding(
    heartbeat.server,
    closes.idleSeconds,
    lived.length ? maxOf(lived) : 0,
  );

  const stats = [...byConnection.values()]
    .map((frames) => burstStats(frames))
    .filter((s): s is BurstStats => s !== null);
  const buffering = proxyBufferingFinding(stats);

  const findings = [
    ...handshakes.findings,
    ...closes.findings,
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
    reconnects.check,
    { ...heartbeat.check, ok: heartbeat.check.ok && noHeartbeat === null },
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
