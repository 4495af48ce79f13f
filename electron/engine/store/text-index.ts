// Tables: store_state, frame, frame_text
// Full-text index over text payloads, filled behind the capture in small batches (by the writer
// thread when it has nothing else to do), so that indexing never slows the writer that keeps up with
// the wire; a search catches it up first. `store_state` keeps how far it has got (the frame id
// indexed up to).
import type Database from 'better-sqlite3';
import { PAYLOAD_REF, readPayload, type PayloadRef } from './segments.js';

/**
 * Indexes up to `maxRows` not-yet-indexed frames, stopping early once `maxBytes` of text were
 * indexed (a batch of 256 KiB messages would otherwise hold the writer thread for seconds, and a
 * capture's last commit behind it); returns how many frames it looked at.
 */
export function indexPendingText(db: Database.Database, maxRows = 5000, maxBytes = Infinity): number {
  const upto = (
    db.prepare("SELECT value FROM store_state WHERE key = 'fts_indexed_upto'").get() as { value: number }
  ).value;
  const last = db.transaction(() => {
    // Payload bytes are read for text frames only (the others' columns come back NULL).
    const rows = db
      .prepare(
        `SELECT id, opcode, ${PAYLOAD_REF()
          .split(', ')
          .map((c) => `CASE opcode WHEN 1 THEN ${c} END AS ${c}`)
          .join(', ')} FROM frame WHERE id > ? ORDER BY id LIMIT ?`,
      )
      .all(upto, maxRows) as Array<PayloadRef & { id: number; opcode: number }>;
    if (rows.length === 0) return { n: 0, upto };
    const insert = db.prepare('INSERT INTO frame_text (rowid, body) VALUES (?, ?)');
    let bytes = 0;
    let n = 0;
    for (const r of rows) {
      n++;
      if (r.opcode !== 1) continue;
      // A damaged payload is not indexed: a search must not find words that were never recorded.
      const text = readPayload(db, r).bytes;
      if (text === null) continue;
      insert.run(r.id, text.toString('utf8'));
      bytes += text.length;
      if (bytes >= maxBytes) break;
    }
    const end = rows[n - 1]!.id;
    db.prepare("UPDATE store_state SET value = ? WHERE key = 'fts_indexed_upto'").run(end);
    return { n, upto: end };
  })();
  return last.n;
}

/** Frames committed but not yet looked at by the indexer. */
export function textIndexBacklog(db: Database.Database): number {
  const upto = db
    .prepare("SELECT value FROM store_state WHERE key = 'fts_indexed_upto'")
    .pluck()
    .get() as number;
  return db.prepare('SELECT count(*) FROM frame WHERE id > ?').pluck().get(upto) as number;
}

/** Indexes every text frame not yet in the index. */
export function catchUpTextIndex(db: Database.Database): void {
  while (indexPendingText(db, 20_000) > 0);
}

/** Takes a session's frames out of the index (before the session is deleted). */
export function forgetSessionText(db: Database.Database, sessionId: number): void {
  db.prepare('DELETE FROM frame_text WHERE rowid IN (SELECT id FROM frame WHERE session_id = ?)').run(
    sessionId,
  );
}

/**
 * After frames were deleted: frame ids of the deleted tail can be handed out again, so the index
 * goes back to the last frame left, to take them anew.
 */
export function rewindTextIndex(db: Database.Database): void {
  db.prepare(
    "UPDATE store_state SET value = min(value, (SELECT coalesce(max(id), 0) FROM frame)) WHERE key = 'fts_indexed_upto'",
  ).run();
}
