// A database and its -frames folder are one relocatable pair: a copy (or a renamed, moved evidence
// file) reads its own frames, and nothing done to the copy — compaction, deleting a session,
// recovery — touches the original's files. Segment locations are stored relative to the frames
// folder the database is opened with, and a file outside that folder is never deleted or rewritten.
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEngine, type EngineContext } from '../../../../electron/engine/context.js';
import {
  compact,
  missingSegmentFiles,
  remove,
  streamFrames,
} from '../../../../electron/engine/sessions/sessions.js';
import { getSessionRow } from '../../../../electron/engine/sessions/session-store.js';
import { beginRecording } from '../../../../electron/engine/store/recording.js';
import { recoverOrphanedSessions } from '../../../../electron/engine/store/recovery.js';
import { SpoolWriter } from '../../../../electron/engine/store/spool.js';
import { tempDir, type TempDir } from './helpers.js';

const T0 = 1_763_776_433_000_000;
const MIGRATIONS = new URL('../../../../electron/engine/store/migrations/', import.meta.url);

let dir: TempDir;
const engines: Array<EngineContext & { close(): void }> = [];

beforeEach(() => {
  dir = tempDir('frameline-copies-');
});

afterEach(() => {
  for (const e of engines.splice(0)) if (e.db.open) e.close();
  dir.remove();
});

function open(path: string): EngineContext & { close(): void } {
  const e = openEngine(path);
  engines.push(e);
  return e;
}

/** Many small frames: record headers outweigh the payloads, so compaction rewrites the segment. */
const SMALL = Array.from({ length: 1500 }, (_, i) => Buffer.from(`{"n":${i}}`));

/** Records a finished session (spooled, then committed by recovery as after its recorder stopped). */
function record(ctx: EngineContext, payloads: Buffer[]): number {
  const rec = beginRecording(ctx.db, ctx.dbPath, {
    name: 'r',
    kind: 'capture',
    target: 'ws://example/',
    settings: {},
    createdAt: T0,
  });
  const w = new SpoolWriter(rec.spoolPath);
  w.message({ type: 'connection', ordinal: 1, url: 'ws://example/', startedAt: T0, requestHeaders: {} });
  payloads.forEach((p, i) => w.frame(1, i + 1, T0 + 1 + i, 0, 1, p, 1 << 20));
  w.close();
  rec.lock.release();
  rec.releaseReserve();
  expect(recoverOrphanedSessions(ctx.db, ctx.dbPath, { sessionId: rec.sessionId }).recovered).toEqual([
    rec.sessionId,
  ]);
  return rec.sessionId;
}

/** Every file of a folder with a digest of its bytes. */
function snapshot(folder: string): Map<string, string> {
  return new Map(
    readdirSync(folder).map((f) => [
      f,
      createHash('sha256')
        .update(readFileSync(join(folder, f)))
        .digest('hex'),
    ]),
  );
}

function payloads(ctx: EngineContext, id: number): string[] {
  return [...streamFrames(ctx, id)].map((f) => f.payload);
}

/** Copies a closed database and its frames folder under another name (and folder). */
function copyPair(from: string, to: string): void {
  mkdirSync(join(to, '..'), { recursive: true });
  cpSync(from, to);
  cpSync(`${from}-frames`, `${to}-frames`, { recursive: true });
}

