// What the session rules read of the frames, gathered in one pass over them in time order and in
// bounded memory: per connection a few counts and times, the pings paired each way, requests paired
// with responses, and each connection's burst statistics. Frames are taken one at a time and
// dropped; a connection's working state is released as soon as its last frame is in.
import { AppHeartbeatAccumulator, type AppBeats } from './app-heartbeat.js';
import { BurstAccumulator, type BurstStats } from './bursts.js';
import { PingAccumulator, type PingPairs } from './heartbeat.js';
import type { DiagConnection, DiagFrame, Micros } from './input.js';
import { RequestAccumulator, type RequestPairs } from './latency.js';
import { RefusalAccumulator } from './refusals.js';

/** What the rules need of one connection's frames. */
export interface ConnectionFrames {
  frames: number;
  /** The last frame of any kind. */
  lastTs: Micros | null;
  /** The last frame that is not a close frame: the end of its traffic. */
  lastTrafficTs: Micros | null;
  /** Text and binary messages each way. */
  dataOut: number;
  dataIn: number;
  firstDataOutTs: Micros | null;
}

/** Everything the session rules read of the frames. */
export interface FrameFacts {
  /** Frames seen in all. */
  frames: number;
  /** The last frame's time. */
  lastTs: Micros | null;
  connections: Map<number, ConnectionFrames>;
  clientPings: PingPairs;
  serverPings: PingPairs;
  requests: RequestPairs;
  /** Burst statistics of the connections with enough incoming messages. */
  bursts: BurstStats[];
  /** Each connection's heartbeats in its protocol, by ordinal. */
  appBeats: Map<number, AppBeats>;
  /** What the protocols refused, as the decoded frames say. */
  refusals: RefusalAccumulator;
}

interface Active {
  facts: ConnectionFrames;
  bursts: BurstAccumulator;
  /** Frames the store says the connection has; its books close when they are all in. */
  expected: number | null;
}

/** Gathers the frame facts of a session, one frame at a time. */
export class FrameAccumulator {
  private readonly connectionsByOrdinal = new Map<number, DiagConnection>();
  private readonly facts = new Map<number, ConnectionFrames>();
  private readonly active = new Map<number, Active>();
  private readonly client = new PingAccumulator('out');
  private readonly server = new PingAccumulator('in');
  private readonly requests = new RequestAccumulator();
  private readonly bursts: BurstStats[] = [];
  private readonly appBeats: AppHeartbeatAccumulator;
  private readonly refusals: RefusalAccumulator;
  private frames = 0;
  private lastTs: Micros | null = null;

  /**
   * `expectedFrames` gives, per connection ordinal, how many frames it has (the store keeps that
   * count): each connection's working state is released as soon as its last frame is in.
   */
  constructor(
    connections: readonly DiagConnection[],
    private readonly sessionEnd: Micros | null,
    private readonly idField = 'id',
    private readonly expectedFrames: ReadonlyMap<number, number> = new Map(),
  ) {
    for (const c of connections) this.connectionsByOrdinal.set(c.ordinal, c);
    this.appBeats = new AppHeartbeatAccumulator(connections);
    this.refusals = new RefusalAccumulator(connections);
  }

  /** The JSON field that pairs requests with responses. */
  get field(): string {
    return this.idField;
  }

  /** Connections whose working state is still held (their last frame is not in yet). */
  get openConnections(): number {
    return this.active.size;
  }

  /** Takes the next frame (frames come in time order). */
  add(f: DiagFrame): void {
    this.frames++;
    this.lastTs = f.ts;
    let a = this.active.get(f.connection);
    if (!a) {
      let facts = this.facts.get(f.connection);
      if (!facts) {
        facts = { frames: 0, lastTs: null, lastTrafficTs: null, dataOut: 0, dataIn: 0, firstDataOutTs: null };
        this.facts.set(f.connection, facts);
      }
      a = {
        facts,
        bursts: new BurstAccumulator(f.connection),
        expected: this.expectedFrames.get(f.connection) ?? null,
      };
      this.active.set(f.connection, a);
    }
    const c = a.facts;
    c.frames++;
    c.lastTs = f.ts;
    if (f.opcode !== 'close') c.lastTrafficTs = f.ts;
    if (f.opcode === 'text' || f.opcode === 'binary') {
      if (f.direction === 'out') {
        c.dataOut++;
        c.firstDataOutTs ??= f.ts;
      } else c.dataIn++;
    }
    a.bursts.add(f);
    this.client.add(f);
    this.server.add(f);
    this.requests.add(f);
    this.appBeats.add(f);
    this.refusals.add(f);
    if (a.expected !== null && c.frames >= a.expected) this.close(f.connection, a);
  }

  private close(ordinal: number, a: Active): void {
    this.active.delete(ordinal);
    const stats = a.bursts.finish();
    if (stats) this.bursts.push(stats);
    const c = this.connectionsByOrdinal.get(ordinal);
    const end = c?.closedAt ?? this.sessionEnd ?? a.facts.lastTs ?? c?.openedAt ?? c?.startedAt ?? 0;
    this.client.finish(ordinal, end);
    this.server.finish(ordinal, end);
    this.requests.finish(ordinal);
    this.refusals.finish(ordinal);
  }

  /** The facts, once every frame is in. */
  finish(): FrameFacts {
    for (const [ordinal, a] of [...this.active]) this.close(ordinal, a);
    this.bursts.sort((x, y) => x.connection - y.connection);
    return {
      frames: this.frames,
      lastTs: this.lastTs,
      connections: this.facts,
      clientPings: this.client.pairs,
      serverPings: this.server.pairs,
      requests: this.requests.pairs,
      bursts: this.bursts,
      appBeats: this.appBeats.finish(),
      refusals: this.refusals,
    };
  }
}

/** The facts of frames given as a list (time order), for sessions held in memory and the tests. */
export function frameFacts(
  connections: readonly DiagConnection[],
  frames: readonly DiagFrame[],
  sessionEnd: Micros | null,
  idField = 'id',
): FrameFacts {
  const acc = new FrameAccumulator(connections, sessionEnd, idField);
  const ordered = [...frames].sort((a, b) => a.ts - b.ts);
  for (const f of ordered) acc.add(f);
  return acc.finish();
}
