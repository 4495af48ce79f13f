// Storage faults during a capture and during recovery: a write lock held by another process, a
// full disk. Nothing that reached the spool is lost, no stack trace reaches the user, and the
// session ends in a state that says what happened.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SessionSummary } from '../../../shared/contract.js';
import { FramelineService } from '../../../electron/engine/service.js';
import { openStore } from '../../../electron/engine/store/database.js';
import { PAYLOAD_REF, payloadBytes, type PayloadRef } from '../../../electron/engine/sessions/frame-store.js';
import { beginRecording } from '../../../electron/engine/store/recording.js';
import { SpoolWriter } from '../../../electron/engine/store/spool.js';
import { formatMicros } from '../../../shared/time.js';
import { cli, finished, spooledFrames, startCli, workspace, type Workspace } from '../../support/cli.js';
import { callService, failedCall } from '../../support/service.js';
import { smallDisk, type SmallDisk } from '../../support/small-disk.js';
import { until } from '../../support/wait.js';

let ws: Workspace;
const cleanups: Array<() => void | Promise<void>> = [];
beforeEach(() => {
  ws = workspace();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  ws.cleanup();
});

/**
 * A server that sends `{"seq":N}` messages (every `everyMs`, or as fast as the socket takes them)
 * until `finish()`, then closes with 1000; it keeps the close code the client sent. A `gated` one
 * sends nothing until `go()`.
 */
