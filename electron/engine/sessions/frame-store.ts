// Tables: frame, frame_text, connection
// The frame table: every frame of a session, in sequence. A frame's payload lies in its session's
// segment file (segment_id, payload_offset, payload_length, and payload_crc, its checksum), or
// inline in `payload` for frames recorded before segments existed; `readPayload` (store/segments.ts)
// is the one way to read it, whichever shape, and says when the stored bytes failed their check. A
// damaged frame is marked wherever it is read, its bytes withheld, and the frames around it are
// served as usual.
import type Database from 'better-sqlite3';
import {
  PAYLOAD_REF,
  readPayload,
  segmentReader,
  type PayloadRead,
  type PayloadRef,
} from '../store/segments.js';
import { IntegrityError } from '../errors.js';
import { directionCode, directionOf, opcodeOf, OPCODE_NUMBER } from '../../../shared/frame-codes.js';
import type { FrameRecord, Opcode, ProtocolMessage } from '../../../shared/contract.js';
import type { WireFrame } from '../../../shared/protocols/decode.js';
import { DAMAGE_REASONS, DamageTally, type DamageKind } from '../../../shared/frame-damage.js';
import { formatMicros } from '../../../shared/time.js';

export { PAYLOAD_REF, readPayload, type PayloadRef } from '../store/segments.js';

/** A frame's stored payload bytes, intact; an IntegrityError that says why when they failed their check. */
export function payloadBytes(db: Database.Database, r: PayloadRef, max = Infinity): Buffer {
  const read = readPayload(db, r, max);
  if (read.bytes === null)
    throw new IntegrityError(
      `a frame's stored payload is damaged (${DAMAGE_REASONS[read.damage]}); restore the database's -frames folder from a copy`,
    );
  return read.bytes;
}

/** The fields a damaged frame carries in every answer (none for an intact one). */
function damageMarks(damage: DamageKind | null): { damaged?: true; damage?: string } {
  return damage === null ? {} : { damaged: true, damage: DAMAGE_REASONS[damage] };
}

export interface FrameRow extends PayloadRef {
  id: number;
  connection_id: number;
  seq: number;
  ts: number;
  direction: number;
  opcode: number;
  size: number;
  truncated: number;
}

/**
 * A frame's message in its connection's protocol, from the stored bytes (or their head): the
 * sessions domain knows the connections' protocols (sessions/protocols.ts).
 */
export type MessageOf = (connectionId: number, frame: WireFrame) => ProtocolMessage | null;

const noMessage: MessageOf = () => null;

export function fromRow(db: Database.Database, r: FrameRow, messageOf: MessageOf = noMessage): FrameRecord {
  const opcode = opcodeOf(r.opcode);
  const read = readPayload(db, r);
  const payload = read.bytes ?? Buffer.alloc(0);
  const direction = directionOf(r.direction);
  const truncated = r.truncated === 1;
  return {
    connection: r.connection_id,
    seq: r.seq,
    ts: formatMicros(r.ts),
    direction: directionOf(r.direction),
    opcode,
    size: r.size,
    payload: opcode === 'text' ? payload.toString('utf8') : payload.toString('base64'),
    truncated,
    message:
      read.bytes === null
        ? null
        : messageOf(r.connection_id, { direction, opcode, data: payload, truncated }),
    ...damageMarks(read.damage),
  };
}

/** A frame as an analysis reads it: its row, with at most the head of an inline payload. */
export interface FrameHeadRow extends PayloadRef {
  seq: number;
  connection_id: number;
  ts: number;
  direction: number;
  opcode: number;
  size: number;
}

/**
 * A session's frames in sequence order, one at a time, each with at most the first `headBytes` of
 * an inline payload leaving SQLite (a segment's is read from its file, with `readPayload`).
 */
