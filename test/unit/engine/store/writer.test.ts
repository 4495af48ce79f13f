// The writer thread commits a long backlog one transaction per turn: progress is reported batch by
// batch, and between batches the thread hears its messages. A backlog is made here the way a busy
// database makes one: another process holds the write lock while 50,000 frames are spooled.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore, type Db } from '../../../../electron/engine/store/database.js';
import { beginRecording } from '../../../../electron/engine/store/recording.js';
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

it('commits a backlog of 50,000 frames batch by batch, reporting each batch as it commits', async () => {
  const rec = beginRecording(db, dbPath, {
    name: 'backlog',
    kind: 'capture',
    target: 'ws://127.0.0.1:9/',
    settings: {},
    createdAt: T0,
  });
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
    spool.message({
      type: 'connection',
      ordinal: 1,
      url: 'ws://127.0.0.1:9/',
      startedAt: T0,
      requestHeaders: {},
    });
    spool.message({
      type: 'handshake',
      ordinal: 1,
      status: 101,
      responseHeaders: {},
      bodyHead: null,
      subprotocol: null,
      extensions: null,
      timings: { dnsMs: null, tcpMs: 0.1, tlsMs: null, upgradeMs: 0.2 },
      openedAt: T0,
    });
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
