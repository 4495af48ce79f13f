// A store holding one live capture session with one connection, for tests that commit frames to it
// as the writer does and read them back through the sessions domain.
import { openStore, type Db } from '../../../../electron/engine/store/database.js';
import type { EngineContext } from '../../../../electron/engine/context.js';
import { tempDir } from '../store/helpers.js';

/** A fresh store with session 1 (live) and its connection 1; `remove` closes and deletes it. */
export function liveSession(prefix: string): { db: Db; ctx: EngineContext; remove: () => void } {
  const dir = tempDir(prefix);
  const file = dir.file('session.db');
  const db = openStore(file);
  db.prepare(
    "INSERT INTO session (name, kind, target, status, created_at) VALUES ('live', 'capture', 'ws://x', 'live', 0)",
  ).run();
  db.prepare(
    "INSERT INTO connection (session_id, ordinal, url, started_at) VALUES (1, 1, 'ws://x', 0)",
  ).run();
  return {
    db,
    ctx: { db, dbPath: file, push: () => {} },
    remove: () => {
      db.close();
      dir.remove();
    },
  };
}
