import { spawn, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  truncateSync,
  statSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Db } from '../../../../electron/engine/store/database.js';
import { recoverOrphanedSessions } from '../../../../electron/engine/store/recovery.js';
import {
  createSession,
  getSession,
  getSessionRow,
  setSpoolPath,
} from '../../../../electron/engine/sessions/session-store.js';
import { SpoolApplier } from '../../../../electron/engine/store/spool-apply.js';
import { SpoolWriter } from '../../../../electron/engine/store/spool.js';
import {
  PAYLOAD_REF,
  payloadBytes,
  type PayloadRef,
} from '../../../../electron/engine/sessions/frame-store.js';
import { beginRecording, recordingFiles, toStoredPath } from '../../../../electron/engine/store/recording.js';
import { PYTHON } from '../../../support/processes.js';
import { until } from '../../../support/wait.js';
import { deadPid, tempDir, type TempDir } from './helpers.js';

const T0 = 1_763_776_433_000_000;
const N = 250;

let dir: TempDir;
let dbPath: string;
const dbs: Db[] = [];

beforeEach(() => {
  dir = tempDir('frameline-recovery-');
  dbPath = dir.file('store.db');
});

afterEach(() => {
  for (const db of dbs.splice(0)) if (db.open) db.close();
  dir.remove();
});

function open(): Db {
  const db = openStore(dbPath);
  dbs.push(db);
  return db;
}

const payloadOf = (seq: number): Buffer => Buffer.from(`{"seq":${seq},"data":"${'x'.repeat(seq % 17)}"}`);

/**
 * Creates a live session with a spool in the database's frames folder, recorded (as before recorder
 * locks existed) by this process; returns its id and spool path.
 */
function liveSession(db: Db, name = 'capture', createdAt = T0): { id: number; spool: string } {
  const id = createSession(db, {
    name,
    kind: 'capture',
    target: 'wss://example.com/ws',
    settings: { n: 1 },
    createdAt,
  });
  const spool = recordingFiles(dbPath, id).spool;
  mkdirSync(dirname(spool), { recursive: true });
  setSpoolPath(db, id, toStoredPath(dbPath, spool));
  return { id, spool };
}

/** Spools a connection, its handshake and frames seq from..to (ts T0 + 10 000 + seq). */
function spoolFrames(w: SpoolWriter, from: number, to: number, ordinal = 1): void {
  for (let seq = from; seq <= to; seq++)
    w.frame(ordinal, seq, T0 + 10_000 + seq, seq % 2, 1, payloadOf(seq), 1 << 20);
}

function spoolConnection(w: SpoolWriter, ordinal = 1): void {
  w.message({
    type: 'connection',
    ordinal,
    url: 'wss://example.com/ws',
    startedAt: T0 + 1,
    requestHeaders: { 'User-Agent': 'frameline' },
  });
  w.message({
    type: 'handshake',
    ordinal,
    status: 101,
    responseHeaders: { Upgrade: 'websocket' },
    bodyHead: null,
    subprotocol: null,
    extensions: null,
    timings: { dnsMs: 1, tcpMs: 2, tlsMs: 3, upgradeMs: 4 },
    openedAt: T0 + 5_000,
  });
}

function orphan(db: Db, id: number, pid = deadPid()): number {
  expect(pidExists(pid)).toBe(false);
  db.prepare('UPDATE session SET writer_pid = ? WHERE id = ?').run(pid, id);
  return pid;
}

const frameSeqs = (db: Db, id: number): number[] =>
  (
    db.prepare('SELECT seq FROM frame WHERE session_id = ? ORDER BY id').all(id) as Array<{ seq: number }>
  ).map((r) => r.seq);