export function* frameHeads(
  db: Database.Database,
  sessionId: number,
  headBytes: number,
  /** Only the frames with seqs in (afterSeq, toSeq]: one slice of a pass read between other requests. */
  range: { afterSeq: number; toSeq: number } = { afterSeq: 0, toSeq: Number.MAX_SAFE_INTEGER },
): Generator<FrameHeadRow> {
  // Read as arrays and made objects here: better-sqlite3 builds a row object a property at a time,
  // which was most of a million-frame pass (a report's scorecard: 2.3 s of its 4.4).
  const rows = db
    .prepare(
      `SELECT seq, connection_id, ts, direction, opcode, size, substr(payload, 1, ?),
              segment_id, payload_offset, payload_length, payload_crc
       FROM frame WHERE session_id = ? AND seq > ? AND seq <= ? ORDER BY seq`,
    )
    .raw()
    .iterate(headBytes, sessionId, range.afterSeq, range.toSeq) as IterableIterator<
    [
      number,
      number,
      number,
      number,
      number,
      number,
      Buffer | null,
      number | null,
      number | null,
      number | null,
      number | null,
    ]
  >;
  for (const r of rows)
    yield {
      seq: r[0],
      connection_id: r[1],
      ts: r[2],
      direction: r[3],
      opcode: r[4],
      size: r[5],
      payload: r[6],
      segment_id: r[7],
      payload_offset: r[8],
      payload_length: r[9],
      payload_crc: r[10],
    };
}

/** A frame's row with the head of its payload (at most `headBytes` of an inline one), and whether it was cut short. */
export interface FrameHeadRangeRow extends PayloadRef {
  seq: number;
  connection_id: number;
  direction: number;
  opcode: number;
  size: number;
  truncated: number;
}

/**
 * The frames of a session with seqs in (afterSeq, toSeq], in order, as heads: one slice of a pass
 * over a session. Read as arrays (half the time of row objects: a pass reads a million rows).
 */
export function frameHeadRange(
  db: Database.Database,
  sessionId: number,
  afterSeq: number,
  toSeq: number,
  headBytes: number,
): FrameHeadRangeRow[] {
  const rows = db
    .prepare(
      `SELECT seq, connection_id, direction, opcode, size, truncated, substr(payload, 1, ?),
              segment_id, payload_offset, payload_length, payload_crc
       FROM frame WHERE session_id = ? AND seq > ? AND seq <= ? ORDER BY seq`,
    )
    .raw()
    .all(headBytes, sessionId, afterSeq, toSeq) as Array<
    [
      number,
      number,
      number,
      number,
      number,
      number,
      Buffer | null,
      number | null,
      number | null,
      number | null,
      number | null,
    ]
  >;
  return rows.map((r) => ({
    seq: r[0],
    connection_id: r[1],
    direction: r[2],
    opcode: r[3],
    size: r[4],
    truncated: r[5],
    payload: r[6],
    segment_id: r[7],
    payload_offset: r[8],
    payload_length: r[9],
    payload_crc: r[10],
  }));
}

export interface FramePage {
  afterSeq?: number;
  limit?: number;
}

