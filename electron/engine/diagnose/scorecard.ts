// The runbooks' success metrics read from a recording: connection success, the share of time
// connected, message delivery, heartbeat success and reconnection success, each against the
// debugging guide's threshold and with the counts behind it. The counts come from the same pairing
// the diagnosis does (shared/diagnosis/facts.ts: requests with their answers by id or by the
// protocol's acknowledgements, pings with their pongs, the protocols' own heartbeats), so a session
// is read once, in bounded memory; an incident adds up the counts of its linked sessions.
import type { AppBeats } from '../../../shared/diagnosis/app-heartbeat.js';
import { FrameAccumulator, type FrameFacts } from '../../../shared/diagnosis/facts.js';
import type { SessionHead } from '../../../shared/diagnosis/session.js';
import type { ParsedRequestOf, ResponseOf } from '../../../shared/contract.js';
import type { Score, Scorecard } from '../../../shared/contract/diagnose.js';
import type { DamagedFrames } from '../../../shared/contract/sessions.js';
import type { ProtocolName } from '../../../shared/protocols/names.js';
import { DamageTally } from '../../../shared/frame-damage.js';
import type { EngineContext } from '../context.js';
import { MissingError } from '../errors.js';
import { getIncidentRow } from '../incidents/incident-store.js';
import { linkedSessions } from '../incidents/incident-session-store.js';
import { committedFrames } from '../sessions/frame-store.js';
import { getSessionRow, type SessionRow } from '../sessions/session-store.js';
import { loadSessionHead, sessionFrames } from './session-analysis.js';

/** The thresholds of the debugging guide's success metrics, in percent (a value must be above). */
export const SCORE_THRESHOLDS = {
  connectionSuccess: 99.5,
  uptime: 99,
  delivery: 99.9,
  heartbeat: 99.5,
  reconnection: 95,
} as const satisfies Record<keyof Scorecard, number>;

/** The counts behind a scorecard: a session's, or several added up. */
export interface ScoreTally {
  /** Connection attempts, and those whose handshake completed. */
  attempts: number;
  opened: number;
  /** Microseconds some connection was open, and microseconds recorded (first attempt to the end). */
  connectedUs: number;
  recordedUs: number;
  /** Requests (an id, or a message the protocol acknowledges), answered, and by what. */
  requests: number;
  answered: number;
  pairedByProtocol: number;
  pairedById: number;
  /** WebSocket pings either way and those answered; the protocols' own heartbeats likewise. */
  pings: number;
  pingsAnswered: number;
  beats: number;
  beatsAnswered: number;
  /** The protocols whose heartbeats are counted. */
  beatProtocols: ProtocolName[];
  /** Connections lost while the client meant to stay, those followed by an open one, and the attempts after them. */
  drops: number;
  reconnected: number;
  reattempts: number;
  /** Sessions whose connections are checks (probes), not one client's reconnects. */
  probes: number;
}

/** An empty tally, to add sessions to. */
export function emptyTally(): ScoreTally {
  return {
    attempts: 0,
    opened: 0,
    connectedUs: 0,
    recordedUs: 0,
    requests: 0,
    answered: 0,
    pairedByProtocol: 0,
    pairedById: 0,
    pings: 0,
    pingsAnswered: 0,
    beats: 0,
    beatsAnswered: 0,
    beatProtocols: [],
    drops: 0,
    reconnected: 0,
    reattempts: 0,
    probes: 0,
  };
}

/**
 * Protocols whose every heartbeat asks for an answer (Engine.IO ping/pong, graphql-ws ping/pong,
 * MQTT PINGREQ/PINGRESP). STOMP heart-beats and the legacy subscriptions-transport-ws `ka` go one
 * way: there is nothing to count as answered.
 */
const ANSWERED_BEATS: ReadonlySet<ProtocolName> = new Set(['socket.io', 'graphql-ws', 'mqtt']);

/** Length of the union of intervals [from, to), microseconds. */
function coveredUs(intervals: Array<[number, number]>): number {
  const sorted = intervals.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of sorted) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

