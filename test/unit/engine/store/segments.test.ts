// Payloads live in segment files beside the database: they read back byte for byte, a deleted
// session takes its bytes with it, compaction gives back what deletions and framing left behind, and
// a database from before segments still opens and reads.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEngine, type EngineContext } from '../../../../electron/engine/context.js';
import {
  compact,
  frame,
  frames,
  remove,
  streamFrames,
} from '../../../../electron/engine/sessions/sessions.js';
import { deleteSession } from '../../../../electron/engine/sessions/session-store.js';
import { searchText } from '../../../../electron/engine/sessions/text-index.js';
import {
  beginRecording,
  recordingFiles,
  type Recording,
} from '../../../../electron/engine/store/recording.js';
import { recoverOrphanedSessions } from '../../../../electron/engine/store/recovery.js';
import { SpoolWriter } from '../../../../electron/engine/store/spool.js';
import { smallDisk, type SmallDisk } from '../../../support/small-disk.js';
import { tempDir, type TempDir } from './helpers.js';

const T0 = 1_763_776_433_000_000;
const TEXT = 1;
const BINARY = 2;

let dir: TempDir;
let dbPath: string;
const engines: Array<EngineContext & { close(): void }> = [];

beforeEach(() => {
  dir = tempDir('frameline-segments-');
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
}

/**
 * Records a session as a capture does (its spool written on the receiving side), then lets
 * recovery commit it as after the recorder stopped; returns its id.
 */
function record(
  ctx: EngineContext,
  sent: Sent[],
  keepLive = false,
): { id: number; spool: string; recording: Recording } {
  const rec = beginRecording(ctx.db, dbPath, {
    name: 'r',
    kind: 'capture',
    target: 'ws://example/',
    settings: {},
    createdAt: T0,
  });
  const w = new SpoolWriter(rec.spoolPath);
  w.message({ type: 'connection', ordinal: 1, url: 'ws://example/', startedAt: T0, requestHeaders: {} });
  sent.forEach((f, i) => w.frame(1, i + 1, T0 + 1 + i, 0, f.opcode, f.bytes, 1 << 20));
  w.close();
  if (!keepLive) {
    rec.lock.release();
    rec.releaseReserve();
    expect(recoverOrphanedSessions(ctx.db, dbPath, { sessionId: rec.sessionId }).recovered).toEqual([
      rec.sessionId,
    ]);
  }
  return { id: rec.sessionId, spool: rec.spoolPath, recording: rec };
}

function bigJson(bytes: number): Buffer {
  const head = '{"type":"snapshot","marker":"needlephrase","rows":[';
  let s = head;
  for (let i = 0; s.length < bytes - 40; i++) s += `${i ? ',' : ''}{"i":${i},"v":"é${i % 10}"}`;
  s += '],"end":"';
  return Buffer.from(`${s}${'z'.repeat(Math.max(0, bytes - Buffer.byteLength(s) - 2))}"}`);
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
  { opcode: TEXT, bytes: Buffer.from('héllo wörld ✓') },
  { opcode: TEXT, bytes: Buffer.alloc(0) },
  { opcode: BINARY, bytes: Buffer.alloc(0) },
  { opcode: BINARY, bytes: Buffer.from(Array.from({ length: 256 }, (_, i) => i)) },
  { opcode: TEXT, bytes: bigJson(256 * 1024) },
  { opcode: BINARY, bytes: randomBytes(256 * 1024, 7) },
  { opcode: 9, bytes: Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]) },
  { opcode: 8, bytes: Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from('bye')]) },
];

function decoded(f: { opcode: string; payload: string }): Buffer {
  return Buffer.from(f.payload, f.opcode === 'text' ? 'utf8' : 'base64');
}

const dirBytes = (path: string): number =>
  existsSync(path) ? readdirSync(path).reduce((n, f) => n + statSync(join(path, f)).size, 0) : 0;

