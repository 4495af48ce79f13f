// How connections ended: the close-code distribution, how long they lived, how long each was idle
// before it closed (a tight cluster is a proxy's idle timeout), 1006 drops while traffic flowed,
// and closes whose code names a cause.
import { describeCloseCode } from '../close-codes.js';
import { finding, type Finding } from '../findings.js';
import { faultKind } from '../replay/faults.js';
import type { ConnectionFrames } from './facts.js';
import type { DiagConnection, Micros, RuleResult } from './input.js';
import { countBy, maxOf, median, minOf, round1, seconds } from './stats.js';

/** Close codes a server sends to say why it closed (RFC 6455, IANA, 3000–4999). */
export function namesCause(code: number | null): boolean {
  if (code === null) return false;
  return (
    [1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014].includes(code) ||
    (code >= 3000 && code <= 4999)
  );
}

/** An idle connection's drop shorter than this is not told apart from activity. */
export const MIN_IDLE_SECONDS = 1;
/** A lone idle drop counts (as a warning) from this long without traffic. */
export const LONE_IDLE_SECONDS = 10;

/** One ended connection with what the close rules measure. */
export interface Ending {
  ordinal: number;
  code: number | null;
  reason: string | null;
  closedBy: DiagConnection['closedBy'];
  /** The relay's fault that ended it, when Frameline's relay did. */
  fault: string | null;
  livedSeconds: number;
  /** Seconds from the last frame (any direction, close frames aside) to the close. */
  idleSeconds: number;
}

/** The connections that opened and closed, with lifetime and idle time before the close. */
export function endings(
  connections: readonly DiagConnection[],
  frames: ReadonlyMap<number, ConnectionFrames>,
): Ending[] {
  const out: Ending[] = [];
  for (const c of connections) {
    if (c.openedAt === null || c.closedAt === null) continue;
    const traffic = frames.get(c.ordinal)?.lastTrafficTs ?? null;
    const last: Micros = traffic !== null && traffic > c.openedAt ? traffic : c.openedAt;
    out.push({
      ordinal: c.ordinal,
      code: c.closeCode,
      reason: c.closeReason,
      closedBy: c.closedBy,
      fault: c.closeFault ?? null,
      livedSeconds: round1(seconds(c.openedAt, c.closedAt)),
      idleSeconds: seconds(Math.min(last, c.closedAt), c.closedAt),
    });
  }
  return out;
}

/**
 * Ended by Frameline's relay playing an idle timeout (its idle-cut fault): the path's idle timeout
 * reproduced on purpose, which the idle rule names as such. Every other close the relay made (its
 * other faults, a stop) is Frameline's own doing: neither a drop on the path nor the server's close.
 */
const relayIdleCut = (e: Ending) =>
  e.closedBy === 'relay' && e.fault !== null && faultKind(e.fault.split('=')[0]!) === 'idle-cut';

const isDrop = (e: Ending) =>
  e.closedBy === 'relay' ? relayIdleCut(e) : e.code === 1006 || e.closedBy === 'network';

/** Whether an ending may be an idle timeout: a drop, or the server closing normally. */
function idleCandidate(e: Ending): boolean {
  if (e.idleSeconds < MIN_IDLE_SECONDS) return false;
  return isDrop(e) || (e.closedBy === 'server' && (e.code === 1000 || e.code === 1001));
}

/** Who cut them, when Frameline's relay did: ` by Frameline's relay (fault idle-cut=30), not by the path`. */
function relayCutWords(set: readonly Ending[]): { words: string; fault: string } | null {
  const faults = [...new Set(set.filter(relayIdleCut).map((e) => e.fault!))];
  if (faults.length === 0) return null;
  const all = set.every(relayIdleCut);
  return {
    fault: faults[0]!,
    words: all
      ? ` by Frameline's relay (fault ${faults.join(', ')}): the idle timeout it plays, not one of the server or its path`
      : `; ${set.filter(relayIdleCut).length} of them by Frameline's relay (fault ${faults.join(', ')})`,
  };
}

