// Migration 0220 on a copy of the schema before it: a walk's connection profile is a new column,
// null (the URL only) for every walk that was there, and takes a profile afterwards.
import { readdirSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../../electron/engine/store/database.js';
import { tempDir } from './helpers.js';

const MIGRATIONS = new URL('../../../../electron/engine/store/migrations/', import.meta.url);

describe('migration 0220 (a walk’s connection profile)', () => {
  it('keeps every walk, with no profile, and stores one afterwards', () => {
    const dir = tempDir('frameline-migrate-0220-');
    try {
      const path = dir.file('before.db');
      const old = new Database(path);
      for (const f of readdirSync(MIGRATIONS)
        .filter((f) => /^\d{4}-.+\.sql$/.test(f))
        .sort()) {
        if (Number(f.slice(0, 4)) >= 220) continue;
        old.exec(readFileSync(new URL(f, MIGRATIONS), 'utf8'));
        old.pragma(`user_version = ${Number(f.slice(0, 4))}`);
      }
      old.exec(`
        INSERT INTO incident (id, title, severity, status, detected_at) VALUES (1, 'i', 'P2', 'open', 1);
        INSERT INTO walk (id, incident_id, runbook_id, runbook, target, status, started_at) VALUES (1, 1, 'r', '{}', 'ws://x/', 'active', 1);
      `);
      expect(() => old.prepare('UPDATE walk SET profile = ? WHERE id = 1').run('{}')).toThrow(/profile/);
      old.close();

      const db = openStore(path);
      try {
        expect(db.prepare('SELECT id, target, status, profile FROM walk').all()).toEqual([
          { id: 1, target: 'ws://x/', status: 'active', profile: null },
        ]);
        db.prepare('UPDATE walk SET profile = ? WHERE id = 1').run('{"headers":[["Authorization","***"]]}');
        expect(db.prepare('SELECT profile FROM walk WHERE id = 1').pluck().get()).toMatch(/\*\*\*/);
      } finally {
        db.close();
      }
    } finally {
      dir.remove();
    }
  });
});
