// Attack family: crashes. SIGKILL at every point of a capture's life under a steady flood (as the
// file is made, once it named its session, once connected, at three spool sizes), while it commits
// a backlog, while it waits to reconnect, in the middle of the recovery that follows, and to the
// other recorders (an import, a mock with a client, serve with a live capture); and a session row
// from before recorder locks whose PID another process has taken. Whatever the moment: every frame committed before
// the kill is kept, every frame whole in the spool is committed by the next open, in the order the
// peer sent them, SQLite finds the file sound and the session ends interrupted (or failed when
// nothing opened), never stuck live.
import { spawn } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { SessionSummary } from '../../shared/contract.js';
import { closeFrame, rawPeer, type RawPeer } from '../servers/raw-peer.js';
import {
  cli,
  cliJson,
  finished,
  spooledFrames,
  startCli,
  workspace,
  type Workspace,
} from '../support/cli.js';
import { serverScript, startPeer, type Peer } from '../support/processes.js';
import { recordQuotes, startMock } from '../support/replay.js';
import { cookieFor, serve } from '../support/serve.js';
import type { ShowJson } from '../support/session-json.js';
import { until } from '../support/wait.js';
import { expectCleanEnd, family, integrity, limiter, query } from './kit.js';

const cases = family('crashes');
const pool = limiter(2);
let steady: Peer;
let burst: Peer;
let closer: RawPeer;
beforeAll(async () => {
  steady = await startPeer(process.execPath, [serverScript('flood-peer.mjs'), 'rate', '20000']);
  burst = await startPeer(process.execPath, [serverScript('flood-peer.mjs'), 'plain', '60000']);
  closer = await rawPeer({ open: (s) => void s.write(closeFrame(1001)) });
});
afterAll(async () => {
  await steady?.stop();
  await burst?.stop();
  await closer?.close();
});

/** Frames of session `id` committed now, read as any reader would (0 before the table exists). */
function committed(db: string, id = 1): number {
  try {
    return query<{ n: number }>(db, 'SELECT count(*) n FROM frame WHERE session_id = ?', id)[0]!.n;
  } catch {
    return 0;
  }
}

const spoolOf = (db: string, id = 1) => join(`${db}-frames`, `session-${id}.frames`);
const spoolSize = (db: string) => (existsSync(spoolOf(db)) ? statSync(spoolOf(db)).size : 0);

/**
 * What every kill must leave: the next open recovers everything the spool holds (and at least what
 * was committed before), in the peer's order, the file is sound, nothing is live, every connection
 * of an ended session has its close.
 */
