// A file that is not a Frameline database is refused by every command with one line and exit 2,
// and left byte for byte as it was; a damaged one likewise.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cli, workspace, type Workspace } from '../../support/cli.js';

let ws: Workspace;
beforeEach(() => {
  ws = workspace();
});
afterEach(() => ws.cleanup());

async function refused(args: string[], message: RegExp): Promise<void> {
  const result = await cli(args);
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
}

it('refuses another application’s database for capture and sessions, untouched', async () => {
  const path = join(ws.dir, 'app.db');
  const db = new Database(path);
  db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO users VALUES (1, 'a@b.c');");
  db.close();
  const before = readFileSync(path);
  await refused(['sessions', '--db', path], /not a Frameline database/);
  await refused(['capture', 'ws://127.0.0.1:9/', '--db', path], /not a Frameline database/);
  expect(readFileSync(path).equals(before)).toBe(true);
});

it('refuses a damaged database in one line', async () => {
  const path = join(ws.dir, 'damaged.db');
  const db = new Database(path);
  db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1);');
  db.close();
  const bytes = readFileSync(path);
  bytes.fill(0xa5, 16, Math.min(bytes.length, 4096));
  writeFileSync(path, bytes);
  await refused(['sessions', '--db', path], /damaged/);
  expect(readFileSync(path).equals(bytes)).toBe(true);
});
