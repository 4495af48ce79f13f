// Tables: frame_text, frame
// Full-text search over text payloads. The index is filled behind the capture by the store layer
// (store/text-index.ts, whose functions are re-exported here); a search catches it up first.
import type Database from 'better-sqlite3';
import { catchUpTextIndex } from '../store/text-index.js';

export { catchUpTextIndex, indexPendingText, textIndexBacklog } from '../store/text-index.js';

/** Frame ids of a session whose text matches an FTS5 query, in sequence order. */
export function searchText(db: Database.Database, sessionId: number, query: string, limit = 1000): number[] {
  catchUpTextIndex(db);
  return (
    db
      .prepare(
        `SELECT f.seq FROM frame_text t JOIN frame f ON f.id = t.rowid
         WHERE frame_text MATCH ? AND f.session_id = ? ORDER BY f.seq LIMIT ?`,
      )
      .all(query, sessionId, limit) as Array<{ seq: number }>
  ).map((r) => r.seq);
}
