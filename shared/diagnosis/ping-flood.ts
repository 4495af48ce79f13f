// A peer that floods pings: far more pings in a second than any heartbeat needs (one every few
// seconds keeps a connection alive through proxies). Each ping must be answered, so a flood costs
// the other side a pong each, and a library with a guard against it (ws drops a connection with 60
// pongs pending) ends the connection without a close frame, which reads as a network fault.
import { finding, type Finding } from '../findings.js';
import type { Direction } from '../contract/sessions.js';
import type { Micros } from './input.js';

/** Pings within one second from which a peer floods them (a heartbeat sends one every few seconds). */
export const FLOOD_PINGS_PER_SECOND = 50;

const BUCKET_US = 100_000;
const BUCKETS = 10;

/**
 * The busiest second of one connection's pings, counted in tenths of a second: memory stays the
 * same however many pings come.
 */
export class PingRate {
  /** Pings counted. */
  pings = 0;
  /** Most pings seen within one second (in ten buckets of 100 ms). */
  peak = 0;
  first: Micros | null = null;
  last: Micros | null = null;
  private readonly buckets: number[] = new Array<number>(BUCKETS).fill(0);
  private current = Number.NEGATIVE_INFINITY;

  add(ts: Micros): void {
    this.pings++;
    this.first ??= ts;
    this.last = ts;
    const index = Math.floor(ts / BUCKET_US);
    if (index > this.current) {
      for (let i = Math.max(this.current + 1, index - BUCKETS + 1); i <= index; i++)
        this.buckets[((i % BUCKETS) + BUCKETS) % BUCKETS] = 0;
      this.current = index;
    }
    const slot = ((this.current % BUCKETS) + BUCKETS) % BUCKETS;
    this.buckets[slot] = this.buckets[slot]! + 1;
    let second = 0;
    for (const n of this.buckets) second += n;
    if (second > this.peak) this.peak = second;
  }

  /** True when the busiest second held a flood. */
  get flooded(): boolean {
    return this.peak >= FLOOD_PINGS_PER_SECOND;
  }
}

/** The connections on which one side flooded pings, over a session. */
export interface PingFlood {
  /** Pings sent on those connections. */
  pings: number;
  /** Most pings within one second, on any of them. */
  peakPerSecond: number;
  /** From their first ping to their last, summed over the connections, seconds. */
  seconds: number;
  /** Their ordinals. */
  connections: number[];
}

/** No flood yet. */
export function noFlood(): PingFlood {
  return { pings: 0, peakPerSecond: 0, seconds: 0, connections: [] };
}

/** Adds one connection's pings to the flood when they flooded. */
export function addToFlood(flood: PingFlood, connection: number, rate: PingRate): void {
  if (!rate.flooded) return;
  flood.pings += rate.pings;
  flood.peakPerSecond = Math.max(flood.peakPerSecond, rate.peak);
  flood.seconds += ((rate.last ?? 0) - (rate.first ?? 0)) / 1e6;
  flood.connections.push(connection);
}

/** The ping-flood finding of the pings sent in `direction` ('in': the server's), if they flooded. */
export function pingFloodFinding(direction: Direction, flood: PingFlood): Finding | null {
  if (flood.connections.length === 0) return null;
  const who = direction === 'in' ? 'server' : 'client';
  const n = flood.connections.length;
  const seconds = Math.round(flood.seconds * 1000) / 1000;
  return finding(
    'ping-flood',
    `The ${who} sent ${flood.pings} pings on ${n} connection${n === 1 ? '' : 's'} in ${seconds} s, up to ${flood.peakPerSecond} within one second: a heartbeat needs one every few seconds.`,
    {
      from: who,
      pings: flood.pings,
      pingsPerSecond: flood.peakPerSecond,
      seconds,
      floodFromPerSecond: FLOOD_PINGS_PER_SECOND,
      connections: flood.connections.slice(0, 20),
    },
  );
}