async function expectRecovered(db: string, committedBefore: number, ordered = true): Promise<void> {
  if (!existsSync(db)) return; // killed before the file existed: nothing to lose
  const spooled = existsSync(spoolOf(db)) ? await spooledFrames(spoolOf(db)) : 0;
  const { result, json } = await cliJson<SessionSummary[]>(['sessions', '--db', db]);
  expectCleanEnd(result);
  expect(result.code, result.stderr).toBe(0);
  expect(integrity(db)).toBe('ok');
  for (const s of json) expect(['interrupted', 'failed', 'complete'], `session ${s.id}`).toContain(s.status);
  const s = json.find((x) => x.id === 1);
  if (!s) return expect(committedBefore).toBe(0);
  expect(s.frames).toBeGreaterThanOrEqual(committedBefore);
  expect(s.frames).toBeGreaterThanOrEqual(spooled);
  const open = query(
    db,
    'SELECT id FROM connection WHERE session_id = 1 AND opened_at IS NOT NULL AND closed_at IS NULL',
  );
  expect(open, 'connections left open').toEqual([]);
  if (!ordered || s.frames === 0) return;
  const show = await cliJson<ShowJson>(['show', '1', '--frames', '--db', db]);
  expect(show.result.code, show.result.stderr).toBe(0);
  const seqs = show.json
    .frames!.filter((f) => f.direction === 'in' && f.opcode === 'text')
    .map((f) => Number(/^\{"seq":(\d+),/.exec(f.payload)?.[1]));
  seqs.forEach((n, i) => {
    if (n !== i + 1) throw new Error(`frame ${i + 1} holds the peer's message ${n}: lost or out of order`);
  });
}

/** Starts a capture, kills it with SIGKILL once `moment` holds, and checks what the next open finds. */
async function killCapture(
  ws: Workspace,
  url: string,
  moment: (out: { stdout: string; stderr: string }) => boolean,
  extra: string[] = [],
): Promise<void> {
  const child = startCli(['capture', url, '--db', ws.db, ...extra]);
  const seen = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (seen.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (seen.stderr += d.toString()));
  const exited = finished(child, 60_000);
  await until('the moment to kill', () => moment(seen) || child.exitCode !== null, 30_000);
  const before = committed(ws.db);
  child.kill('SIGKILL');
  const r = await exited;
  expect(r.stderr).not.toMatch(/^\s+at /m);
  await expectRecovered(ws.db, before);
}

describe('SIGKILL to a capture of a steady flood', () => {
  const flood = () => `ws://127.0.0.1:${steady.port}/`;
  const moments: Array<[string, (ws: Workspace) => (o: { stdout: string; stderr: string }) => boolean]> = [
    ['as its database is made', (ws) => () => existsSync(ws.db)],
    ['once it named its session', () => (o) => o.stdout.includes('session 1')],
    ['once connected', () => (o) => o.stderr.includes('connected')],
    ['with 256 KiB spooled', (ws) => () => spoolSize(ws.db) > 256 * 1024],
    ['with 1 MiB spooled', (ws) => () => spoolSize(ws.db) > 1 << 20],
    ['with 3 MiB spooled', (ws) => () => spoolSize(ws.db) > 3 << 20],
  ];
  it.concurrent.each(cases.add(moments))('%s', (_n, moment) =>
    pool(async () => {
      const ws = workspace();
      try {
        await killCapture(ws, flood(), moment(ws), ['--quiet']);
      } finally {
        ws.cleanup();
      }
    }),
  );
});

describe('SIGKILL at the edges of a capture', () => {
  cases.one();
  it.concurrent('while it commits the backlog a burst left after the server closed', () =>
    pool(async () => {
      const ws = workspace();
      try {
        await killCapture(ws, `ws://127.0.0.1:${burst.port}/`, (o) => o.stderr.includes('closed by server'), [
          '--quiet',
        ]);
      } finally {
        ws.cleanup();
      }
    }),
  );

  cases.one();
  it.concurrent('while it waits to reconnect', () =>
    pool(async () => {
      const ws = workspace();
      try {
        await killCapture(ws, closer.url, (o) => o.stderr.includes('reconnecting in'), [
          '--reconnect',
          '--reconnect-base',
          '5000',
          '--reconnect-max',
          '5000',
        ]);
        expect(query(ws.db, 'SELECT closed_by FROM connection WHERE session_id = 1')).toEqual([
          { closed_by: 'server' },
        ]);
      } finally {
        ws.cleanup();
      }
    }),
  );

  cases.one();
  it.concurrent('in the middle of the recovery that follows a kill', () =>
    pool(async () => {
      const ws = workspace();
      try {
        const child = startCli(['capture', `ws://127.0.0.1:${steady.port}/`, '--quiet', '--db', ws.db]);
        const exited = finished(child, 60_000);
        await until('2 MiB spooled', () => spoolSize(ws.db) > 2 << 20, 30_000);
        const before = committed(ws.db);
        child.kill('SIGKILL');
        await exited;
        // The next open recovers; kill it as soon as it writes.
        const recovering = startCli(['sessions', '--db', ws.db]);
        const done = finished(recovering, 30_000);
        const wal = `${ws.db}-wal`;
        await until(
          'recovery to write',
          () => recovering.exitCode !== null || (existsSync(wal) && statSync(wal).size > 0),
          20_000,
        );
        recovering.kill('SIGKILL');
        await done;
        await expectRecovered(ws.db, before);
      } finally {
        ws.cleanup();
      }
    }),
  );
});

describe('SIGKILL to the other recorders', () => {
  cases.one();
  it.concurrent('an import of a large HAR', () =>
    pool(async () => {
      const ws = workspace();
      try {
        const messages = Array.from({ length: 60_000 }, (_, i) => ({
          type: i % 2 ? 'receive' : 'send',
          time: 1_764_000_000 + i / 1000,
          opcode: 1,
          data: `{"seq":${i + 1},"pad":"${'x'.repeat(60)}"}`,
        }));
        const har = join(ws.dir, 'big.har');
        writeFileSync(
          har,
          JSON.stringify({
            log: {
              entries: [
                {
                  startedDateTime: '2025-11-22T01:53:50.000Z',
                  request: { method: 'GET', url: 'wss://big.example/ws', headers: [] },
                  response: { status: 101, headers: [] },
                  _resourceType: 'websocket',
                  _webSocketMessages: messages,
                },
              ],
            },
          }),
        );
        const child = startCli(['import', har, '--db', ws.db]);
        const exited = finished(child, 60_000);
        await until(
          'the import to record',
          () => child.exitCode !== null || spoolSize(ws.db) > 1 << 20,
          30_000,
        );
        const before = committed(ws.db);
        child.kill('SIGKILL');
        await exited;
        await expectRecovered(ws.db, before, false);
      } finally {
        ws.cleanup();
      }
    }),
  );

  cases.one();
  it.concurrent('a mock with a client connected', () =>
    pool(async () => {
      const ws = workspace();
      try {
        await recordQuotes(ws.db);
        const mock = await startMock(['1', '--mode', 'reactive', '--db', ws.db]);
        const client = new WebSocket(mock.url);
        await new Promise((r, j) => client.once('open', r).once('error', j));
        client.send('{"id":2,"op":"quote","symbol":"FRML"}');
        await new Promise((r) => client.once('message', r));
        mock.child.kill('SIGKILL');
        await new Promise((r) => (client.readyState === client.CLOSED ? r(null) : client.once('close', r)));
        const { json } = await cliJson<SessionSummary[]>(['sessions', '--db', ws.db]);
        expect(json.map((s) => s.status)).not.toContain('live');
        expect(integrity(ws.db)).toBe('ok');
      } finally {
        ws.cleanup();
      }
    }),
  );

  cases.one();
  it.concurrent('serve with a live capture in it', () =>
    pool(async () => {
      const ws = workspace();
      try {
        const served = await serve(ws.db);
        const page = new WebSocket(`ws://127.0.0.1:${served.port}/api`, {
          headers: { Origin: served.origin, Cookie: await cookieFor(served) },
        });
        await new Promise((r, j) => page.once('open', r).once('error', j));
        page.send(
          JSON.stringify({
            id: 1,
            channel: 'capture:start',
            payload: { url: `ws://127.0.0.1:${steady.port}/` },
          }),
        );
        await until('frames to be committed', () => committed(ws.db) > 1000, 30_000);
        const before = committed(ws.db);
        served.child.kill('SIGKILL');
        await served.stop();
        page.terminate();
        await expectRecovered(ws.db, before);
      } finally {
        ws.cleanup();
      }
    }),
  );
});

describe('a session row from before recorder locks (issue 19 item 18)', () => {
  cases.one();
  it('whose PID now belongs to another live process is not left live forever', async () => {
    const ws = workspace();
    // The recorder died long ago; its PID was given to a process started after the session.
    const other = spawn('sleep', ['120'], { stdio: 'ignore' });
    try {
      const r = await cli(['capture', closer.url, '--db', ws.db]);
      expect(r.code, r.stderr).toBe(0);
      const raw = new Database(ws.db);
      // As a database recorded before locks: no lock, a PID that is alive, on this machine.
      raw
        .prepare(
          "UPDATE session SET status = 'live', ended_at = NULL, writer_lock = NULL, writer_pid = ?, writer_host = ?, created_at = ? WHERE id = 1",
        )
        .run(other.pid, hostname(), (Date.now() - 60_000) * 1000);
      raw.close();
      const { result, json } = await cliJson<SessionSummary[]>(['sessions', '--db', ws.db]);
      expectCleanEnd(result);
      expect(json[0]!.status).not.toBe('live');
      expect(integrity(ws.db)).toBe('ok');
    } finally {
      other.kill('SIGKILL');
      ws.cleanup();
    }
  });
});
