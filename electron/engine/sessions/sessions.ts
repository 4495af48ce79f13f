// The sessions domain: recorded sessions, their connections, events and frames, as the console and
// the command line read and change them. Every client calls these functions; the store modules
// beside this file are the only ones that hold the SQL.
import type { ParsedRequestOf, ResponseOf } from '../../../shared/contract.js';
import type { EngineContext } from '../context.js';
import { MissingError } from '../errors.js';
import {
  recoverOrphanedSessions,
  spoolBacklog,
  type RecoveryReport,
  type SpoolBacklog,
} from '../store/recovery.js';

export { onRecovery, type RecoveryReport, type SpoolBacklog } from '../store/recovery.js';
export { onReadOnlyOpen } from '../store/database.js';
import { StoreWriter } from '../store/writer.js';
import {
  compactSegments,
  missingSegments,
  removeSegmentFiles,
  sessionSegments,
  type CompactionReport,
} from '../store/segments.js';

export type { CompactionReport } from '../store/segments.js';
import { sessionProtocols, type SessionProtocols } from './protocols.js';
import { listEvents } from './event-store.js';
import { isSearched, searchedFramesPage, searchedSeqs } from './searched-frames.js';
import {
  committedFrames,
  countedFromTotals,
  countMatching,
  filteredPage,
  frameDetail,
  framePage,
  frameRange,
  type StoredFrame,
  frameRateSteps,
  holdsRange,
  isEmptyFilter,
  iterateFrames,
  roundTripFrames,
  checkPayloads,
  type FrameFilter,
  type MessageOf,
} from './frame-store.js';
import {
  deleteSession as deleteSessionRow,
  getSession,
  listSessions as listSessionRows,
  renameSession as renameSessionRow,
  setSessionTags,
} from './session-store.js';
import { catchUpTextIndex, textIndexBacklog } from './text-index.js';
import {
  RECORD_PAGE_CHARS,
  type ConnectionView,
  type DamagedFrames,
  type FrameRecord,
} from '../../../shared/contract.js';
import { DamageTally } from '../../../shared/frame-damage.js';

/** A search indexes up to this many frames on the spot (well under 100 ms); more goes to the background. */
const SYNC_INDEX_LIMIT = 20_000;

/** The session, or a MissingError that says how to find one. */
export function requireSession(ctx: EngineContext, id: number): ResponseOf<'sessions', 'get'>['session'] {
  const s = getSession(ctx.db, id);
  if (!s) throw new MissingError(`no session ${id} in this database; list them with "frameline sessions"`);
  return s;
}

export function listSessions(
  ctx: EngineContext,
  request: ParsedRequestOf<'sessions', 'list'>,
): ResponseOf<'sessions', 'list'> {
  return listSessionRows(ctx.db, request);
}

/** A session with its connections and events. */
export function sessionDetail(ctx: EngineContext, id: number): ResponseOf<'sessions', 'get'> {
  const session = requireSession(ctx, id);
  return {
    session,
    connections: protocolsOf(ctx, session).connections,
    events: listEvents(ctx.db, id),
  };
}

/** The protocols of a session's connections, and the decoding of its frames (worked out at read time). */
export function protocolsOf(
  ctx: EngineContext,
  session: { id: number; createdAt: string },
): SessionProtocols {
  return sessionProtocols(ctx.db, session, committedFrames(ctx.db, session.id));
}

/** Counting a filtered view scans it once; scrolling asks again, so counts are remembered. */
const countCaches = new WeakMap<object, Map<string, number>>();

/**
 * What a filtered view that scans (opcodes, a time range) knew at its last answer: its count up to
 * a committed frame, and where some of its positions are in the session (how many matches end at
 * which seq). A session only grows, so both stay true: a live, filtered view is counted in what
 * was added since, and its pages are read on from the nearest known position instead of skipping
 * every match before them, so neither scan keeps the receiving thread from the wire.
 */
interface ScanState {
  upto: number;
  count: number;
  /** Positions: `count` matches end at `seq`; sorted by count. */
  anchors: Array<{ count: number; seq: number }>;
}
const scanStates = new WeakMap<object, Map<string, ScanState>>();
const MAX_VIEWS = 32;
const MAX_ANCHORS = 512;

