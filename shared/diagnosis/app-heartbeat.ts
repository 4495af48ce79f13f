// The application protocol's own heartbeats, beside the WebSocket pings of heartbeat.ts: Engine.IO
// `2`/`3` (its interval and timeout from the open packet), graphql-ws ping/pong, MQTT PINGREQ and
// PINGRESP (the keep-alive from the CONNECT), STOMP heart-beats (end-of-line frames, negotiated by
// the heart-beat headers of CONNECT and CONNECTED). Frames come one at a time; per connection a few
// counts and times are kept. A connection the server closed while the protocol's heartbeat was
// left unanswered (a peer's ping without its answer, or the client silent for longer than its
// keep-alive or heart-beat) is told apart from an idle timeout: app-heartbeat-unanswered.
import { finding, type Finding } from '../findings.js';
import type { ProtocolName } from '../protocols/names.js';
import type { DiagConnection, DiagEvent, DiagFrame, Micros } from './input.js';
import { countBy, median, round1, seconds } from './stats.js';

/** One connection's heartbeats in its protocol. */
export interface AppBeats {
  connection: number;
  protocol: ProtocolName;
  /** Heartbeats sent by the server and by the client (pings, PINGREQ, heart-beat frames). */
  fromServer: number;
  fromClient: number;
  /** Heartbeats answered (a pong, a `3`, a PINGRESP). */
  answered: number;
  /** The oldest of the server's pings the client left unanswered, still waiting at the end. */
  unansweredSince: Micros | null;
  /** The client's last frame of data (any message counts for MQTT's keep-alive and STOMP's beats). */
  lastClientTs: Micros | null;
  /** What the protocol announced: Engine.IO ping interval and timeout, ms. */
  pingIntervalMs: number | null;
  pingTimeoutMs: number | null;
  /** MQTT keep-alive of the CONNECT, seconds. */
  keepAliveSeconds: number | null;
  /** STOMP heart-beat headers: the client's (CONNECT) and the server's (CONNECTED), `cx,cy`. */
  clientHeartBeat: [number, number] | null;
  serverHeartBeat: [number, number] | null;
}

/** Protocols whose heartbeats these rules read. */
const WITH_HEARTBEATS: ReadonlySet<ProtocolName> = new Set([
  'socket.io',
  'graphql-ws',
  'subscriptions-transport-ws',
  'mqtt',
  'stomp',
]);

