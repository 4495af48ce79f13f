import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FRAMELINE_APPLICATION_ID,
  latestSchemaVersion,
  openStore,
  StoreError,
  type Db,
} from '../../../../electron/engine/store/database.js';
import { listSessions, setSessionTags } from '../../../../electron/engine/sessions/session-store.js';
import { tempDir, type TempDir } from './helpers.js';

let dir: TempDir;
const open: Db[] = [];

beforeEach(() => {
  dir = tempDir('frameline-db-');
});

afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  dir.remove();
});

function store(path: string, options?: Parameters<typeof openStore>[1]): Db {
  const db = openStore(path, options);
  open.push(db);
  return db;
}

function storeError(fn: () => unknown): StoreError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StoreError);
    return err as StoreError;
  }
  throw new Error('expected a StoreError');
}

const tables = (db: Db): string[] =>
  (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{
      name: string;
    }>
  ).map((r) => r.name);

describe('openStore', () => {
  it('knows a schema version', () => {
    expect(latestSchemaVersion()).toBeGreaterThanOrEqual(10);
  });

  it('creates the schema in a new file and sets user_version to the latest', () => {
    const path = dir.file('new.db');
    const db = store(path);
    expect(existsSync(path)).toBe(true);
    expect(db.pragma('user_version', { simple: true })).toBe(latestSchemaVersion());
    expect(tables(db)).toEqual(
      expect.arrayContaining(['session', 'connection', 'frame', 'event', 'frame_text', 'store_state']),
    );
    expect(db.prepare("SELECT value FROM store_state WHERE key = 'fts_indexed_upto'").get()).toEqual({
      value: 0,
    });
  });

  it('creates missing parent folders', () => {
    const path = dir.file('a/b/c/new.db');
    store(path);
    expect(existsSync(path)).toBe(true);
  });

  it('uses WAL journal mode and enforces foreign keys', () => {
    const db = store(dir.file('wal.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(() =>
      db
        .prepare("INSERT INTO connection (session_id, ordinal, url, started_at) VALUES (999, 1, 'ws://x', 0)")
        .run(),
    ).toThrow(/FOREIGN KEY/);
  });

  it('reopens an existing store without migrating it again or losing data', () => {
    const path = dir.file('reopen.db');
    const a = store(path);
    a.prepare(
      "INSERT INTO session (name, kind, target, status, created_at) VALUES ('s', 'capture', 'ws://x', 'complete', 1)",
    ).run();
    a.close();
    const b = store(path);
    expect(b.pragma('user_version', { simple: true })).toBe(latestSchemaVersion());
    expect(b.prepare('SELECT name, status FROM session').all()).toEqual([{ name: 's', status: 'complete' }]);
    expect(b.prepare('SELECT count(*) AS n FROM store_state').get()).toEqual({ n: 1 });
  });

  it('accepts an empty file as a new database', () => {
    const path = dir.file('empty.db');
    writeFileSync(path, '');
    const db = store(path);
    expect(db.pragma('user_version', { simple: true })).toBe(latestSchemaVersion());
  });

  it('refuses a file that is not SQLite and leaves it byte-identical, with no -wal or -shm', () => {
    const path = dir.file('notes.txt');
    const content = Buffer.from('These are my incident notes, not a database.\n'.repeat(200));
    writeFileSync(path, content);
    const err = storeError(() => openStore(path));
    expect(err.code).toBe('not-sqlite');
    expect(err.message).toContain(path);
    expect(readFileSync(path).equals(content)).toBe(true);
    expect(existsSync(`${path}-wal`)).toBe(false);
    expect(existsSync(`${path}-shm`)).toBe(false);
    expect(existsSync(`${path}-journal`)).toBe(false);
  });

  it('refuses a file shorter than the SQLite header', () => {
    const path = dir.file('short.db');
    writeFileSync(path, 'SQLite');
    expect(storeError(() => openStore(path)).code).toBe('not-sqlite');
    expect(readFileSync(path, 'utf8')).toBe('SQLite');
  });

  it('refuses a database written by a newer schema', () => {
    const path = dir.file('newer.db');
    const raw = new Database(path);
    raw.exec('CREATE TABLE future (x INTEGER)');
    raw.pragma(`application_id = ${FRAMELINE_APPLICATION_ID}`);
    raw.pragma(`user_version = ${latestSchemaVersion() + 1}`);
    raw.close();
    const err = storeError(() => openStore(path));
    expect(err.code).toBe('newer-schema');
    const check = new Database(path, { readonly: true });
    try {
      expect(check.pragma('user_version', { simple: true })).toBe(latestSchemaVersion() + 1);
      expect(tables(check)).toEqual(['future']);
    } finally {
      check.close();
    }
  });

  it('with create: false, refuses a missing path and does not create it', () => {
    const path = dir.file('missing/none.db');
    const err = storeError(() => openStore(path, { create: false }));
    expect(err.code).toBe('missing');
    expect(existsSync(path)).toBe(false);
    expect(existsSync(dir.file('missing'))).toBe(false);
  });

  it('with create: false, opens an existing store', () => {
    const path = dir.file('exists.db');
    store(path).close();
    expect(store(path, { create: false }).pragma('user_version', { simple: true })).toBe(
      latestSchemaVersion(),
    );
  });

  it('refuses a path under a regular file as unwritable', () => {
    const file = dir.file('plain.txt');
    writeFileSync(file, 'x');
    const err = storeError(() => openStore(`${file}/x.db`));
    expect(err.code).toBe('unwritable');
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('refuses a folder as unwritable', () => {
    expect(storeError(() => openStore(dir.path)).code).toBe('unwritable');
  });
});

describe('migrations on a copy of the previous schema', () => {
  it('brings a schema-10 database with a recorded session up to date without losing it', () => {
    const dir = tempDir('frameline-migrate-');
    try {
      const path = dir.file('old.db');
      // A database as the first release wrote it: only migration 0010, with a session in it.
      const old = new Database(path);
      old.exec(
        readFileSync(
          new URL('../../../../electron/engine/store/migrations/0010-capture.sql', import.meta.url),
          'utf8',
        ),
      );
      old.pragma('user_version = 10');
      old
        .prepare(
          "INSERT INTO session (name, kind, target, status, created_at) VALUES ('before upgrade', 'capture', 'ws://x/', 'complete', 1)",
        )
        .run();
      old.close();

      const db = openStore(path);
      try {
        expect(db.pragma('user_version', { simple: true })).toBe(latestSchemaVersion());
        expect(listSessions(db)).toMatchObject([{ name: 'before upgrade', tags: [] }]);
        setSessionTags(db, 1, ['kept']);
        expect(listSessions(db)[0]!.tags).toEqual(['kept']);
      } finally {
        db.close();
      }
    } finally {
      dir.remove();
    }
  });

  it('brings a schema-70 database to the latest: sessions that never opened a connection become failed', () => {
    const dir = tempDir('frameline-migrate-');
    try {
      const path = dir.file('seventy.db');
      const migrations = new URL('../../../../electron/engine/store/migrations/', import.meta.url);
      const old = new Database(path);
      for (const f of [
        '0010-capture.sql',
        '0020-session-tags.sql',
        '0030-findings.sql',
        '0040-incidents-walks.sql',
        '0050-connection-direction-counts.sql',
        '0060-walk-checks.sql',
        '0070-outgoing-frame-index.sql',
      ])
        old.exec(readFileSync(new URL(f, migrations), 'utf8'));
      old.pragma('user_version = 70');
      const session = old.prepare(
        "INSERT INTO session (name, kind, target, status, created_at) VALUES (?, 'capture', 'ws://x/', 'complete', 1)",
      );
      const connection = old.prepare(
        "INSERT INTO connection (session_id, ordinal, url, started_at, opened_at) VALUES (?, 1, 'ws://x/', 1, ?)",
      );
      connection.run(session.run('refused').lastInsertRowid, null);
      connection.run(session.run('worked').lastInsertRowid, 2);
      old.prepare("INSERT INTO session_tag (session_id, tag) VALUES (2, 'kept')").run();
      old.close();

      const db = openStore(path);
      try {
        expect(listSessions(db).map((s) => [s.name, s.status, s.tags])).toEqual([
          ['worked', 'complete', ['kept']],
          ['refused', 'failed', []],
        ]);
        expect(db.prepare('SELECT count(*) AS n FROM connection').get()).toEqual({ n: 2 });
        expect(db.pragma('foreign_key_check')).toEqual([]);
        db.prepare('DELETE FROM session WHERE id = 2').run(); // the children still follow their session
        expect(db.prepare('SELECT count(*) AS n FROM connection').get()).toEqual({ n: 1 });
      } finally {
        db.close();
      }
    } finally {
      dir.remove();
    }
  });
});
