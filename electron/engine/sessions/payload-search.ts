// Frames found by what their payloads say (shared/payload-query.ts): a regular expression or a
// JSONPath condition over each text frame's payload, answered over the whole session as the message
// filter is (message-index.ts). Nothing of it is stored: the first such search reads the session's
// text payloads in slices, with other requests answered in between, and keeps one bit a frame of
// what matched; a live session's answer is carried on with the frames committed since.
import type Database from 'better-sqlite3';
import { payloadMatcher, type PayloadQuery } from '../../../shared/payload-query.js';
import { InputError } from '../errors.js';
import { frameHeadRange, readPayload } from './frame-store.js';
import { nextTurn, seqsWhere } from './session-pass.js';

/** Frames read between two turns of the event loop. */
const SEARCH_SLICE_FRAMES = 2000;
/** The part of a payload a search reads: a text frame larger than this is searched in its first MiB. */
export const SEARCH_PAYLOAD_BYTES = 1 << 20;

/** The frames of a session 1..upto that a payload search matched. */
export class PayloadMatches {
  private bits = new Uint8Array(4096);
  upto = 0;
  /** The pass under way (or the last one). */
  work: Promise<void> = Promise.resolve();

  constructor(readonly test: (text: string) => boolean) {}

  set(seq: number): void {
    if (seq > this.bits.length) {
      const grown = new Uint8Array(Math.max(seq, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[seq - 1] = 1;
  }

  /** A test of a frame by seq. */
  matcher(): (seq: number) => boolean {
    return (seq) => seq <= this.upto && this.bits[seq - 1] === 1;
  }

  /** The seqs of the matching frames, in order. */
  matching(): Uint32Array {
    return seqsWhere(this.upto, (i) => this.bits[i] === 1);
  }
}

/** Tests the text frames of a session after `matches.upto` up to `committed`, a slice per turn. */
async function carryOn(
  db: Database.Database,
  sessionId: number,
  matches: PayloadMatches,
  committed: number,
): Promise<void> {
  while (matches.upto < committed) {
    const to = Math.min(committed, matches.upto + SEARCH_SLICE_FRAMES);
    for (const r of frameHeadRange(db, sessionId, matches.upto, to, SEARCH_PAYLOAD_BYTES)) {
      if (r.opcode !== 1) continue;
      const read = readPayload(db, r, SEARCH_PAYLOAD_BYTES);
      // A damaged frame's bytes are withheld everywhere: it matches nothing.
      if (read.bytes !== null && matches.test(read.bytes.toString('utf8'))) matches.set(r.seq);
    }
    matches.upto = to;
    if (matches.upto < committed) await nextTurn();
  }
}

/** The matcher of a payload search, or an InputError that says in one line what does not parse. */
export function payloadTest(query: PayloadQuery): (text: string) => boolean {
  try {
    return payloadMatcher(query);
  } catch (err) {
    throw new InputError((err as Error).message, { cause: err });
  }
}

const searches = new WeakMap<Database.Database, Map<string, PayloadMatches>>();
/** Searches kept: one bit… one byte a frame each (a megabyte for a million frames). */
const MAX_SEARCHES = 4;

/** The frames of a session that match a payload search, read up to its committed frames. */
export async function payloadMatches(
  db: Database.Database,
  session: { id: number; createdAt: string },
  query: PayloadQuery,
  committed: number,
): Promise<PayloadMatches> {
  const test = payloadTest(query);
  let bySession = searches.get(db);
  if (!bySession) searches.set(db, (bySession = new Map()));
  // Keyed by the session's creation too: a deleted session's number may be given to a new one.
  const key = JSON.stringify([
    session.id,
    session.createdAt,
    query.grep?.trim() ?? '',
    query.where?.trim() ?? '',
  ]);
  let matches = bySession.get(key);
  if (matches) bySession.delete(key);
  if (!matches || committed < matches.upto) matches = new PayloadMatches(test);
  bySession.set(key, matches);
  if (bySession.size > MAX_SEARCHES) bySession.delete(bySession.keys().next().value!);
  const m = matches;
  m.work = m.work.catch(() => undefined).then(() => carryOn(db, session.id, m, committed));
  await m.work;
  return m;
}
