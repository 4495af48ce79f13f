// Stored bytes are checked: every frame committed into a segment keeps the CRC-32 of its payload,
// and every read compares the bytes against it. A frame whose bytes changed on disk, or that lies
// beyond the end of a segment cut short, is marked damaged wherever it is read (the whole-payload
// reads, the list's previews, the export pages) and its bytes are not served; its neighbours are.
// Frames committed before checksums existed are unchecked, never damaged. Compaction carries the
// checksums over and never copies a damaged payload into a fresh segment as if it were good.
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEngine, type EngineContext } from '../../../../electron/engine/context.js';
import {
  compact,
  frame,
  framePages,
  frames,
  roundTrips,
  streamFrames,
} from '../../../../electron/engine/sessions/sessions.js';
import { payloadBytes, readPayload } from '../../../../electron/engine/sessions/frame-store.js';
import { crc32Table } from '../../../../electron/engine/store/checksum.js';
import { beginRecording, recordingFiles } from '../../../../electron/engine/store/recording.js';
import { recoverOrphanedSessions } from '../../../../electron/engine/store/recovery.js';
import { SpoolWriter } from '../../../../electron/engine/store/spool.js';
import { tempDir, type TempDir } from './helpers.js';

const T0 = 1_763_776_433_000_000;
const TEXT = 1;
const BINARY = 2;
const PING = 9;

let dir: TempDir;
let dbPath: string;
const engines: Array<EngineContext & { close(): void }> = [];

beforeEach(() => {
  dir = tempDir('frameline-integrity-');
  dbPath = dir.file('store.db');
});

afterEach(() => {
  for (const e of engines.splice(0)) if (e.db.open) e.close();
  dir.remove();
});

function open(): EngineContext & { close(): void } {
  const e = openEngine(dbPath);
  engines.push(e);
  return e;
}

interface Sent {
  opcode: number;
  bytes: Buffer;
  direction?: number;
}

/** Records a session as a capture does (spooled on the receiving side, committed by recovery). */
function record(ctx: EngineContext, sent: Sent[]): { id: number; spool: string } {
  const rec = beginRecording(ctx.db, dbPath, {
    name: 'r',
    kind: 'capture',
    target: 'ws://example/',
    settings: {},
    createdAt: T0,
  });
  const w = new SpoolWriter(rec.spoolPath);
  w.message({ type: 'connection', ordinal: 1, url: 'ws://example/', startedAt: T0, requestHeaders: {} });
  sent.forEach((f, i) => w.frame(1, i + 1, T0 + 1 + i, f.direction ?? 0, f.opcode, f.bytes, 1 << 20));
  w.close();
  rec.lock.release();
  rec.releaseReserve();
  expect(recoverOrphanedSessions(ctx.db, dbPath, { sessionId: rec.sessionId }).recovered).toEqual([
    rec.sessionId,
  ]);
  return { id: rec.sessionId, spool: rec.spoolPath };
}

function randomBytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

const PAYLOADS: Sent[] = [
  { opcode: TEXT, bytes: Buffer.from('{"id":1,"price":100}') },
  { opcode: TEXT, bytes: Buffer.alloc(0) },
  { opcode: TEXT, bytes: Buffer.from('{"id":3,"price":"a long enough payload to flip sixteen bytes in"}') },
  { opcode: BINARY, bytes: randomBytes(300 * 1024, 3) },
  { opcode: TEXT, bytes: Buffer.from('{"id":5,"price":105}') },
  { opcode: PING, bytes: Buffer.from('ping-1'), direction: 1 },
  { opcode: 10, bytes: Buffer.from('ping-1') },
  { opcode: TEXT, bytes: Buffer.from('{"id":8,"price":108}') },
];

function decoded(f: { opcode: string; payload: string }): Buffer {
  return Buffer.from(f.payload, f.opcode === 'text' ? 'utf8' : 'base64');
}

/** Where a frame's payload lies in its session's segment file (the spool the capture wrote). */
function located(
  ctx: EngineContext,
  session: { id: number; spool: string },
  seq: number,
): { file: string; offset: number; length: number } {
  const r = ctx.db
    .prepare(
      'SELECT payload_offset AS offset, payload_length AS length FROM frame WHERE session_id = ? AND seq = ?',
    )
    .get(session.id, seq) as { offset: number; length: number };
  return { file: session.spool, ...r };
}