/** Frames of a session in sequence order, lazily: a million-frame session never sits in memory. */
export function* iterateFrames(
  db: Database.Database,
  sessionId: number,
  page: FramePage = {},
  messageOf: MessageOf = noMessage,
): Generator<FrameRecord> {
  const stmt = db.prepare(
    `SELECT id, connection_id, seq, ts, direction, opcode, size, truncated, ${PAYLOAD_REF()} FROM frame
     WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
  );
  for (const row of stmt.iterate(sessionId, page.afterSeq ?? -1, page.limit ?? -1)) {
    yield fromRow(db, row as FrameRow, messageOf);
  }
}

export function countFrames(db: Database.Database, sessionId: number): number {
  return (db.prepare('SELECT count(*) AS n FROM frame WHERE session_id = ?').get(sessionId) as { n: number })
    .n;
}

/** What narrows a session's frames; every field optional, combined with AND. */
export interface FrameFilter {
  text?: string;
  direction?: 'in' | 'out';
  opcodes?: Opcode[];
  fromTs?: number;
  toTs?: number;
  /** Only the frames of this connection (by id). */
  connection?: number;
  /** Only frames after this sequence number (a page read on from a known position). */
  afterSeq?: number;
  /** Only frames up to this sequence number (what was committed when a count was made). */
  uptoSeq?: number;
}

/** A frame list row: the frame with a short preview instead of its payload. */
export interface FrameListRow {
  seq: number;
  connection: number;
  ts: number;
  direction: 'in' | 'out';
  opcode: Opcode;
  size: number;
  truncated: boolean;
  preview: string;
  /** The frame's message, decoded from the head of its payload. */
  message: ProtocolMessage | null;
  /** Set when the stored bytes failed their check (the preview is then empty). */
  damaged?: true;
  damage?: string;
}

const PREVIEW_CHARS = 160;
const PREVIEW_BYTES = 48;

interface PreviewRow extends PayloadRef {
  seq: number;
  connection_id: number;
  ts: number;
  direction: number;
  opcode: number;
  size: number;
  truncated: number;
}

function toListRow(
  db: Database.Database,
  r: PreviewRow,
  messageOf: MessageOf,
  read: PayloadRead = readPayload(db, r, PREVIEW_CHARS * 4),
): FrameListRow {
  const opcode = opcodeOf(r.opcode);
  const head = read.bytes ?? Buffer.alloc(0);
  let preview: string;
  if (read.bytes === null) preview = '';
  else if (opcode === 'text')
    preview = head
      .subarray(0, PREVIEW_CHARS * 4)
      .toString('utf8')
      .slice(0, PREVIEW_CHARS);
  else if (opcode === 'close' && head.length >= 2)
    preview = `${head.readUInt16BE(0)} ${head.toString('utf8', 2)}`;
  else
    preview = head
      .subarray(0, PREVIEW_BYTES)
      .toString('hex')
      .replace(/(..)(?!$)/g, '$1 ');
  return {
    seq: r.seq,
    connection: r.connection_id,
    ts: r.ts,
    direction: directionOf(r.direction),
    opcode,
    size: r.size,
    truncated: r.truncated === 1,
    preview,
    message:
      read.bytes === null
        ? null
        : messageOf(r.connection_id, {
            direction: directionOf(r.direction),
            opcode,
            data: head,
            truncated: r.truncated === 1 || head.length < r.size,
          }),
    ...damageMarks(read.damage),
  };
}

// Inline payloads (older frames) are cut in SQLite; substr() of an empty blob is NULL, which reads as empty.
const ROW_COLUMNS = `seq, connection_id, ts, direction, opcode, size, truncated, substr(payload, 1, ${PREVIEW_CHARS * 4}) AS payload, segment_id, payload_offset, payload_length, payload_crc`;

/** True when a filter lets every frame through. */
export function isEmptyFilter(f: FrameFilter): boolean {
  return (
    !f.text?.trim() &&
    !f.direction &&
    !f.opcodes?.length &&
    f.fromTs === undefined &&
    f.toTs === undefined &&
    f.connection === undefined &&
    f.afterSeq === undefined &&
    f.uptoSeq === undefined
  );
}

/**
 * Turns what an engineer types into an FTS5 query: words are ANDed, "quoted phrases" kept, a
 * trailing * is a prefix; everything else is quoted so that punctuation ({"id":) never breaks it.
 */
export function ftsQuery(input: string): string {
  const parts = input.match(/"[^"]*"|\S+/g) ?? [];
  return parts
    .map((p) => {
      if (p.startsWith('"') && p.endsWith('"') && p.length > 1)
        return `"${p.slice(1, -1).replace(/"/g, '""')}"`;
      const prefix = p.endsWith('*');
      const word = prefix ? p.slice(0, -1) : p;
      return `"${word.replace(/"/g, '""')}"${prefix ? '*' : ''}`;
    })
    .join(' ');
}