/** The counts of one session, from its head and the facts of its frames. */
export function sessionTally(kind: SessionRow['kind'], head: SessionHead, facts: FrameFacts): ScoreTally {
  const t = emptyTally();
  const connections = [...head.connections].sort(
    (a, b) => a.startedAt - b.startedAt || a.ordinal - b.ordinal,
  );
  t.attempts = connections.length;
  t.opened = connections.filter((c) => c.openedAt !== null).length;

  const end =
    head.endedAt ??
    Math.max(facts.lastTs ?? 0, ...connections.map((c) => c.closedAt ?? c.openedAt ?? c.startedAt));
  const first = connections[0]?.startedAt;
  if (first !== undefined) {
    t.recordedUs = Math.max(0, end - first);
    t.connectedUs = coveredUs(
      connections
        .filter((c) => c.openedAt !== null)
        .map((c) => [c.openedAt!, Math.min(c.closedAt ?? end, end)]),
    );
  }

  t.requests = facts.requests.requests;
  t.answered = facts.requests.answered;
  t.pairedByProtocol = facts.requests.pairedBy.protocol;
  t.pairedById = facts.requests.pairedBy.field;

  // A ping still waiting when its connection ended within a second is neither answered nor missing:
  // only the ones the pairing called missing count against.
  for (const p of [facts.clientPings, facts.serverPings]) {
    t.pings += p.pings;
    t.pingsAnswered += p.pings - p.missing;
  }
  const protocols = new Set<ProtocolName>();
  for (const b of facts.appBeats.values() as Iterable<AppBeats>) {
    if (!ANSWERED_BEATS.has(b.protocol)) continue;
    const beats = b.fromServer + b.fromClient;
    if (beats === 0) continue;
    protocols.add(b.protocol);
    t.beats += beats;
    t.beatsAnswered += Math.min(b.answered, beats);
  }
  t.beatProtocols = [...protocols];

  if (kind === 'probe') {
    t.probes = 1;
    return t;
  }
  // A drop: an open connection that ended without the client closing it, followed by another
  // attempt (or by the capture giving up on reconnecting). It is reconnected when an attempt
  // after it opened.
  const gaveUp = head.events.some((e) => e.kind === 'reconnect-gave-up');
  for (let i = 0; i < connections.length; i++) {
    const c = connections[i]!;
    if (c.openedAt === null || c.closedBy === 'client') continue;
    const after = connections.slice(i + 1);
    if (after.length === 0 && !gaveUp) continue;
    t.drops++;
    const next = after.findIndex((x) => x.openedAt !== null);
    t.reattempts += next < 0 ? after.length : next + 1;
    if (next >= 0) t.reconnected++;
  }
  return t;
}

/** Two tallies added up (an incident's sessions). */
export function addTallies(a: ScoreTally, b: ScoreTally): ScoreTally {
  const out = emptyTally();
  for (const k of Object.keys(out) as Array<keyof ScoreTally>) {
    if (k === 'beatProtocols') out.beatProtocols = [...new Set([...a.beatProtocols, ...b.beatProtocols])];
    else out[k] = a[k] + b[k];
  }
  return out;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The share `part` of `whole` in percent, to three decimals; null without a whole. */
function percent(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 100_000) / 1000 : null;
}

function score(name: keyof Scorecard, part: number, whole: number, evidence: string, none: string): Score {
  const value = percent(part, whole);
  const threshold = SCORE_THRESHOLDS[name];
  return {
    value,
    threshold,
    // Judged on the exact share, not the rounded one: 99.4996 % does not pass 99.5 %.
    pass: whole > 0 ? (part / whole) * 100 > threshold : null,
    evidence: whole > 0 ? evidence : none,
  };
}

const BEAT_NAMES: Partial<Record<ProtocolName, string>> = {
  'socket.io': 'Engine.IO',
  'graphql-ws': 'graphql-ws',
  mqtt: 'MQTT',
};

/** The scorecard of a tally: each metric's value, threshold, verdict and evidence. */
export function judgeTally(t: ScoreTally): Scorecard {
  // Short recordings (a test, a probe) say their seconds to the millisecond.
  const seconds = (us: number) => (us / 1e6).toFixed(t.recordedUs < 10e6 ? 3 : 1);
  const pairedBy =
    t.pairedByProtocol > 0 && t.pairedById > 0
      ? ` (${t.pairedByProtocol} by the protocol's acknowledgements, ${t.pairedById} by id)`
      : t.pairedByProtocol > 0
        ? " (paired by the protocol's acknowledgements)"
        : t.answered > 0
          ? ' (paired by id)'
          : '';
  const beatWords = [
    ...(t.pings > 0 ? [`${t.pings} WebSocket`] : []),
    ...(t.beats > 0 ? [`${t.beats} ${t.beatProtocols.map((p) => BEAT_NAMES[p] ?? p).join('/')}`] : []),
  ];
  const reconnection =
    t.drops === 0 && t.probes > 0 && t.attempts > 0
      ? {
          ...score('reconnection', 0, 0, '', ''),
          evidence: "a probe's connections are checks, not reconnects",
        }
      : score(
          'reconnection',
          t.reconnected,
          t.drops,
          `${t.reconnected} of ${plural(t.drops, 'drop')} reconnected (${plural(t.reattempts, 'attempt')} after a drop)`,
          'no connection dropped while the client meant to stay',
        );
  return {
    connectionSuccess: score(
      'connectionSuccess',
      t.opened,
      t.attempts,
      `${t.opened} of ${plural(t.attempts, 'connection')} opened`,
      'no connection was attempted',
    ),
    uptime: score(
      'uptime',
      t.connectedUs,
      t.recordedUs,
      `${seconds(t.connectedUs)} s connected of ${seconds(t.recordedUs)} s recorded`,
      'no time recorded to measure',
    ),
    delivery: score(
      'delivery',
      t.answered,
      t.requests,
      `${t.answered} of ${plural(t.requests, 'request')} answered${pairedBy}`,
      'no message carried an id or asked for an acknowledgement',
    ),
    heartbeat: score(
      'heartbeat',
      t.pingsAnswered + t.beatsAnswered,
      t.pings + t.beats,
      `${t.pingsAnswered + t.beatsAnswered} of ${plural(t.pings + t.beats, 'heartbeat')} answered (${beatWords.join(', ')})`,
      'no ping or protocol heartbeat was sent either way',
    ),
    reconnection,
  };
}

