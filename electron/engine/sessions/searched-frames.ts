// Filtered views that SQLite cannot answer alone: frames whose decoded message matches the message
// filter (message-index.ts), or whose payload matches a regular expression or a JSONPath condition
// (payload-search.ts). Each is worked out in JavaScript over the whole session, as a list of
// matching seqs; the filter's other conditions are read by SQLite on those seqs, and the list is
// kept so that scrolling the view reads only its page.
import type Database from 'better-sqlite3';
import {
  framesAt,
  isEmptyFilter,
  keptSeqs,
  matchingSeqs,
  type FrameFilter,
  type FrameListRow,
} from './frame-store.js';
import { messageIndex, type SessionDecoding } from './message-index.js';
import { payloadMatches } from './payload-search.js';

/** What is searched beside the SQL part of a filter; at least one is set. */
export interface SearchedFilter extends FrameFilter {
  message?: string | undefined;
  grep?: string | undefined;
  where?: string | undefined;
}

/** True when a filter asks for something SQLite cannot answer alone. */
export function isSearched(filter: SearchedFilter): boolean {
  return Boolean(filter.message?.trim() || filter.grep?.trim() || filter.where?.trim());
}

/** One part of a searched filter: which frames it lets through, as a list or one seq at a time. */
interface SeqTest {
  upto: number;
  matching(): Uint32Array;
  matcher(): (seq: number) => boolean;
}

/** Up to this many candidates, the rest of a filter is checked on them by seq (else in one pass). */
const FEW_MATCHES = 20_000;

/** Match lists of recent filtered views, so that scrolling one reads only its page. */
const matchLists = new WeakMap<Database.Database, Map<string, Uint32Array>>();

/**
 * One page of a session's frames that a searched filter lets through (its message, payload
 * pattern or JSONPath condition, and its other conditions), with the size of the whole view.
 */
export async function searchedFramesPage(
  db: Database.Database,
  d: SessionDecoding,
  filter: SearchedFilter,
  offset: number,
  limit: number,
  /** Part of the view's identity: a text search finds more once the full-text index catches up. */
  unindexed: number,
): Promise<{ total: number; frames: FrameListRow[] }> {
  const seqs = await searchedSeqs(db, d, filter, unindexed);
  return {
    total: seqs.length,
    frames: framesAt(db, d.session.id, Array.from(seqs.subarray(offset, offset + limit)), d.messageOf),
  };
}

/** The seqs of the frames a searched filter lets through, in order. */
export async function searchedSeqs(
  db: Database.Database,
  d: SessionDecoding,
  filter: SearchedFilter,
  unindexed = 0,
): Promise<Uint32Array> {
  const { message, grep, where, ...rest } = filter;
  const tests: SeqTest[] = [];
  if (message?.trim()) {
    const index = await messageIndex(db, d);
    const words = message.trim();
    tests.push({
      upto: index.upto,
      matching: () => index.matching(words),
      matcher: () => index.matcher(words),
    });
  }
  if (grep?.trim() || where?.trim()) {
    const found = await payloadMatches(db, d.session, { grep, where }, d.committed);
    tests.push({ upto: found.upto, matching: () => found.matching(), matcher: () => found.matcher() });
  }
  const [first, ...others] = tests;
  if (!first) throw new Error('a searched filter needs a message, a pattern or a JSONPath condition');
  const upto = Math.min(...tests.map((t) => t.upto));
  let lists = matchLists.get(db);
  if (!lists) matchLists.set(db, (lists = new Map()));
  const key = JSON.stringify([d.session.id, d.session.createdAt, upto, unindexed, filter]);
  let seqs = lists.get(key);
  if (seqs) return seqs;
  const othersMatch = others.map((t) => t.matcher());
  const all = (seq: number) => othersMatch.every((m) => m(seq));
  let candidates = first.matching();
  if (othersMatch.length) candidates = candidates.filter(all);
  if (isEmptyFilter(rest)) seqs = candidates;
  // Few candidates: SQLite checks the rest of the filter on those frames only.
  else if (candidates.length <= FEW_MATCHES)
    seqs = Uint32Array.from(keptSeqs(db, d.session.id, rest, candidates));
  else {
    // Many: the frames the rest of the filter lets through are read in one pass and tested here.
    const firstMatch = first.matcher();
    const kept: number[] = [];
    for (const seq of matchingSeqs(db, d.session.id, { ...rest, uptoSeq: upto }))
      if (firstMatch(seq) && all(seq)) kept.push(seq);
    seqs = Uint32Array.from(kept);
  }
  if (lists.size >= 8) lists.delete(lists.keys().next().value!);
  lists.set(key, seqs);
  return seqs;
}