describe('payloads in segments', () => {
  it('read back byte for byte, text and binary, empty and 256 KiB, from a new connection too', () => {
    let ctx = open();
    const { id, spool } = record(ctx, PAYLOADS);
    // Written once: the spool is the segment, and the database holds no payload bytes.
    expect(existsSync(spool)).toBe(true);
    expect(ctx.db.prepare('SELECT sum(length(payload)) FROM frame').pluck().get()).toBe(0);
    ctx.close();

    ctx = open();
    const all = [...streamFrames(ctx, id)];
    expect(all).toHaveLength(PAYLOADS.length);
    all.forEach((f, i) => {
      expect(f.size).toBe(PAYLOADS[i]!.bytes.length);
      expect(decoded(f).equals(PAYLOADS[i]!.bytes)).toBe(true);
    });
    // One frame as the detail pane shows it, and the list's previews.
    const big = frame(ctx, { id, seq: 5 });
    expect(Buffer.from(big.payload, 'utf8').equals(PAYLOADS[4]!.bytes)).toBe(true);
    const bin = frame(ctx, { id, seq: 6 });
    expect(Buffer.from(bin.payload, 'base64').equals(PAYLOADS[5]!.bytes)).toBe(true);
    const page = frames(ctx, { id, offset: 0, limit: 50, filter: {} });
    expect(page.frames.map((f) => f.preview.slice(0, 12))).toEqual([
      'héllo wörld ',
      '',
      '',
      '00 01 02 03 ',
      '{"type":"sna',
      randomBytes(4, 7)
        .toString('hex')
        .replace(/(..)(?!$)/g, '$1 ') + ' ',
      '01 02 03 04 ',
      '1000 bye',
    ]);
    // Full-text search reads the text payloads from the segment.
    expect(searchText(ctx.db, id, 'needlephrase')).toEqual([5]);
    expect(
      frames(ctx, { id, offset: 0, limit: 10, filter: { text: 'wörld' } }).frames.map((f) => f.seq),
    ).toEqual([1]);
  });

  it('a deleted session takes its segment with it; compaction removes what an interrupted deletion left', () => {
    const ctx = open();
    const a = record(ctx, PAYLOADS);
    const b = record(ctx, PAYLOADS);
    const c = record(ctx, [{ opcode: TEXT, bytes: Buffer.from('keep me') }]);
    const folder = recordingFiles(dbPath, 0).dir;
    const before = dirBytes(folder);
    expect(before).toBeGreaterThan(2 * 512 * 1024);

    const aBytes = statSync(a.spool).size;
    remove(ctx, a.id);
    expect(existsSync(a.spool)).toBe(false);
    expect(dirBytes(folder)).toBe(before - aBytes);

    // A deletion that stopped after its commit, before its files went (a crash, a file held open).
    deleteSession(ctx.db, b.id);
    expect(existsSync(b.spool)).toBe(true);
    const orphan = statSync(b.spool).size;
    const report = compact(ctx);
    expect(report.orphansRemoved).toBe(1);
    expect(report.bytesFreed).toBeGreaterThanOrEqual(orphan);
    expect(existsSync(b.spool)).toBe(false);
    expect(report.vacuumed).toBe(true);
    // What is left reads as before.
    expect([...streamFrames(ctx, c.id)].map((f) => f.payload)).toEqual(['keep me']);
  });

  it('compaction rewrites a segment down to its payloads, which still read back, and leaves a live capture alone', () => {
    let ctx = open();
    const sent = Array.from({ length: 2000 }, (_, i) => ({
      opcode: i % 3 === 0 ? BINARY : TEXT,
      bytes: i % 3 === 0 ? randomBytes(i % 50, i) : Buffer.from(`{"n":${i}}`),
    }));
    const done = record(ctx, sent);
    const live = record(ctx, sent.slice(0, 100), true);
    const liveBytes = readFileSync(live.spool);
    const payloadTotal = sent.reduce((n, f) => n + f.bytes.length, 0);
    expect(statSync(done.spool).size).toBeGreaterThan(payloadTotal * 2); // record headers outweigh these payloads

    const report = compact(ctx);
    expect(report.segmentsRewritten).toBe(1);
    expect(existsSync(done.spool)).toBe(false);
    const files = readdirSync(recordingFiles(dbPath, 0).dir).filter((f) =>
      f.startsWith(`session-${done.id}-`),
    );
    expect(files).toHaveLength(1);
    expect(statSync(join(recordingFiles(dbPath, 0).dir, files[0]!)).size).toBe(payloadTotal);
    expect(readFileSync(live.spool).equals(liveBytes)).toBe(true);
    ctx.close();

    ctx = open();
    const back = [...streamFrames(ctx, done.id)];
    expect(back).toHaveLength(sent.length);
    back.forEach((f, i) => expect(decoded(f).equals(sent[i]!.bytes)).toBe(true));
    // Compacting again finds nothing to rewrite (the capture is still live: its recorder holds its lock).
    expect(compact(ctx).segmentsRewritten).toBe(0);
    live.recording.lock.release();
  });
});

/** Many small frames: record headers outweigh their payloads, so compaction rewrites the segment. */
const SMALL_FRAMES: Sent[] = Array.from({ length: 2000 }, (_, i) => ({
  opcode: TEXT,
  bytes: Buffer.from(`{"n":${i}}`),
}));