function scanState(ctx: EngineContext, key: string): ScanState {
  let states = scanStates.get(ctx.db);
  if (!states) scanStates.set(ctx.db, (states = new Map()));
  let state = states.get(key);
  if (!state) {
    if (states.size >= MAX_VIEWS) states.delete(states.keys().next().value!);
    states.set(key, (state = { upto: 0, count: 0, anchors: [] }));
  }
  return state;
}

function filteredCount(ctx: EngineContext, id: number, filter: FrameFilter, unindexed: number): number {
  let cache = countCaches.get(ctx.db);
  if (!cache) countCaches.set(ctx.db, (cache = new Map()));
  const key = JSON.stringify([id, committedFrames(ctx.db, id), unindexed, filter]);
  let n = cache.get(key);
  if (n === undefined) {
    n = countMatching(ctx.db, id, filter);
    if (cache.size >= 32) cache.delete(cache.keys().next().value!);
    cache.set(key, n);
  }
  return n;
}

/** The count of a view that scans, made or brought up to date with only the frames added since. */
function scannedCount(ctx: EngineContext, id: number, filter: FrameFilter, state: ScanState): number {
  const committed = committedFrames(ctx.db, id);
  if (committed < state.upto) Object.assign(state, { upto: 0, count: 0, anchors: [] });
  if (committed > state.upto) {
    state.count += countMatching(ctx.db, id, { ...filter, afterSeq: state.upto, uptoSeq: committed });
    state.upto = committed;
  }
  return state.count;
}

/** A page of a view that scans, read on from the nearest position known before it. */
function scannedPage(
  ctx: EngineContext,
  id: number,
  filter: FrameFilter,
  offset: number,
  limit: number,
  state: ScanState,
  messageOf: MessageOf,
) {
  let from: { count: number; seq: number } | undefined;
  for (const a of state.anchors) {
    if (a.count > offset) break;
    from = a;
  }
  const rows = filteredPage(
    ctx.db,
    id,
    from ? { ...filter, afterSeq: from.seq } : filter,
    offset - (from?.count ?? 0),
    limit,
    undefined,
    messageOf,
  );
  const last = rows[rows.length - 1];
  if (last) {
    const anchor = { count: offset + rows.length, seq: last.seq };
    const at = state.anchors.findIndex((a) => a.count >= anchor.count);
    if (at === -1) state.anchors.push(anchor);
    else if (state.anchors[at]!.count !== anchor.count) state.anchors.splice(at, 0, anchor);
    // Every other position is dropped when there are too many: the nearest is then a little further.
    if (state.anchors.length > MAX_ANCHORS) state.anchors = state.anchors.filter((_, i) => i % 2 === 0);
  }
  return rows;
}

/**
 * Makes the full-text index current before a search when that is quick; a large backlog (a
 * database of captures made by the command line) is indexed in the background instead, and the
 * answer says how many frames are not searchable yet. Returns that number.
 */
function indexForSearch(ctx: EngineContext): number {
  const backlog = textIndexBacklog(ctx.db);
  // A database opened read-only is searched as far as it is indexed.
  if (backlog === 0 || ctx.db.readonly) return backlog;
  if (backlog <= SYNC_INDEX_LIMIT) {
    catchUpTextIndex(ctx.db);
    return 0;
  }
  indexTextInBackground(ctx);
  return backlog;
}

/** Starts indexing the text of committed frames behind everything else. */
export function indexTextInBackground(ctx: EngineContext): void {
  if (ctx.db.readonly || textIndexBacklog(ctx.db) === 0) return;
  StoreWriter.for(ctx.dbPath)
    .indexInBackground()
    .catch(() => {
      // the writer reports its own failure to the capture that uses it; searching still works on what is indexed
    });
}

/** Calls back with the number of a session's frames each time the writer commits some; answers the unsubscribe. */
export function onCommitted(ctx: EngineContext, sessionId: number, fn: (frames: number) => void): () => void {
  return StoreWriter.for(ctx.dbPath).onCommitted((id, n) => {
    if (id === sessionId) fn(n);
  });
}

