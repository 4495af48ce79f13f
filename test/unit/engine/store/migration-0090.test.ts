// Migration 0090 on a copy of the schema before it: a walk's capture filed under its incident (then
// a column of the session row) becomes the incident's linked session, and nothing else changes.
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../../electron/engine/store/database.js';
import { Incidents } from '../../../../electron/engine/incidents/incidents.js';
import { schemaBefore, tempDir } from './helpers.js';

describe('migration 0090 (incident post-mortems)', () => {
  it('moves sessions filed under an incident into its linked sessions and keeps the incident', () => {
    const dir = tempDir('frameline-migrate-0090-');
    try {
      const path = dir.file('before.db');
      const old = schemaBefore(path, 90);
      old
        .prepare(
          "INSERT INTO incident (id, title, severity, status, detected_at, summary) VALUES (4, 'Drops', 'P1', 'open', 1000000, 'kept')",
        )
        .run();
      const insert = old.prepare(
        "INSERT INTO session (id, name, kind, target, status, created_at, incident_id) VALUES (?, ?, 'capture', 'ws://x/', 'complete', ?, ?)",
      );
      insert.run(7, 'walk capture', 2_000_000, 4);
      insert.run(8, 'unrelated', 3_000_000, null);
      insert.run(9, 'orphan link', 4_000_000, 99);
      old.close();

      const db = openStore(path);
      try {
        const incidents = new Incidents({ db });
        const detail = incidents.detail(4);
        expect(detail.incident).toMatchObject({
          title: 'Drops',
          summary: 'kept',
          trigger: '',
          responders: [],
          acknowledgedAt: null,
        });
        expect(detail.sessions.map((s) => [s.id, s.via, s.linkedAt])).toEqual([
          [7, 'walk', '1970-01-01T00:00:02.000000Z'],
        ]);
        const columns = (db.pragma('table_info(session)') as Array<{ name: string }>).map((c) => c.name);
        expect(columns).not.toContain('incident_id');
      } finally {
        db.close();
      }
    } finally {
      dir.remove();
    }
  });
});