describe('a copy of a database', () => {
  it('compacted, leaves the original intact: its files byte for byte, its frames read back equal', () => {
    const live = dir.file('live.db');
    let ctx = open(live);
    const a = record(ctx, SMALL);
    const b = record(ctx, [Buffer.from('second session')]);
    ctx.close();
    const before = snapshot(`${live}-frames`);
    expect(before.size).toBe(2);

    const backup = dir.file('backup.db');
    copyPair(live, backup);
    const copy = open(backup);
    const report = compact(copy);
    expect(report.segmentsRewritten).toBe(2);
    // The copy reads its own rewritten segment.
    expect(payloads(copy, a)).toEqual(SMALL.map(String));
    copy.close();

    expect(snapshot(`${live}-frames`)).toEqual(before);
    ctx = open(live);
    expect(payloads(ctx, a)).toEqual(SMALL.map(String));
    expect(payloads(ctx, b)).toEqual(['second session']);
  });

  it('deleting a session in the copy leaves the original its files', () => {
    const live = dir.file('live.db');
    let ctx = open(live);
    const id = record(ctx, [Buffer.from('evidence')]);
    ctx.close();
    const before = snapshot(`${live}-frames`);

    const backup = dir.file('backup.db');
    copyPair(live, backup);
    const copy = open(backup);
    remove(copy, id);
    expect(readdirSync(`${backup}-frames`)).toEqual([]);
    copy.close();

    expect(snapshot(`${live}-frames`)).toEqual(before);
    ctx = open(live);
    expect(payloads(ctx, id)).toEqual(['evidence']);
  });

  it('renamed and moved to another folder, reads all its frames from its own folder', () => {
    const live = dir.file('live.db');
    const ctx = open(live);
    const a = record(ctx, SMALL.slice(0, 50));
    const b = record(ctx, [Buffer.from('x'.repeat(70_000))]);
    ctx.close();

    const evidence = join(dir.path, 'case-42', 'evidence.db');
    copyPair(live, evidence);
    // The original is gone: nothing can be read from it by mistake.
    rmSync(live);
    rmSync(`${live}-frames`, { recursive: true });
    const moved = open(evidence);
    expect(payloads(moved, a)).toEqual(SMALL.slice(0, 50).map(String));
    expect(payloads(moved, b)).toEqual(['x'.repeat(70_000)]);
  });

  it('moved without its frames folder, names the folder it needs; with the folder but not the file, says so', () => {
    const live = dir.file('live.db');
    const ctx = open(live);
    const id = record(ctx, [Buffer.from('far away')]);
    ctx.close();

    const evidence = join(dir.path, 'case-7', 'evidence.db');
    mkdirSync(join(dir.path, 'case-7'));
    cpSync(live, evidence);
    const moved = open(evidence);
    const folder = join(dir.path, 'case-7', 'evidence.db-frames');
    // Its frames read as damaged (missing), and what to put back is named.
    const damage = (ctx: EngineContext) => [...streamFrames(ctx, id)].map((f) => f.damage);
    expect(damage(moved)).toEqual(['missing: its segment file is missing']);
    expect(missingSegmentFiles(moved, id)).toEqual([
      `the frame payloads of session ${id} are in ${folder}, which is missing; put the folder evidence.db-frames back beside evidence.db`,
    ]);
    moved.close();

    mkdirSync(folder);
    const again = open(evidence);
    expect(damage(again)).toEqual(['missing: its segment file is missing']);
    expect(missingSegmentFiles(again, id)).toEqual([
      `the frame payloads of session ${id} are in ${join(folder, `session-${id}.frames`)}, which is missing from ${folder}; restore that file from a copy of the folder`,
    ]);
    again.close();

    // Put back, the file reads again (from the same database connection as from a new one).
    cpSync(`${live}-frames`, folder, { recursive: true });
    const restored = open(evidence);
    expect(payloads(restored, id)).toEqual(['far away']);
    expect(missingSegmentFiles(restored, id)).toEqual([]);
  });

  it('recovered, commits its own spool and removes its own lock, never the original’s', () => {
    // A copy taken while a capture was running: its session is live, with a spool and a lock.
    const live = dir.file('live.db');
    const ctx = open(live);
    const rec = beginRecording(ctx.db, ctx.dbPath, {
      name: 'running',
      kind: 'capture',
      target: 'ws://example/',
      settings: {},
      createdAt: T0,
    });
    const w = new SpoolWriter(rec.spoolPath);
    w.message({ type: 'connection', ordinal: 1, url: 'ws://example/', startedAt: T0, requestHeaders: {} });
    w.frame(1, 1, T0 + 1, 0, 1, Buffer.from('spooled'), 1 << 20);
    w.flush();
    // Copied with what the write-ahead log holds (as a backup tool copies a database in use).
    ctx.db.pragma('wal_checkpoint(TRUNCATE)');
    const backup = dir.file('backup.db');
    copyPair(live, backup);
    const original = snapshot(`${live}-frames`);

    const copy = open(backup);
    expect(getSessionRow(copy.db, rec.sessionId)!.status).toBe('interrupted');
    expect(payloads(copy, rec.sessionId)).toEqual(['spooled']);
    expect(existsSync(join(`${backup}-frames`, `session-${rec.sessionId}.lock`))).toBe(false);
    copy.close();
    // The original capture still runs: its lock is held, its spool and files untouched.
    expect(snapshot(`${live}-frames`)).toEqual(original);
    expect(getSessionRow(ctx.db, rec.sessionId)!.status).toBe('live');
    w.close();
    rec.lock.release();
    rec.releaseReserve();
  });
});