/** One page of a session's frames, filtered, with the size of the whole view (a searched filter: searchedFrames). */
export function frames(
  ctx: EngineContext,
  r: ParsedRequestOf<'sessions', 'frames'>,
): ResponseOf<'sessions', 'frames'> {
  const session = requireSession(ctx, r.id);
  const filter = r.filter ?? {};
  if (isSearched(filter))
    throw new Error('a filter on messages or payload patterns is answered by searchedFrames');
  const { messageOf } = protocolsOf(ctx, session);
  if (isEmptyFilter(filter)) {
    return {
      total: committedFrames(ctx.db, r.id),
      frames: framePage(ctx.db, r.id, r.offset, r.limit, messageOf),
      unindexed: 0,
    };
  }
  if (filter.text?.trim()) {
    // A search is counted from the full-text index first (quick), which says how to page it.
    const unindexed = indexForSearch(ctx);
    const total = filteredCount(ctx, r.id, filter, unindexed);
    return {
      total,
      frames: filteredPage(ctx.db, r.id, filter, r.offset, r.limit, total, messageOf),
      unindexed,
    };
  }
  if (countedFromTotals(filter)) {
    const page = filteredPage(ctx.db, r.id, filter, r.offset, r.limit, undefined, messageOf);
    // A first page that is not full is the whole answer: no need to count again.
    const total = r.offset === 0 && page.length < r.limit ? page.length : filteredCount(ctx, r.id, filter, 0);
    return { total, frames: page, unindexed: 0 };
  }
  // Keyed by the session's creation too: a deleted session's number may be given to a new one.
  const state = scanState(ctx, JSON.stringify([r.id, session.createdAt, filter]));
  const total = scannedCount(ctx, r.id, filter, state);
  return { total, frames: scannedPage(ctx, r.id, filter, r.offset, r.limit, state, messageOf), unindexed: 0 };
}

/**
 * One page of a session's frames whose decoded message matches `filter.message`, or whose payload
 * matches `filter.grep` or `filter.where` (and the rest of the filter). The first such filter reads
 * the session once, with other requests answered in between; a live session's is carried on.
 */
export async function searchedFrames(
  ctx: EngineContext,
  r: ParsedRequestOf<'sessions', 'frames'>,
): Promise<ResponseOf<'sessions', 'frames'>> {
  const session = requireSession(ctx, r.id);
  const filter = r.filter ?? {};
  const unindexed = filter.text?.trim() ? indexForSearch(ctx) : 0;
  const page = await searchedFramesPage(
    ctx.db,
    decodingOf(ctx, session),
    filter,
    r.offset,
    r.limit,
    unindexed,
  );
  return { ...page, unindexed };
}

/** What a session's frames decode with now, up to its committed frames. */
function decodingOf(ctx: EngineContext, session: { id: number; createdAt: string }) {
  const { messageOf, connections } = protocolsOf(ctx, session);
  return { session, connections, messageOf, committed: committedFrames(ctx.db, session.id) };
}

/** One frame with its whole stored payload. */
export function frame(
  ctx: EngineContext,
  r: ParsedRequestOf<'sessions', 'frame'>,
): ResponseOf<'sessions', 'frame'> {
  const f = frameDetail(ctx.db, r.id, r.seq, protocolsOf(ctx, requireSession(ctx, r.id)).messageOf);
  if (!f) throw new MissingError(`session ${r.id} has no frame ${r.seq}`);
  return f;
}

/** Every frame of a session in order, lazily, with whole payloads: for streaming outputs. */
export function streamFrames(ctx: EngineContext, id: number, limit?: number): Iterable<FrameRecord> {
  const { messageOf } = protocolsOf(ctx, requireSession(ctx, id));
  return iterateFrames(ctx.db, id, limit === undefined ? {} : { limit }, messageOf);
}

/**
 * A page of a session's frames with whole payloads, in order (`sessions:records`): at most
 * `limit` frames, ending early once the payloads pass RECORD_PAGE_CHARS, so that a session of any
 * size is read page by page with flat memory.
 */
