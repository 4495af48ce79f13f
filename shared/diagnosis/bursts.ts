// Messages that arrive in bursts, long after they were sent: something on the path holds them and
// lets them go in batches. The arrival pattern alone (tight groups after silences) is a hint; the
// senders' own timestamps (sentAt, timestamp, ts…) show the delay and make it a finding.
import { finding, type Finding } from '../findings.js';
import type { DiagFrame } from './input.js';
import { Sample } from './sample.js';
import { median, quantile, round1 } from './stats.js';

/** Messages closer than this belong to one burst. */
export const BURST_GAP_MS = 20;
/** A burst has at least this many messages. */
export const MIN_BURST = 3;
/** Bursts follow silences at least this long (median). */
export const MIN_QUIET_MS = 250;
/** Fewer incoming messages than this on a connection are not analysed. */
export const MIN_MESSAGES = 10;
/** The spread of delays (p95 above the fastest) that shows messages were held. */
export const HELD_MS = 250;

/** How one connection's incoming messages are grouped in time. */
export interface BurstStats {
  connection: number;
  messages: number;
  bursts: number;
  messagesInBursts: number;
  medianBurstSize: number;
  medianQuietMs: number;
  /** Whether the messages carried their send time. */
  sendTimes: boolean;
  /** How much longer than the fastest message the slow ones took (p95), ms; null without send times. */
  heldMs: number | null;
  maxHeldMs: number | null;
  /** Median time between the first and last send of the messages in a burst, ms. */
  medianSentSpanMs: number | null;
}

/** Values kept per measurement of one connection (the rest are sampled). */
const BURST_SAMPLE = 20_000;

/**
 * Burst statistics of one connection, built one incoming message at a time (in time order) in
 * bounded memory: groups are closed as they end, and only their measurements are kept.
 */
export class BurstAccumulator {
  private messages = 0;
  private timed = 0;
  private lastTs: number | null = null;
  private groupSize = 0;
  private groupTimed = 0;
  private groupSentMin = Infinity;
  private groupSentMax = -Infinity;
  private bursts = 0;
  private messagesInBursts = 0;
  private readonly burstSizes = new Sample(BURST_SAMPLE);
  private readonly quiet = new Sample(BURST_SAMPLE);
  private readonly delays = new Sample(BURST_SAMPLE);
  private readonly spans = new Sample(BURST_SAMPLE);

  constructor(readonly connection: number) {}

  /** Takes one frame of the connection; only incoming text and binary messages count. */
  add(f: DiagFrame): void {
    if (f.direction !== 'in' || (f.opcode !== 'text' && f.opcode !== 'binary')) return;
    this.messages++;
    if (this.lastTs !== null) {
      const gapMs = (f.ts - this.lastTs) / 1000;
      if (gapMs > BURST_GAP_MS) {
        this.closeGroup();
        this.quiet.add(gapMs);
      }
    }
    this.lastTs = f.ts;
    this.groupSize++;
    if (f.sentAtMs !== undefined) {
      this.timed++;
      this.groupTimed++;
      if (f.sentAtMs < this.groupSentMin) this.groupSentMin = f.sentAtMs;
      if (f.sentAtMs > this.groupSentMax) this.groupSentMax = f.sentAtMs;
      // Relative delays cancel a constant clock difference between the two machines.
      this.delays.add(f.ts / 1000 - f.sentAtMs);
    }
  }

  private closeGroup(): void {
    if (this.groupSize >= MIN_BURST) {
      this.bursts++;
      this.messagesInBursts += this.groupSize;
      this.burstSizes.add(this.groupSize);
      if (this.groupTimed >= 2) this.spans.add(this.groupSentMax - this.groupSentMin);
    }
    this.groupSize = 0;
    this.groupTimed = 0;
    this.groupSentMin = Infinity;
    this.groupSentMax = -Infinity;
  }

  /** The statistics, once every frame is in; null when too few messages came. */
  finish(): BurstStats | null {
    this.closeGroup();
    if (this.messages < MIN_MESSAGES) return null;
    const sendTimes = this.timed * 2 >= this.messages;
    let heldMs: number | null = null;
    let maxHeldMs: number | null = null;
    let medianSentSpanMs: number | null = null;
    if (sendTimes) {
      const fastest = this.delays.min;
      heldMs = round1(quantile(this.delays, 0.95) - fastest);
      maxHeldMs = round1(this.delays.max - fastest);
      medianSentSpanMs = this.spans.count ? round1(median(this.spans)) : null;
    }
    return {
      connection: this.connection,
      messages: this.messages,
      bursts: this.bursts,
      messagesInBursts: this.messagesInBursts,
      medianBurstSize: this.bursts ? median(this.burstSizes) : 0,
      medianQuietMs: this.quiet.count ? round1(median(this.quiet)) : 0,
      sendTimes,
      heldMs,
      maxHeldMs,
      medianSentSpanMs,
    };
  }
}

/** Burst statistics of one connection's incoming messages (time order); null when too few. */
export function burstStats(incoming: readonly DiagFrame[]): BurstStats | null {
  const first = incoming.find((f) => f.direction === 'in' && (f.opcode === 'text' || f.opcode === 'binary'));
  if (!first) return null;
  const acc = new BurstAccumulator(first.connection);
  for (const f of incoming) acc.add(f);
  return acc.finish();
}

/** Whether the arrival pattern is bursty: most messages in bursts after silences. */
export function bursty(s: BurstStats): boolean {
  return s.bursts >= 3 && s.messagesInBursts >= 0.6 * s.messages && s.medianQuietMs >= MIN_QUIET_MS;
}

/** Whether the send times show the messages were held: sent over time, delivered together. */
export function held(s: BurstStats): boolean {
  return (
    s.heldMs !== null &&
    s.heldMs >= HELD_MS &&
    s.medianSentSpanMs !== null &&
    s.medianSentSpanMs >= MIN_QUIET_MS / 2
  );
}

/** The proxy-buffering finding for the connections' burst statistics, or null. */
export function proxyBufferingFinding(stats: readonly BurstStats[]): Finding | null {
  const confirmed = stats.filter((s) => bursty(s) && held(s));
  const pattern = stats.filter((s) => bursty(s) && !s.sendTimes);
  const chosen = confirmed.length > 0 ? confirmed : pattern;
  if (chosen.length === 0) return null;
  const worst = [...chosen].sort((a, b) => (b.heldMs ?? 0) - (a.heldMs ?? 0) || b.bursts - a.bursts)[0]!;
  const evidence = {
    connections: chosen.map((s) => s.connection).slice(0, 20),
    messages: worst.messages,
    bursts: worst.bursts,
    messagesInBursts: worst.messagesInBursts,
    medianBurstSize: worst.medianBurstSize,
    medianQuietMs: worst.medianQuietMs,
    sendTimes: worst.sendTimes,
    heldMs: worst.heldMs,
    maxHeldMs: worst.maxHeldMs,
    medianSentSpanMs: worst.medianSentSpanMs,
  };
  if (confirmed.length > 0) {
    return finding(
      'proxy-buffering',
      `${worst.messagesInBursts} of ${worst.messages} messages arrived in ${worst.bursts} bursts after ~${worst.medianQuietMs} ms silences; their send times show them held up to ${worst.maxHeldMs} ms.`,
      evidence,
    );
  }
  return finding(
    'proxy-buffering',
    `${worst.messagesInBursts} of ${worst.messages} messages arrived in ${worst.bursts} bursts after ~${worst.medianQuietMs} ms silences; the messages carry no send time, so a server that sends in batches would look the same.`,
    evidence,
    'info',
  );
}