describe('files a database does not own', () => {
  it('a segment outside its frames folder is read, but never rewritten or deleted', () => {
    const path = dir.file('store.db');
    const ctx = open(path);
    const id = record(ctx, SMALL);
    // A row that points elsewhere, as an older version or a tool could have written it.
    const outside = dir.file('kept-elsewhere.frames');
    const segment = ctx.db.prepare('SELECT id, path FROM segment WHERE session_id = ?').get(id) as {
      id: number;
      path: string;
    };
    renameSync(join(`${path}-frames`, segment.path), outside);
    ctx.db.prepare('UPDATE segment SET path = ? WHERE id = ?').run(outside, segment.id);
    const bytes = readFileSync(outside);

    expect(payloads(ctx, id)).toEqual(SMALL.map(String));
    expect(compact(ctx).segmentsRewritten).toBe(0);
    expect(readFileSync(outside).equals(bytes)).toBe(true);
    remove(ctx, id);
    expect(readFileSync(outside).equals(bytes)).toBe(true);
  });
});

describe('a symlinked database path', () => {
  it('keeps the database and its frames folder together beside the real file', () => {
    const realDir = join(dir.path, 'real');
    mkdirSync(realDir);
    const real = join(realDir, 'live.db');
    let ctx = open(real);
    record(ctx, [Buffer.from('through the file')]);
    ctx.close();
    const link = dir.file('link.db');
    symlinkSync(real, link);

    ctx = open(link);
    expect(ctx.dbPath).toBe(real);
    const id = record(ctx, [Buffer.from('through the link')]);
    expect(payloads(ctx, 1)).toEqual(['through the file']);
    ctx.close();
    expect(existsSync(`${link}-frames`)).toBe(false);
    expect(existsSync(join(`${real}-frames`, `session-${id}.frames`))).toBe(true);
    ctx = open(real);
    expect(payloads(ctx, id)).toEqual(['through the link']);
  });

  it('a link to a database not made yet creates it, and its frames folder, beside the link’s target', () => {
    const realDir = join(dir.path, 'real');
    mkdirSync(realDir);
    const link = dir.file('new.db');
    symlinkSync(join(realDir, 'target.db'), link);
    const ctx = open(link);
    record(ctx, [Buffer.from('first')]);
    ctx.close();
    expect(statSync(join(realDir, 'target.db')).isFile()).toBe(true);
    expect(existsSync(join(realDir, 'target.db-frames', 'session-1.frames'))).toBe(true);
    expect(existsSync(`${link}-frames`)).toBe(false);
  });
});

describe('a folder known by two names', () => {
  it('a recording made through a link to the database’s folder is still the database’s own', () => {
    const realDir = join(dir.path, 'real');
    mkdirSync(realDir);
    const linkDir = dir.file('link');
    symlinkSync(realDir, linkDir);
    const ctx = open(join(realDir, 'store.db'));
    // As a caller that names the folder through the link (macOS's /tmp is one) would.
    const elsewhere = { ...ctx, dbPath: join(linkDir, 'store.db') };
    const id = record(elsewhere, [Buffer.from('through the other name')]);
    expect(ctx.db.prepare('SELECT path FROM segment WHERE session_id = ?').pluck().get(id)).toBe(
      `session-${id}.frames`,
    );
    expect(payloads(ctx, id)).toEqual(['through the other name']);
    remove(ctx, id);
    expect(readdirSync(join(realDir, 'store.db-frames'))).toEqual([]);
  });
});

