// Attack family: storage faults. Another process holds the write lock past the 5 s wait while each
// write command runs; the disk fills before and during a capture's commits and under imports and
// incidents; the database sits on a read-only file system; two captures share one database; the
// file belongs to another application. The user gets one line (exit 1 for a fault of the machine,
// 2 for a file that is not ours), nothing committed is lost, SQLite finds the file sound, and no
// session is left live or with a connection that never closed.
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionSummary } from '../../shared/contract.js';
import {
  cli,
  cliJson,
  finished,
  spooledFrames,
  startCli,
  workspace,
  type Workspace,
} from '../support/cli.js';
import { serverScript, startPeer, type Peer } from '../support/processes.js';
import { recordQuotes } from '../support/replay.js';
import { smallDisk, type SmallDisk } from '../support/small-disk.js';
import {
  expectCleanEnd,
  expectOneError,
  expectOneLineFailure,
  family,
  integrity,
  limiter,
  query,
} from './kit.js';

const cases = family('storage faults');
const pool = limiter(3);
const HAR = join(import.meta.dirname, '../fixtures/har/chrome-devtools.har');
const RUNBOOK = join(import.meta.dirname, '../fixtures/runbooks/shell-steps.md');

let seed: Workspace;
let flood: Peer;
beforeAll(async () => {
  seed = workspace();
  await recordQuotes(seed.db);
  expect((await cli(['incident', 'create', '--title', 'Seed', '--db', seed.db])).code).toBe(0);
  flood = await startPeer(process.execPath, [serverScript('flood-peer.mjs'), 'plain', '50000000']);
}, 120_000);
afterAll(async () => {
  await flood?.stop();
  seed?.cleanup();
});

/** A fresh copy of the seeded database (a session, an incident) in its own folder. */
function copy(): Workspace {
  const w = workspace();
  cpSync(seed.dir, w.dir, { recursive: true });
  return w;
}

/** Rows a user cares about, to compare before and after a failed write. */
const rows = (db: string) =>
  query(
    db,
    'SELECT (SELECT count(*) FROM session) s, (SELECT count(*) FROM frame) f, (SELECT count(*) FROM incident) i',
  );

/** After any fault: sound, no session live, every connection of an ended session closed. */
async function expectSound(db: string): Promise<SessionSummary[]> {
  const { result, json } = await cliJson<SessionSummary[]>(['sessions', '--db', db]);
  expectCleanEnd(result);
  expect(result.code, result.stderr).toBe(0);
  expect(integrity(db)).toBe('ok');
  for (const s of json) {
    expect(s.status, `session ${s.id}`).not.toBe('live');
    if (s.frames > 0) expect(s.endedAt! > s.createdAt, `session ${s.id} ended when it began`).toBe(true);
  }
  const open = query<{ id: number }>(
    db,
    "SELECT c.id FROM connection c JOIN session s ON s.id = c.session_id WHERE s.status <> 'live' AND c.opened_at IS NOT NULL AND c.closed_at IS NULL",
  );
  expect(open, 'connections of ended sessions that never closed').toEqual([]);
  return json;
}

describe('a foreign write lock held past the wait (issue 19 item 4)', () => {
  const writes: string[][] = [
    ['incident', 'create', '--title', 'Locked out'],
    ['incident', 'update', '1', '--title', 'Renamed'],
    ['incident', 'action', 'add', '1', '--title', 'Raise the timeout', '--type', 'mitigate'],
    ['incident', 'link', '1', '--session', '1'],
    ['diagnose', '1'],
    ['runbooks', 'import', RUNBOOK],
    ['compact'],
    ['walk', 'start', '1', '--runbook', 'ws-3am'],
    ['import', HAR],
    ['capture', 'ws://127.0.0.1:9/', '--connect-timeout', '0.5'],
  ];
  it.concurrent.each(cases.add(writes).map((a) => [a.slice(0, 2).join(' '), a] as const))('%s', (_n, args) =>
    pool(async () => {
      const w = copy();
      try {
        const before = rows(w.db);
        const locker = new Database(w.db);
        locker.exec('BEGIN IMMEDIATE');
        let r;
        try {
          r = await cli([...args, '--db', w.db], {}, 40_000);
        } finally {
          locker.exec('ROLLBACK');
          locker.close();
        }
        expect(rows(w.db)).toEqual(before);
        // compact may leave the file alone while another process writes it, and say so.
        if (!(args[0] === 'compact' && r.code === 0)) {
          if (args[0] === 'capture') expectOneError(r, 1, args.join(' '));
          else expectOneLineFailure(r, 1, args.join(' '));
          expect(r.stderr).toMatch(/lock|busy|another process/i);
        }
        await expectSound(w.db);
        // Once the lock is gone, the same command works: nothing was left half done.
        const again = await cli([...args, '--db', w.db], {}, 40_000);
        const fine = args[0] === 'capture' ? [1] : args[0] === 'diagnose' ? [0, 1] : [0];
        expect(fine, again.stderr).toContain(again.code);
      } finally {
        w.cleanup();
      }
    }),
  );
});

/** Why a small disk cannot be mounted here, or null (CI runs as root, where it can). */
const noDisk = (() => {
  const d = smallDisk(1);
  if ('unavailable' in d) return d.unavailable;
  d.unmount();
  return null;
})();

