// Crash safety for real: a capture under a flood is killed with SIGKILL; the next open recovers
// what its spool still held, marks the session interrupted, and loses nothing received more than
// 100 ms before the kill.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SessionSummary } from '../../../shared/contract.js';
import { parseMicros } from '../../../shared/time.js';
import { PAYLOAD_REF, payloadBytes, type PayloadRef } from '../../../electron/engine/sessions/frame-store.js';
import { cliJson, finished, spooledFrames, startCli, workspace, type Workspace } from '../../support/cli.js';
import { serverScript, startPeer, type Peer } from '../../support/processes.js';
import { until } from '../../support/wait.js';

let ws: Workspace;
let peer: Peer | null = null;
beforeEach(() => {
  ws = workspace();
});
afterEach(async () => {
  await peer?.stop();
  ws.cleanup();
});

it('recovers every frame received more than 100 ms before a SIGKILL, in order and without gaps', async () => {
  peer = await startPeer(process.execPath, [serverScript('flood-peer.mjs'), 'plain', '50000000']);
  // Not quiet: the frame lines it prints (time of receipt, payload seq) say what it had received when.
  const child = startCli(['capture', `ws://127.0.0.1:${peer.port}/`, '--db', ws.db]);
  const exited = finished(child);
  const spool = `${ws.db}-frames/session-1.frames`;
  // A flood well under way: tens of megabytes spooled (a few hundred thousand frames).
  await until(
    'the spool to fill',
    () => existsSync(spool) && statSync(spool).size > 30 * 1024 * 1024,
    30_000,
  );
  const killedAtUs = Date.now() * 1000;
  child.kill('SIGKILL');
  const result = await exited;
  expect(result.code).toBeNull();

  const { json } = await cliJson<SessionSummary[]>(['sessions', '--db', ws.db]);
  expect(json[0]).toMatchObject({ id: 1, status: 'interrupted' });
  expect(json[0]!.frames).toBeGreaterThan(100_000);
  // The spool is kept as the session's segment: the frames' payloads are read from it.
  expect(existsSync(spool)).toBe(true);

  const db = new Database(ws.db, { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const stats = db
      .prepare(
        'SELECT count(*) AS n, min(seq) AS first, max(seq) AS last, max(ts) AS lastTs FROM frame WHERE session_id = 1',
      )
      .get() as { n: number; first: number; last: number; lastTs: number };
    // No gaps: sequence numbers run 1..n.
    expect(stats.first).toBe(1);
    expect(stats.last).toBe(stats.n);
    // Nothing received more than 100 ms before the kill is missing: take the last frame the capture
    // printed as received before that moment; it and everything before it must be stored.
    const day = new Date(Math.floor(killedAtUs / 1000)).toISOString().slice(0, 10);
    let mustHave = 0;
    for (const line of result.stdout.split('\n')) {
      const m = /^(\d\d:\d\d:\d\d\.\d{6}) < text\s+\S+\s+\{"seq":(\d+),/.exec(line);
      if (m && parseMicros(`${day}T${m[1]}Z`) <= killedAtUs - 100_000)
        mustHave = Math.max(mustHave, Number(m[2]));
    }
    // (Printing is throttled to 200 lines a second and a killed process loses what it had not yet
    // written to the pipe, so this bound is exact but may be low; the flood check below is coarse.)
    expect(mustHave).toBeGreaterThan(0);
    expect(stats.n).toBeGreaterThanOrEqual(mustHave);
    // The flood ran until the kill: what was stored reaches close to it (a loaded machine may
    // starve the receiving thread for a moment, so the margin is generous).
    const lastTs = db.prepare('SELECT max(ts) FROM frame WHERE session_id = 1').pluck().get() as number;
    expect(lastTs).toBeGreaterThanOrEqual(killedAtUs - 1_000_000);
    // In order, as the peer sent them: payload sequence numbers match the recorded ones.
    let expected = 0;
    for (const row of db
      .prepare(`SELECT seq, ${PAYLOAD_REF()} FROM frame WHERE session_id = 1 ORDER BY seq`)
      .iterate()) {
      const { seq } = row as { seq: number };
      const payload = payloadBytes(db, row as PayloadRef);
      expected++;
      if (seq !== expected || !payload.toString().startsWith(`{"seq":${expected},`)) {
        throw new Error(
          `frame ${seq} holds ${payload.toString().slice(0, 20)}, expected peer seq ${expected}`,
        );
      }
    }
    const event = db
      .prepare("SELECT detail FROM event WHERE session_id = 1 AND kind = 'session-interrupted'")
      .get() as { detail: string } | undefined;
    expect(event).toBeDefined();
    const connection = db
      .prepare('SELECT error_message, closed_at FROM connection WHERE session_id = 1')
      .get() as {
      error_message: string;
      closed_at: number;
    };
    expect(connection.error_message).toMatch(/interrupted/);
    expect(connection.closed_at).not.toBeNull();
  } finally {
    db.close();
  }
});

it('recovers a crashed capture made with a relative --db from another directory, every spooled frame', async () => {
  peer = await startPeer(process.execPath, [serverScript('flood-peer.mjs'), 'plain', '50000000']);
  // The capture runs in the database's folder with a relative path; recovery runs from elsewhere.
  const child = startCli(
    ['capture', `ws://127.0.0.1:${peer.port}/`, '--db', 'frameline.db', '--quiet'],
    {},
    ws.dir,
  );
  const exited = finished(child);
  const spool = join(ws.dir, 'frameline.db-frames', 'session-1.frames');
  await until('the spool to fill', () => existsSync(spool) && statSync(spool).size > 8 * 1024 * 1024, 30_000);
  child.kill('SIGKILL');
  expect((await exited).code).toBeNull();
  const spooled = await spooledFrames(spool);
  expect(spooled).toBeGreaterThan(50_000);

  const elsewhere = join(ws.dir, 'elsewhere');
  mkdirSync(elsewhere);
  const listed = await finished(startCli(['sessions', '--json', '--db', ws.db], {}, elsewhere));
  expect(listed.code).toBe(0);
  const json = JSON.parse(listed.stdout) as SessionSummary[];
  expect(json[0]).toMatchObject({ id: 1, status: 'interrupted', frames: spooled });
  expect(existsSync(spool)).toBe(true);
});
