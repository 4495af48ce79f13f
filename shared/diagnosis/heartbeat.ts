// Heartbeats: pings each way, their pongs (paired by payload, else in order), the interval between
// the server's pings, pongs that never came or came late, and pings sent in a flood.
import { finding, type Finding } from '../findings.js';
import type { Direction } from '../contract/sessions.js';
import type { DiagConnection, DiagFrame, Micros, RuleResult } from './input.js';
import { addToFlood, noFlood, pingFloodFinding, PingRate, type PingFlood } from './ping-flood.js';
import { Sample } from './sample.js';
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
  rttMs: Sample;
  missing: number;
  late: number;
  /** Gaps between consecutive pings on the same connection, seconds. */
  gapsSeconds: Sample;
  /** The connections on which these pings came in a flood. */
  flood: PingFlood;
}

/** Unanswered pings kept per connection; older ones count as missing (no pong comes that late). */
const MAX_PENDING_PINGS = 1024;

interface PendingPing {
  ts: Micros;
  key: string | undefined;
}

interface PingState {
  pings: number;
  pongs: number;
  lastPingTs: Micros | null;
  pending: PendingPing[];
  /** Unanswered pings let go to keep memory bounded: missing, unless a later pong settles them. */
  evicted: number;
  /** When the newest of them was sent. */
  evictedTs: Micros | null;
  rate: PingRate;
}

/**
 * Pairs the pings sent in `direction` with the pongs coming back, one frame at a time (in time
 * order): a pong answers the oldest waiting ping with the same payload, else one without a
 * payload, else (a pong without payload) the oldest waiting ping. A pong that answers a ping also
 * settles the pings waiting before it that it came within PONG_LATE_MS of: RFC 6455 (§5.5.3) lets a
 * peer answer only the most recent of the pings it has not answered yet (Frameline and Python
 * websockets do under a flood), so those are neither missing nor timed; older ones stay unanswered.
 * Memory stays bounded: round trips and gaps are samples, and at most MAX_PENDING_PINGS unanswered
 * pings wait per connection.
 */
export class PingAccumulator {
  readonly pairs: PingPairs;
  private readonly states = new Map<number, PingState>();

  constructor(readonly direction: Direction) {
    this.pairs = {
      direction,
      pings: 0,
      pongs: 0,
      rttMs: new Sample(),
      missing: 0,
      late: 0,
      gapsSeconds: new Sample(),
      flood: noFlood(),
    };
  }

  private state(connection: number): PingState {
    let s = this.states.get(connection);
    if (!s)
      this.states.set(
        connection,
        (s = {
          pings: 0,
          pongs: 0,
          lastPingTs: null,
          pending: [],
          evicted: 0,
          evictedTs: null,
          rate: new PingRate(),
        }),
      );
    return s;
  }

  add(f: DiagFrame): void {
    if (f.opcode === 'ping' && f.direction === this.direction) {
      const s = this.state(f.connection);
      s.pings++;
      if (s.lastPingTs !== null) this.pairs.gapsSeconds.add((f.ts - s.lastPingTs) / 1e6);
      s.lastPingTs = f.ts;
      s.rate.add(f.ts);
      if (s.pending.length >= MAX_PENDING_PINGS) {
        s.evictedTs = s.pending.shift()!.ts;
        s.evicted++;
      }
      s.pending.push({ ts: f.ts, key: f.controlKey || undefined });
    } else if (f.opcode === 'pong' && f.direction !== this.direction) {
      const s = this.state(f.connection);
      s.pongs++;
      const key = f.controlKey || undefined;
      let i = key === undefined ? (s.pending.length > 0 ? 0 : -1) : s.pending.findIndex((p) => p.key === key);
      if (i < 0 && key !== undefined) i = s.pending.findIndex((p) => p.key === undefined);
      if (i < 0) return;
      const ping = s.pending[i]!;
      // The pings waiting before the one answered, if the pong may stand for them too (see above).
      const settled = (ts: Micros) => (f.ts - ts) / 1000 <= PONG_LATE_MS;
      if (i === 0) s.pending.shift();
      else s.pending = s.pending.filter((p, j) => j > i || (j < i && !settled(p.ts)));
      if (s.evictedTs !== null && settled(s.evictedTs)) s.evicted = 0;
      const rtt = (f.ts - ping.ts) / 1000;
      this.pairs.rttMs.add(rtt);
      if (rtt > PONG_LATE_MS) this.pairs.late++;
    }
  }

  /**
   * Closes the books on a connection that ended at `end`: a ping still unanswered although the
   * connection lived on for PONG_LATE_MS or more got no pong.
   */
  finish(connection: number, end: Micros): void {
    const s = this.states.get(connection);
    if (!s) return;
    this.states.delete(connection);
    if (s.pings === 0) return;
    this.pairs.pings += s.pings;
    this.pairs.pongs += s.pongs;
    this.pairs.missing += s.evicted;
    for (const p of s.pending) if ((end - p.ts) / 1000 >= PONG_LATE_MS) this.pairs.missing++;
    addToFlood(this.pairs.flood, connection, s.rate);
  }

  /** Connections with frames whose books are still open. */
  get open(): number[] {
    return [...this.states.keys()];
  }
}

/** Pairs the pings sent in `direction` with the pongs coming back, per connection. */
export function pairPings(
  direction: Direction,
  connections: readonly DiagConnection[],
  byConnection: Map<number, DiagFrame[]>,
  sessionEnd: Micros | null,
): PingPairs {
  const acc = new PingAccumulator(direction);
  for (const c of connections) {
    const frames = byConnection.get(c.ordinal) ?? [];
    for (const f of frames) acc.add(f);
    const lastTs = frames.length > 0 ? frames[frames.length - 1]!.ts : (c.openedAt ?? c.startedAt);
    acc.finish(c.ordinal, c.closedAt ?? sessionEnd ?? lastTs);
  }
  return acc.pairs;
}

/** The usual interval between pings, seconds; null with fewer than two. */
export function intervalSeconds(p: PingPairs): number | null {
  return p.gapsSeconds.count === 0 ? null : round1(median(p.gapsSeconds));
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
      maxRttMs: rtts.count ? round2(maxOf(rtts)) : null,
      intervalSeconds: intervalSeconds(p),
    },
    p.missing > 0 ? 'critical' : 'warning',
  );
}

/** Heartbeats of a session, both ways, from the pings paired each way. */
export function heartbeatRule(client: PingPairs, server: PingPairs): HeartbeatAnalysis {
  const findings = [
    timeoutFinding(client),
    timeoutFinding(server),
    pingFloodFinding('in', server.flood),
    pingFloodFinding('out', client.flood),
  ].filter((f): f is Finding => f !== null);
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
        serverPingFloods: server.flood.connections.length,
        clientPingFloods: client.flood.connections.length,
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
