import { appendFileSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Db } from '../../../../electron/engine/store/database.js';
import {
  createSession,
  getSessionRow,
  setSpoolPath,
} from '../../../../electron/engine/sessions/session-store.js';
import { SpoolApplier } from '../../../../electron/engine/store/spool-apply.js';
import { SpoolDamagedError, SpoolWriter } from '../../../../electron/engine/store/spool.js';
import { tempDir, type TempDir } from './helpers.js';

const T0 = 1_763_776_433_000_000;

let dir: TempDir;
let db: Db;
let sessionId: number;
let spool: string;
const appliers: SpoolApplier[] = [];

beforeEach(() => {
  dir = tempDir('frameline-apply-');
  db = openStore(dir.file('store.db'));
  sessionId = createSession(db, {
    name: 't',
    kind: 'capture',
    target: 'ws://localhost/',
    settings: {},
    createdAt: T0,
  });
  spool = dir.file('t.spool');
  setSpoolPath(db, sessionId, spool);
});

afterEach(() => {
  for (const a of appliers.splice(0)) a.close();
  db.close();
  dir.remove();
});

function applier(offset = 0): SpoolApplier {
  const a = new SpoolApplier(db, sessionId, spool, offset);
  appliers.push(a);
  return a;
}

function connection(w: SpoolWriter, ordinal = 1): void {
  w.message({
    type: 'connection',
    ordinal,
    url: 'ws://localhost/',
    startedAt: T0,
    requestHeaders: { A: '1' },
  });
}

function frames(w: SpoolWriter, from: number, to: number, ordinal = 1): void {
  for (let s = from; s <= to; s++)
    w.frame(ordinal, s, T0 + s, s % 2, 2, Buffer.alloc(10 + s, s & 0xff), 1 << 20);
}

const seqs = (): number[] =>
  (
    db.prepare('SELECT seq FROM frame WHERE session_id = ? ORDER BY id').all(sessionId) as Array<{
      seq: number;
    }>
  ).map((r) => r.seq);
const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const storedOffset = (): number => getSessionRow(db, sessionId)!.spool_offset;

