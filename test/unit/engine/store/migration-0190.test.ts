// Migration 0190 on a copy of the schema before it: the walk_run table is rebuilt to accept relay
// runs, and every run, its columns, its index and the findings that name it come through unchanged.
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../../electron/engine/store/database.js';
import { schemaBefore, tempDir } from './helpers.js';

const RUN = `INSERT INTO walk_run (id, walk_id, node_id, step_index, kind, request, status, started_at, ended_at,
  output, summary, result, session_id) VALUES (?, 1, 'ALERT', 1, ?, '{}', 'ok', 10, 20, 'out', 'done', '{"a":1}', 1)`;

describe('migration 0190 (relay runs of a walk)', () => {
  it('keeps every run and the findings that name it, and accepts kind relay afterwards', () => {
    const dir = tempDir('frameline-migrate-0190-');
    try {
      const path = dir.file('before.db');
      const old = schemaBefore(path, 190);
      old.exec(`
        INSERT INTO session (id, name, kind, target, status, created_at) VALUES (1, 's', 'capture', 'ws://x/', 'complete', 1);
        INSERT INTO incident (id, title, severity, status, detected_at) VALUES (1, 'i', 'P2', 'open', 1);
        INSERT INTO runbook (id, title, version, source, file_name, imported_at) VALUES ('r', 'R', '1', '', 'r.md', 1);
        INSERT INTO walk (id, incident_id, runbook_id, runbook, status, started_at) VALUES (1, 1, 'r', '{}', 'active', 1);
      `);
      old.prepare(RUN).run(1, 'capture');
      old.prepare(RUN).run(2, 'diagnose');
      old
        .prepare(
          "INSERT INTO finding (session_id, walk_id, run_id, source, finding, severity, summary, created_at) VALUES (1, 1, 2, 'diagnose', 'idle-timeout', 'warning', 'cut', 30)",
        )
        .run();
      expect(() => old.prepare(RUN).run(3, 'relay')).toThrow(/CHECK/);
      old.close();

      const db = openStore(path);
      try {
        expect(
          db
            .prepare('SELECT id, kind, status, output, summary, result, session_id FROM walk_run ORDER BY id')
            .all(),
        ).toEqual([
          {
            id: 1,
            kind: 'capture',
            status: 'ok',
            output: 'out',
            summary: 'done',
            result: '{"a":1}',
            session_id: 1,
          },
          {
            id: 2,
            kind: 'diagnose',
            status: 'ok',
            output: 'out',
            summary: 'done',
            result: '{"a":1}',
            session_id: 1,
          },
        ]);
        db.prepare(RUN).run(3, 'relay');
        expect(
          db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'walk_run'").all(),
        ).toEqual([{ name: 'walk_run_by_walk' }]);
        expect(db.pragma('foreign_key_check')).toEqual([]);
        // A run's findings still follow it.
        expect(db.prepare('SELECT run_id FROM finding').all()).toEqual([{ run_id: 2 }]);
        db.prepare('DELETE FROM walk_run WHERE id = 2').run();
        expect(db.prepare('SELECT run_id FROM finding').all()).toEqual([{ run_id: null }]);
      } finally {
        db.close();
      }
    } finally {
      dir.remove();
    }
  });
});
