// Migration 0180 on a copy of the schema before it: the session table is rebuilt to take the kind
// `pcap` (a packet capture imported), keeping every session's columns and its children.
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../../electron/engine/store/database.js';
import { schemaBefore, tempDir } from './helpers.js';

describe('migration 0180 (sessions of kind pcap, beside relay)', () => {
  it('keeps every session, its columns and its connections, and takes the kind pcap', () => {
    const dir = tempDir('frameline-migrate-0180-');
    try {
      const path = dir.file('before.db');
      const old = schemaBefore(path, 180);
      const insert =
        "INSERT INTO session (id, name, kind, target, settings, status, created_at, ended_at, source_session_id, protocol) VALUES (1, 'recorded', 'capture', 'ws://a/', '{\"sends\":1}', 'complete', 1000000, 2000000, NULL, 'json-rpc')";
      old.exec(insert);
      old.exec(
        "INSERT INTO session (id, name, kind, target, status, created_at, source_session_id) VALUES (2, 'mocked', 'mock', 'ws://a/', 'failed', 3000000, 1)",
      );
      old.exec(
        "INSERT INTO connection (session_id, ordinal, url, started_at) VALUES (1, 1, 'ws://a/', 1000000)",
      );
      expect(() =>
        old.exec(
          "INSERT INTO session (name, kind, target, status, created_at) VALUES ('x', 'pcap', 'ws://a/', 'complete', 1)",
        ),
      ).toThrow(/CHECK constraint failed/);
      const before = old.prepare('SELECT * FROM session ORDER BY id').all();
      old.close();

      const db = openStore(path);
      try {
        expect(db.prepare('SELECT * FROM session ORDER BY id').all()).toEqual(before);
        expect(db.prepare('SELECT session_id, url FROM connection').all()).toEqual([
          { session_id: 1, url: 'ws://a/' },
        ]);
        db.exec(
          "INSERT INTO session (name, kind, target, status, created_at) VALUES ('capture.pcap', 'pcap', 'ws://a/', 'complete', 1)",
        );
        // The relay runs 0170 allowed stay allowed.
        db.exec(
          "INSERT INTO session (name, kind, target, status, created_at) VALUES ('relay', 'relay', 'ws://a/', 'complete', 1)",
        );
        expect(() =>
          db.exec(
            "INSERT INTO session (name, kind, target, status, created_at) VALUES ('x', 'other', 'ws://a/', 'complete', 1)",
          ),
        ).toThrow(/CHECK constraint failed/);
        // Deleting a session still takes its connections, and lets go of the sessions made from it.
        db.exec('DELETE FROM session WHERE id = 1');
        expect(db.prepare('SELECT count(*) AS n FROM connection').get()).toEqual({ n: 0 });
        expect(db.prepare('SELECT source_session_id FROM session WHERE id = 2').get()).toEqual({
          source_session_id: null,
        });
      } finally {
        db.close();
      }
    } finally {
      dir.remove();
    }
  });
});