/** The WHERE clause of a filtered view; `p` qualifies the columns (`f.`) when frame is joined. */
function filterClause(sessionId: number, filter: FrameFilter, p = ''): { where: string; params: unknown[] } {
  const where = [`${p}session_id = ?`];
  const params: unknown[] = [sessionId];
  if (filter.direction) {
    // A literal, not a parameter: SQLite uses the partial index on outgoing frames only when it
    // can see that the query asks for direction = 1.
    where.push(`${p}direction = ${directionCode(filter.direction)}`);
  }
  if (filter.opcodes?.length) {
    where.push(`${p}opcode IN (${filter.opcodes.map(() => '?').join(', ')})`);
    params.push(...filter.opcodes.map((o) => OPCODE_NUMBER[o]));
  }
  if (filter.fromTs !== undefined) {
    where.push(`${p}ts >= ?`);
    params.push(Math.floor(filter.fromTs));
  }
  if (filter.toTs !== undefined) {
    where.push(`${p}ts <= ?`);
    params.push(Math.floor(filter.toTs));
  }
  if (filter.connection !== undefined) {
    where.push(`${p}connection_id = ?`);
    params.push(filter.connection);
  }
  if (filter.afterSeq !== undefined) {
    where.push(`${p}seq > ?`);
    params.push(filter.afterSeq);
  }
  if (filter.uptoSeq !== undefined) {
    where.push(`${p}seq <= ?`);
    params.push(filter.uptoSeq);
  }
  if (filter.text?.trim()) {
    where.push(`${p}id IN (SELECT rowid FROM frame_text WHERE frame_text MATCH ?)`);
    params.push(ftsQuery(filter.text));
  }
  return { where: where.join(' AND '), params };
}

/** Up to this many matches, a search's page is read through the full-text index and sorted. */
const SPARSE_SEARCH = 10_000;

/** True when a filter (no text) is counted from the connections' running totals, touching no frame. */
export function countedFromTotals(filter: FrameFilter): boolean {
  return (
    !filter.text?.trim() &&
    !filter.opcodes?.length &&
    filter.fromTs === undefined &&
    filter.toTs === undefined &&
    filter.afterSeq === undefined &&
    filter.uptoSeq === undefined
  );
}

/** How many of a session's frames match a filter (counted in SQLite, never materialised). */
export function countMatching(db: Database.Database, sessionId: number, filter: FrameFilter): number {
  if (filter.text?.trim()) {
    // Driven by the full-text index: a rare word is found without touching the other frames.
    const rest = filterClause(sessionId, { ...filter, text: undefined }, 'f.');
    return db
      .prepare(
        `SELECT count(*) FROM frame_text t JOIN frame f ON f.id = t.rowid WHERE frame_text MATCH ? AND ${rest.where}`,
      )
      .pluck()
      .get(ftsQuery(filter.text), ...rest.params) as number;
  }
  if (countedFromTotals(filter)) {
    // Counted from the connections' running totals: no frame is touched.
    const column = filter.direction ? (filter.direction === 'in' ? 'frames_in' : 'frames_out') : 'frames';
    const one = filter.connection !== undefined ? ' AND id = ?' : '';
    return db
      .prepare(`SELECT coalesce(sum(${column}), 0) FROM connection WHERE session_id = ?${one}`)
      .pluck()
      .get(sessionId, ...(filter.connection !== undefined ? [filter.connection] : [])) as number;
  }
  const { where, params } = filterClause(sessionId, filter);
  return db
    .prepare(`SELECT count(*) FROM frame WHERE ${where}`)
    .pluck()
    .get(...params) as number;
}

