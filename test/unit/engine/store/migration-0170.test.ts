// Migration 0170 on a copy of the schema before it: the session table is rebuilt to accept relay
// runs, and every session, its columns and its children come through unchanged.
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../../electron/engine/store/database.js';
import { schemaBefore, tempDir } from './helpers.js';

describe('migration 0170 (relay sessions)', () => {
  it('keeps every session and its connections, and accepts kind relay afterwards', () => {
    const dir = tempDir('frameline-migrate-0170-');
    try {
      const path = dir.file('before.db');
      const old = schemaBefore(path, 170);
      old
        .prepare(
          "INSERT INTO session (id, name, kind, target, settings, status, created_at, ended_at, protocol) VALUES (1, 'a capture', 'capture', 'ws://127.0.0.1:1/', '{\"sends\":2}', 'complete', 1000, 2000, 'none')",
        )
        .run();
      old
        .prepare(
          "INSERT INTO session (id, name, kind, target, status, created_at, source_session_id) VALUES (2, 'its mock', 'mock', 'ws://127.0.0.1:2/', 'complete', 3000, 1)",
        )
        .run();
      old
        .prepare(
          "INSERT INTO connection (session_id, ordinal, url, started_at) VALUES (1, 1, 'ws://127.0.0.1:1/', 1500)",
        )
        .run();
      expect(() =>
        old
          .prepare(
            "INSERT INTO session (name, kind, target, status, created_at) VALUES ('r', 'relay', 'ws://x/', 'live', 1)",
          )
          .run(),
      ).toThrow(/CHECK/);
      old.close();

      const db = openStore(path);
      try {
        expect(
          db
            .prepare(
              'SELECT id, name, kind, settings, status, ended_at, source_session_id, protocol FROM session ORDER BY id',
            )
            .all(),
        ).toEqual([
          {
            id: 1,
            name: 'a capture',
            kind: 'capture',
            settings: '{"sends":2}',
            status: 'complete',
            ended_at: 2000,
            source_session_id: null,
            protocol: 'none',
          },
          {
            id: 2,
            name: 'its mock',
            kind: 'mock',
            settings: '{}',
            status: 'complete',
            ended_at: null,
            source_session_id: 1,
            protocol: null,
          },
        ]);
        expect(db.prepare('SELECT session_id, url FROM connection').all()).toEqual([
          { session_id: 1, url: 'ws://127.0.0.1:1/' },
        ]);
        db.prepare(
          "INSERT INTO session (name, kind, target, status, created_at) VALUES ('r', 'relay', 'ws://x/', 'complete', 1)",
        ).run();
        expect(db.pragma('foreign_key_check')).toEqual([]);
      } finally {
        db.close();
      }
    } finally {
      dir.remove();
    }
  });
});
