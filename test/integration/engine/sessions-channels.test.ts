// The sessions channels the command line reads through, answered by FramelineService as both
// shells carry them: whole frames page by page (`sessions:records`, what `frameline show --frames`
// writes), recovery of sessions whose recorder is gone (`sessions:recover`) and compaction
// (`sessions:compact`). Sessions are written as a recorder leaves them: a spool, then recovered.
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  contract,
  RECORD_PAGE_CHARS,
  RECORD_PAGE_FRAMES,
  type ResponseOf,
} from '../../../shared/contract.js';
import { FramelineService } from '../../../electron/engine/service.js';
import { openStore } from '../../../electron/engine/store/database.js';
import { beginRecording } from '../../../electron/engine/store/recording.js';
import { SpoolWriter } from '../../../electron/engine/store/spool.js';
import { workspace, type Workspace } from '../../support/cli.js';
import { callService, failedCall } from '../../support/service.js';

let ws: Workspace;
let service: FramelineService | undefined;

beforeEach(() => {
  ws = workspace();
});

afterEach(async () => {
  await service?.close();
  service = undefined;
  ws.cleanup();
});

const TEXT = 1;
const BINARY = 2;

/**
 * A session left as its recorder leaves it when it is killed: frames in its spool, the session
 * live, its lock free. `payloads` are written in order, text or binary, alternating direction.
 */
function spooledSession(payloads: Array<{ data: Buffer; opcode?: number }>, host?: string): number {
  const db = openStore(ws.db);
  const rec = beginRecording(db, ws.db, {
    name: 'spooled',
    kind: 'capture',
    target: 'ws://x/',
    settings: {},
    createdAt: 1_700_000_000_000_000,
  });
  const w = new SpoolWriter(rec.spoolPath);
  w.message({
    type: 'connection',
    ordinal: 1,
    url: 'ws://x/',
    startedAt: 1_700_000_000_000_001,
    requestHeaders: {},
  });
  payloads.forEach((p, i) =>
    w.frame(1, i + 1, 1_700_000_000_000_010 + i, i % 2, p.opcode ?? TEXT, p.data, 64 * 1024 * 1024),
  );
  w.close();
  rec.lock.release();
  db.close();
  if (host !== undefined) {
    const raw = new Database(ws.db);
    raw.prepare('UPDATE session SET writer_host = ? WHERE id = ?').run(host, rec.sessionId);
    raw.close();
  }
  return rec.sessionId;
}

const open = (options: { recover?: boolean; shell?: 'cli' | 'browser' } = {}) =>
  (service = new FramelineService({ dbPath: ws.db, shell: options.shell ?? 'cli', ...options }));

const call = <T = unknown>(channel: string, payload: unknown) => callService<T>(service!, channel, payload);

type Records = ResponseOf<'sessions', 'records'>;

/** Every frame of a session through `sessions:records`, page by page, and the pages' sizes. */
async function readAll(id: number, limit?: number): Promise<{ frames: Records['frames']; pages: number[] }> {
  const frames: Records['frames'] = [];
  const pages: number[] = [];
  let afterSeq = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    const page = await call<Records>('sessions:records', { id, afterSeq, ...(limit ? { limit } : {}) });
    expect(contract.sessions.records.response.safeParse(page).success).toBe(true);
    frames.push(...page.frames);
    pages.push(page.frames.length);
    if (page.next === null) return { frames, pages };
    afterSeq = page.next;
  }
  throw new Error('sessions:records never reached the end');
}

