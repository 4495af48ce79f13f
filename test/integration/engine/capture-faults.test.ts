// One capture's storage failure stays its own in the console's engine (`frameline serve`, the
// desktop app): the others go on, the next capture starts, the failed session is recovered rather
// than left `live`, a session whose recorder is gone can be deleted, and shutting down is bounded
// even while another process holds the database's write lock.
import { appendFileSync, existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { PayloadOf, ResponseOf } from '../../../shared/contract.js';

type SessionDetail = ResponseOf<'sessions', 'get'>;
import { FramelineService } from '../../../electron/engine/service.js';
import { openStore } from '../../../electron/engine/store/database.js';
import { beginRecording, recordingFiles } from '../../../electron/engine/store/recording.js';
import { SpoolWriter } from '../../../electron/engine/store/spool.js';
import { spooledFrames, workspace, type Workspace } from '../../support/cli.js';
import { callService } from '../../support/service.js';
import { until } from '../../support/wait.js';
import { echo, wsServer, type WsScenario } from '../../servers/scenarios.js';

let ws: Workspace;
let service: FramelineService | null;
let server: WsScenario;
let statuses: Array<PayloadOf<'capture:status'>>;

beforeEach(async () => {
  ws = workspace();
  service = new FramelineService({ dbPath: ws.db, shell: 'browser' });
  statuses = [];
  service.onPush((topic, payload) => {
    if (topic === 'capture:status') statuses.push(payload as PayloadOf<'capture:status'>);
  });
  server = await wsServer(echo);
});

afterEach(async () => {
  await service?.close();
  await server.close();
  ws.cleanup();
});

const call = <T = unknown>(channel: string, payload: unknown) => callService<T>(service!, channel, payload);
const statusOf = (id: number) => statuses.filter((s) => s.sessionId === id).at(-1);

async function attach(name: string): Promise<number> {
  const { sessionId } = await call<{ sessionId: number }>('capture:start', { url: server.url, name });
  await until(`${name} to open`, () => statusOf(sessionId)?.state === 'open');
  return sessionId;
}

it('keeps a writer failure to its own capture: the others go on, the next one starts, nothing stays live', async () => {
  const a = await attach('a');
  const b = await attach('b');
  await call('capture:send', { sessionId: a, data: 'before', kind: 'text' });
  await until('a to commit its echo', () => (statusOf(a)?.committed ?? 0) >= 2);

  // A's spool is damaged behind its back: the writer meets an unknown record on its next commit.
  appendFileSync(recordingFiles(ws.db, a).spool, Buffer.from([5, 0, 0, 0, 99, 1, 2, 3, 4]));
  await call('capture:send', { sessionId: a, data: 'after', kind: 'text' });
  await until('a to end', () => statusOf(a)?.state === 'ended');
  expect(statusOf(a)!.message).toMatch(/damaged/);

  // B is untouched and records on.
  await call('capture:send', { sessionId: b, data: 'still here', kind: 'text' });
  await until('b to commit', () => (statusOf(b)?.committed ?? 0) >= 2);
  await call('capture:stop', { sessionId: b });
  await until('b to end', () => statusOf(b)?.state === 'ended');

  // A new capture starts and completes.
  const c = await attach('c');
  await call('capture:stop', { sessionId: c });
  await until('c to end', () => statusOf(c)?.state === 'ended');

  const detail = (id: number) => call<SessionDetail>('sessions:get', { id });
  expect((await detail(b)).session.status).toBe('complete');
  expect((await detail(c)).session.status).toBe('complete');
  const failed = await detail(a);
  expect(failed.session.status).toBe('interrupted');
  const event = failed.events.find((e) => e.kind === 'session-interrupted')!;
  expect(event.detail).toMatchObject({ damagedSpool: `${recordingFiles(ws.db, a).spool}.damaged` });
  expect(failed.session.frames).toBeGreaterThanOrEqual(2); // what came before the damage is kept
  await call('sessions:delete', { id: a });
  expect(await call('capture:list', {})).toEqual([]);
});

it('deletes a session left live by a recorder that is gone, after recovering it', async () => {
  const db = openStore(ws.db);
  const rec = beginRecording(db, ws.db, {
    name: 'ghost',
    kind: 'capture',
    target: 'ws://x/',
    settings: {},
    createdAt: 1,
  });
  const w = new SpoolWriter(rec.spoolPath);
  w.message({ type: 'connection', ordinal: 1, url: 'ws://x/', startedAt: 2, requestHeaders: {} });
  w.frame(1, 1, 3, 0, 1, Buffer.from('x'), 100);
  w.close();
  rec.lock.release(); // its recorder died
  db.close();
  await call('sessions:delete', { id: rec.sessionId });
  expect(await call<unknown[]>('sessions:list', {})).toEqual([]);
  expect(existsSync(rec.spoolPath)).toBe(false);
});

it('shuts down in bounded time while another process holds the write lock, leaving the backlog to recovery', async () => {
  const a = await attach('locked');
  const locker = new Database(ws.db);
  locker.exec('BEGIN IMMEDIATE');
  try {
    for (let i = 0; i < 20; i++) await call('capture:send', { sessionId: a, data: `m${i}`, kind: 'text' });
    await until('the echoes to be received', () => (statusOf(a)?.framesIn ?? 0) >= 20);
    await until('the capture to see the lock', () =>
      /locked by another process/.test(statusOf(a)?.message ?? ''),
    );
    await service!.close(); // resolves although the lock is still held
    service = null;
  } finally {
    locker.exec('ROLLBACK');
    locker.close();
  }
  const spool = recordingFiles(ws.db, a).spool;
  const spooled = await spooledFrames(spool);
  const db = openStore(ws.db);
  try {
    const row = db
      .prepare(
        'SELECT status, (SELECT count(*) FROM frame WHERE session_id = ?) AS frames FROM session WHERE id = ?',
      )
      .get(a, a);
    expect(row).toEqual({ status: 'interrupted', frames: spooled });
    expect(spooled).toBeGreaterThanOrEqual(40);
  } finally {
    db.close();
  }
});