/** The largest group of items whose values lie within max(1 s, 10 %) of one of them. */
export function tightestCluster<T>(items: readonly T[], value: (t: T) => number): T[] {
  const sorted = [...items].sort((a, b) => value(a) - value(b));
  const vs = sorted.map(value);
  let best: [number, number] = [0, 0];
  let bestSpread = Infinity;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < vs.length; i++) {
    const v = vs[i]!;
    const tol = Math.max(1, 0.1 * v);
    while (vs[lo]! < v - tol) lo++;
    if (hi < i) hi = i;
    while (hi + 1 < vs.length && vs[hi + 1]! <= v + tol) hi++;
    const size = hi - lo + 1;
    const spread = vs[hi]! - vs[lo]!;
    if (size > best[1] - best[0] || (size === best[1] - best[0] && spread < bestSpread)) {
      best = [lo, hi + 1];
      bestSpread = spread;
    }
  }
  return sorted.slice(best[0], best[1]);
}

/** The close checks, findings, and the idle timeout found (if any). */
export interface CloseAnalysis {
  checks: RuleResult['check'][];
  findings: Finding[];
  /** Seconds of idleness that connections were cut at, when an idle timeout was found. */
  idleSeconds: number | null;
}

/**
 * The close checks and findings of a session. The connections in `explained` ended for a cause
 * another rule names (an unanswered protocol heartbeat, a refusal): they count in the checks, not
 * as idle timeouts, drops or server closes.
 */