/** Rows at positions offset..offset+limit of a filtered view, in sequence order. */
export function filteredPage(
  db: Database.Database,
  sessionId: number,
  filter: FrameFilter,
  offset: number,
  limit: number,
  /** The view's size when known: a search with few matches is read from the full-text index. */
  total?: number,
  messageOf: MessageOf = noMessage,
): FrameListRow[] {
  if (filter.text?.trim() && total !== undefined && total <= SPARSE_SEARCH) {
    const rest = filterClause(sessionId, { ...filter, text: undefined }, 'f.');
    const columns = ROW_COLUMNS.replace(
      /\b(seq|connection_id|ts|direction|opcode|size|truncated|payload|segment_id|payload_offset|payload_length|payload_crc)\b/g,
      'f.$1',
    ).replace(/AS f\.payload/, 'AS payload');
    return (
      db
        .prepare(
          `SELECT ${columns} FROM frame_text t JOIN frame f ON f.id = t.rowid
           WHERE frame_text MATCH ? AND ${rest.where} ORDER BY f.seq LIMIT ? OFFSET ?`,
        )
        .all(ftsQuery(filter.text), ...rest.params, limit, offset) as PreviewRow[]
    ).map((r) => toListRow(db, r, messageOf));
  }
  const { where, params } = filterClause(sessionId, filter);
  return (
    db
      .prepare(`SELECT ${ROW_COLUMNS} FROM frame WHERE ${where} ORDER BY seq LIMIT ? OFFSET ?`)
      .all(...params, limit, offset) as PreviewRow[]
  ).map((r) => toListRow(db, r, messageOf));
}

/** The seqs of a session's frames that a filter (its SQL part) lets through, in order. */
export function matchingSeqs(
  db: Database.Database,
  sessionId: number,
  filter: FrameFilter,
): Iterable<number> {
  const { where, params } = filterClause(sessionId, filter);
  return db
    .prepare(`SELECT seq FROM frame WHERE ${where} ORDER BY seq`)
    .pluck()
    .iterate(...params) as Iterable<number>;
}

/** Of the given seqs (in order), those whose frames a filter (its SQL part) lets through, read a few hundred at a time. */
export function keptSeqs(
  db: Database.Database,
  sessionId: number,
  filter: FrameFilter,
  among: ArrayLike<number>,
): number[] {
  const { where, params } = filterClause(sessionId, filter);
  const kept: number[] = [];
  const CHUNK = 500;
  for (let at = 0; at < among.length; at += CHUNK) {
    const seqs = Array.from({ length: Math.min(CHUNK, among.length - at) }, (_, i) => among[at + i]!);
    kept.push(
      ...(db
        .prepare(
          `SELECT seq FROM frame WHERE ${where} AND seq IN (${seqs.map(() => '?').join(', ')}) ORDER BY seq`,
        )
        .pluck()
        .all(...params, ...seqs) as number[]),
    );
  }
  return kept;
}

/** Frame list rows of the frames with these seqs (in the order given). */
export function framesAt(
  db: Database.Database,
  sessionId: number,
  seqs: readonly number[],
  messageOf: MessageOf = noMessage,
): FrameListRow[] {
  if (seqs.length === 0) return [];
  const rows = db
    .prepare(
      `SELECT ${ROW_COLUMNS} FROM frame WHERE session_id = ? AND seq IN (${seqs.map(() => '?').join(', ')})`,
    )
    .all(sessionId, ...seqs) as PreviewRow[];
  const bySeq = new Map(rows.map((r) => [r.seq, r]));
  return seqs.flatMap((seq) => {
    const r = bySeq.get(seq);
    return r ? [toListRow(db, r, messageOf)] : [];
  });
}

/** The number of committed frames of a session (seqs run 1..n). */
export function committedFrames(db: Database.Database, sessionId: number): number {
  return (
    db
      .prepare('SELECT coalesce(sum(frames), 0) AS n FROM connection WHERE session_id = ?')
      .get(sessionId) as { n: number }
  ).n;
}

/** Rows of a session's frames at positions offset..offset+limit, without a filter. */
export function framePage(
  db: Database.Database,
  sessionId: number,
  offset: number,
  limit: number,
  messageOf: MessageOf = noMessage,
): FrameListRow[] {
  return (
    db
      .prepare(`SELECT ${ROW_COLUMNS} FROM frame WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?`)
      .all(sessionId, offset, limit) as PreviewRow[]
  ).map((r) => toListRow(db, r, messageOf));
}