describe.skipIf(noDisk !== null)('a full disk', () => {
  const disks: SmallDisk[] = [];
  afterAll(() => disks.forEach((d) => d.unmount()));
  const disk = (mib: number): SmallDisk => {
    const d = smallDisk(mib) as SmallDisk;
    disks.push(d);
    return d;
  };

  const leaves = cases.add([64 * 1024, 512 * 1024, 4 << 20, 12 << 20]);
  it.concurrent.each(leaves)('a flood captured with %i bytes left (issue 19 item 19)', (left) =>
    pool(async () => {
      const d = disk(32);
      const db = join(d.path, 'frameline.db');
      d.fill(left);
      const r = await cli(['capture', `ws://127.0.0.1:${flood.port}/`, '--quiet', '--db', db], {}, 90_000);
      expectOneError(r, 1, `capture with ${left} bytes left`);
      expect(r.stderr).toMatch(/disk is full|no space/i);
      if (!existsSync(db)) return; // refused before a database could be made: nothing to lose
      // The summary counts what the capture had: a connection opened, frames that wait in the spool.
      const summary = /: (\d+) frames over (\d+) connections?/.exec(r.stderr);
      const spool = join(d.path, 'frameline.db-frames', 'session-1.frames');
      const spooled = existsSync(spool) ? await spooledFrames(spool) : 0;
      if (summary && spooled > 0) expect(Number(summary[2])).toBeGreaterThan(0);
      d.free();
      const list = await expectSound(db);
      if (list.length > 0) {
        expect(list[0]!.status).toBe('interrupted');
        expect(list[0]!.frames).toBeGreaterThanOrEqual(spooled);
      }
    }),
  );

  const writes = cases.add([
    ['import', HAR],
    ['incident', 'create', '--title', 'Full'],
    ['runbooks', 'import', RUNBOOK],
    ['compact'],
  ]);
  it.concurrent.each(writes.map((a) => [a.slice(0, 2).join(' '), a] as const))(
    '%s on a full disk',
    (_n, args) =>
      pool(async () => {
        const d = disk(8);
        cpSync(seed.dir, d.path, { recursive: true });
        const db = join(d.path, 'frameline.db');
        const before = rows(db);
        d.fill(0);
        const r = await cli([...args, '--db', db], {}, 40_000);
        d.free();
        expectCleanEnd(r, args.join(' '));
        if (r.code !== 0) {
          expectOneLineFailure(r, 1, args.join(' '));
          expect(rows(db)).toEqual(before);
        }
        await expectSound(db);
      }),
  );
});

describe.skipIf(noDisk !== null)('a database on a read-only file system (issue 19 item 14)', () => {
  let d: SmallDisk;
  let db = '';
  beforeAll(() => {
    d = smallDisk(8) as SmallDisk;
    db = join(d.path, 'frameline.db');
    cpSync(seed.dir, d.path, { recursive: true });
    const r = spawnSync('mount', ['-o', 'remount,ro', d.path]);
    expect(r.status).toBe(0);
  });
  afterAll(() => d?.unmount());
  const reads = cases.add([
    ['sessions'],
    ['show', '1', '--frames'],
    ['incident', 'list'],
    ['export', '1', '--format', 'ndjson'],
  ]);
  it.each(reads.map((a) => [a.join(' '), a] as const))('%s still reads', async (_n, args) => {
    const r = await cli([...args, '--db', db]);
    expectCleanEnd(r);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
  });
  const writes = cases.add([
    ['incident', 'create', '--title', 'x'],
    ['capture', 'ws://127.0.0.1:9/'],
  ]);
  it.each(writes.map((a) => [a.join(' '), a] as const))('%s says writes are off', async (_n, args) => {
    const r = await cli([...args, '--db', db]);
    expectCleanEnd(r);
    expect([1, 2]).toContain(r.code);
    expect(r.stderr).toMatch(/read-only|read only/i);
  });
});

describe('two captures on one database (issue 19 item 17)', () => {
  cases.one();
  it('under --quiet, neither prints a lock notice, and both keep every frame', async () => {
    const w = workspace();
    try {
      const a = startCli([
        'capture',
        `ws://127.0.0.1:${flood.port}/`,
        '--quiet',
        '--duration',
        '3',
        '--db',
        w.db,
      ]);
      const b = startCli([
        'capture',
        `ws://127.0.0.1:${flood.port}/`,
        '--quiet',
        '--duration',
        '3',
        '--db',
        w.db,
      ]);
      const [ra, rb] = await Promise.all([finished(a, 90_000), finished(b, 90_000)]);
      for (const r of [ra, rb]) {
        expectCleanEnd(r);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).not.toMatch(/locked|free again/);
      }
      const list = await expectSound(w.db);
      expect(list.map((s) => s.status)).toEqual(['complete', 'complete']);
      const seqs = query<{ n: number; last: number }>(
        w.db,
        'SELECT count(*) n, max(seq) last FROM frame GROUP BY session_id',
      );
      for (const s of seqs) expect(s.last).toBe(s.n);
    } finally {
      w.cleanup();
    }
  }, 120_000);
});

describe("another application's SQLite file", () => {
  const commands = cases.add([
    ['sessions'],
    ['capture', 'ws://127.0.0.1:9/'],
    ['import', HAR],
    ['compact'],
    ['recover'],
  ]);
  it.concurrent.each(commands.map((a) => [a[0]!, a] as const))('%s refuses it untouched', (_n, args) =>
    pool(async () => {
      const w = workspace();
      try {
        const path = join(w.dir, 'app.db');
        const other = new Database(path);
        other.exec(
          "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO users VALUES (1, 'a@b.c');",
        );
        other.close();
        const before = readFileSync(path);
        const r = await cli([...args, '--db', path]);
        expectOneLineFailure(r, 2, args.join(' '));
        expect(readFileSync(path).equals(before)).toBe(true);
        expect(existsSync(`${path}-frames`)).toBe(false);
      } finally {
        w.cleanup();
      }
    }),
  );
});