describe('SpoolApplier', () => {
  it('commits every frame once and moves the stored offset to the end', () => {
    const w = new SpoolWriter(spool);
    connection(w);
    frames(w, 1, 50);
    w.close();
    const a = applier();
    expect(a.applyUpTo()).toBe(50);
    expect(seqs()).toEqual(range(1, 50));
    expect(a.offset).toBe(statSync(spool).size);
    expect(storedOffset()).toBe(a.offset);
  });

  it('does not duplicate frames when applyUpTo runs twice', () => {
    const w = new SpoolWriter(spool);
    connection(w);
    frames(w, 1, 20);
    w.close();
    const a = applier();
    expect(a.applyUpTo()).toBe(20);
    expect(a.applyUpTo()).toBe(0);
    expect(seqs()).toEqual(range(1, 20));
    expect(db.prepare('SELECT frames FROM connection').get()).toEqual({ frames: 20 });
  });

  it('does not duplicate frames when a new applier resumes from the stored offset', () => {
    const w = new SpoolWriter(spool);
    connection(w);
    frames(w, 1, 20);
    w.close();
    applier().applyUpTo();
    const again = applier(storedOffset());
    expect(again.applyUpTo()).toBe(0);
    expect(seqs()).toEqual(range(1, 20));
  });

  it('picks up records appended after the last apply', () => {
    const w = new SpoolWriter(spool);
    connection(w);
    frames(w, 1, 10);
    w.flush();
    const a = applier();
    expect(a.applyUpTo()).toBe(10);
    frames(w, 11, 25);
    w.close();
    expect(a.applyUpTo()).toBe(15);
    expect(seqs()).toEqual(range(1, 25));
    const c = db
      .prepare('SELECT frames, bytes_in, bytes_out, first_frame_at, last_frame_at FROM connection')
      .get() as Record<string, number>;
    expect(c.frames).toBe(25);
    expect(c.bytes_in).toBe(
      range(1, 25)
        .filter((s) => s % 2 === 0)
        .reduce((n, s) => n + 10 + s, 0),
    );
    expect(c.bytes_out).toBe(
      range(1, 25)
        .filter((s) => s % 2 === 1)
        .reduce((n, s) => n + 10 + s, 0),
    );
    expect(c.first_frame_at).toBe(T0 + 1);
    expect(c.last_frame_at).toBe(T0 + 25);
  });

  it('stops before a half-written record and completes it once the rest arrives', () => {
    const full = dir.file('full.spool');
    const w = new SpoolWriter(full);
    connection(w);
    frames(w, 1, 8);
    w.close();
    const bytes = readFileSync(full);
    const cut = bytes.length - 7; // inside frame 8
    writeFileSync(spool, bytes.subarray(0, cut));

    const a = applier();
    expect(a.applyUpTo()).toBe(7);
    expect(a.offset).toBeLessThan(cut);
    expect(storedOffset()).toBe(a.offset);
    appendFileSync(spool, bytes.subarray(cut));
    expect(a.applyUpTo()).toBe(1);
    expect(seqs()).toEqual(range(1, 8));
  });

  it('applies up to a given offset only', () => {
    const w = new SpoolWriter(spool);
    connection(w);
    frames(w, 1, 5);
    const mid = w.flush();
    frames(w, 6, 9);
    w.close();
    const a = applier();
    expect(a.applyUpTo(mid)).toBe(5);
    expect(storedOffset()).toBe(mid);
    expect(a.applyUpTo()).toBe(4);
    expect(seqs()).toEqual(range(1, 9));
  });

  it('commits in batches of batchFrames and still counts every frame', () => {
    const w = new SpoolWriter(spool);
    connection(w);
    frames(w, 1, 100);
    w.close();
    expect(applier().applyUpTo(undefined, 7)).toBe(100);
    expect(seqs()).toEqual(range(1, 100));
    expect(db.prepare('SELECT frames FROM connection').get()).toEqual({ frames: 100 });
  });

  it('records handshake, close and event messages on the connection', () => {
    const w = new SpoolWriter(spool);
    connection(w);
    w.message({
      type: 'handshake',
      ordinal: 1,
      status: 101,
      responseHeaders: { Upgrade: 'websocket' },
      bodyHead: Buffer.from('head').toString('base64'),
      subprotocol: 'v1',
      extensions: 'permessage-deflate',
      timings: { dnsMs: 1.5, tcpMs: 2.5, tlsMs: null, upgradeMs: 4.5 },
      openedAt: T0 + 100,
      requestHeaders: { A: '1', B: '2' },
    });
    w.message({ type: 'event', ordinal: 1, ts: T0 + 150, kind: 'ping-timeout', detail: { ms: 5 } });
    w.message({ type: 'event', ordinal: null, ts: T0 + 160, kind: 'note', detail: null });
    w.message({
      type: 'closed',
      ordinal: 1,
      closedAt: T0 + 200,
      code: null,
      reason: null,
      closedBy: 'network',
      error: { kind: 'reset', message: 'read ECONNRESET' },
    });
    w.close();
    expect(applier().applyUpTo()).toBe(0);

    const c = db.prepare('SELECT * FROM connection WHERE session_id = ?').get(sessionId) as Record<
      string,
      unknown
    >;
    expect(c).toMatchObject({
      ordinal: 1,
      url: 'ws://localhost/',
      started_at: T0,
      request_headers: '{"A":"1","B":"2"}',
      status: 101,
      response_headers: '{"Upgrade":"websocket"}',
      subprotocol: 'v1',
      extensions: 'permessage-deflate',
      dns_ms: 1.5,
      tcp_ms: 2.5,
      tls_ms: null,
      upgrade_ms: 4.5,
      opened_at: T0 + 100,
      closed_at: T0 + 200,
      close_code: null,
      closed_by: 'network',
      error_kind: 'reset',
      error_message: 'read ECONNRESET',
    });
    expect((c.response_body_head as Buffer).toString()).toBe('head');
    expect(db.prepare('SELECT connection_id, ts, kind, detail FROM event ORDER BY id').all()).toEqual([
      { connection_id: c.id, ts: T0 + 150, kind: 'ping-timeout', detail: '{"ms":5}' },
      { connection_id: null, ts: T0 + 160, kind: 'note', detail: '{}' },
    ]);
  });

  it('commits nothing, offset included, when a batch fails', () => {
    const w = new SpoolWriter(spool);
    connection(w);
    frames(w, 1, 3);
    w.close();
    // The database refuses the third insert (as a full disk would).
    db.exec(
      "CREATE TEMP TRIGGER refuse BEFORE INSERT ON frame WHEN NEW.seq = 3 BEGIN SELECT RAISE(ABORT, 'refused'); END",
    );
    expect(() => applier().applyUpTo()).toThrow(/refused/);
    expect(seqs()).toEqual([]);
    expect(db.prepare('SELECT count(*) AS n FROM connection').get()).toEqual({ n: 0 });
    expect(storedOffset()).toBe(0);
  });

  it('takes a frame for a connection the spool never opened for damage, keeping what came before', () => {
    const w = new SpoolWriter(spool);
    connection(w);
    frames(w, 1, 3);
    frames(w, 4, 4, 9); // a frame for a connection the spool never opened
    w.close();
    expect(() => applier().applyUpTo()).toThrow(SpoolDamagedError);
    expect(seqs()).toEqual([1, 2, 3]);
  });

  // Frame rows are inserted many to a statement: a value refused inside one must still be found at
  // its own record, everything before it kept and nothing after it.
  it('takes a frame whose value the database refuses for damage at its own record, among many', () => {
    const w = new SpoolWriter(spool);
    connection(w);
    frames(w, 1, 99);
    const at = w.written + w.pending;
    w.frame(1, 100, T0 + 100.5, 0, 2, Buffer.alloc(8), 1 << 20); // no integer: the column refuses it
    frames(w, 101, 300);
    w.close();
    const a = applier();
    let damage: unknown = null;
    try {
      a.applyUpTo();
    } catch (err) {
      damage = err;
    }
    expect(damage).toBeInstanceOf(SpoolDamagedError);
    expect((damage as SpoolDamagedError).offset).toBe(at);
    expect(seqs()).toEqual(range(1, 99));
    expect(storedOffset()).toBe(at);
    expect(a.committedFrames).toBe(99);
  });
});