describe('migration 0120 (segment locations relative to the frames folder)', () => {
  it('keeps the file name of every stored path, and reads segments from the frames folder and the old -spool folder', () => {
    const path = dir.file('evidence.db');
    const old = new Database(path);
    old.pragma('journal_mode = WAL');
    for (const f of readdirSync(MIGRATIONS)
      .filter((n) => /^\d{4}-.+\.sql$/.test(n) && Number(n.slice(0, 4)) < 120)
      .sort()) {
      old.exec(readFileSync(new URL(f, MIGRATIONS), 'utf8'));
      old.pragma(`user_version = ${Number(f.slice(0, 4))}`);
    }
    const session = old.prepare(
      `INSERT INTO session (id, name, kind, target, status, created_at, ended_at, writer_pid, writer_host, writer_lock, spool_path)
       VALUES (?, 'old', 'capture', 'ws://x/', ?, ?, ?, ?, ?, ?, ?)`,
    );
    // Written when the database was called live.db (then copied as evidence.db), by three versions.
    session.run(1, 'complete', T0, T0 + 10, null, null, null, null);
    session.run(2, 'complete', T0, T0 + 10, null, null, null, null);
    session.run(
      3,
      'live',
      T0,
      null,
      999_999_998,
      'elsewhere.invalid',
      null,
      '/home/someone/live.db-spool/session-3.spool',
    );
    session.run(
      4,
      'live',
      T0,
      null,
      999_999_999,
      'elsewhere.invalid',
      'live.db-frames/session-4.lock',
      'live.db-frames/session-4.frames',
    );
    const segment = old.prepare('INSERT INTO segment (id, session_id, path) VALUES (?, ?, ?)');
    segment.run(1, 1, 'live.db-frames/session-1-7.frames');
    segment.run(2, 2, 'live.db-spool/session-2.spool');
    segment.run(3, 4, 'C:\\Users\\someone\\live.db-frames\\session-4.frames');
    const connection = old.prepare(
      "INSERT INTO connection (id, session_id, ordinal, url, started_at, frames) VALUES (?, ?, 1, 'ws://x/', ?, 1)",
    );
    connection.run(1, 1, T0);
    connection.run(2, 2, T0);
    const frame = old.prepare(
      'INSERT INTO frame (session_id, connection_id, seq, ts, direction, opcode, size, payload, segment_id, payload_offset, payload_length) VALUES (?, ?, 1, ?, 0, 1, ?, ?, ?, 0, ?)',
    );
    frame.run(1, 1, T0 + 1, 5, Buffer.alloc(0), 1, 5);
    frame.run(2, 2, T0 + 1, 6, Buffer.alloc(0), 2, 6);
    old.close();
    mkdirSync(`${path}-frames`);
    writeFileSync(join(`${path}-frames`, 'session-1-7.frames'), 'first');
    // A session recovered from a spool of the version before segments kept it in the -spool folder.
    mkdirSync(`${path}-spool`);
    writeFileSync(join(`${path}-spool`, 'session-2.spool'), 'second');

    const ctx = open(path);
    expect(ctx.db.prepare('SELECT path FROM segment ORDER BY id').pluck().all()).toEqual([
      'session-1-7.frames',
      'session-2.spool',
      'session-4.frames',
    ]);
    expect(getSessionRow(ctx.db, 3)).toMatchObject({ spool_path: 'session-3.spool' });
    expect(getSessionRow(ctx.db, 4)).toMatchObject({
      status: 'live',
      writer_lock: 'session-4.lock',
      spool_path: 'session-4.frames',
    });
    expect(payloads(ctx, 1)).toEqual(['first']);
    expect(payloads(ctx, 2)).toEqual(['second']);

    // The live session of a version before segments, its spool in the -spool folder, is recovered
    // from there when asked (it was recorded elsewhere), and its spool stays there as its segment.
    const w = new SpoolWriter(join(`${path}-spool`, 'session-3.spool'));
    w.message({ type: 'connection', ordinal: 1, url: 'ws://x/', startedAt: T0, requestHeaders: {} });
    w.frame(1, 1, T0 + 1, 0, 1, Buffer.from('third'), 1 << 20);
    w.close();
    const report = recoverOrphanedSessions(ctx.db, ctx.dbPath, { sessionId: 3, otherHosts: true });
    expect(report.recovered).toEqual([3]);
    expect(payloads(ctx, 3)).toEqual(['third']);
    expect(ctx.db.prepare('SELECT path FROM segment WHERE session_id = 3').pluck().all()).toEqual([
      'session-3.spool',
    ]);
  });
});
