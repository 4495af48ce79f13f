// Migration 0200 on a copy of the schema before it: the connection table is rebuilt so that a relay
// may record a close it made itself (`closed_by` relay, the fault that did it, the upstream leg's
// close), keeping every connection, its ids, its columns, its unique index and the events that name it.
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../../electron/engine/store/database.js';
import { schemaBefore, tempDir } from './helpers.js';

describe('migration 0200 (connections closed by the relay)', () => {
  it('keeps every connection and its events, and takes closed_by relay with the fault and the upstream leg', () => {
    const dir = tempDir('frameline-migrate-0200-');
    try {
      const path = dir.file('before.db');
      const old = schemaBefore(path, 200);
      old.exec(`
        INSERT INTO session (id, name, kind, target, status, created_at) VALUES (1, 'r', 'relay', 'ws://a/', 'complete', 1);
        INSERT INTO connection (id, session_id, ordinal, url, started_at, request_headers, status, response_body_head,
          opened_at, closed_at, close_code, close_reason, closed_by, frames, bytes_in, bytes_out, frames_in, frames_out,
          first_frame_at, last_frame_at)
        VALUES (7, 1, 1, 'ws://a/x', 10, '{"Origin":["o"]}', 101, X'6869', 11, 20, 1000, 'bye', 'client', 3, 5, 6, 1, 2, 12, 13);
        INSERT INTO connection (id, session_id, ordinal, url, started_at, status, error_kind, error_message)
        VALUES (9, 1, 2, 'ws://a/y', 30, 503, 'upgrade-rejected', 'refused');
        INSERT INTO event (session_id, connection_id, ts, kind, detail) VALUES (1, 7, 15, 'relay-close', '{"closedBy":"client"}');
      `);
      expect(() => old.exec("UPDATE connection SET closed_by = 'relay' WHERE id = 9")).toThrow(/CHECK/);
      const before = old.prepare('SELECT * FROM connection ORDER BY id').all() as Array<
        Record<string, unknown>
      >;
      old.close();

      const db = openStore(path);
      try {
        expect(db.prepare('SELECT * FROM connection ORDER BY id').all()).toEqual(
          before.map((r) => ({
            ...r,
            close_fault: null,
            upstream_close_code: null,
            upstream_close_reason: null,
          })),
        );
        db.exec(
          "UPDATE connection SET closed_by = 'relay', close_fault = 'idle-cut=1', upstream_close_code = 1006 WHERE id = 7",
        );
        expect(() => db.exec("UPDATE connection SET closed_by = 'proxy' WHERE id = 7")).toThrow(/CHECK/);
        // The unique index on (session, ordinal) is still there, and used.
        expect(() =>
          db.exec(
            "INSERT INTO connection (session_id, ordinal, url, started_at) VALUES (1, 1, 'ws://a/', 1)",
          ),
        ).toThrow(/UNIQUE/);
        const plan = db
          .prepare('EXPLAIN QUERY PLAN SELECT * FROM connection WHERE session_id = 1 ORDER BY ordinal')
          .all() as Array<{ detail: string }>;
        expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX sqlite_autoindex_connection_1/);
        // Deleting the session still takes its connections and their events.
        db.exec('DELETE FROM session WHERE id = 1');
        expect(db.prepare('SELECT count(*) AS n FROM connection').get()).toEqual({ n: 0 });
        expect(db.prepare('SELECT count(*) AS n FROM event').get()).toEqual({ n: 0 });
      } finally {
        db.close();
      }
    } finally {
      dir.remove();
    }
  });
});