/** Whether a process with this PID exists, as a PID check would see it (a zombie does). */
function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe('crash recovery on open', () => {
  it('commits the spool of a session whose writer died and marks it interrupted', () => {
    let db = open();
    const { id, spool } = liveSession(db);
    const pid = orphan(db, id);
    db.close();

    const w = new SpoolWriter(spool);
    spoolConnection(w);
    spoolFrames(w, 1, N);
    w.close();

    db = open();
    const s = getSessionRow(db, id)!;
    expect(s.status).toBe('interrupted');
    expect(s.ended_at).toBe(T0 + 10_000 + N);
    expect(s.writer_pid).toBeNull();
    expect(s.writer_host).toBeNull();
    expect(s.spool_path).toBeNull();

    expect(frameSeqs(db, id)).toEqual(range(1, N));
    const rows = db
      .prepare(
        `SELECT seq, ts, direction, opcode, size, truncated, ${PAYLOAD_REF()} FROM frame WHERE session_id = ? ORDER BY seq`,
      )
      .all(id) as Array<
      PayloadRef & {
        seq: number;
        ts: number;
        direction: number;
        opcode: number;
        size: number;
        truncated: number;
      }
    >;
    for (const r of rows) {
      expect(payloadBytes(db, r).equals(payloadOf(r.seq))).toBe(true);
      expect(r.ts).toBe(T0 + 10_000 + r.seq);
      expect(r.direction).toBe(r.seq % 2);
      expect(r.opcode).toBe(1);
      expect(r.size).toBe(payloadOf(r.seq).length);
      expect(r.truncated).toBe(0);
    }

    const c = db.prepare('SELECT * FROM connection WHERE session_id = ?').all(id) as Array<
      Record<string, unknown>
    >;
    expect(c).toHaveLength(1);
    expect(c[0]!.status).toBe(101);
    expect(c[0]!.closed_at).toBe(T0 + 10_000 + N);
    expect(c[0]!.error_kind).toBe('other');
    expect(c[0]!.error_message).toMatch(/interrupted/);
    expect(c[0]!.frames).toBe(N);
    const sizes = range(1, N).map((q) => ({ q, n: payloadOf(q).length }));
    expect(c[0]!.bytes_in).toBe(sizes.filter((x) => x.q % 2 === 0).reduce((a, x) => a + x.n, 0));
    expect(c[0]!.bytes_out).toBe(sizes.filter((x) => x.q % 2 === 1).reduce((a, x) => a + x.n, 0));
    expect(c[0]!.first_frame_at).toBe(T0 + 10_001);
    expect(c[0]!.last_frame_at).toBe(T0 + 10_000 + N);

    const events = db
      .prepare("SELECT kind, detail FROM event WHERE session_id = ? AND kind = 'session-interrupted'")
      .all(id) as Array<{
      detail: string;
    }>;
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.detail)).toEqual({ recoveredFromSpool: N, pid });

    // The spool is the session's segment now: its frames point into it.
    expect(existsSync(spool)).toBe(true);
  });

  it('does not recover the same session twice', () => {
    let db = open();
    const { id, spool } = liveSession(db);
    orphan(db, id);
    db.close();
    const w = new SpoolWriter(spool);
    spoolConnection(w);
    spoolFrames(w, 1, 5);
    w.close();
    open().close();
    db = open();
    expect(frameSeqs(db, id)).toEqual(range(1, 5));
    expect(db.prepare("SELECT count(*) AS n FROM event WHERE kind = 'session-interrupted'").get()).toEqual({
      n: 1,
    });
  });

  it('keeps what a connection that closed properly recorded', () => {
    let db = open();
    const { id, spool } = liveSession(db);
    orphan(db, id);
    db.close();
    const w = new SpoolWriter(spool);
    spoolConnection(w, 1);
    spoolFrames(w, 1, 3, 1);
    w.message({
      type: 'closed',
      ordinal: 1,
      closedAt: T0 + 20_000,
      code: 1001,
      reason: 'bye',
      closedBy: 'server',
      error: null,
    });
    spoolConnection(w, 2);
    spoolFrames(w, 4, 6, 2);
    w.close();

    db = open();
    const c = db
      .prepare(
        'SELECT ordinal, closed_at, close_code, close_reason, closed_by, error_kind, frames FROM connection WHERE session_id = ? ORDER BY ordinal',
      )
      .all(id);
    expect(c).toEqual([
      {
        ordinal: 1,
        closed_at: T0 + 20_000,
        close_code: 1001,
        close_reason: 'bye',
        closed_by: 'server',
        error_kind: null,
        frames: 3,
      },
      {
        ordinal: 2,
        closed_at: T0 + 10_006,
        close_code: null,
        close_reason: null,
        closed_by: null,
        error_kind: 'other',
        frames: 3,
      },
    ]);
  });

  it('applies only the part of the spool after the committed offset', () => {
    let db = open();
    const { id, spool } = liveSession(db);
    const w = new SpoolWriter(spool);
    spoolConnection(w);
    spoolFrames(w, 1, 40);
    w.flush();
    const applier = new SpoolApplier(db, id, spool, 0);
    expect(applier.applyUpTo()).toBe(40);
    applier.close();
    spoolFrames(w, 41, 100);
    w.close();
    orphan(db, id);
    db.close();

    db = open();
    expect(frameSeqs(db, id)).toEqual(range(1, 100));
    expect(db.prepare('SELECT frames FROM connection WHERE session_id = ?').get(id)).toEqual({ frames: 100 });
  });

  it('ignores a torn last record', () => {
    let db = open();
    const { id, spool } = liveSession(db);
    orphan(db, id);
    db.close();
    const w = new SpoolWriter(spool);
    spoolConnection(w);
    spoolFrames(w, 1, 10);
    w.close();
    truncateSync(spool, statSync(spool).size - 4);

    db = open();
    expect(getSessionRow(db, id)!.status).toBe('interrupted');
    expect(frameSeqs(db, id)).toEqual(range(1, 9));
    expect(getSessionRow(db, id)!.spool_path).toBeNull();
  });

  it('marks a session interrupted even when its spool is gone', () => {
    let db = open();
    const { id, spool } = liveSession(db);
    orphan(db, id);
    db.close();
    expect(existsSync(spool)).toBe(false);
    db = open();
    const s = getSessionRow(db, id)!;
    expect(s.status).toBe('interrupted');
    expect(s.ended_at).toBe(T0); // no frames: ends when it began
    expect(frameSeqs(db, id)).toEqual([]);
  });

  it('does not recover a live session whose writer, this process, started before it', () => {
    let db = open();
    const { id, spool } = liveSession(db, 'capture', Date.now() * 1000);
    expect(getSessionRow(db, id)!.writer_pid).toBe(process.pid);
    db.close();
    const w = new SpoolWriter(spool);
    spoolConnection(w);
    spoolFrames(w, 1, 10);
    w.close();

    db = open();
    const s = getSessionRow(db, id)!;
    expect(s.status).toBe('live');
    expect(s.spool_path).toBe('session-1.frames');
    expect(s.spool_offset).toBe(0);
    expect(frameSeqs(db, id)).toEqual([]);
    expect(db.prepare('SELECT count(*) AS n FROM event').get()).toEqual({ n: 0 });
    expect(existsSync(spool)).toBe(true);
    expect(recoverOrphanedSessions(db, dbPath).recovered).toEqual([]);
  });

  it('does not recover a session written from another machine', () => {
    let db = open();
    const { id, spool } = liveSession(db);
    orphan(db, id);
    db.prepare("UPDATE session SET writer_host = 'some-other-host.invalid' WHERE id = ?").run(id);
    db.close();
    const w = new SpoolWriter(spool);
    spoolConnection(w);
    w.close();
    db = open();
    expect(getSessionRow(db, id)!.status).toBe('live');
    expect(existsSync(spool)).toBe(true);
  });

  it('recovers only the orphaned one of two live sessions and returns its id', () => {
    const db = openStore(dbPath, { recover: false });
    dbs.push(db);
    const dead = liveSession(db, 'dead');
    const alive = liveSession(db, 'alive', Date.now() * 1000);
    orphan(db, dead.id);
    const w = new SpoolWriter(dead.spool);
    spoolConnection(w);
    spoolFrames(w, 1, 3);
    w.close();
    expect(recoverOrphanedSessions(db, dbPath).recovered).toEqual([dead.id]);
    expect(getSessionRow(db, dead.id)!.status).toBe('interrupted');
    expect(getSessionRow(db, alive.id)!.status).toBe('live');
    expect(frameSeqs(db, dead.id)).toEqual([1, 2, 3]);
  });

  it('leaves an orphaned session alone when opened with recover: false', () => {
    let db = open();
    const { id } = liveSession(db);
    orphan(db, id);
    db.close();
    db = openStore(dbPath, { recover: false });
    dbs.push(db);
    expect(getSessionRow(db, id)!.status).toBe('live');
  });
});

