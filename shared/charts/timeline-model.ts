// Turns a session's connections and events into spans on one time axis. The engine keeps when each
// connection opened and closed; when an attempt began is not in the contract, so it is rebuilt from
// the capture's own record: the first attempt starts with the session, each later one when the
// backoff scheduled after the previous connection ran out.
import type { ResponseOf } from '../contract.js';
import { parseMicros } from '../time.js';
import { connectionClass, type Connection, type ConnectionClass } from './connection-class.js';

/** A session with its connections and events, as `sessions:get` answers. */
export type SessionDetail = ResponseOf<'sessions', 'get'>;
/** One event of a session. */
export type SessionEvent = SessionDetail['events'][number];

/** A connection on the time axis: from its attempt to its end. */
export interface ConnectionSpan {
  connection: Connection;
  cls: ConnectionClass;
  /** When the attempt began (DNS, TCP, TLS, upgrade), epoch microseconds. */
  attemptAt: number;
  /** When the upgrade completed; null for a failed handshake. */
  openedAt: number | null;
  /** When it closed or failed; for a connection still open, the end of the axis. */
  endAt: number;
  stillOpen: boolean;
}

/** An event marked on the time axis. */
export interface EventMark {
  event: SessionEvent;
  ts: number;
  /** For a scheduled reconnect: when the wait ends. */
  until: number | null;
}

/** A session laid out on one time axis. */
export interface Timeline {
  spans: ConnectionSpan[];
  marks: EventMark[];
  /** The axis: from the session's start to its end (or now, while it is live). */
  from: number;
  to: number;
}

const micros = (iso: string | null): number | null => (iso === null ? null : parseMicros(iso));

function handshakeUs(c: Connection): number {
  const t = c.timings;
  return ((t.dnsMs ?? 0) + (t.tcpMs ?? 0) + (t.tlsMs ?? 0) + (t.upgradeMs ?? 0)) * 1000;
}

function detailNumber(detail: unknown, key: string): number | null {
  if (typeof detail !== 'object' || detail === null) return null;
  const v = (detail as Record<string, unknown>)[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Lays out a session on a time axis; `now` closes the spans of a live session. */
export function buildTimeline(detail: SessionDetail, now: number): Timeline {
  const { session, connections, events } = detail;
  const created = parseMicros(session.createdAt);
  const live = session.status === 'live';
  let to = micros(session.endedAt) ?? created;
  for (const c of connections)
    to = Math.max(to, micros(c.closedAt) ?? 0, micros(c.lastFrameTs) ?? 0, micros(c.openedAt) ?? 0);
  if (live) to = Math.max(to, now);

  // When each reconnect was due: the event says after which connection and how long it waited.
  const dueAfter = new Map<number, number>();
  const marks: EventMark[] = [];
  for (const e of events) {
    const ts = parseMicros(e.ts);
    let until: number | null = null;
    if (e.kind === 'reconnect-scheduled') {
      const after = detailNumber(e.detail, 'after');
      const delay = detailNumber(e.detail, 'delayMs');
      if (delay !== null) until = ts + delay * 1000;
      if (after !== null && until !== null) dueAfter.set(after, until);
    }
    // Recovery notes the crash when the next process opened the store, maybe hours later: pin it to
    // the end of what was recorded rather than stretching the axis.
    marks.push({ event: e, ts: e.kind === 'session-interrupted' ? Math.min(ts, to) : ts, until });
    if (e.kind !== 'session-interrupted') to = Math.max(to, until ?? ts);
  }

  const spans: ConnectionSpan[] = connections.map((c) => {
    const openedAt = micros(c.openedAt);
    const closedAt = micros(c.closedAt);
    const stillOpen = closedAt === null;
    const endAt = closedAt ?? to;
    const settled = openedAt ?? endAt;
    const scheduled = c.ordinal === 1 ? created : dueAfter.get(c.ordinal - 1);
    const attemptAt = Math.min(settled, scheduled ?? settled - handshakeUs(c));
    return { connection: c, cls: connectionClass(c), attemptAt, openedAt, endAt, stillOpen };
  });
  let from = created;
  for (const s of spans) from = Math.min(from, s.attemptAt);
  if (to <= from) to = from + 1000;
  // A little room after the last event, so that a final close or give-up is not drawn on the edge.
  return { spans, marks, from, to: to + (to - from) * 0.02 };
}

/** The span under an instant, or the nearest one within `slackUs`. */
export function spanAt(spans: ConnectionSpan[], ts: number, slackUs: number): ConnectionSpan | null {
  let best: ConnectionSpan | null = null;
  let bestDistance = slackUs;
  for (const s of spans) {
    const distance = ts < s.attemptAt ? s.attemptAt - ts : ts > s.endAt ? ts - s.endAt : 0;
    if (distance <= bestDistance) {
      best = s;
      bestDistance = distance;
      if (distance === 0) break;
    }
  }
  return best;
}
