// Messages that arrive in bursts, long after they were sent: something on the path holds them and
// lets them go in batches. The arrival pattern alone (tight groups after silences) is a hint; the
// senders' own timestamps (sentAt, timestamp, ts…) show the delay and make it a finding.
import { finding, type Finding } from '../findings.js';
import type { DiagFrame } from './input.js';
import { maxOf, median, minOf, quantile, round1 } from './stats.js';

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

/** Burst statistics of one connection's incoming messages (time order); null when too few. */
export function burstStats(incoming: readonly DiagFrame[]): BurstStats | null {
  const msgs = incoming.filter((f) => f.direction === 'in' && (f.opcode === 'text' || f.opcode === 'binary'));
  if (msgs.length < MIN_MESSAGES) return null;
  const groups: DiagFrame[][] = [[msgs[0]!]];
  const quiet: number[] = [];
  for (let i = 1; i < msgs.length; i++) {
    const gapMs = (msgs[i]!.ts - msgs[i - 1]!.ts) / 1000;
    if (gapMs <= BURST_GAP_MS) groups[groups.length - 1]!.push(msgs[i]!);
    else {
      groups.push([msgs[i]!]);
      quiet.push(gapMs);
    }
  }
  const bursts = groups.filter((g) => g.length >= MIN_BURST);
  const timed = msgs.filter((m) => m.sentAtMs !== undefined);
  const sendTimes = timed.length * 2 >= msgs.length;
  let heldMs: number | null = null;
  let maxHeldMs: number | null = null;
  let medianSentSpanMs: number | null = null;
  if (sendTimes) {
    // Relative delays cancel a constant clock difference between the two machines.
    const delays = timed.map((m) => m.ts / 1000 - m.sentAtMs!);
    const fastest = minOf(delays);
    heldMs = round1(quantile(delays, 0.95) - fastest);
    maxHeldMs = round1(maxOf(delays) - fastest);
    const spans = bursts
      .map((g) => g.filter((m) => m.sentAtMs !== undefined).map((m) => m.sentAtMs!))
      .filter((s) => s.length >= 2)
      .map((s) => maxOf(s) - minOf(s));
    medianSentSpanMs = spans.length ? round1(median(spans)) : null;
  }
  return {
    connection: msgs[0]!.connection,
    messages: msgs.length,
    bursts: bursts.length,
    messagesInBursts: bursts.reduce((n, g) => n + g.length, 0),
    medianBurstSize: bursts.length ? median(bursts.map((g) => g.length)) : 0,
    medianQuietMs: quiet.length ? round1(median(quiet)) : 0,
    sendTimes,
    heldMs,
    maxHeldMs,
    medianSentSpanMs,
  };
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