describe('compaction and its temporary files', () => {
  it('sweeps the rewrite a compaction that died left behind, and nothing else of the folder', () => {
    const ctx = open();
    const kept = record(ctx, [{ opcode: TEXT, bytes: Buffer.from('keep me') }]);
    const folder = recordingFiles(dbPath, 0).dir;
    // A compaction killed while writing session 7's new segment, and a file that is not ours.
    const leftover = join(folder, 'session-7-3.frames.tmp');
    writeFileSync(leftover, Buffer.alloc(4096, 1));
    writeFileSync(join(folder, 'notes.tmp'), 'mine');
    const report = compact(ctx);
    expect(existsSync(leftover)).toBe(false);
    expect(report.orphansRemoved).toBe(1);
    expect(report.bytesFreed).toBeGreaterThanOrEqual(4096);
    expect(readFileSync(join(folder, 'notes.tmp'), 'utf8')).toBe('mine');
    expect([...streamFrames(ctx, kept.id)].map((f) => f.payload)).toEqual(['keep me']);
  });

  const noDisk = (() => {
    const d = smallDisk(1);
    if ('unavailable' in d) return d.unavailable;
    d.unmount();
    return null;
  })();
  it.skipIf(noDisk !== null)(
    'a rewrite that fails on a full disk removes its temporary file and says so in one sentence; every frame reads as before',
    () => {
      const disk = smallDisk(8) as SmallDisk;
      try {
        dbPath = join(disk.path, 'store.db');
        const ctx = open();
        const done = record(ctx, SMALL_FRAMES);
        const folder = recordingFiles(dbPath, 0).dir;
        const before = readdirSync(folder);
        disk.fill(0);
        let thrown: unknown = null;
        try {
          compact(ctx);
        } catch (err) {
          thrown = err;
        }
        disk.free();
        expect(thrown).toMatchObject({ name: 'StoreError', code: 'io' });
        expect((thrown as Error).message).toMatch(
          new RegExp(
            `^compaction stopped: cannot write ${join(folder, `session-${done.id}-\\d+\\.frames\\.tmp`)}, the rewritten segment of session ${done.id}: the disk is full \\(ENOSPC\\); it was removed, and every frame is where it was; free some space on that disk and try again$`,
          ),
        );
        expect(readdirSync(folder)).toEqual(before);
        const back = [...streamFrames(ctx, done.id)];
        back.forEach((f, i) => expect(f.payload).toBe(SMALL_FRAMES[i]!.bytes.toString()));
        expect(back).toHaveLength(SMALL_FRAMES.length);
        // With room again, the same compaction goes through.
        expect(compact(ctx).segmentsRewritten).toBe(1);
        ctx.close();
      } finally {
        disk.unmount();
      }
    },
  );
});

describe('a database from before segments', () => {
  it('opens, reads its inline payloads and records new sessions beside them', () => {
    // The schema as the previous version left it (migrations up to 0100), with frames stored inline.
    const migrations = new URL('../../../../electron/engine/store/migrations/', import.meta.url);
    const old = new Database(dbPath);
    old.pragma('journal_mode = WAL');
    for (const f of readdirSync(migrations)
      .filter((n) => /^\d{4}-.*\.sql$/.test(n) && Number(n.slice(0, 4)) < 110)
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
        "INSERT INTO connection (id, session_id, ordinal, url, started_at, frames) VALUES (1, 1, 1, 'ws://x/', ?, ?)",
      )
      .run(T0, PAYLOADS.length);
    const insert = old.prepare(
      'INSERT INTO frame (session_id, connection_id, seq, ts, direction, opcode, size, payload) VALUES (1, 1, ?, ?, 0, ?, ?, ?)',
    );
    PAYLOADS.forEach((p, i) => insert.run(i + 1, T0 + i, p.opcode, p.bytes.length, p.bytes));
    old.close();

    const ctx = open();
    const all = [...streamFrames(ctx, 1)];
    all.forEach((f, i) => expect(decoded(f).equals(PAYLOADS[i]!.bytes)).toBe(true));
    expect(frames(ctx, { id: 1, offset: 0, limit: 2, filter: {} }).frames.map((f) => f.preview)).toEqual([
      'héllo wörld ✓',
      '',
    ]);
    expect(searchText(ctx.db, 1, 'needlephrase')).toEqual([5]);

    const fresh = record(ctx, PAYLOADS.slice(0, 2));
    expect([...streamFrames(ctx, fresh.id)].map((f) => f.payload)).toEqual(['héllo wörld ✓', '']);
    compact(ctx);
    expect(decoded(frame(ctx, { id: 1, seq: 6 })).equals(PAYLOADS[5]!.bytes)).toBe(true);
    expect(searchText(ctx.db, 1, 'needlephrase')).toEqual([5]);
  });
});