/** One frame with its whole stored payload. */
export function frameDetail(
  db: Database.Database,
  sessionId: number,
  seq: number,
  messageOf: MessageOf = noMessage,
): (FrameListRow & { payload: string; encoding: 'text' | 'base64' }) | undefined {
  const r = db
    .prepare(
      `SELECT seq, connection_id, ts, direction, opcode, size, truncated, ${PAYLOAD_REF()}
       FROM frame WHERE session_id = ? AND seq = ?`,
    )
    .get(sessionId, seq) as PreviewRow | undefined;
  if (!r) return undefined;
  const text = r.opcode === 1;
  const read = readPayload(db, r);
  const payload = read.bytes ?? Buffer.alloc(0);
  return {
    ...toListRow(db, r, messageOf, read),
    payload: text ? payload.toString('utf8') : payload.toString('base64'),
    encoding: text ? 'text' : 'base64',
  };
}

/** Frames per time bucket of a session, incoming and outgoing, for the rate chart. */
export interface FrameRate {
  /** Epoch microseconds of the first bucket. */
  startTs: number;
  bucketUs: number;
  incoming: number[];
  outgoing: number[];
}

/** How many frames one step of frameRateSteps counts: about ten milliseconds of work, more on a busy machine. */
export const RATE_SLICE_FRAMES = 20_000;

/**
 * Frames per time bucket, both directions, for the rate chart. Counting a million frames takes most
 * of a second, so the work is done in slices of `slice` frames (seqs run 1..n, indexed): each step of
 * the generator counts one slice, and a caller serving other requests can let them run in between.
 */
export function* frameRateSteps(
  db: Database.Database,
  sessionId: number,
  buckets: number,
  slice = RATE_SLICE_FRAMES,
): Generator<void, FrameRate, void> {
  const range = db
    .prepare(
      'SELECT min(first_frame_at) AS first, max(last_frame_at) AS last FROM connection WHERE session_id = ?',
    )
    .get(sessionId) as { first: number | null; last: number | null };
  if (range.first === null || range.last === null)
    return { startTs: 0, bucketUs: 1_000_000, incoming: [], outgoing: [] };
  const span = Math.max(1, range.last - range.first + 1);
  const bucketUs = Math.max(1000, Math.ceil(span / buckets));
  const n = Math.ceil(span / bucketUs);
  const incoming = new Array<number>(n).fill(0);
  const outgoing = new Array<number>(n).fill(0);
  const total = committedFrames(db, sessionId);
  const count = db.prepare(
    // JavaScript numbers bind as REAL: cast them, or the division is not integral and every frame is its own bucket.
    `SELECT (ts - CAST(? AS INTEGER)) / CAST(? AS INTEGER) AS b, direction AS d, count(*) AS n FROM frame
     WHERE session_id = ? AND seq > ? AND seq <= ? GROUP BY b, d`,
  );
  for (let from = 0; from < total; from += slice) {
    if (from > 0) yield;
    const rows = count.all(range.first, bucketUs, sessionId, from, from + slice) as Array<{
      b: number;
      d: number;
      n: number;
    }>;
    for (const r of rows) {
      const i = Math.min(n - 1, Math.max(0, Math.floor(r.b)));
      if (r.d === 0) incoming[i]! += r.n;
      else outgoing[i]! += r.n;
    }
  }
  return { startTs: range.first, bucketUs, incoming, outgoing };
}

/** Frames per time bucket, both directions, counted in one go. */
export function frameRate(db: Database.Database, sessionId: number, buckets: number): FrameRate {
  const steps = frameRateSteps(db, sessionId, buckets);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** A frame that can take part in a round trip: a ping or pong, or a text message that carries an id. */
export interface RoundTripFrame {
  connection: number;
  direction: 'in' | 'out';
  opcode: 'ping' | 'pong' | 'text';
  ts: number;
  /** Text messages: the value of the id field. */
  messageId: string | number | null;
  /** Pings and pongs: the payload (a pong echoes its ping's). */
  payload: Buffer | null;
}

/**
 * The id field of a text payload as SQLite's json_extract gives it, or null when it has none. The
 * field's name must occur in the bytes before the JSON is parsed: most messages of a flood carry no
 * id, and parsing each of them cost a report seconds per million frames.
 */
function messageIdOf(payload: Buffer, field: string, quoted: Buffer): string | number | null {
  if (payload[0] !== 0x7b || payload.indexOf(quoted) < 0) return null;
  let value: unknown;
  try {
    value = (JSON.parse(payload.toString('utf8')) as Record<string, unknown>)[field];
  } catch {
    return null;
  }
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === null || value === undefined) return null;
  return JSON.stringify(value);
}