/** Frames read between two turns of the event loop when a scorecard is read beside other requests. */
const SLICE_FRAMES = 5000;

/**
 * Reads a session's frames once into its head and the counts of its scorecard, a slice of
 * SLICE_FRAMES at a time: it yields between slices, so that a caller may answer other requests
 * meanwhile (scoreOf), or go straight through (readScore).
 */
function* scoreSteps(
  ctx: EngineContext,
  row: SessionRow,
  idField = 'id',
  /** Also check every stored payload against its checksum (sessionFrames' checkEvery). */
  checkEvery = false,
): Generator<void, { head: SessionHead; tally: ScoreTally; damage: DamageTally }> {
  const head = loadSessionHead(ctx.db, row);
  const acc = new FrameAccumulator(head.connections, head.endedAt, idField, head.frameCounts);
  const damage = new DamageTally();
  const total = committedFrames(ctx.db, row.id);
  // Delivery pairs answers with the requests waiting for them: an incoming text frame is read only
  // while some request with an id waits (a stream of server pushes is not read for ids no request
  // asked for; protocol connections are read whole, for their acknowledgements and heartbeats).
  const waiting = new Set<string>();
  const readsPayload = (direction: 'in' | 'out', opcode: string) =>
    direction === 'out' || opcode !== 'text' || waiting.size > 0;
  for (let afterSeq = 0; afterSeq < total; afterSeq += SLICE_FRAMES) {
    const range = { afterSeq, toSeq: afterSeq + SLICE_FRAMES };
    // A mock's session is read from its client's side, as the diagnosis reads it.
    for (const f of sessionFrames(
      ctx.db,
      row.id,
      head.ordinalOf,
      idField,
      row.kind === 'mock',
      damage,
      head.protocols,
      range,
      'pairing',
      readsPayload,
      checkEvery,
    )) {
      if (f.messageId !== undefined) {
        if (f.direction === 'out') waiting.add(f.messageId);
        else waiting.delete(f.messageId);
      }
      acc.add(f);
    }
    yield;
  }
  return { head, tally: sessionTally(row.kind, head, acc.finish()), damage };
}

/** A session's head (its connections and events) and the counts of its scorecard, read at once. */
export function readScore(ctx: EngineContext, row: SessionRow): { head: SessionHead; tally: ScoreTally } {
  const steps = scoreSteps(ctx, row);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** The counts of a session's scorecard, read at once. */
export function tallyOfSession(ctx: EngineContext, row: SessionRow): ScoreTally {
  return readScore(ctx, row).tally;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The counts of a session's scorecard, read slice by slice with the requests that arrive meanwhile
 * (the first page of a million-frame session's frames) answered between: the first slice waits a
 * turn too, for those that came in with this one.
 */
export async function scoreOf(ctx: EngineContext, row: SessionRow): Promise<ScoreTally> {
  return (await scoreSteadily(ctx, row, false)).tally;
}

/**
 * The counts of a session's scorecard and its frames whose stored bytes fail their check (every
 * payload checked), read in one pass as scoreOf reads: a report needs both.
 */
export async function scoreAndDamageOf(
  ctx: EngineContext,
  row: SessionRow,
): Promise<{ tally: ScoreTally; damaged: DamagedFrames }> {
  const { tally, damage } = await scoreSteadily(ctx, row, true);
  return { tally, damaged: damage.summary() };
}

async function scoreSteadily(ctx: EngineContext, row: SessionRow, checkEvery: boolean) {
  const steps = scoreSteps(ctx, row, 'id', checkEvery);
  for (;;) {
    await nextTurn();
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** `diagnose:scorecard`: a session's scorecard, or an incident's with each linked session's. */
export async function scorecard(
  ctx: EngineContext,
  r: ParsedRequestOf<'diagnose', 'scorecard'>,
): Promise<ResponseOf<'diagnose', 'scorecard'>> {
  if (r.sessionId !== undefined) {
    const row = getSessionRow(ctx.db, r.sessionId);
    if (!row)
      throw new MissingError(
        `no session ${r.sessionId} in this database; list them with "frameline sessions"`,
      );
    const card = judgeTally(await scoreOf(ctx, row));
    return { scorecard: card, sessions: [{ sessionId: row.id, scorecard: card }] };
  }
  const incidentId = r.incidentId!;
  if (!getIncidentRow(ctx.db, incidentId))
    throw new MissingError(`no incident ${incidentId}; list them with "frameline incident list"`);
  let total = emptyTally();
  const sessions: ResponseOf<'diagnose', 'scorecard'>['sessions'] = [];
  for (const link of linkedSessions(ctx.db, incidentId)) {
    const row = getSessionRow(ctx.db, link.session_id);
    if (!row) continue;
    const t = await scoreOf(ctx, row);
    total = addTallies(total, t);
    sessions.push({ sessionId: row.id, scorecard: judgeTally(t) });
  }
  return { scorecard: judgeTally(total), sessions };
}