/** Overwrites `n` bytes at `at` of a file with their complement (a bit-rot, a bad sector). */
function flip(file: string, at: number, n = 16): void {
  const bytes = readFileSync(file).subarray(at, at + n);
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.from(bytes.map((b) => b ^ 0xff)), 0, n, at);
  } finally {
    closeSync(fd);
  }
}

const CHECKSUM_WORDS = /checksum/;
const CUT_WORDS = /cut short/;

describe('a checksum per frame', () => {
  it('CRC-32 of each payload is kept at commit, and the table-driven fallback agrees with zlib', () => {
    const ctx = open();
    const { id } = record(ctx, PAYLOADS);
    const stored = ctx.db
      .prepare('SELECT payload_crc FROM frame WHERE session_id = ? ORDER BY seq')
      .pluck()
      .all(id);
    expect(stored).toEqual(PAYLOADS.map((p) => zlibCrc32(p.bytes)));
    // The check value of CRC-32 (ISO-HDLC) and a few payloads, through the fallback used where
    // Node's zlib has no crc32 (before 20.15).
    expect(crc32Table(Buffer.from('123456789'))).toBe(0xcbf43926);
    for (const p of PAYLOADS) expect(crc32Table(p.bytes)).toBe(zlibCrc32(p.bytes));
  });
});

