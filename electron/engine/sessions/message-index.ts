// The decoded messages of a session, one small number per frame, kept in memory: the console's
// filter on message type, event, topic or method (shared/protocols/message-filter.ts) is answered
// over the whole session from it, page by page (searched-frames.ts). Messages are decoded in JavaScript and nothing of
// them is stored, so the index is built by one pass over the frames' heads, in slices with the
// requests that arrive meanwhile answered in between; a live session's index is carried on with
// the frames added since. A filter then scans an array (a million frames in milliseconds).
import type Database from 'better-sqlite3';
import type { ConnectionView } from '../../../shared/contract.js';
import { directionOf, opcodeOf } from '../../../shared/frame-codes.js';
import {
  matchesMessage,
  messageKey,
  parseMessageQuery,
  type MessageKey,
} from '../../../shared/protocols/message-filter.js';
import { frameHeadRange, readPayload, type MessageOf } from './frame-store.js';
import { nextTurn, seqsWhere } from './session-pass.js';

/** Frames decoded between two turns of the event loop: about twenty milliseconds of work, more on a busy machine. */
export const MESSAGE_SLICE_FRAMES = 5000;
/** The head of a payload that is decoded: the same as a frame list row's (frame-store.ts). */
const HEAD_BYTES = 640;

/** The decoded messages of a session's frames 1..upto. */
export class MessageIndex {
  /** Per frame (seq - 1): 0 when it has no message, else 1 + the index of its key in `keys`. */
  private codes = new Uint32Array(4096);
  private readonly keys: MessageKey[] = [];
  private readonly byKey = new Map<string, number>();
  /** The protocol each connection had when its frames were decoded. */
  private readonly protocols = new Map<number, string | null>();
  /** Frames 1..upto are decoded. */
  upto = 0;
  /** The pass under way (or the last one): passes run one after the other. */
  work: Promise<void> = Promise.resolve();

  /** False when a connection's protocol is not the one its decoded frames were read with. */
  holdsFor(connections: readonly ConnectionView[]): boolean {
    return connections.every((c) => !this.protocols.has(c.id) || this.protocols.get(c.id) === c.protocol);
  }

  reset(connections: readonly ConnectionView[]): void {
    this.codes = new Uint32Array(4096);
    this.keys.length = 0;
    this.byKey.clear();
    this.protocols.clear();
    this.upto = 0;
    this.remember(connections);
  }

  remember(connections: readonly ConnectionView[]): void {
    for (const c of connections) this.protocols.set(c.id, c.protocol ?? null);
  }

  set(seq: number, key: MessageKey | null): void {
    if (seq > this.codes.length) {
      const grown = new Uint32Array(Math.max(seq, this.codes.length * 2));
      grown.set(this.codes);
      this.codes = grown;
    }
    if (!key) return;
    const name = `${key.type}\u0000${key.what}`;
    let code = this.byKey.get(name);
    if (code === undefined) {
      this.keys.push(key);
      this.byKey.set(name, (code = this.keys.length));
    }
    this.codes[seq - 1] = code;
  }

  /** Per code, whether its message matches what was typed (each distinct message is tested once). */
  private accepted(query: string): boolean[] {
    const words = parseMessageQuery(query);
    return [false, ...this.keys.map((k) => matchesMessage(words, k))];
  }

  /** A test of a frame by seq: does its message match what was typed? */
  matcher(query: string): (seq: number) => boolean {
    const ok = this.accepted(query);
    return (seq) => seq <= this.upto && ok[this.codes[seq - 1]!] === true;
  }

  /** The seqs of the decoded frames whose message matches, in order. */
  matching(query: string): Uint32Array {
    const ok = this.accepted(query);
    return seqsWhere(this.upto, (i) => ok[this.codes[i]!] === true);
  }
}

/** Decodes a session's frames after `index.upto` up to `committed`, a slice per turn of the event loop. */
async function carryOn(
  db: Database.Database,
  sessionId: number,
  index: MessageIndex,
  connections: readonly ConnectionView[],
  messageOf: MessageOf,
  committed: number,
): Promise<void> {
  if (!index.holdsFor(connections) || committed < index.upto) index.reset(connections);
  else index.remember(connections);
  const speaking = new Set(connections.filter((c) => c.protocol).map((c) => c.id));
  if (speaking.size === 0 && committed > index.upto) {
    // No connection speaks a protocol: no frame has a message, and none is read to find that out.
    index.set(committed, null);
    index.upto = committed;
    return;
  }
  while (index.upto < committed) {
    const to = Math.min(committed, index.upto + MESSAGE_SLICE_FRAMES);
    for (const r of frameHeadRange(db, sessionId, index.upto, to, HEAD_BYTES)) {
      // Only text and binary frames of a connection that speaks a protocol carry a message
      // (decode.ts): the others are not read.
      if ((r.opcode !== 1 && r.opcode !== 2) || !speaking.has(r.connection_id)) continue;
      const read = readPayload(db, r, HEAD_BYTES);
      if (read.bytes === null) continue;
      const message = messageOf(r.connection_id, {
        direction: directionOf(r.direction),
        opcode: opcodeOf(r.opcode),
        data: read.bytes,
        truncated: r.truncated === 1 || read.bytes.length < r.size,
      });
      index.set(r.seq, messageKey(message));
    }
    index.upto = to;
    if (index.upto < committed) await nextTurn();
  }
}

const indexes = new WeakMap<Database.Database, Map<string, MessageIndex>>();
/** Sessions whose index is kept: 4 bytes a frame (4 MB for a million frames) each. */
const MAX_INDEXES = 4;

/** What a session's decoding is now: its connections (with their protocols) and its frames' decoder. */
export interface SessionDecoding {
  session: { id: number; createdAt: string };
  connections: readonly ConnectionView[];
  messageOf: MessageOf;
  committed: number;
}

/** The session's message index, decoded up to its committed frames. */
export async function messageIndex(db: Database.Database, d: SessionDecoding): Promise<MessageIndex> {
  let bySession = indexes.get(db);
  if (!bySession) indexes.set(db, (bySession = new Map()));
  // Keyed by the session's creation too: a deleted session's number may be given to a new one.
  const key = `${d.session.id}:${d.session.createdAt}`;
  let index = bySession.get(key);
  if (index) bySession.delete(key);
  else index = new MessageIndex();
  bySession.set(key, index);
  if (bySession.size > MAX_INDEXES) bySession.delete(bySession.keys().next().value!);
  const idx = index;
  idx.work = idx.work
    .catch(() => undefined)
    .then(() => carryOn(db, d.session.id, idx, d.connections, d.messageOf, d.committed));
  await idx.work;
  return idx;
}