describe('recovery from a damaged spool', () => {
  it('still opens the database, keeps the frames before the damage and sets the spool aside', () => {
    const db = open();
    const { id, spool } = liveSession(db);
    const w = new SpoolWriter(spool);
    spoolConnection(w);
    spoolFrames(w, 1, 10);
    w.flush();
    w.close();
    // A record of an unknown kind after the good ones: the file is damaged, not just torn.
    appendFileSync(spool, Buffer.from([5, 0, 0, 0, 99, 1, 2, 3, 4]));
    orphan(db, id);
    db.close();

    const reopened = open();
    expect(getSessionRow(reopened, id)!.status).toBe('interrupted');
    // The whole file is set aside for forensics; the segment keeps the whole records before the damage.
    expect(existsSync(`${spool}.damaged`)).toBe(true);
    expect(statSync(spool).size).toBe(statSync(`${spool}.damaged`).size - 9);
    const event = reopened
      .prepare("SELECT detail FROM event WHERE session_id = ? AND kind = 'session-interrupted'")
      .get(id) as { detail: string };
    expect(JSON.parse(event.detail)).toMatchObject({
      spoolError: expect.stringMatching(/unknown record kind 99/),
    });
    const frames = reopened
      .prepare(`SELECT seq, ${PAYLOAD_REF()} FROM frame WHERE session_id = ? ORDER BY seq`)
      .all(id) as Array<PayloadRef & { seq: number }>;
    expect(frames.map((f) => f.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const f of frames) expect(payloadBytes(reopened, f).equals(payloadOf(f.seq))).toBe(true);
  });
});

// A recorder's liveness is its lock, which the OS releases when the process dies: whatever its PID
// says afterwards (a zombie, a PID reused), a dead recorder is seen as dead.
describe('recorder liveness', () => {
  const dist = (m: string) =>
    fileURLToPath(new URL(`../../../../dist/electron/engine/store/${m}.js`, import.meta.url));

  /** A process that makes a live session with beginRecording and spools frames, then waits. */
  function recorderScript(path: string, frames: number): string {
    return `
      const { openStore } = await import(${JSON.stringify(dist('database'))});
      const { beginRecording } = await import(${JSON.stringify(dist('recording'))});
      const { SpoolWriter } = await import(${JSON.stringify(dist('spool'))});
      const db = openStore(${JSON.stringify(path)});
      const rec = beginRecording(db, ${JSON.stringify(path)}, {
        name: 'child', kind: 'capture', target: 'ws://x/', settings: {}, createdAt: ${T0},
      });
      const w = new SpoolWriter(rec.spoolPath);
      w.message({ type: 'connection', ordinal: 1, url: 'ws://x/', startedAt: ${T0 + 1}, requestHeaders: {} });
      for (let seq = 1; seq <= ${frames}; seq++) w.frame(1, seq, ${T0} + 10000 + seq, 0, 1, Buffer.from('f' + seq), 1 << 20);
      w.flush();
      console.log('ready ' + process.pid);
      setInterval(() => {}, 1000);
    `;
  }

  /** Runs `argv` and resolves with its first `n` stdout lines. */
  function started(child: ChildProcess, n: number): Promise<string[]> {
    const lines: string[] = [];
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (l) => {
        lines.push(l);
        if (lines.length === n) resolve(lines);
      });
      child.once('exit', (code) => reject(new Error(`exited (${code}) before it was ready: ${stderr}`)));
    });
  }

  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  it('keeps a session live while its recorder runs and recovers it once the recorder is killed', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', recorderScript(dbPath, 20)]);
    children.push(child);
    await started(child, 1);
    let db = open();
    expect(getSessionRow(db, 1)!.status).toBe('live');
    db.close();
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    db = open();
    expect(getSessionRow(db, 1)!.status).toBe('interrupted');
    expect(frameSeqs(db, 1)).toEqual(range(1, 20));
  });

  it('sees a recorder that died but is still a zombie (its PID exists) as dead', async () => {
    // The recorder is a child of a process that does not reap it until told to.
    const parent = spawn(
      PYTHON,
      [
        '-c',
        'import subprocess, sys\np = subprocess.Popen(sys.argv[1:])\nprint(p.pid, flush=True)\nsys.stdin.readline()\np.wait()',
        process.execPath,
        '--input-type=module',
        '-e',
        recorderScript(dbPath, 30),
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    children.push(parent);
    const [pidLine] = await started(parent, 2);
    const pid = Number(pidLine);
    process.kill(pid, 'SIGKILL');
    // A zombie: every thread has exited (the last one closes the files), but the PID remains.
    await until(
      'the recorder to be a zombie',
      () =>
        /\)\s+Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')) &&
        readdirSync(`/proc/${pid}/task`).length === 1,
    );
    expect(pidExists(pid)).toBe(true); // what a PID check would conclude
    try {
      const db = open();
      expect(getSessionRow(db, 1)!.status).toBe('interrupted');
      expect(frameSeqs(db, 1)).toEqual(range(1, 30));
    } finally {
      parent.stdin!.end('\n');
    }
  });

  it('sees a recorder whose PID now belongs to another running process as dead', () => {
    let db = open();
    const rec = beginRecording(db, dbPath, {
      name: 'r',
      kind: 'capture',
      target: 'ws://x/',
      settings: {},
      createdAt: T0,
    });
    const w = new SpoolWriter(rec.spoolPath);
    spoolConnection(w);
    spoolFrames(w, 1, 12);
    w.close();
    // The recorder died (its lock went with it), and its PID was handed to a process that runs.
    rec.lock.release();
    expect(pidExists(process.ppid)).toBe(true);
    db.prepare('UPDATE session SET writer_pid = ? WHERE id = ?').run(process.ppid, rec.sessionId);
    db.close();
    db = open();
    expect(getSessionRow(db, rec.sessionId)!.status).toBe('interrupted');
    expect(frameSeqs(db, rec.sessionId)).toEqual(range(1, 12));
  });

  it('leaves a session recorded on another machine alone until asked, then recovers it', () => {
    let db = open();
    const rec = beginRecording(db, dbPath, {
      name: 'r',
      kind: 'capture',
      target: 'ws://x/',
      settings: {},
      createdAt: T0,
    });
    const w = new SpoolWriter(rec.spoolPath);
    spoolConnection(w);
    spoolFrames(w, 1, 7);
    w.close();
    rec.lock.release();
    db.prepare("UPDATE session SET writer_host = 'recorder.elsewhere.invalid' WHERE id = ?").run(
      rec.sessionId,
    );
    db.close();
    db = open();
    expect(getSessionRow(db, rec.sessionId)!.status).toBe('live');
    const report = recoverOrphanedSessions(db, dbPath, { otherHosts: true });
    expect(report.recovered).toEqual([rec.sessionId]);
    expect(getSessionRow(db, rec.sessionId)!.status).toBe('interrupted');
    expect(frameSeqs(db, rec.sessionId)).toEqual(range(1, 7));
  });

  it('does not recover a session of this process while its lock is held', () => {
    const db = open();
    const rec = beginRecording(db, dbPath, {
      name: 'r',
      kind: 'capture',
      target: 'ws://x/',
      settings: {},
      createdAt: T0,
    });
    expect(recoverOrphanedSessions(db, dbPath).recovered).toEqual([]);
    expect(getSessionRow(db, rec.sessionId)!.status).toBe('live');
    rec.lock.release();
    expect(recoverOrphanedSessions(db, dbPath).recovered).toEqual([rec.sessionId]);
  });

  /** A process that runs until killed and has nothing to do with Frameline. */
  async function unrelatedProcess(): Promise<number> {
    const child = spawn('sleep', ['120'], { stdio: 'ignore' });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    expect(pidExists(child.pid!)).toBe(true);
    return child.pid!;
  }

  /** A live session as versions before recorder locks left it: a PID, no lock, and a spool. */
  function locklessSession(db: Db, pid: number, createdAt: number): number {
    const { id, spool } = liveSession(db, 'before-locks', createdAt);
    db.prepare('UPDATE session SET writer_pid = ?, writer_lock = NULL WHERE id = ?').run(pid, id);
    const w = new SpoolWriter(spool);
    spoolConnection(w);
    spoolFrames(w, 1, 8);
    w.close();
    return id;
  }

  it('recovers a session from before recorder locks whose PID now belongs to an unrelated live process', async () => {
    let db = open();
    // Recorded a minute ago by a process that is gone; its PID now names a process started since.
    const id = locklessSession(db, process.pid, (Date.now() - 60_000) * 1000);
    const pid = await unrelatedProcess();
    db.prepare('UPDATE session SET writer_pid = ? WHERE id = ?').run(pid, id);
    db.close();

    db = open();
    expect(pidExists(pid)).toBe(true);
    expect(getSessionRow(db, id)!.status).toBe('interrupted');
    expect(frameSeqs(db, id)).toEqual(range(1, 8));
  });

  it('leaves a session from before recorder locks live while a process that started before it runs', async () => {
    const pid = await unrelatedProcess();
    let db = open();
    const id = locklessSession(db, pid, Date.now() * 1000);
    db.close();
    db = open();
    expect(getSessionRow(db, id)!.status).toBe('live');
    expect(frameSeqs(db, id)).toEqual([]);
  });
});

