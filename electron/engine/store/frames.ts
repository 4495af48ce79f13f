// The frame table: every frame of a session, in sequence.
import type Database from 'better-sqlite3';
import { OPCODE_NAME, type FrameView } from '../../../shared/model.js';
import { formatMicros } from '../../../shared/time.js';

export interface FrameRow {
  id: number;
  connection_id: number;
  seq: number;
  ts: number;
  direction: number;
  opcode: number;
  size: number;
  truncated: number;
  payload: Buffer;
}

export function fromRow(r: FrameRow): FrameView {
  const opcode = OPCODE_NAME[r.opcode] ?? 'binary';
  return {
    connection: r.connection_id,
    seq: r.seq,
    ts: formatMicros(r.ts),
    direction: r.direction === 0 ? 'in' : 'out',
    opcode,
    size: r.size,
    payload: opcode === 'text' ? r.payload.toString('utf8') : r.payload.toString('base64'),
    truncated: r.truncated === 1,
  };
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
): Generator<FrameView> {
  const stmt = db.prepare(
    `SELECT id, connection_id, seq, ts, direction, opcode, size, truncated, payload FROM frame
     WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
  );
  for (const row of stmt.iterate(sessionId, page.afterSeq ?? -1, page.limit ?? -1)) {
    yield fromRow(row as FrameRow);
  }
}

export function countFrames(db: Database.Database, sessionId: number): number {
  return (db.prepare('SELECT count(*) AS n FROM frame WHERE session_id = ?').get(sessionId) as { n: number })
    .n;
}
