// The writer thread commits a long backlog one transaction per turn: progress is reported batch by
// batch, and between batches the thread hears its messages. A backlog is made here the way a busy
// database makes one: another process holds the write lock while 50,000 frames are spooled.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore, type Db } from '../../../../electron/engine/store/database.js';
import { beginRecording } from '../../../../electron/engine/store/recording.js';
import { recoverOrphanedSessions } from '../../../../electron/engine/store/recovery.js';
import { SpoolWriter, type SpoolMessage } from '../../../../electron/engine/store/spool.js';
import { StoreWriter } from '../../../../electron/engine/store/writer.js';
import { until } from '../../../support/wait.js';
import { tempDir, type TempDir } from './helpers.js';

const T0 = 1_763_776_433_000_000;
const FRAMES = 50_000;
/** The writer's transaction size (SpoolApplier.applyUpTo's default batch). */
const BATCH = 20_000;

let dir: TempDir;
let db: Db;
let dbPath: string;

beforeEach(() => {
  dir = tempDir('frameline-writer-');
  dbPath = dir.file('store.db');
  db = openStore(dbPath);
});

afterEach(() => {
  if (db.open) db.close();
  dir.remove();
});

const TARGET = 'ws://127.0.0.1:9/';
const recording = (name: string) =>
  beginRecording(db, dbPath, { name, kind: 'capture', target: TARGET, settings: {}, createdAt: T0 });
/** A connection's start and its answered upgrade, as a capture spools them. */
const OPENED: SpoolMessage[] = [
  { type: 'connection', ordinal: 1, url: TARGET, startedAt: T0, requestHeaders: {} },
  {
    type: 'handshake',
    ordinal: 1,
    status: 101,
    responseHeaders: {},
    bodyHead: null,
    subprotocol: null,
    extensions: null,
    timings: { dnsMs: null, tcpMs: 0.1, tlsMs: null, upgradeMs: 0.2 },
    openedAt: T0,
  },
];

it('commits a backlog of 50,000 frames batch by batch, reporting each batch as it commits', async () => {
  const rec = recording('backlog');
  const writer = StoreWriter.for(dbPath);
  const reports: number[] = [];
  const stopListening = writer.onCommitted((id, n) => {
    if (id === rec.sessionId && n > 0) reports.push(n);
  });
  const spool = writer.begin(db, rec);
  let busy = false;
  spool.onBusy((b) => (busy = b));

  const locker = new Database(dbPath);
  locker.exec('BEGIN IMMEDIATE');
  try {
    for (const m of OPENED) spool.message(m);
    for (let seq = 1; seq <= FRAMES; seq++)
      spool.frame(1, T0 + seq, 0, 1, Buffer.from(`{"seq":${seq}}`), 1 << 20);
    spool.flush();
    await until('the writer to find the database locked', () => busy, 20_000);
  } finally {
    locker.exec('ROLLBACK');
    locker.close();
  }

  const outcome = await spool.finish(T0 + FRAMES + 1);
  stopListening();
  expect(outcome).toEqual({ status: 'complete', failure: null });
  expect(reports.reduce((a, b) => a + b, 0)).toBe(FRAMES);
  // The whole backlog was there when the lock went; it was committed and reported in batches.
  expect(Math.max(...reports)).toBeLessThanOrEqual(BATCH);
  expect(reports.length).toBeGreaterThanOrEqual(Math.ceil(FRAMES / BATCH));
  expect(db.prepare('SELECT count(*) FROM frame WHERE session_id = ?').pluck().get(rec.sessionId)).toBe(
    FRAMES,
  );
});

// CI saw a capture stopped by a full disk fail to mark its session interrupted: "the database is
// locked". The only other connection was its own writer thread, which had gone back to indexing
// text between letting go of the session and the recovery; at the lowest priority on a busy
// machine, one such transaction outlasted the busy timeout. A recovery now holds the writer first.
it('holds the writer for a recovery: no commit, no indexing, the write lock free at once until let go', async () => {
  const backlog = recording('backlog');
  const offline = new SpoolWriter(backlog.spoolPath);
  offline.message(OPENED[0]!);
  for (let seq = 1; seq <= 20_000; seq++)
    offline.frame(1, seq, T0 + seq, 0, 1, Buffer.from(`{"seq":${seq},"word":"w${seq % 977}"}`), 1 << 20);
  offline.close();
  backlog.lock.release();
  backlog.releaseReserve();
  // Committed by recovery, which leaves the full-text index to the writer.
  expect(recoverOrphanedSessions(db, dbPath).recovered).toEqual([backlog.sessionId]);
  const indexedUpTo = () =>
    db.prepare("SELECT value FROM store_state WHERE key = 'fts_indexed_upto'").pluck().get() as number;

  const writer = StoreWriter.for(dbPath);
  const indexing = writer.indexInBackground();
  await until('the writer to start indexing', () => indexedUpTo() > 0, 20_000);
  const resume = await writer.hold(60_000);
  const atHold = indexedUpTo();
  expect(atHold).toBeLessThan(20_000);
  // A capture goes on recording meanwhile: its frames wait in its spool.
  const live = recording('live');
  const spool = writer.begin(db, live);
  for (const m of OPENED) spool.message(m);
  const committed = () =>
    db.prepare('SELECT count(*) FROM frame WHERE session_id = ?').pluck().get(live.sessionId) as number;

  // Another connection that will not wait at all takes the write lock again and again, across
  // twenty times the interval at which the writer starts an indexing step when it is free to.
  const other = new Database(dbPath);
  other.pragma('busy_timeout = 0');
  try {
    for (let round = 0; round < 20; round++) {
      other.exec('BEGIN IMMEDIATE');
      other.exec('COMMIT');
      spool.frame(1, T0 + round + 1, 0, 1, Buffer.from(`{"round":${round}}`), 1 << 20);
      spool.flush();
      expect(indexedUpTo()).toBe(atHold);
      expect(committed()).toBe(0);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    other.close();
  }

  resume();
  expect(await spool.finish(T0 + 100)).toEqual({ status: 'complete', failure: null });
  expect(committed()).toBe(20);
  await indexing;
  expect(indexedUpTo()).toBe(db.prepare('SELECT max(id) FROM frame').pluck().get());
});
