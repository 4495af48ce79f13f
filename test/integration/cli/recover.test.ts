// A database copied from another machine with a session still marked live: opening it says where
// it was being recorded and how to finish it; `frameline recover` does, committing its spool.
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SessionSummary } from '../../../shared/contract.js';
import { openStore } from '../../../electron/engine/store/database.js';
import { beginRecording } from '../../../electron/engine/store/recording.js';
import { SpoolWriter } from '../../../electron/engine/store/spool.js';
import { cli, workspace, type Workspace } from '../../support/cli.js';

let ws: Workspace;
beforeEach(() => {
  ws = workspace();
});
afterEach(() => ws.cleanup());

it('leaves a session recorded on another machine live until asked, then recovers every spooled frame', async () => {
  const db = openStore(ws.db);
  const rec = beginRecording(db, ws.db, {
    name: 'remote',
    kind: 'capture',
    target: 'ws://x/',
    settings: {},
    createdAt: 1,
  });
  const w = new SpoolWriter(rec.spoolPath);
  w.message({ type: 'connection', ordinal: 1, url: 'ws://x/', startedAt: 2, requestHeaders: {} });
  for (let seq = 1; seq <= 500; seq++) w.frame(1, seq, 10 + seq, 0, 1, Buffer.from(`f${seq}`), 100);
  w.close();
  rec.lock.release();
  db.close();
  // As copied from the machine that recorded it.
  const raw = new Database(ws.db);
  raw.prepare("UPDATE session SET writer_host = 'capture-box.example' WHERE id = ?").run(rec.sessionId);
  raw.close();

  const before = await cli(['sessions', '--json', '--db', ws.db]);
  expect(before.code).toBe(0);
  expect((JSON.parse(before.stdout) as SessionSummary[])[0]).toMatchObject({ status: 'live' });
  expect(before.stderr.trim()).toMatch(
    /^frameline: session 1 is live, recorded on capture-box\.example; .*frameline recover/,
  );

  const recovered = await cli(['recover', '--db', ws.db]);
  expect(recovered).toMatchObject({ code: 0, stderr: '', stdout: 'Recovered session 1.\n' });

  const after = await cli(['sessions', '--json', '--db', ws.db]);
  expect(after.stderr).toBe('');
  expect((JSON.parse(after.stdout) as SessionSummary[])[0]).toMatchObject({
    status: 'interrupted',
    frames: 500,
  });
});

it('sets a spool that can never be applied aside in one line, keeps the frames before it, and is done with it', async () => {
  const db = openStore(ws.db);
  const rec = beginRecording(db, ws.db, {
    name: 'poisoned',
    kind: 'import',
    target: 'ws://x/',
    settings: {},
    createdAt: 1,
  });
  const w = new SpoolWriter(rec.spoolPath);
  w.message({ type: 'connection', ordinal: 1, url: 'ws://x/', startedAt: 2, requestHeaders: {} });
  for (let seq = 1; seq <= 20; seq++) w.frame(1, seq, 10 + seq, 0, 1, Buffer.from(`f${seq}`), 100);
  // A message time of 1e300 seconds, as a HAR file may hold: no timestamp SQLite can store.
  w.frame(1, 21, 1e306, 0, 1, Buffer.from('late'), 100);
  for (let seq = 22; seq <= 30; seq++) w.frame(1, seq, 10 + seq, 0, 1, Buffer.from(`f${seq}`), 100);
  w.close();
  rec.lock.release();
  db.close();

  const first = await cli(['sessions', '--json', '--db', ws.db]);
  expect(first.code).toBe(0);
  expect(first.stderr).toMatch(
    /^frameline: session 1: spool cannot be applied past byte \d+: its record there holds a value the database cannot store \(cannot store REAL value in INTEGER column frame\.ts\); the 20 frames before it are kept, and the whole spool is set aside as \S+session-1\.frames\.damaged\n$/,
  );
  expect((JSON.parse(first.stdout) as SessionSummary[])[0]).toMatchObject({
    status: 'interrupted',
    frames: 20,
  });
  expect(existsSync(`${rec.spoolPath}.damaged`)).toBe(true);

  // Nothing is left to recover, and nothing is said again.
  expect(await cli(['recover', '--db', ws.db])).toMatchObject({
    code: 0,
    stderr: '',
    stdout: 'Nothing to recover: no session was left live by a recorder that is gone.\n',
  });
  expect(await cli(['sessions', '--db', ws.db])).toMatchObject({ code: 0, stderr: '' });
});
