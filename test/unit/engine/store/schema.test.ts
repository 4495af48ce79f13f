import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Db } from '../../../../electron/engine/store/database.js';
import { schemaText, tempDir, type TempDir } from './helpers.js';

const SNAPSHOT = fileURLToPath(new URL('./schema.snapshot.sql', import.meta.url));

let dir: TempDir;
let db: Db | undefined;

beforeEach(() => {
  dir = tempDir('frameline-schema-');
});

afterEach(() => {
  db?.close();
  db = undefined;
  dir.remove();
});

describe('schema', () => {
  it('of a freshly migrated database matches test/unit/engine/store/schema.snapshot.sql', () => {
    db = openStore(dir.file('fresh.db'));
    const expected = readFileSync(SNAPSHOT, 'utf8');
    // A deliberate schema change needs a new migration and a regenerated snapshot (schemaText of a fresh store).
    expect(schemaText(db)).toBe(expected);
  });

  it('snapshot covers the tables, indexes and the full-text table', () => {
    const text = readFileSync(SNAPSHOT, 'utf8');
    for (const name of ['session', 'connection', 'frame', 'event', 'store_state']) {
      expect(text).toContain(`CREATE TABLE ${name} (`);
    }
    expect(text).toContain('CREATE INDEX frame_by_session ON frame (session_id, seq)');
    expect(text).toContain('CREATE INDEX event_by_session ON event (session_id, ts)');
    expect(text).toContain('CREATE VIRTUAL TABLE frame_text USING fts5');
    expect(text).not.toContain('frame_text_data');
  });
});