describe('spool paths', () => {
  it('are stored as names in the frames folder and found from any working directory', () => {
    const cwd = process.cwd();
    let rec;
    try {
      process.chdir(dir.path);
      const db = openStore('store.db');
      dbs.push(db);
      rec = beginRecording(db, 'store.db', {
        name: 'r',
        kind: 'capture',
        target: 'ws://x/',
        settings: {},
        createdAt: T0,
      });
      expect(getSessionRow(db, rec.sessionId)!.spool_path).toBe('session-1.frames');
      const w = new SpoolWriter(rec.spoolPath);
      spoolConnection(w);
      spoolFrames(w, 1, 9);
      w.close();
      rec.lock.release();
      db.close();
    } finally {
      process.chdir(cwd);
    }
    const db = open();
    expect(getSessionRow(db, rec.sessionId)!.status).toBe('interrupted');
    expect(frameSeqs(db, rec.sessionId)).toEqual(range(1, 9));
  });
});

describe('a spool that can never be applied', () => {
  /** Spools frames 1..10, then a frame whose time the database cannot store, then 12..15. */
  function poisoned(spool: string): void {
    const w = new SpoolWriter(spool);
    spoolConnection(w);
    spoolFrames(w, 1, 10);
    // A HAR message time of 1e300 s: as microseconds it is no integer SQLite can hold.
    w.frame(1, 11, 1e306, 0, 1, Buffer.from('{"late":true}'), 1 << 20);
    spoolFrames(w, 12, 15);
    w.close();
  }

  it('is set aside with one sentence, the frames before it kept, and never stops the database again', () => {
    const db = openStore(dbPath, { recover: false });
    dbs.push(db);
    const { id, spool } = liveSession(db);
    orphan(db, id);
    poisoned(spool);

    const report = recoverOrphanedSessions(db, dbPath);
    expect(report.deferred).toEqual([]);
    expect(report.recovered).toEqual([id]);
    expect(report.setAside).toHaveLength(1);
    const message = report.setAside[0]!.message;
    expect(message).toMatch(
      /^session 1: spool cannot be applied past byte \d+: its record there holds a value the database cannot store \(cannot store REAL value in INTEGER column frame\.ts\); the 10 frames before it are kept, and the whole spool is set aside as .*session-1\.frames\.damaged$/,
    );
    expect(message).not.toContain('\n');
    expect(getSessionRow(db, id)).toMatchObject({ status: 'interrupted', spool_path: null });
    expect(frameSeqs(db, id)).toEqual(range(1, 10));
    expect(existsSync(`${spool}.damaged`)).toBe(true);
    // The next open has nothing left to do.
    const again = recoverOrphanedSessions(db, dbPath);
    expect(again).toEqual({ recovered: [], deferred: [], elsewhere: [], setAside: [] });
  });

  it('is set aside too when it was left waiting by an earlier version (interrupted, its spool pending)', () => {
    const db = openStore(dbPath, { recover: false });
    dbs.push(db);
    const { id, spool } = liveSession(db);
    poisoned(spool);
    db.prepare(
      "UPDATE session SET status = 'interrupted', writer_pid = NULL, ended_at = created_at WHERE id = ?",
    ).run(id);

    const report = recoverOrphanedSessions(db, dbPath);
    expect(report.deferred).toEqual([]);
    expect(report.setAside.map((a) => a.sessionId)).toEqual([id]);
    expect(getSessionRow(db, id)!.spool_path).toBeNull();
    expect(frameSeqs(db, id)).toEqual(range(1, 10));
    expect(recoverOrphanedSessions(db, dbPath).deferred).toEqual([]);
  });
});

