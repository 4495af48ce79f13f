import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Db } from '../../../../electron/engine/store/database.js';
import { latestConnection, listConnections } from '../../../../electron/engine/sessions/connection-store.js';
import { tempDir, type TempDir } from '../store/helpers.js';

let dir: TempDir;
let db: Db;

beforeEach(() => {
  dir = tempDir('frameline-connections-');
  db = openStore(dir.file('connections.db'));
  db.prepare(
    "INSERT INTO session (name, kind, target, status, created_at) VALUES ('storm', 'capture', 'ws://x', 'live', 0)",
  ).run();
  db.prepare(
    "INSERT INTO session (name, kind, target, status, created_at) VALUES ('other', 'capture', 'ws://y', 'live', 0)",
  ).run();
  const insert = db.prepare(
    'INSERT INTO connection (session_id, ordinal, url, started_at, close_code) VALUES (?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    // A reconnect storm: many connections, inserted out of order.
    for (const ordinal of [3, 1, 500, 2, 499]) insert.run(1, ordinal, `ws://x/${ordinal}`, ordinal, 1006);
    insert.run(2, 1, 'ws://y/1', 1, null);
  })();
});

afterEach(() => {
  db.close();
  dir.remove();
});

describe('latestConnection: the live connection a status push carries', () => {
  it('is the newest attempt of the session, the same as the last one listed', () => {
    const latest = latestConnection(db, 1);
    expect(latest?.ordinal).toBe(500);
    expect(latest?.url).toBe('ws://x/500');
    expect(latest).toEqual(listConnections(db, 1).at(-1));
    expect(latestConnection(db, 2)?.url).toBe('ws://y/1');
    expect(latestConnection(db, 3)).toBeNull();
  });

  it('reads one row through the (session, ordinal) index, however many connections there are', () => {
    // The SQL the store runs, taken as it prepares it (never a copy), then explained.
    const prepared: string[] = [];
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => {
      prepared.push(sql);
      return prepare(sql);
    }) as typeof db.prepare;
    try {
      latestConnection(db, 1);
    } finally {
      db.prepare = prepare;
    }
    expect(prepared).toHaveLength(1);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${prepared[0]}`).all(1) as Array<{ detail: string }>)
      .map((r) => r.detail)
      .join(' ');
    expect(plan).toMatch(/USING INDEX/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });
});