export async function frameRecords(
  ctx: EngineContext,
  r: ParsedRequestOf<'sessions', 'records'>,
): Promise<ResponseOf<'sessions', 'records'>> {
  const session = requireSession(ctx, r.id);
  const { messageOf } = protocolsOf(ctx, session);
  const frames: FrameRecord[] = [];
  let chars = 0;
  const take = (f: FrameRecord): boolean => {
    frames.push(f);
    chars += f.payload.length;
    return chars < RECORD_PAGE_CHARS;
  };
  if (r.grep?.trim() || r.where?.trim()) {
    // Only the frames whose payload matches: each read by its seq from the session's match list.
    const seqs = await searchedSeqs(ctx.db, decodingOf(ctx, session), { grep: r.grep, where: r.where });
    let at = seqs.findIndex((seq) => seq > r.afterSeq);
    if (at === -1) at = seqs.length;
    while (at < seqs.length && frames.length < r.limit) {
      const [f] = iterateFrames(ctx.db, r.id, { afterSeq: seqs[at]! - 1, limit: 1 }, messageOf);
      at++;
      if (f && !take(f)) break;
    }
    return { frames, next: at < seqs.length && frames.length ? frames[frames.length - 1]!.seq : null };
  }
  for (const f of iterateFrames(ctx.db, r.id, { afterSeq: r.afterSeq, limit: r.limit }, messageOf))
    if (!take(f)) break;
  // Fewer frames than asked, for no other reason: there are no more.
  const full = frames.length === r.limit || chars >= RECORD_PAGE_CHARS;
  return { frames, next: full ? frames[frames.length - 1]!.seq : null };
}

/** Round trips of a session in milliseconds: pings answered by pongs, and requests by responses with the same JSON id. */
export interface RoundTrips {
  pingMs: number[];
  requestMs: number[];
  /** Outgoing messages that carried an id, and how many of them were answered. */
  requests: number;
  answered: number;
  /** Frames read for the round trips whose stored bytes failed their check (left out). */
  damaged: DamagedFrames;
}

/**
 * Pairs a session's pings with their pongs (a pong echoes its ping's payload) and its outgoing
 * messages with the first incoming one carrying the same id, per connection.
 */
export function roundTrips(ctx: EngineContext, id: number, idField = 'id'): RoundTrips {
  requireSession(ctx, id);
  const damage = new DamageTally();
  const out: Omit<RoundTrips, 'damaged'> = { pingMs: [], requestMs: [], requests: 0, answered: 0 };
  const pings = new Map<string, number>();
  const pending = new Map<string, number>();
  // Requests waiting for their answer, per connection: an incoming message is only read while one waits.
  const waiting = new Map<number, number>();
  const awaited = (connection: number) => (waiting.get(connection) ?? 0) > 0;
  for (const f of roundTripFrames(ctx.db, id, idField, damage, awaited)) {
    if (f.opcode === 'text') {
      const key = `${f.connection}\u0000${typeof f.messageId}:${String(f.messageId)}`;
      if (f.direction === 'out') {
        if (!pending.has(key)) {
          pending.set(key, f.ts);
          waiting.set(f.connection, (waiting.get(f.connection) ?? 0) + 1);
          out.requests++;
        }
      } else {
        const sent = pending.get(key);
        if (sent !== undefined) {
          pending.delete(key);
          waiting.set(f.connection, waiting.get(f.connection)! - 1);
          out.answered++;
          out.requestMs.push((f.ts - sent) / 1000);
        }
      }
      continue;
    }
    const key = `${f.connection}\u0000${f.payload?.toString('hex') ?? ''}`;
    if (f.opcode === 'ping' && f.direction === 'out') pings.set(key, f.ts);
    else if (f.opcode === 'pong' && f.direction === 'in') {
      const sent = pings.get(key);
      if (sent !== undefined) {
        pings.delete(key);
        out.pingMs.push((f.ts - sent) / 1000);
      }
    }
  }
  return { ...out, damaged: damage.summary() };
}

/** The frames of a session whose stored bytes fail their check (every payload is read and checked). */
export function storedDamage(ctx: EngineContext, id: number): DamagedFrames {
  requireSession(ctx, id);
  return checkPayloads(ctx.db, id).summary();
}

/** Frames an export reads at a time; other requests are answered between pages. */
export const EXPORT_PAGE_FRAMES = 5000;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Every frame of a session in order, page by page, whole (times in µs, payloads as bytes): for exports of any size with flat memory. */
export async function* framePages(ctx: EngineContext, id: number): AsyncGenerator<StoredFrame[]> {
  requireSession(ctx, id);
  const total = committedFrames(ctx.db, id);
  for (let from = 0; from < total; from += EXPORT_PAGE_FRAMES) {
    yield frameRange(ctx.db, id, from, from + EXPORT_PAGE_FRAMES);
    await nextTurn();
  }
}

/** The last `n` frames a session committed, whole and in order: what was said before it ended. */
export function lastFrames(ctx: EngineContext, id: number, n: number): StoredFrame[] {
  const total = committedFrames(ctx.db, id);
  return frameRange(ctx.db, id, Math.max(0, total - n), total);
}