async function sender(everyMs: number | null, pad = 0, gated = false) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  let sent = 0;
  let client: WebSocket | null = null;
  let clientClose: number | null = null;
  let stopped = false;
  let open: () => void = () => {};
  const gate = gated ? new Promise<void>((r) => (open = r)) : Promise.resolve();
  const padding = 'x'.repeat(pad);
  wss.on('connection', (sock) => void gate.then(() => flood(sock)));
  const flood = (sock: WebSocket) => {
    client = sock;
    sock.on('error', () => {});
    sock.on('close', (code) => (clientClose = code));
    const one = () => sock.send(`{"seq":${++sent},"pad":"${padding}"}`);
    if (everyMs !== null) {
      const t = setInterval(() => {
        if (stopped || sock.readyState !== sock.OPEN) return clearInterval(t);
        one();
      }, everyMs);
    } else {
      // A bounded batch per turn: the socket's own events (the client gone) must get their turn.
      const pump = () => {
        for (let i = 0; i < 500 && !stopped && sock.readyState === sock.OPEN; i++) one();
        if (stopped || sock.readyState !== sock.OPEN) return;
        if (sock.bufferedAmount > 1 << 20) setTimeout(pump, 1);
        else setImmediate(pump);
      };
      pump();
    }
  };
  const close = () =>
    new Promise<void>((r) => {
      stopped = true;
      for (const c of wss.clients) c.terminate();
      wss.close(() => r());
    });
  cleanups.push(close);
  return {
    url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`,
    sent: () => sent,
    go: () => open(),
    clientClose: () => clientClose,
    finish() {
      stopped = true;
      client?.close(1000, 'done');
    },
  };
}

function capturing(args: string[], { quiet = true } = {}) {
  const child = startCli(['capture', ...args, ...(quiet ? ['--quiet'] : [])]);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  cleanups.push(() => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')));
  return { child, exited: finished(child, 120_000), stderr: () => stderr };
}

function sessions(db: string): Promise<{ code: number | null; stderr: string; list: SessionSummary[] }> {
  return cli(['sessions', '--json', '--db', db]).then((r) => ({
    code: r.code,
    stderr: r.stderr,
    list: r.code === 0 ? (JSON.parse(r.stdout) as SessionSummary[]) : [],
  }));
}

/** Peer sequence numbers of the frames stored, in order: 1..n without gaps when nothing was lost. */
function storedSeqs(db: string): number[] {
  const d = new Database(db, { readonly: true });
  try {
    return (
      d
        .prepare(
          `SELECT ${PAYLOAD_REF()} FROM frame WHERE session_id = 1 AND direction = 0 AND opcode = 1 ORDER BY seq`,
        )
        .all() as PayloadRef[]
    ).map((r) => Number(/"seq":(\d+)/.exec(payloadBytes(d, r).toString())![1]));
  } finally {
    d.close();
  }
}

/** The spool session 1 still has to commit, if any. */
function spoolPending(db: string): string | null {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare('SELECT spool_path FROM session WHERE id = 1').pluck().get() as string | null;
  } finally {
    d.close();
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

it('keeps capturing while another process holds the write lock for more than 5 s, and commits everything after', async () => {
  const server = await sender(5);
  // Not --quiet: the wait for the lock is told (and the frames printed).
  const cap = capturing([server.url, '--db', ws.db], { quiet: false });
  const count = () => {
    const d = new Database(ws.db, { readonly: true, fileMustExist: true });
    try {
      return (d.prepare('SELECT count(*) AS n FROM frame').get() as { n: number }).n;
    } finally {
      d.close();
    }
  };
  // The file exists a moment before its schema does.
  const tableReady = () => {
    const d = new Database(ws.db, { readonly: true, fileMustExist: true });
    try {
      return d.prepare("SELECT 1 FROM sqlite_master WHERE name = 'frame'").get() !== undefined;
    } finally {
      d.close();
    }
  };
  await until('frames to be committed', () => existsSync(ws.db) && tableReady() && count() > 20, 20_000);

  const locker = new Database(ws.db);
  locker.exec('BEGIN IMMEDIATE');
  const lockedAt = Date.now();
  const sentAtLock = server.sent();
  try {
    await until(
      'the capture to notice the lock and keep receiving past 6 s',
      () =>
        cap.stderr().includes('locked by another process') &&
        Date.now() - lockedAt > 6_000 &&
        server.sent() > sentAtLock + 100,
      30_000,
    );
    expect(cap.child.exitCode).toBeNull();
  } finally {
    locker.exec('ROLLBACK');
    locker.close();
  }
  await until('the capture to commit again', () => cap.stderr().includes('free again'), 20_000);
  server.finish();
  const result = await cap.exited;
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  const { list } = await sessions(ws.db);
  expect(list[0]).toMatchObject({ id: 1, status: 'complete' });
  expect(storedSeqs(ws.db)).toEqual(range(server.sent()));
});

function diskOrSkip(mib: number, skip: (note: string) => never): SmallDisk {
  const disk = smallDisk(mib);
  if ('unavailable' in disk) skip(`skipped: ${disk.unavailable}`);
  cleanups.push(() => disk.unmount());
  return disk;
}

it('stops a capture cleanly on a full disk: 1001, one line, interrupted, every spooled frame kept', async (ctx) => {
  const disk = diskOrSkip(40, (n) => ctx.skip(n));
  const db = join(disk.path, 'frameline.db');
  disk.fill(12 * 1024 * 1024);
  const server = await sender(null, 60);
  const cap = capturing([server.url, '--db', db]);
  const result = await cap.exited;
  expect(result.code).toBe(1);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  const errors = result.stderr.split('\n').filter((l) => l.startsWith('error:'));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(/disk is full/);
  expect(result.stderr).not.toMatch(/^frameline: /m); // said once, by the capture itself
  expect(result.stderr).toMatch(/session 1 interrupted/);
  await until('the server to see the close', () => server.clientClose() !== null);
  expect(server.clientClose()).toBe(1001);

  const spool = join(disk.path, 'frameline.db-frames', 'session-1.frames');
  const spooled = existsSync(spool) ? await spooledFrames(spool) : null;
  disk.free();
  const after = await sessions(db);
  expect(after.code, after.stderr).toBe(0);
  expect(after.list[0]).toMatchObject({ id: 1, status: 'interrupted' });
  const seqs = storedSeqs(db);
  expect(seqs.length).toBeGreaterThan(1000);
  expect(seqs).toEqual(range(seqs.length));
  if (spooled !== null) expect(after.list[0]!.frames).toBe(spooled);
  // Nothing waits in it any more: it is the session's segment, which the payloads above were read from.
  expect(spoolPending(db)).toBeNull();
});

it('recovery on a full disk keeps the intact spool, says so in one line, and completes once there is room', async (ctx) => {
  const disk = diskOrSkip(32, (n) => ctx.skip(n));
  const db = join(disk.path, 'frameline.db');
  const FRAMES = 44_071;
  // A capture whose recorder died with 44,071 frames in its spool, none committed yet.
  const store = openStore(db);
  const rec = beginRecording(store, db, {
    name: 'flood',
    kind: 'capture',
    target: 'ws://x/',
    settings: {},
    createdAt: Date.now() * 1000,
  });
  const w = new SpoolWriter(rec.spoolPath);
  const t0 = Date.now() * 1000;
  w.message({ type: 'connection', ordinal: 1, url: 'ws://x/', startedAt: t0, requestHeaders: {} });
  for (let seq = 1; seq <= FRAMES; seq++)
    w.frame(1, seq, t0 + seq, 0, 1, Buffer.from(`{"seq":${seq},"pad":"${'y'.repeat(80)}"}`), 1 << 20);
  w.close();
  rec.lock.release();
  store.close();
  const digest = () => createHash('sha256').update(readFileSync(rec.spoolPath)).digest('hex');
  const before = digest();

  disk.fill(256 * 1024);
  const full = await sessions(db);
  expect(full.stderr).not.toMatch(/\n\s+at /);
  const lines = full.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/session 1 .*could not be recovered yet: the disk is full/);
  expect(existsSync(rec.spoolPath)).toBe(true);
  expect(existsSync(`${rec.spoolPath}.damaged`)).toBe(false);
  expect(digest()).toBe(before);

  disk.free();
  const freed = await sessions(db);
  expect(freed.code, freed.stderr).toBe(0);
  expect(freed.stderr).toBe('');
  expect(freed.list[0]).toMatchObject({ id: 1, status: 'interrupted', frames: FRAMES });
  expect(storedSeqs(db)).toEqual(range(FRAMES));
  expect(spoolPending(db)).toBeNull();
});

/** A recording whose recorder died with a connection and `frames` frames spooled, none committed. */
function uncommittedRecording(db: string, frames: number): { spool: string; t0: number } {
  const store = openStore(db);
  const t0 = Date.now() * 1000;
  const rec = beginRecording(store, db, {
    name: 'first commit',
    kind: 'capture',
    target: 'ws://x/',
    settings: {},
    createdAt: t0,
  });
  const w = new SpoolWriter(rec.spoolPath);
  w.message({ type: 'connection', ordinal: 1, url: 'ws://x/', startedAt: t0 + 1, requestHeaders: {} });
  for (let seq = 1; seq <= frames; seq++)
    w.frame(1, seq, t0 + 10 + seq, 0, 1, Buffer.from(`{"seq":${seq},"pad":"${'y'.repeat(80)}"}`), 1 << 20);
  w.close();
  rec.lock.release();
  store.close();
  return { spool: rec.spoolPath, t0 };
}

it('closes a connection whose first commit met a full disk once its spool is committed, at its last frame', async (ctx) => {
  const disk = diskOrSkip(32, (n) => ctx.skip(n));
  const db = join(disk.path, 'frameline.db');
  const FRAMES = 30_000;
  const { t0 } = uncommittedRecording(db, FRAMES);

  disk.fill(256 * 1024);
  const full = await sessions(db);
  expect(full.stderr).toMatch(
    /^frameline: session 1 is interrupted but could not be recovered yet: the disk is full/,
  );
  expect(full.list[0]).toMatchObject({ id: 1, status: 'interrupted', frames: 0 });

  disk.free();
  const freed = await sessions(db);
  expect(freed.code, freed.stderr).toBe(0);
  expect(freed.list[0]).toMatchObject({
    id: 1,
    status: 'interrupted',
    frames: FRAMES,
    outcomes: { other: 1 },
  });
  const last = t0 + 10 + FRAMES;
  const shown = await cli(['show', '1', '--json', '--db', db]);
  const detail = JSON.parse(shown.stdout) as {
    session: { endedAt: string };
    connections: Array<{ closedAt: string | null; error: { kind: string; message: string } | null }>;
  };
  expect(detail.connections).toHaveLength(1);
  expect(detail.connections[0]!.closedAt).toBe(formatMicros(last));
  expect(detail.connections[0]!.error).toMatchObject({
    kind: 'other',
    message: expect.stringMatching(/interrupted/),
  });
  expect(detail.session.endedAt).toBe(formatMicros(last));
});

it('a capture whose frames wait in its spool says how many in its final line', async (ctx) => {
  const disk = diskOrSkip(40, (n) => ctx.skip(n));
  const db = join(disk.path, 'frameline.db');
  const server = await sender(null, 60, true);
  const cap = capturing([server.url, '--db', db]);
  const connections = () => {
    if (!existsSync(db)) return 0;
    const d = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return d.prepare("SELECT 1 FROM sqlite_master WHERE name = 'connection'").get()
        ? (d.prepare('SELECT count(*) FROM connection WHERE opened_at IS NOT NULL').pluck().get() as number)
        : 0;
    } finally {
      d.close();
    }
  };
  await until('the connection to be committed', () => connections() === 1, 20_000);
  // Nothing is committed from now on (another process holds the write lock), and the spool fills
  // the disk: the capture stops with every frame it received waiting in its spool.
  const locker = new Database(db);
  locker.exec('BEGIN IMMEDIATE');
  let result;
  try {
    disk.fill(2 * 1024 * 1024);
    server.go();
    result = await cap.exited;
  } finally {
    locker.exec('ROLLBACK');
    locker.close();
  }
  expect(result.code).toBe(1);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  const spool = join(disk.path, 'frameline.db-frames', 'session-1.frames');
  const waiting = await spooledFrames(spool);
  expect(waiting).toBeGreaterThan(1000);
  const final = result.stderr.split('\n').find((l) => l.startsWith('session 1 '));
  expect(final).toBe(
    `session 1 live: ${waiting} frames over 1 connection (${waiting} of them still in its spool, committed the next time the database is opened)`,
  );

  disk.free();
  const after = await sessions(db);
  expect(after.code, after.stderr).toBe(0);
  expect(after.list[0]).toMatchObject({ id: 1, status: 'interrupted', frames: waiting });
  expect(storedSeqs(db)).toEqual(range(waiting));
});

it("the console's answer to a write on a full disk is a failed answer in the command line's words, and nothing changes", async (ctx) => {
  const disk = diskOrSkip(8, (n) => ctx.skip(n));
  const db = join(disk.path, 'frameline.db');
  const service = new FramelineService({ dbPath: db, shell: 'browser' });
  cleanups.push(() => service.close());
  await callService(service, 'incidents:create', { title: 'Before the disk filled' });
  disk.fill(0);
  const runbook = readFileSync(join(import.meta.dirname, '../../fixtures/runbooks/shell-steps.md'), 'utf8');
  const answers = [
    await failedCall(service, 'incidents:create', { title: 'Full' }),
    await failedCall(service, 'runbooks:import', { fileName: 'shell-steps.md', text: runbook }),
  ];
  for (const a of answers)
    expect(a).toEqual({
      code: 'failed',
      message: `cannot write to ${db}: the disk is full (SQLITE_FULL), so the change was not saved (what the database held is as it was); free some space on that disk and try again`,
    });
  disk.free();
  expect((await callService<unknown[]>(service, 'incidents:list', {})).length).toBe(1);
});

it("the console's answer to a write held up by another process's lock is a failed answer, not a bad request", async () => {
  const service = new FramelineService({ dbPath: ws.db, shell: 'browser' });
  cleanups.push(() => service.close());
  const locker = new Database(ws.db);
  locker.exec('BEGIN IMMEDIATE');
  let answer;
  try {
    answer = await failedCall(service, 'incidents:create', { title: 'Locked out' });
  } finally {
    locker.exec('ROLLBACK');
    locker.close();
  }
  expect(answer).toEqual({
    code: 'failed',
    message: `${ws.db} is locked by another process that is writing to it (waited 5 s); try again when it has finished`,
  });
}, 30_000);

it('an export or a report written with -o to a full disk: one line, exit 1, no half-written file', async (ctx) => {
  const disk = diskOrSkip(8, (n) => ctx.skip(n));
  const har = join(import.meta.dirname, '../../fixtures/har/chrome-devtools.har');
  expect((await cli(['import', har, '--db', ws.db])).code).toBe(0);
  expect((await cli(['incident', 'create', '--title', 'Full', '--db', ws.db])).code).toBe(0);
  disk.fill(0);
  for (const [args, file] of [
    [['export', '1', '--format', 'har'], join(disk.path, 'session.har')],
    [['export', '1', '--format', 'ndjson'], join(disk.path, 'session.ndjson')],
    [['report', '1'], join(disk.path, 'report.md')],
  ] as const) {
    const r = await cli([...args, '-o', file, '--db', ws.db]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 1,
      stderr: `frameline: cannot write ${file}: the disk is full (ENOSPC); the partial file was removed; free some space on that disk and try again\n`,
    });
    expect(existsSync(file)).toBe(false);
  }
});