describe('a connection committed only after a full disk', () => {
  it('is closed by recovery at its last record, and the session ends there', () => {
    let db = openStore(dbPath, { recover: false });
    dbs.push(db);
    const { id, spool } = liveSession(db);
    orphan(db, id);
    const w = new SpoolWriter(spool);
    spoolConnection(w);
    spoolFrames(w, 1, 40);
    w.close();
    // The disk filled before the first commit: not even the connection reached the database.
    db.exec(
      "CREATE TEMP TRIGGER full BEFORE INSERT ON connection BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END",
    );
    const first = recoverOrphanedSessions(db, dbPath);
    expect(first.deferred).toHaveLength(1);
    expect(first.deferred[0]!.interrupted).toBe(true);
    db.close();

    db = open(); // room again: the spool is committed
    expect(frameSeqs(db, id)).toEqual(range(1, 40));
    const c = db
      .prepare('SELECT closed_at, error_kind, error_message FROM connection WHERE session_id = ?')
      .all(id);
    expect(c).toEqual([
      {
        closed_at: T0 + 10_040,
        error_kind: 'other',
        error_message: expect.stringMatching(/interrupted/),
      },
    ]);
    const session = getSession(db, id)!;
    expect(session.outcomes).toEqual({ other: 1 });
    expect(getSessionRow(db, id)!.ended_at).toBe(T0 + 10_040);
  });
});

