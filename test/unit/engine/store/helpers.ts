// Shared by the store unit tests: a temp folder per test, and a visitor that keeps what readSpool gives.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import type { Db } from '../../../../electron/engine/store/database.js';
import type { SpoolMessage, SpooledFrame, SpoolVisitor } from '../../../../electron/engine/store/spool.js';

export interface TempDir {
  path: string;
  file(name: string): string;
  remove(): void;
}

export function tempDir(prefix = 'frameline-store-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    file: (name) => join(path, name),
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

export type SpoolRecord = { kind: 'frame'; frame: SpooledFrame } | { kind: 'message'; message: SpoolMessage };

/** A visitor that copies every record (frame payloads are views into readSpool's reused buffer). */
export function collector(): SpoolVisitor & {
  records: SpoolRecord[];
  frames: SpooledFrame[];
  messages: SpoolMessage[];
} {
  const records: SpoolRecord[] = [];
  const frames: SpooledFrame[] = [];
  const messages: SpoolMessage[] = [];
  return {
    records,
    frames,
    messages,
    frame(f) {
      const copy = { ...f, payload: Buffer.from(f.payload) };
      frames.push(copy);
      records.push({ kind: 'frame', frame: copy });
    },
    message(m) {
      messages.push(m);
      records.push({ kind: 'message', message: m });
    },
  };
}

/** The pid of a process that has already exited (so that process.kill(pid, 0) fails with ESRCH). */
export function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  if (r.pid === undefined) throw new Error('could not spawn a short-lived process');
  return r.pid;
}

/** The schema as text: the SQL of every object, by name, without SQLite's and FTS5's internal tables. */
export function schemaText(db: Db): string {
  const rows = db
    .prepare(
      `SELECT sql FROM sqlite_master
       WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'frame\\_text\\_%' ESCAPE '\\'
       ORDER BY name`,
    )
    .all() as Array<{ sql: string | null }>;
  return `${rows.map((r) => `${r.sql};`).join('\n\n')}\n`;
}

const MIGRATIONS = new URL('../../../../electron/engine/store/migrations/', import.meta.url);

/**
 * A database at `path` with the schema as it was before migration `version`: every migration before
 * it run in order, with `user_version` set as each one sets it (a copy of an older Frameline's file).
 */
export function schemaBefore(path: string, version: number): Database.Database {
  const db = new Database(path);
  for (const f of readdirSync(MIGRATIONS)
    .filter((f) => /^\d{4}-.+\.sql$/.test(f))
    .sort()) {
    if (Number(f.slice(0, 4)) >= version) continue;
    db.exec(readFileSync(new URL(f, MIGRATIONS), 'utf8'));
    db.pragma(`user_version = ${Number(f.slice(0, 4))}`);
  }
  return db;
}
