// The database is ours, and only ours: Frameline recognises its own files by an application id,
// adopts the ones earlier versions made, and refuses anything else with one line, leaving it
// byte for byte as it was. Two processes creating the same new database must not race.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FRAMELINE_APPLICATION_ID,
  latestSchemaVersion,
  openStore,
  StoreError,
} from '../../../../electron/engine/store/database.js';
import { listSessions } from '../../../../electron/engine/sessions/session-store.js';
import { tempDir, type TempDir } from './helpers.js';

let dir: TempDir;

beforeEach(() => {
  dir = tempDir('frameline-own-');
});

afterEach(() => {
  dir.remove();
});

function refusal(path: string): StoreError {
  try {
    openStore(path).close();
  } catch (err) {
    expect(err).toBeInstanceOf(StoreError);
    const e = err as StoreError;
    expect(e.message).not.toContain('\n');
    expect(e.message).toContain(path);
    return e;
  }
  throw new Error(`expected ${path} to be refused`);
}

/** The file and whatever SQLite keeps beside it, to compare before and after. */
function snapshot(path: string): { main: Buffer; wal: boolean; shm: boolean; journal: boolean } {
  return {
    main: readFileSync(path),
    wal: existsSync(`${path}-wal`),
    shm: existsSync(`${path}-shm`),
    journal: existsSync(`${path}-journal`),
  };
}

function foreign(path: string, sql: string, setup?: (db: Database.Database) => void): void {
  const db = new Database(path);
  db.exec(sql);
  setup?.(db);
  db.close();
}

describe('application id', () => {
  it('marks a new database as Frameline’s', () => {
    const path = dir.file('new.db');
    const db = openStore(path);
    try {
      expect(db.pragma('application_id', { simple: true })).toBe(FRAMELINE_APPLICATION_ID);
    } finally {
      db.close();
    }
  });

  it('refuses a database with only a users table, byte for byte untouched', () => {
    const path = dir.file('app.db');
    foreign(
      path,
      "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO users VALUES (1, 'a@b.c');",
    );
    const before = snapshot(path);
    const err = refusal(path);
    expect(err.code).toBe('foreign');
    expect(err.message).toMatch(/not a Frameline database/);
    expect(snapshot(path)).toEqual(before);
  });

  it('refuses a database that happens to have a session table, without switching it to WAL', () => {
    const path = dir.file('web.db');
    foreign(path, 'CREATE TABLE session (sid TEXT PRIMARY KEY, data TEXT, expires INTEGER);');
    const before = snapshot(path);
    expect(refusal(path).code).toBe('foreign');
    expect(snapshot(path)).toEqual(before);
    const check = new Database(path, { readonly: true });
    try {
      expect(check.pragma('journal_mode', { simple: true })).toBe('delete');
    } finally {
      check.close();
    }
  });

  it('refuses a database of another application id', () => {
    const path = dir.file('other.db');
    foreign(path, 'CREATE TABLE x (y)', (db) => db.pragma('application_id = 1234'));
    const before = snapshot(path);
    expect(refusal(path).code).toBe('foreign');
    expect(snapshot(path)).toEqual(before);
  });

  it('refuses a newer Frameline schema in rollback-journal mode without switching it to WAL', () => {
    const path = dir.file('newer.db');
    foreign(path, 'CREATE TABLE future (x INTEGER)', (db) => {
      db.pragma(`application_id = ${FRAMELINE_APPLICATION_ID}`);
      db.pragma(`user_version = ${latestSchemaVersion() + 10}`);
    });
    const before = snapshot(path);
    const err = refusal(path);
    expect(err.code).toBe('newer-schema');
    expect(snapshot(path)).toEqual(before);
    expect(before.main.readUInt8(18)).toBe(1); // still a rollback-journal file
  });

  it('refuses a corrupt file in one line', () => {
    const path = dir.file('corrupt.db');
    const good = new Database(path);
    good.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1);');
    good.close();
    const bytes = readFileSync(path);
    // Keep the header magic, wreck the rest of the first page (the schema).
    bytes.fill(0xa5, 16, Math.min(bytes.length, 4096));
    writeFileSync(path, bytes);
    const err = refusal(path);
    expect(err.code).toBe('corrupt');
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('adopts a database made by an earlier Frameline (our schema, no application id yet)', () => {
    const path = dir.file('earlier.db');
    const migrations = new URL('../../../../electron/engine/store/migrations/', import.meta.url);
    const old = new Database(path);
    for (const f of ['0010-capture.sql', '0020-session-tags.sql', '0030-findings.sql']) {
      old.exec(readFileSync(new URL(f, migrations), 'utf8'));
    }
    old.pragma('user_version = 30');
    old
      .prepare(
        "INSERT INTO session (name, kind, target, status, created_at) VALUES ('kept', 'capture', 'ws://x/', 'complete', 1)",
      )
      .run();
    old.close();
    const db = openStore(path);
    try {
      expect(db.pragma('application_id', { simple: true })).toBe(FRAMELINE_APPLICATION_ID);
      expect(db.pragma('user_version', { simple: true })).toBe(latestSchemaVersion());
      expect(listSessions(db).map((s) => s.name)).toEqual(['kept']);
    } finally {
      db.close();
    }
  });
});

const DATABASE_JS = fileURLToPath(
  new URL('../../../../dist/electron/engine/store/database.js', import.meta.url),
);

/** A process that opens `path` the moment `go` appears; resolves with its exit code and stderr. */
function opener(
  path: string,
  go: string,
): { ready: Promise<void>; done: Promise<{ code: number | null; stderr: string }> } {
  const script = `
    import { existsSync } from 'node:fs';
    const { openStore } = await import(${JSON.stringify(DATABASE_JS)});
    console.log('ready');
    while (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 1));
    openStore(${JSON.stringify(path)}).close();
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', () => resolve());
    child.once('exit', (code) => reject(new Error(`opener exited early (${code}): ${stderr}`)));
  });
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stderr })),
  );
  return { ready, done };
}

describe('two processes creating the same new database', () => {
  it('both succeed and the schema is made once', async () => {
    for (let trial = 0; trial < 6; trial++) {
      const path = dir.file(`race-${trial}.db`);
      const go = dir.file(`go-${trial}`);
      const openers = [opener(path, go), opener(path, go), opener(path, go)];
      await Promise.all(openers.map((o) => o.ready));
      writeFileSync(go, '');
      const results = await Promise.all(openers.map((o) => o.done));
      for (const r of results) expect(r).toEqual({ code: 0, stderr: '' });
      const db = new Database(path, { readonly: true });
      try {
        expect(db.pragma('user_version', { simple: true })).toBe(latestSchemaVersion());
        expect(
          db.prepare("SELECT count(*) AS n FROM store_state WHERE key = 'fts_indexed_upto'").get(),
        ).toEqual({
          n: 1,
        });
      } finally {
        db.close();
      }
    }
  });
});