function heartBeatHeader(v: string | undefined): [number, number] | null {
  const m = v === undefined ? null : /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/**
 * The interval at which the server wants to hear from the client, ms, as STOMP 1.2 negotiates it:
 * max(client's cx, server's cy), none when either is 0.
 */
export function stompClientBeatMs(b: AppBeats): number | null {
  if (!b.clientHeartBeat || !b.serverHeartBeat) return null;
  const [cx] = b.clientHeartBeat;
  const [, sy] = b.serverHeartBeat;
  return cx === 0 || sy === 0 ? null : Math.max(cx, sy);
}

/** Gathers each connection's heartbeats in its protocol, one frame at a time (in time order). */
export class AppHeartbeatAccumulator {
  private readonly beats = new Map<number, AppBeats>();
  private readonly protocols = new Map<number, ProtocolName>();

  constructor(connections: readonly DiagConnection[]) {
    for (const c of connections)
      if (c.protocol && WITH_HEARTBEATS.has(c.protocol)) this.protocols.set(c.ordinal, c.protocol);
  }

  private state(connection: number, protocol: ProtocolName): AppBeats {
    let b = this.beats.get(connection);
    if (!b)
      this.beats.set(
        connection,
        (b = {
          connection,
          protocol,
          fromServer: 0,
          fromClient: 0,
          answered: 0,
          unansweredSince: null,
          lastClientTs: null,
          pingIntervalMs: null,
          pingTimeoutMs: null,
          keepAliveSeconds: null,
          clientHeartBeat: null,
          serverHeartBeat: null,
        }),
      );
    return b;
  }

  add(f: DiagFrame): void {
    const protocol = this.protocols.get(f.connection);
    const m = f.message;
    if (!protocol || !m) return;
    const b = this.state(f.connection, protocol);
    const out = f.direction === 'out';
    if (out) b.lastClientTs = f.ts;
    const serverPing = () => {
      b.fromServer++;
      b.unansweredSince ??= f.ts;
    };
    const clientAnswer = () => {
      b.answered++;
      b.unansweredSince = null;
    };
    switch (protocol) {
      case 'socket.io':
        if (m.type === 'open') {
          b.pingIntervalMs = m.pingInterval ?? null;
          b.pingTimeoutMs = m.pingTimeout ?? null;
        } else if (m.type === 'ping') {
          if (out) b.fromClient++;
          else serverPing();
        } else if (m.type === 'pong') {
          if (out) clientAnswer();
          else b.answered++;
        }
        return;
      case 'graphql-ws':
      case 'subscriptions-transport-ws':
        if (m.type === 'ping') {
          if (out) b.fromClient++;
          else serverPing();
        } else if (m.type === 'pong') {
          if (out) clientAnswer();
          else b.answered++;
        } else if (m.type === 'ka' && !out) b.fromServer++;
        return;
      case 'mqtt':
        if (m.type === 'CONNECT' && out) b.keepAliveSeconds = m.keepAlive ?? null;
        else if (m.type === 'PINGREQ') {
          if (out) b.fromClient++;
          else b.fromServer++;
        } else if (m.type === 'PINGRESP') b.answered++;
        return;
      case 'stomp':
        if ((m.type === 'CONNECT' || m.type === 'STOMP') && out)
          b.clientHeartBeat = heartBeatHeader(m.heartBeat);
        else if (m.type === 'CONNECTED' && !out) b.serverHeartBeat = heartBeatHeader(m.heartBeat);
        else if (m.type === 'heart-beat') {
          if (out) b.fromClient++;
          else b.fromServer++;
        }
        return;
      default:
        return;
    }
  }

  /** Each connection's heartbeats, by ordinal. */
  finish(): Map<number, AppBeats> {
    return this.beats;
  }
}

/** The protocol's heartbeat was seen, or negotiated, on this connection. */
export function heartbeatKept(b: AppBeats): boolean {
  return (
    b.fromServer + b.fromClient > 0 ||
    (b.keepAliveSeconds ?? 0) > 0 ||
    stompClientBeatMs(b) !== null ||
    b.pingIntervalMs !== null
  );
}

/** One connection dropped by the server after its protocol's heartbeat went unanswered. */
export interface UnansweredBeat {
  connection: number;
  protocol: ProtocolName;
  /** How long the heartbeat waited before the connection ended, seconds. */
  waitedSeconds: number;
  intervalSeconds: number | null;
  timeoutSeconds: number | null;
  closeCode: number | null;
}

/** The Engine.IO timings the capture recorded (event `engine-open`), by connection. */
function engineOpenEvents(events: readonly DiagEvent[]): Map<number, { interval: number; timeout: number }> {
  const out = new Map<number, { interval: number; timeout: number }>();
  for (const e of events) {
    if (e.kind !== 'engine-open' || e.connection === null) continue;
    const d = (e.detail ?? {}) as { pingInterval?: unknown; pingTimeout?: unknown };
    if (typeof d.pingInterval === 'number' && typeof d.pingTimeout === 'number')
      out.set(e.connection, { interval: d.pingInterval, timeout: d.pingTimeout });
  }
  return out;
}

/** A heartbeat waited at least this share of its timeout before the drop counts as its cause. */
const TIMEOUT_SHARE = 0.5;

/** Whether a connection ended, not by the client, with its protocol's heartbeat unanswered. */
function unanswered(c: DiagConnection, b: AppBeats, open: { interval: number; timeout: number } | undefined) {
  if (c.openedAt === null || c.closedAt === null || c.closedBy === 'client') return null;
  const end = c.closedAt;
  const base = { connection: c.ordinal, protocol: b.protocol, closeCode: c.closeCode };
  switch (b.protocol) {
    case 'socket.io':
    case 'graphql-ws':
    case 'subscriptions-transport-ws': {
      if (b.unansweredSince === null) return null;
      const waited = seconds(b.unansweredSince, end);
      const intervalMs = b.pingIntervalMs ?? open?.interval ?? null;
      const timeoutMs = b.pingTimeoutMs ?? open?.timeout ?? null;
      if (waited < (timeoutMs !== null ? (TIMEOUT_SHARE * timeoutMs) / 1000 : 1)) return null;
      return {
        ...base,
        waitedSeconds: round1(waited),
        intervalSeconds: intervalMs === null ? null : intervalMs / 1000,
        timeoutSeconds: timeoutMs === null ? null : timeoutMs / 1000,
      };
    }
    case 'mqtt': {
      const keepAlive = b.keepAliveSeconds ?? 0;
      if (keepAlive <= 0) return null;
      // The broker allows 1.5 times the keep-alive without a packet from the client.
      const waited = seconds(b.lastClientTs ?? c.openedAt, end);
      if (waited < keepAlive) return null;
      return {
        ...base,
        waitedSeconds: round1(waited),
        intervalSeconds: keepAlive,
        timeoutSeconds: keepAlive * 1.5,
      };
    }
    case 'stomp': {
      const every = stompClientBeatMs(b);
      if (every === null) return null;
      const waited = seconds(b.lastClientTs ?? c.openedAt, end);
      if (waited < every / 1000) return null;
      return { ...base, waitedSeconds: round1(waited), intervalSeconds: every / 1000, timeoutSeconds: null };
    }
    default:
      return null;
  }
}

/** The protocol heartbeats of a session: the finding, the connections it explains, the check's detail. */
export interface AppHeartbeatAnalysis {
  findings: Finding[];
  /** Connections whose end the unanswered heartbeat explains (the close rules leave them alone). */
  explained: Set<number>;
  /** Some connection kept its protocol's heartbeat (no-heartbeat does not apply). */
  kept: boolean;
  detail: Record<string, unknown> | null;
}

export function appHeartbeatRule(
  connections: readonly DiagConnection[],
  beats: ReadonlyMap<number, AppBeats>,
  events: readonly DiagEvent[],
): AppHeartbeatAnalysis {
  const opens = engineOpenEvents(events);
  const found: UnansweredBeat[] = [];
  let kept = false;
  for (const c of connections) {
    const b = beats.get(c.ordinal);
    if (!b) continue;
    if (heartbeatKept(b) || opens.has(c.ordinal)) kept = true;
    const u = unanswered(c, b, opens.get(c.ordinal));
    if (u) found.push(u);
  }
  const all = [...beats.values()];
  const detail =
    all.length === 0
      ? null
      : {
          protocols: countBy(all, (b) => b.protocol),
          fromServer: all.reduce((n, b) => n + b.fromServer, 0),
          fromClient: all.reduce((n, b) => n + b.fromClient, 0),
          answered: all.reduce((n, b) => n + b.answered, 0),
          unansweredConnections: found.length,
        };
  if (found.length === 0) return { findings: [], explained: new Set(), kept, detail };
  const first = found[0]!;
  const words: Record<string, string> = {
    'socket.io': 'Engine.IO ping',
    'graphql-ws': 'graphql-ws ping',
    'subscriptions-transport-ws': 'keep-alive',
    mqtt: 'MQTT keep-alive',
    stomp: 'STOMP heart-beat',
  };
  const waited = round1(median(found.map((u) => u.waitedSeconds)));
  const what = words[first.protocol] ?? 'heartbeat';
  const limits =
    first.protocol === 'socket.io' && first.intervalSeconds !== null && first.timeoutSeconds !== null
      ? ` (pingInterval ${first.intervalSeconds} s, pingTimeout ${first.timeoutSeconds} s)`
      : first.protocol === 'mqtt'
        ? ` (keep-alive ${first.intervalSeconds} s)`
        : first.protocol === 'stomp'
          ? ` (a heart-beat every ${first.intervalSeconds} s)`
          : '';
  const closes = countBy(found, (u) => String(u.closeCode ?? 'none'));
  const summary =
    first.protocol === 'mqtt' || first.protocol === 'stomp'
      ? `The server dropped ${found.length} connection${found.length === 1 ? '' : 's'} after the client sent nothing for ${waited} s: the ${what} expired${limits}.`
      : `The server dropped ${found.length} connection${found.length === 1 ? '' : 's'} ${waited} s after its ${what} went unanswered${limits}.`;
  return {
    findings: [
      finding('app-heartbeat-unanswered', summary, {
        protocol: first.protocol,
        intervalSeconds: first.intervalSeconds,
        timeoutSeconds: first.timeoutSeconds,
        connections: found.length,
        ordinals: found.map((u) => u.connection).slice(0, 20),
        waitedSeconds: waited,
        closeCodes: closes,
      }),
    ],
    explained: new Set(found.map((u) => u.connection)),
    kept,
    detail,
  };
}