/**
 * A session's frames connection by connection (each connection once, in order, even without
 * frames), page by page. A capture's connections follow each other, so each one's frames are a run
 * of seqs read straight off the index; connections that overlap (a probe's) are read by filtering.
 */
export async function* framesByConnection(
  ctx: EngineContext,
  id: number,
): AsyncGenerator<{ connection: ConnectionView; frames: StoredFrame[] }> {
  requireSession(ctx, id);
  const total = committedFrames(ctx.db, id);
  let seq = 0;
  for (const connection of protocolsOf(ctx, requireSession(ctx, id)).connections) {
    const run = holdsRange(ctx.db, id, connection.id, seq, connection.frames);
    const from = run ? seq : 0;
    const to = run ? seq + connection.frames : total;
    yield { connection, frames: [] };
    for (let at = from; at < to; at += EXPORT_PAGE_FRAMES) {
      const page = frameRange(
        ctx.db,
        id,
        at,
        Math.min(to, at + EXPORT_PAGE_FRAMES),
        run ? undefined : connection.id,
      );
      if (page.length) yield { connection, frames: page };
      await nextTurn();
    }
    if (run) seq += connection.frames;
  }
}

/** Frames per time bucket in each direction. */
export async function rate(
  ctx: EngineContext,
  r: ParsedRequestOf<'sessions', 'rate'>,
): Promise<ResponseOf<'sessions', 'rate'>> {
  requireSession(ctx, r.id);
  // A million frames take most of a second to count: count them in slices and let the requests
  // that arrive meanwhile (the first page of the frame list) be answered between.
  // The first slice waits too: the requests that came in the same read as this one (opening a
  // session asks for its rate and its first page at once) are answered before any counting.
  const steps = frameRateSteps(ctx.db, r.id, r.buckets ?? 300);
  for (;;) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const step = steps.next();
    if (step.done) return step.value;
  }
}

export function rename(ctx: EngineContext, r: ParsedRequestOf<'sessions', 'rename'>): void {
  if (!renameSessionRow(ctx.db, r.id, r.name)) throw new MissingError(`no session ${r.id}`);
}

export function tag(ctx: EngineContext, r: ParsedRequestOf<'sessions', 'tag'>): void {
  requireSession(ctx, r.id);
  setSessionTags(ctx.db, r.id, r.tags);
}

/**
 * Deletes a finished session; a live one must be stopped first. A session left live by a recorder
 * that is gone (a crash, a capture that failed) is recovered first, then deleted.
 */
export function remove(ctx: EngineContext, id: number): void {
  if (requireSession(ctx, id).status === 'live')
    recoverOrphanedSessions(ctx.db, ctx.dbPath, { sessionId: id });
  // Its segment files go with it, once the rows that point into them are gone (a file that cannot
  // be deleted now is left to compaction).
  const segments = sessionSegments(ctx.db, ctx.dbPath, id);
  deleteSessionRow(ctx.db, id);
  removeSegmentFiles(ctx.db, segments);
}

/**
 * What to put back for a session whose segment files are missing (its frames read as damaged,
 * 'missing'): one sentence per file, or one for the frames folder when all of it is gone; empty
 * when every file is there.
 */
export function missingSegmentFiles(ctx: EngineContext, id: number): string[] {
  return missingSegments(ctx.db, id);
}

/**
 * Compacts the store (`frameline compact`): segment files left by deletions, framing overhead in
 * segments, and the database file's free pages are given back to the file system.
 */
export function compact(ctx: EngineContext): CompactionReport {
  return compactSegments(ctx.db, ctx.dbPath);
}

/**
 * What a session's spool still holds past what is committed (a recording stopped by a full disk or
 * a held lock), or null when nothing waits: frames that are safe but not counted by the database yet.
 */
export function waitingInSpool(ctx: EngineContext, id: number): SpoolBacklog | null {
  return spoolBacklog(ctx.db, ctx.dbPath, id);
}

/**
 * Recovers every live session whose recorder is gone, on request: also those recorded on another
 * machine (a database copied here), which opening the database never recovers by itself.
 */
export function recoverSessions(ctx: EngineContext): RecoveryReport {
  return recoverOrphanedSessions(ctx.db, ctx.dbPath, { otherHosts: true });
}