describe('recovery that cannot write', () => {
  it('leaves an intact spool where it is, says why in one sentence, and finishes later', () => {
    let db = open();
    const { id, spool } = liveSession(db);
    orphan(db, id);
    const w = new SpoolWriter(spool);
    spoolConnection(w);
    spoolFrames(w, 1, 40);
    w.close();
    const bytes = readFileSync(spool);
    // The database refuses the inserts, as a full disk does.
    db.exec(
      "CREATE TEMP TRIGGER full BEFORE INSERT ON frame BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END",
    );
    const report = recoverOrphanedSessions(db, dbPath);
    expect(report.recovered).toEqual([]);
    expect(report.deferred).toHaveLength(1);
    expect(report.deferred[0]!.message).toMatch(
      /session 1 .*could not be recovered yet: database or disk is full.*kept/,
    );
    expect(report.deferred[0]!.message).not.toContain('\n');
    expect(existsSync(spool)).toBe(true);
    expect(existsSync(`${spool}.damaged`)).toBe(false);
    expect(readFileSync(spool).equals(bytes)).toBe(true);
    db.close();

    db = open(); // the trigger was temporary: the disk has room again
    expect(getSessionRow(db, id)!.status).toBe('interrupted');
    expect(frameSeqs(db, id)).toEqual(range(1, 40));
    expect(getSessionRow(db, id)!.spool_path).toBeNull();
  });
});