/**
 * The pings, pongs and id-carrying text messages of a session that can take part in a round trip,
 * in order. A request is an outgoing message, so an incoming one is only wanted when
 * `answerAwaited(connection)` says a request waits on its connection: the SQL leaves out the incoming
 * messages before the session's first outgoing one, and the others are read only while a request
 * waits (a million-frame flood with no request reads no payload). For payloads stored inline (older
 * frames) the id is read by SQLite; a segment's payloads are read through readPayload (in order: a
 * read-ahead window serves many frames per read) and their id is taken here. A frame whose bytes
 * are damaged takes no part: it is counted in `damage`.
 */
export function* roundTripFrames(
  db: Database.Database,
  sessionId: number,
  idField = 'id',
  damage: DamageTally = new DamageTally(),
  answerAwaited: (connection: number) => boolean = () => true,
): Generator<RoundTripFrame> {
  const field = idField.replace(/["\\]/g, '');
  const path = `$."${field}"`;
  const quoted = Buffer.from(JSON.stringify(field));
  const firstRequest = db
    .prepare('SELECT min(seq) AS seq FROM frame WHERE session_id = ? AND direction = 1 AND opcode = 1')
    .get(sessionId) as { seq: number | null };
  const stmt = db.prepare(
    `SELECT seq, connection_id, direction, opcode, ts,
            CASE WHEN opcode = 1 AND segment_id IS NULL THEN json_extract(CAST(payload AS TEXT), @path) END AS message_id,
            CASE WHEN segment_id IS NULL THEN payload END AS payload,
            segment_id, payload_offset, payload_length, payload_crc
     FROM frame
     WHERE session_id = @session AND (opcode IN (9, 10) OR (opcode = 1
       AND (direction = 1 OR seq > @firstRequest)
       AND (segment_id IS NOT NULL OR (
       substr(payload, 1, 1) = X'7B' AND json_valid(CAST(payload AS TEXT))
       AND json_extract(CAST(payload AS TEXT), @path) IS NOT NULL))))
     ORDER BY seq`,
  );
  for (const r of stmt.iterate({
    session: sessionId,
    path,
    firstRequest: firstRequest.seq ?? Number.MAX_SAFE_INTEGER,
  }) as Iterable<
    PayloadRef & {
      seq: number;
      connection_id: number;
      direction: number;
      opcode: number;
      ts: number;
      message_id: string | number | null;
    }
  >) {
    let messageId = r.message_id;
    let payload: Buffer | null = null;
    if (r.opcode === 1 && r.direction === 0 && !answerAwaited(r.connection_id)) continue;
    if (r.opcode !== 1 || r.segment_id !== null) {
      const read = readPayload(db, r);
      if (read.bytes === null) {
        damage.add(r.seq, read.damage);
        continue;
      }
      if (r.opcode !== 1) payload = Buffer.from(read.bytes);
      else {
        messageId = messageIdOf(read.bytes, field, quoted);
        if (messageId === null) continue;
      }
    }
    yield {
      connection: r.connection_id,
      direction: directionOf(r.direction),
      opcode: opcodeOf(r.opcode) as RoundTripFrame['opcode'],
      ts: r.ts,
      messageId,
      payload,
    };
  }
}

/**
 * Checks every payload of a session that lies in a segment against its checksum, and counts the
 * damaged ones in `damage`: what a report says of its evidence, without reading each frame for
 * anything else (rows as arrays, the bytes in order through the reader's read-ahead window).
 */
export function checkPayloads(
  db: Database.Database,
  sessionId: number,
  damage: DamageTally = new DamageTally(),
): DamageTally {
  const reader = segmentReader(db);
  const rows = db
    .prepare(
      `SELECT seq, segment_id, payload_offset, payload_length, payload_crc FROM frame
       WHERE session_id = ? AND segment_id IS NOT NULL ORDER BY seq`,
    )
    .raw(true);
  for (const [seq, segment, offset, length, crc] of rows.iterate(sessionId) as Iterable<
    [number, number, number, number, number | null]
  >) {
    const read = reader.read(segment, offset, length, crc, 0);
    if (read.bytes === null) damage.add(seq, read.damage);
  }
  return damage;
}

/** A frame as stored, for exports: times in epoch microseconds, the payload as bytes. */
export interface StoredFrame {
  /** The connection's row id. */
  connection: number;
  seq: number;
  ts: number;
  direction: 'in' | 'out';
  opcode: Opcode;
  size: number;
  truncated: boolean;
  /** The stored bytes; empty when they failed their check (`damage` says why). */
  payload: Buffer;
  damage: DamageKind | null;
}

/**
 * Frames of a session with seqs in (afterSeq, toSeq], in order, whole; only one connection's when
 * `connectionId` is given. A page of an export: the range bounds the scan on the session's index.
 */
export function frameRange(
  db: Database.Database,
  sessionId: number,
  afterSeq: number,
  toSeq: number,
  connectionId?: number,
): StoredFrame[] {
  const columns = `connection_id, seq, ts, direction, opcode, size, truncated, ${PAYLOAD_REF()}`;
  const rows = (
    connectionId === undefined
      ? db
          .prepare(`SELECT ${columns} FROM frame WHERE session_id = ? AND seq > ? AND seq <= ? ORDER BY seq`)
          .all(sessionId, afterSeq, toSeq)
      : db
          .prepare(
            `SELECT ${columns} FROM frame
             WHERE session_id = ? AND seq > ? AND seq <= ? AND connection_id = ? ORDER BY seq`,
          )
          .all(sessionId, afterSeq, toSeq, connectionId)
  ) as Array<Omit<FrameRow, 'id'>>;
  return rows.map((r) => {
    const read = readPayload(db, r);
    return {
      connection: r.connection_id,
      seq: r.seq,
      ts: r.ts,
      direction: directionOf(r.direction),
      opcode: opcodeOf(r.opcode),
      size: r.size,
      truncated: r.truncated === 1,
      payload: read.bytes ?? Buffer.alloc(0),
      damage: read.damage,
    };
  });
}

/** True when a connection's `frames` frames are exactly the seqs after `afterSeq` (a capture's reconnects). */
export function holdsRange(
  db: Database.Database,
  sessionId: number,
  connectionId: number,
  afterSeq: number,
  frames: number,
): boolean {
  if (frames === 0) return true;
  const n = db
    .prepare('SELECT count(*) FROM frame WHERE session_id = ? AND seq > ? AND seq <= ? AND connection_id = ?')
    .pluck()
    .get(sessionId, afterSeq, afterSeq + frames, connectionId) as number;
  return n === frames;
}

/**
 * The first `n` frames of a connection whose frames follow those of the `afterSeq` before it (a
 * capture's connections follow each other): read off the index; connections that overlap (a
 * probe's) are read by filtering.
 */
export function openingFrames(
  db: Database.Database,
  sessionId: number,
  connectionId: number,
  afterSeq: number,
  n: number,
): StoredFrame[] {
  const run = frameRange(db, sessionId, afterSeq, afterSeq + n, connectionId);
  if (
    run.length === n ||
    (run.length > 0 && run[0]!.seq === afterSeq + 1 && run.length === run[run.length - 1]!.seq - afterSeq)
  )
    return run;
  const first = db
    .prepare('SELECT seq FROM frame WHERE session_id = ? AND connection_id = ? ORDER BY seq LIMIT 1')
    .pluck()
    .get(sessionId, connectionId) as number | undefined;
  return first === undefined
    ? []
    : frameRange(db, sessionId, first - 1, first - 1 + 64 * n, connectionId).slice(0, n);
}
