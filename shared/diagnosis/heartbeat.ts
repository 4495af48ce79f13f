// Heartbeats: pings each way, their pongs (paired by payload, else in order), the interval between
// the server's pings, and pongs that never came or came late.
import { finding, type Finding } from '../findings.js';
import type { Direction } from '../contract/sessions.js';
import type { DiagConnection, DiagFrame, Micros, RuleResult } from './input.js';
import { latencySummary, maxOf, median, round1, round2 } from './stats.js';

/** A pong later than this is late. */
export const PONG_LATE_MS = 1000;
/** Clients commonly give up on a pong after this long. */
export const PONG_TIMEOUT_MS = 5000;

/** Pings one way and the pongs that answered them. */
export interface PingPairs {
  /** Who sent the pings: 'out' ours (the client's), 'in' the server's. */
  direction: Direction;
  pings: number;
  pongs: number;
  /** Round trips of answered pings, ms. */
  rttMs: number[];
  missing: number;
  late: number;
  /** Gaps between consecutive pings on the same connection, seconds. */
  gapsSeconds: number[];
}

/** Pairs the pings sent in `direction` with the pongs coming back, per connection. */
export function pairPings(
  direction: Direction,
  connections: readonly DiagConnection[],
  byConnection: Map<number, DiagFrame[]>,
  sessionEnd: Micros | null,
): PingPairs {
  const out: PingPairs = { direction, pings: 0, pongs: 0, rttMs: [], missing: 0, late: 0, gapsSeconds: [] };
  for (const c of connections) {
    const frames = byConnection.get(c.ordinal) ?? [];
    const pings = frames.filter((f) => f.opcode === 'ping' && f.direction === direction);
    const pongs = frames.filter((f) => f.opcode === 'pong' && f.direction !== direction);
    if (pings.length === 0) continue;
    const lastTs = frames.length > 0 ? frames[frames.length - 1]!.ts : (c.openedAt ?? c.startedAt);
    const end = c.closedAt ?? sessionEnd ?? lastTs;
    out.pings += pings.length;
    out.pongs += pongs.length;
    const used = new Set<number>();
    // Pongs by payload, in time order, for pairing by key in one pass.
    const byKey = new Map<string, number[]>();
    pongs.forEach((p, k) => {
      if (p.controlKey === undefined || p.controlKey === '') return;
      const list = byKey.get(p.controlKey) ?? [];
      list.push(k);
      byKey.set(p.controlKey, list);
    });
    let cursor = 0;
    for (let i = 0; i < pings.length; i++) {
      const ping = pings[i]!;
      if (i > 0) out.gapsSeconds.push((ping.ts - pings[i - 1]!.ts) / 1e6);
      let match = -1;
      const keyed = ping.controlKey ? byKey.get(ping.controlKey) : undefined;
      if (keyed) {
        while (keyed.length > 0 && (used.has(keyed[0]!) || pongs[keyed[0]!]!.ts < ping.ts)) keyed.shift();
        if (keyed.length > 0) match = keyed.shift()!;
      }
      if (match < 0) {
        while (cursor < pongs.length && (used.has(cursor) || pongs[cursor]!.ts < ping.ts)) cursor++;
        if (cursor < pongs.length && (!ping.controlKey || !pongs[cursor]!.controlKey)) match = cursor;
      }
      if (match >= 0) {
        used.add(match);
        const rtt = (pongs[match]!.ts - ping.ts) / 1000;
        out.rttMs.push(rtt);
        if (rtt > PONG_LATE_MS) out.late++;
      } else if ((end - ping.ts) / 1000 >= PONG_LATE_MS) {
        // No pong although the connection lived on: lost or never sent.
        out.missing++;
      }
    }
  }
  return out;
}

/** The usual interval between pings, seconds; null with fewer than two. */
export function intervalSeconds(p: PingPairs): number | null {
  return p.gapsSeconds.length === 0 ? null : round1(median(p.gapsSeconds));
}

/** The heartbeat check and findings, with the pairs both ways. */
export interface HeartbeatAnalysis {
  check: RuleResult['check'];
  findings: Finding[];
  client: PingPairs;
  server: PingPairs;
}

function timeoutFinding(p: PingPairs): Finding | null {
  const bad = p.missing + p.late;
  if (bad === 0 || (bad < 2 && bad * 2 < p.pings)) return null;
  const who = p.direction === 'out' ? 'client' : 'server';
  const rtts = p.rttMs;
  return finding(
    'heartbeat-timeout',
    p.missing > 0
      ? `${p.missing} of ${p.pings} ${who} pings got no pong${p.late > 0 ? ` and ${p.late} were answered late (over ${PONG_LATE_MS} ms)` : ''}.`
      : `${p.late} of ${p.pings} ${who} pings were answered late (over ${PONG_LATE_MS} ms).`,
    {
      pingsFrom: who,
      pings: p.pings,
      pongs: p.pongs,
      missing: p.missing,
      late: p.late,
      lateAfterMs: PONG_LATE_MS,
      maxRttMs: rtts.length ? round2(maxOf(rtts)) : null,
      intervalSeconds: intervalSeconds(p),
    },
    p.missing > 0 ? 'critical' : 'warning',
  );
}

/** Heartbeats of a session, both ways. */
export function heartbeatRule(
  connections: readonly DiagConnection[],
  byConnection: Map<number, DiagFrame[]>,
  sessionEnd: Micros | null,
): HeartbeatAnalysis {
  const client = pairPings('out', connections, byConnection, sessionEnd);
  const server = pairPings('in', connections, byConnection, sessionEnd);
  const findings = [timeoutFinding(client), timeoutFinding(server)].filter((f): f is Finding => f !== null);
  return {
    client,
    server,
    findings,
    check: {
      name: 'heartbeats',
      ok: findings.length === 0,
      ms: null,
      detail: {
        serverPings: server.pings,
        serverIntervalSeconds: intervalSeconds(server),
        clientPings: client.pings,
        clientIntervalSeconds: intervalSeconds(client),
        pongsMissing: client.missing + server.missing,
        pongsLate: client.late + server.late,
        pingRoundTrip: latencySummary(client.rttMs),
      },
    },
  };
}

/**
 * The server sends no pings (or pings less often than the idle timeout), so nothing keeps idle
 * connections open: reported when an idle timeout was seen, or a connection lived a minute or more.
 */
export function noHeartbeatFinding(
  server: PingPairs,
  idleSeconds: number | null,
  longestSeconds: number,
): Finding | null {
  if (server.pings === 0) {
    if (idleSeconds === null && longestSeconds < 60) return null;
    return finding(
      'no-heartbeat',
      idleSeconds !== null
        ? `The server sent no ping, and idle connections were cut after ${idleSeconds} s.`
        : `The server sent no ping in ${round1(longestSeconds)} s of connection.`,
      { pingsSeen: 0, observedSeconds: round1(longestSeconds), idleSeconds },
    );
  }
  const interval = intervalSeconds(server);
  if (idleSeconds !== null && interval !== null && interval >= idleSeconds) {
    return finding(
      'no-heartbeat',
      `The server pings every ${interval} s, but idle connections are cut after ${idleSeconds} s: the heartbeat is too slow to keep them open.`,
      { pingsSeen: server.pings, intervalSeconds: interval, idleSeconds },
    );
  }
  return null;
}
