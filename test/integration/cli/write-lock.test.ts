// A write lock held by another process for longer than the 5 s a command waits for it: every
// command that writes says so in one line and exits with 1, and the database is as it was.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cli, workspace, type Workspace } from '../../support/cli.js';
import { holdWriteLock } from '../../support/lock-holder.js';

const HAR = fileURLToPath(new URL('../../fixtures/har/chrome-devtools.har', import.meta.url));
const RUNBOOK = fileURLToPath(new URL('../../fixtures/runbooks/custom.md', import.meta.url));

let ws: Workspace;
beforeEach(() => {
  ws = workspace();
});
afterEach(() => ws.cleanup());

/** Every row of every table, and the bytes of every file in the database's frames folder. */
function contents(db: string): { rows: Record<string, unknown[]>; files: Record<string, string> } {
  const folder = `${db}-frames`;
  const files = Object.fromEntries(
    readdirSync(folder).map((f) => [f, readFileSync(join(folder, f)).toString('base64')]),
  );
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const tables = d
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%' ORDER BY name")
      .pluck()
      .all() as string[];
    const rows = Object.fromEntries(
      tables.map((t) => [
        t,
        d
          .prepare(`SELECT * FROM "${t}"`)
          .all()
          .map((r) => JSON.stringify(r))
          .sort(),
      ]),
    );
    return { rows, files };
  } finally {
    d.close();
  }
}

it('gives one line and exit code 1, and changes nothing, when another process holds the write lock', async () => {
  for (const args of [
    ['import', HAR],
    ['incident', 'create', '--title', 'Chat drops every minute'],
  ]) {
    const r = await cli([...args, '--db', ws.db]);
    expect(r.code, r.stderr).toBe(0);
  }
  const before = contents(ws.db);
  const commands = [
    ['incident', 'create', '--title', 'A second outage'],
    ['incident', 'update', '1', '--status', 'mitigated', '--summary', 'proxy idle timeout'],
    ['incident', 'action', 'add', '1', '--title', 'Raise the idle timeout', '--type', 'prevent'],
    ['incident', 'link', '1', '--session', '1'],
    ['diagnose', '1'],
    ['runbooks', 'import', RUNBOOK],
    ['compact'],
    ['walk', 'start', '1', '--runbook', 'ws-3am'],
    ['import', HAR],
    ['capture', 'ws://127.0.0.1:9/', '--duration', '1'],
  ];
  const lock = await holdWriteLock(ws.db);
  let results;
  try {
    results = await Promise.all(commands.map((args) => cli([...args, '--db', ws.db], {}, 60_000)));
  } finally {
    await lock.release();
  }
  const LOCKED = new RegExp(
    `^frameline: ${ws.db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is locked by another process that is writing to it \\(waited 5 s\\); try again when it has finished\n$`,
  );
  const seen = commands.map((args, i) => ({
    command: args.slice(0, 3).join(' '),
    code: results[i]!.code,
    stderr: LOCKED.test(results[i]!.stderr) ? 'the one line' : results[i]!.stderr,
  }));
  expect(seen).toEqual(
    commands.map((args) => ({ command: args.slice(0, 3).join(' '), code: 1, stderr: 'the one line' })),
  );
  // Every row as it was, and every file of the frames folder still there with the same bytes (a
  // compaction may leave a copy it could not switch to, for the next one to remove).
  const after = contents(ws.db);
  expect(after.rows).toEqual(before.rows);
  expect(after.files).toMatchObject(before.files);
  // And once the lock is gone, the same commands work.
  const again = await cli(['incident', 'create', '--title', 'A second outage', '--db', ws.db]);
  expect(again).toMatchObject({ code: 0, stdout: 'incident 2\n' });
});