describe('sessions:records', () => {
  it('pages every frame in order with its whole payload, text as text and binary as base64', async () => {
    const payloads = Array.from({ length: 25 }, (_, i) =>
      i % 5 === 4
        ? { data: Buffer.from([0, 1, 2, 255, i]), opcode: BINARY }
        : { data: Buffer.from(`{"n":${i},"text":"${'é'.repeat(300)}"}`) },
    );
    const id = spooledSession(payloads);
    open();
    const { frames, pages } = await readAll(id, 10);
    expect(pages).toEqual([10, 10, 5]);
    expect(frames.map((f) => f.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(frames.map((f) => Buffer.from(f.payload, f.opcode === 'text' ? 'utf8' : 'base64'))).toEqual(
      payloads.map((p) => p.data),
    );
    expect(frames[0]).toMatchObject({
      connection: 1,
      direction: 'in',
      opcode: 'text',
      ts: '2023-11-14T22:13:20.000010Z',
      truncated: false,
    });
    expect(frames[4]).toMatchObject({
      opcode: 'binary',
      payload: Buffer.from([0, 1, 2, 255, 4]).toString('base64'),
    });
    // The default page is the largest; a page past the end is empty and says so.
    expect((await readAll(id)).pages).toEqual([25]);
    expect(await call('sessions:records', { id, afterSeq: 25 })).toEqual({ frames: [], next: null });
  });

  it('ends a page early once its payloads pass the bound, with one frame at least', async () => {
    const big = Math.ceil(RECORD_PAGE_CHARS / 2.5);
    const id = spooledSession([
      ...Array.from({ length: 3 }, (_, i) => ({ data: Buffer.alloc(big, 97 + i) })),
      { data: Buffer.alloc(RECORD_PAGE_CHARS + 1, 122) },
      { data: Buffer.from('last') },
    ]);
    open();
    const { frames, pages } = await readAll(id);
    // Three frames of 0.4 of the bound pass it; a frame larger than the bound is a page of its own.
    expect(pages).toEqual([3, 1, 1]);
    expect(frames.map((f) => f.payload.length)).toEqual([big, big, big, RECORD_PAGE_CHARS + 1, 4]);
    expect(frames.map((f) => f.payload[0])).toEqual(['a', 'b', 'c', 'z', 'l']);
  });

  it('refuses a page larger than the contract allows, and says which session is missing', async () => {
    open();
    expect(
      await failedCall(service!, 'sessions:records', { id: 1, limit: RECORD_PAGE_FRAMES + 1 }),
    ).toMatchObject({
      code: 'bad-request',
      message: expect.stringMatching(/^sessions:records: limit /),
    });
    expect(await failedCall(service!, 'sessions:records', { id: 7 })).toEqual({
      code: 'not-found',
      message: 'no session 7 in this database; list them with "frameline sessions"',
    });
  });
});

describe('sessions:missingSegments', () => {
  it('names the segment file to put back once its frames read as missing, and nothing before', async () => {
    const id = spooledSession(
      Array.from({ length: 10 }, (_, i) => ({ data: Buffer.from(`frame ${i + 1}`) })),
    );
    open();
    expect(await call('sessions:missingSegments', { id })).toEqual([]);
    const segment = join(`${ws.db}-frames`, `session-${id}.frames`);
    rmSync(segment);
    const { frames } = await readAll(id);
    expect(frames.map((f) => [f.damaged, f.damage, f.payload])).toEqual(
      Array.from({ length: 10 }, () => [true, 'missing: its segment file is missing', '']),
    );
    const restore = await call<string[]>('sessions:missingSegments', { id });
    expect(restore).toHaveLength(1);
    expect(restore[0]).toContain(`${segment}, which is missing from ${ws.db}-frames; restore that file`);
    expect(await failedCall(service!, 'sessions:missingSegments', { id: 99 })).toMatchObject({
      code: 'not-found',
    });
  });
});

describe('sessions:recover', () => {
  it('recovers a session recorded on another machine, which opening the database leaves live', async () => {
    const id = spooledSession(
      Array.from({ length: 300 }, (_, i) => ({ data: Buffer.from(`f${i + 1}`) })),
      'capture-box.example',
    );
    open({ shell: 'browser' });
    expect((await call<ResponseOf<'sessions', 'get'>>('sessions:get', { id })).session).toMatchObject({
      status: 'live',
      frames: 0,
    });
    const report = await call<ResponseOf<'sessions', 'recover'>>('sessions:recover', {});
    expect(report).toEqual({ recovered: [id], deferred: [], elsewhere: [], setAside: [] });
    expect((await call<ResponseOf<'sessions', 'get'>>('sessions:get', { id })).session).toMatchObject({
      status: 'interrupted',
      frames: 300,
    });
    expect(await call('sessions:recover', {})).toEqual({
      recovered: [],
      deferred: [],
      elsewhere: [],
      setAside: [],
    });
  });

  it('reports a session of this machine too when the database was opened without recovering', async () => {
    const id = spooledSession([{ data: Buffer.from('one') }, { data: Buffer.from('two') }]);
    open({ recover: false });
    expect((await call<ResponseOf<'sessions', 'get'>>('sessions:get', { id })).session.status).toBe('live');
    const report = await call<ResponseOf<'sessions', 'recover'>>('sessions:recover', {});
    expect(contract.sessions.recover.response.safeParse(report).success).toBe(true);
    expect(report.recovered).toEqual([id]);
    expect((await readAll(id)).frames.map((f) => f.payload)).toEqual(['one', 'two']);
  });
});

describe('sessions:compact', () => {
  it('deletes segment files no session refers to and keeps every frame of the others', async () => {
    const id = spooledSession(
      Array.from({ length: 50 }, (_, i) => ({ data: Buffer.from(`frame ${i + 1}`) })),
    );
    open();
    const before = (await readAll(id)).frames;
    // What a deletion that could not remove its file leaves behind.
    const stray = join(`${ws.db}-frames`, 'session-99.frames');
    writeFileSync(stray, Buffer.alloc(64 * 1024, 1));
    const report = await call<ResponseOf<'sessions', 'compact'>>('sessions:compact', {});
    expect(contract.sessions.compact.response.safeParse(report).success).toBe(true);
    expect(report).toMatchObject({ orphansRemoved: 1, damagedSegmentsKept: 0, vacuumed: true });
    expect(report.bytesFreed).toBeGreaterThanOrEqual(64 * 1024);
    expect(() => statSync(stray)).toThrow(/ENOENT/);
    expect((await readAll(id)).frames).toEqual(before);
  });
});