export function closeRule(
  connections: readonly DiagConnection[],
  frames: ReadonlyMap<number, ConnectionFrames>,
  explained: ReadonlySet<number> = new Set(),
  resets: ReadonlyMap<number, string> = new Map(),
): CloseAnalysis {
  const ends = endings(connections, frames);
  const unexplained = ends.filter((e) => !explained.has(e.ordinal));
  const findings: Finding[] = [];
  const opened = connections.filter((c) => c.openedAt !== null);
  const distribution = countBy(opened, (c) =>
    c.closeCode !== null ? String(c.closeCode) : c.closedAt === null ? 'open' : 'none',
  );

  // Idle timeouts: drops after a steady time without traffic.
  const candidates = unexplained.filter((e) => idleCandidate(e) && e.closedBy !== 'client');
  const cluster = tightestCluster(candidates, (e) => e.idleSeconds);
  let idleSet: Ending[] = [];
  let idleSeconds: number | null = null;
  if (cluster.length >= 2 && cluster.length * 2 >= candidates.length) {
    idleSet = cluster;
    idleSeconds = round1(median(cluster.map((e) => e.idleSeconds)));
    const idles = cluster.map((e) => e.idleSeconds);
    const spread = round1(maxOf(idles) - minOf(idles));
    const relay = relayCutWords(cluster);
    findings.push(
      finding(
        'idle-timeout',
        relay?.words.startsWith(' by')
          ? `${cluster.length} connections were cut after ${idleSeconds} s without traffic (within ${spread} s of each other)${relay.words}.`
          : `${cluster.length} connections were cut after ${idleSeconds} s without traffic (within ${spread} s of each other): an idle timeout on the path${relay?.words ?? ''}.`,
        {
          idleSeconds,
          ...(relay ? { fault: relay.fault } : {}),
          connections: cluster.length,
          candidates: candidates.length,
          spreadSeconds: spread,
          closeCodes: countBy(cluster, (e) => String(e.code ?? 'none')),
          livedSeconds: round1(median(cluster.map((e) => e.livedSeconds))),
        },
      ),
    );
  } else {
    const lone = candidates.filter((e) => isDrop(e) && e.idleSeconds >= LONE_IDLE_SECONDS);
    if (lone.length > 0) {
      idleSet = lone;
      idleSeconds = round1(lone[0]!.idleSeconds);
      const relay = relayCutWords(lone);
      findings.push(
        finding(
          'idle-timeout',
          `A connection dropped (1006) after ${idleSeconds} s without traffic${relay?.words ?? ''}; one drop does not show a steady timeout yet, but it is the usual shape of one.`,
          {
            idleSeconds,
            ...(relay ? { fault: relay.fault } : {}),
            connections: lone.length,
            candidates: candidates.length,
            steady: false,
            closeCodes: countBy(lone, (e) => String(e.code ?? 'none')),
          },
          'warning',
        ),
      );
    }
  }

  // 1006 while traffic flowed (not part of an idle pattern).
  const abnormal = unexplained.filter((e) => isDrop(e) && !idleSet.includes(e) && e.closedBy !== 'relay');
  if (abnormal.length > 0) {
    // A packet capture says who reset them (a proxy or a load balancer is often the one).
    const reset = abnormal.filter((e) => resets.has(e.ordinal));
    const by = [...new Set(reset.map((e) => resets.get(e.ordinal)!))];
    findings.push(
      finding(
        'abnormal-closure',
        `${abnormal.length} connection${abnormal.length === 1 ? '' : 's'} ended with 1006 (no close frame) ${round1(median(abnormal.map((e) => e.idleSeconds)))} s after the last traffic (median): dropped while in use.${reset.length > 0 ? ` ${reset.length === abnormal.length ? (reset.length === 1 ? 'It was' : 'All were') : `${reset.length} of them were`} reset (TCP RST) by ${by.slice(0, 3).join('; ')}${by.length > 3 ? ` and ${by.length - 3} more` : ''}.` : ''}`,
        {
          connections: abnormal.length,
          ordinals: abnormal.map((e) => e.ordinal).slice(0, 20),
          idleSecondsBeforeClose: abnormal.map((e) => round1(e.idleSeconds)).slice(0, 20),
          livedSeconds: abnormal.map((e) => e.livedSeconds).slice(0, 20),
          ...(reset.length > 0 ? { resetBy: by.slice(0, 20) } : {}),
        },
      ),
    );
  }

  // Closes whose code names a cause.
  const named = unexplained.filter((e) => e.closedBy === 'server' && namesCause(e.code));
  if (named.length > 0) {
    const codes = countBy(named, (e) => String(e.code));
    const words = Object.entries(codes)
      .map(([code, n]) => `${code} ${describeCloseCode(Number(code)).name} ×${n}`)
      .join(', ');
    findings.push(
      finding(
        'server-close',
        `The server closed ${named.length} connection${named.length === 1 ? '' : 's'} with: ${words}.`,
        {
          codes,
          reasons: [...new Set(named.map((e) => e.reason).filter((r): r is string => !!r))].slice(0, 5),
          connections: named.length,
          ordinals: named.map((e) => e.ordinal).slice(0, 20),
        },
      ),
    );
  }

  const lived = ends.map((e) => e.livedSeconds);
  return {
    idleSeconds,
    findings,
    checks: [
      {
        name: 'close codes',
        ok: abnormal.length === 0 && named.length === 0,
        ms: null,
        detail: {
          distribution,
          meaning: Object.fromEntries(
            Object.keys(distribution)
              .filter((k) => /^\d+$/.test(k))
              .map((k) => [k, describeCloseCode(Number(k)).name]),
          ),
        },
      },
      {
        name: 'lifetimes',
        ok: true,
        ms: null,
        detail:
          lived.length === 0
            ? { connections: 0 }
            : {
                connections: lived.length,
                minSeconds: minOf(lived),
                medianSeconds: round1(median(lived)),
                maxSeconds: maxOf(lived),
              },
      },
      {
        name: 'idle before close',
        ok: idleSeconds === null,
        ms: null,
        detail: {
          idleSecondsBeforeClose: ends
            .map((e) => ({
              connection: e.ordinal,
              idleSeconds: round1(e.idleSeconds),
              code: e.code,
              closedBy: e.closedBy,
            }))
            .slice(0, 50),
          idleTimeoutSeconds: idleSeconds,
        },
      },
    ],
  };
}