describe('damaged bytes are marked wherever they are read', () => {
  it('a frame whose bytes changed on disk is damaged in every read; its neighbours are intact', async () => {
    let ctx = open();
    const rec = record(ctx, PAYLOADS);
    const id = rec.id;
    const at = located(ctx, rec, 3);
    flip(at.file, at.offset + 20);
    const big = located(ctx, rec, 4);
    flip(big.file, big.offset + big.length - 16); // past the head a preview reads
    ctx.close();
    ctx = open();

    const all = [...streamFrames(ctx, id)];
    expect(all.map((f) => f.damaged ?? false)).toEqual([
      false,
      false,
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
    expect(all[2]).toMatchObject({ seq: 3, damaged: true, payload: '' });
    expect(all[2]!.damage).toMatch(CHECKSUM_WORDS);
    all.forEach((f, i) => {
      if (!f.damaged) expect(decoded(f).equals(PAYLOADS[i]!.bytes)).toBe(true);
    });

    // The list's previews and the detail pane.
    const page = frames(ctx, { id, offset: 0, limit: 50, filter: {} });
    expect(page.frames.map((f) => f.damaged ?? false)).toEqual([
      false,
      false,
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
    expect(page.frames[2]).toMatchObject({ preview: '', damaged: true });
    expect(page.frames[3]).toMatchObject({ preview: '', damaged: true });
    expect(page.frames[4]!.preview).toBe('{"id":5,"price":105}');
    const detail = frame(ctx, { id, seq: 3 });
    expect(detail).toMatchObject({ damaged: true, payload: '' });
    expect(detail.damage).toMatch(CHECKSUM_WORDS);
    expect(frame(ctx, { id, seq: 5 })).toMatchObject({ payload: '{"id":5,"price":105}' });
    expect(frame(ctx, { id, seq: 5 }).damaged).toBeUndefined();

    // Export pages: the damaged frame comes marked, without bytes.
    const stored = [];
    for await (const p of framePages(ctx, id)) stored.push(...p);
    expect(stored.map((f) => f.damage !== null)).toEqual([
      false,
      false,
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
    expect(stored[2]!.payload.length).toBe(0);
    expect(stored[4]!.payload.equals(PAYLOADS[4]!.bytes)).toBe(true);

    // The strict reader refuses the damaged frame and names why.
    const row = ctx.db
      .prepare(
        'SELECT payload, segment_id, payload_offset, payload_length, payload_crc FROM frame WHERE session_id = ? AND seq = 3',
      )
      .get(id) as Parameters<typeof payloadBytes>[1];
    expect(() => payloadBytes(ctx.db, row)).toThrow(CHECKSUM_WORDS);
    expect(readPayload(ctx.db, row).damage).toBe('checksum');
  });

  it('a segment cut short: the frames beyond its end are damaged, the ones before it are served', () => {
    let ctx = open();
    const rec = record(ctx, PAYLOADS);
    const id = rec.id;
    const cut = located(ctx, rec, 5);
    truncateSync(cut.file, cut.offset + 4); // in the middle of frame 5's payload
    ctx.close();
    ctx = open();

    const all = [...streamFrames(ctx, id)];
    expect(all.map((f) => f.damaged ?? false)).toEqual([false, false, false, false, true, true, true, true]);
    for (const f of all.slice(4)) expect(f.damage).toMatch(CUT_WORDS);
    all.slice(0, 4).forEach((f, i) => expect(decoded(f).equals(PAYLOADS[i]!.bytes)).toBe(true));
    const page = frames(ctx, { id, offset: 0, limit: 50, filter: {} });
    expect(page.frames.filter((f) => f.damaged).map((f) => f.seq)).toEqual([5, 6, 7, 8]);
    expect(frame(ctx, { id, seq: 8 }).damage).toMatch(CUT_WORDS);
    // Round trips read the pings and pongs, and incoming messages only while a request waits (none
    // was sent here): the damaged ones read are counted, not paired.
    const trips = roundTrips(ctx, id);
    expect(trips.pingMs).toEqual([]);
    expect(trips.damaged).toMatchObject({ frames: 2, seqs: [6, 7] });
  });

  it('round trips read an incoming message only while a request waits on its connection', () => {
    // A flood of id-carrying ticks with one request in the middle: the report of a million-frame
    // session read and parsed every tick (seconds per million frames). A frame that is not read
    // cannot be found damaged, so the ticks outside the request's wait are damaged on disk: only
    // the ones read while it waits may be counted.
    const tick = (n: number): Sent => ({ opcode: TEXT, bytes: Buffer.from(`{"id":${n},"type":"tick"}`) });
    const before = Array.from({ length: 300 }, (_, i) => tick(i + 1));
    const during = [tick(1000), tick(1001)];
    const after = Array.from({ length: 300 }, (_, i) => tick(i + 2000));
    const sent: Sent[] = [
      ...before,
      { opcode: TEXT, bytes: Buffer.from('{"id":"r1","op":"quote"}'), direction: 1 },
      ...during,
      { opcode: TEXT, bytes: Buffer.from('{"id":"r1","ok":true}') },
      ...after,
    ];
    let ctx = open();
    const rec = record(ctx, sent);
    const request = before.length + 1;
    const answer = request + during.length + 1;
    for (let seq = 1; seq <= sent.length; seq++) {
      if (seq >= request && seq <= answer) continue;
      const at = located(ctx, rec, seq);
      flip(at.file, at.offset + 2, 4);
    }
    ctx.close();
    ctx = open();

    expect([...streamFrames(ctx, rec.id)].filter((f) => f.damaged).length).toBe(sent.length - 4);
    const trips = roundTrips(ctx, rec.id);
    expect(trips).toMatchObject({ requests: 1, answered: 1 });
    expect(trips.requestMs).toHaveLength(1);
    expect(trips.damaged.frames).toBe(0);
  });
});

describe('frames committed before checksums', () => {
  it('are unchecked after the migration, never damaged; a segment cut short is still found', () => {
    // The schema as the previous version left it (migrations before 0130), with a session whose
    // payloads lie in a segment file.
    const migrations = new URL('../../../../electron/engine/store/migrations/', import.meta.url);
    const old = new Database(dbPath);
    old.pragma('journal_mode = WAL');
    for (const f of readdirSync(migrations)
      .filter((n) => /^\d{4}-.*\.sql$/.test(n) && Number(n.slice(0, 4)) < 130)
      .sort()) {
      old.exec(readFileSync(new URL(f, migrations), 'utf8'));
      old.pragma(`user_version = ${Number(f.slice(0, 4))}`);
    }
    old
      .prepare(
        "INSERT INTO session (id, name, kind, target, status, created_at) VALUES (1, 'before', 'capture', 'ws://x/', 'complete', ?)",
      )
      .run(T0);
    old
      .prepare(
        "INSERT INTO connection (id, session_id, ordinal, url, started_at, frames) VALUES (1, 1, 1, 'ws://x/', ?, 3)",
      )
      .run(T0);
    const folder = recordingFiles(dbPath, 1).dir;
    const segment = join(folder, 'session-1.frames');
    const bodies = ['{"id":1}', '{"id":2,"pad":"xxxxxxxxxxxxxxxxxxxxxxxx"}', '{"id":3}'].map((s) =>
      Buffer.from(s),
    );
    mkdirSync(folder, { recursive: true });
    writeFileSync(segment, Buffer.concat(bodies));
    old
      .prepare("INSERT INTO segment (id, session_id, path) VALUES (1, 1, 'store.db-frames/session-1.frames')")
      .run();
    let at = 0;
    const insert = old.prepare(
      `INSERT INTO frame (session_id, connection_id, seq, ts, direction, opcode, size, payload, segment_id,
         payload_offset, payload_length) VALUES (1, 1, ?, ?, 0, 1, ?, X'', 1, ?, ?)`,
    );
    bodies.forEach((b, i) => {
      insert.run(i + 1, T0 + i, b.length, at, b.length);
      at += b.length;
    });
    old.close();

    let ctx = open();
    expect(ctx.db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(130);
    expect(ctx.db.prepare('SELECT count(*) FROM frame WHERE payload_crc IS NULL').pluck().get()).toBe(3);
    // Changed bytes in an unchecked frame cannot be told: served, not called damaged.
    flip(segment, bodies[0]!.length + 10, 4);
    const all = [...streamFrames(ctx, 1)];
    expect(all.map((f) => f.damaged ?? false)).toEqual([false, false, false]);
    expect(all[0]!.payload).toBe('{"id":1}');
    ctx.close();
    // A cut is found without a checksum.
    truncateSync(segment, bodies[0]!.length + 5);
    ctx = open();
    const after = [...streamFrames(ctx, 1)];
    expect(after.map((f) => f.damaged ?? false)).toEqual([false, true, true]);
    expect(after[1]!.damage).toMatch(CUT_WORDS);
  });
});

describe('compaction', () => {
  it('carries the checksums over and leaves a damaged segment as it is, still marked', () => {
    let ctx = open();
    const sent = Array.from({ length: 2000 }, (_, i) => ({
      opcode: i % 3 === 0 ? BINARY : TEXT,
      bytes: i % 3 === 0 ? randomBytes(i % 50, i) : Buffer.from(`{"n":${i}}`),
    }));
    const good = record(ctx, sent);
    const bad = record(ctx, sent);
    const crcs = ctx.db
      .prepare('SELECT payload_crc FROM frame WHERE session_id = ? ORDER BY seq')
      .pluck()
      .all(good.id);
    const hit = located(ctx, bad, 101);
    flip(hit.file, hit.offset, 4);
    const badBytes = readFileSync(hit.file);

    const report = compact(ctx);
    expect(report).toMatchObject({ segmentsRewritten: 1, damagedSegmentsKept: 1 });
    ctx.close();
    ctx = open();
    // The intact segment was rewritten: same checksums, every frame checked and intact.
    expect(
      ctx.db.prepare('SELECT payload_crc FROM frame WHERE session_id = ? ORDER BY seq').pluck().all(good.id),
    ).toEqual(crcs);
    const back = [...streamFrames(ctx, good.id)];
    expect(back.filter((f) => f.damaged)).toEqual([]);
    back.forEach((f, i) => expect(decoded(f).equals(sent[i]!.bytes)).toBe(true));
    // The damaged one is left byte for byte where it was, and its frame still reads as damaged.
    expect(statSync(hit.file).size).toBe(badBytes.length);
    expect(readFileSync(hit.file).equals(badBytes)).toBe(true);
    const damaged = [...streamFrames(ctx, bad.id)].filter((f) => f.damaged).map((f) => f.seq);
    expect(damaged).toEqual([101]);
  });
});
