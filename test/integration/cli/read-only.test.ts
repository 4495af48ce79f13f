// A database that cannot be written here — a read-only file (0444), or a read-only folder — is
// opened for reading: sessions are listed, shown, exported and diagnosed, the user is told once
// that writes are off, and every write says in one line that the database is read-only. Nothing is
// migrated, recovered or written, and no file is left beside it.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, cli, finished, workspace, type CliResult, type Workspace } from '../../support/cli.js';
import { serverScript, startPeer, type Peer } from '../../support/processes.js';

let ws: Workspace;
let peer: Peer | null = null;
beforeEach(() => {
  ws = workspace();
});
afterEach(async () => {
  await peer?.stop();
  peer = null;
  chmodSync(ws.dir, 0o755);
  ws.cleanup();
});

/**
 * Permissions bind everyone but root: as root (CI), the command runs as the unprivileged user
 * "nobody", for whom the database is someone else's read-only file, as it is for any user.
 */
const AS = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
const NOBODY = 65534;

function run(args: string[]): Promise<CliResult> {
  return finished(
    spawn(process.execPath, [CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...AS,
      env: { ...process.env, TMPDIR: '/tmp', HOME: '/tmp', NO_PROXY: '*' },
    }),
  );
}

/** Every file of the folder with a digest of its bytes (subfolders by name). */
function files(dir: string): Map<string, string> {
  return new Map(
    readdirSync(dir, { withFileTypes: true }).map((e) => [
      e.name,
      e.isFile()
        ? createHash('sha256')
            .update(readFileSync(join(dir, e.name)))
            .digest('hex')
        : 'folder',
    ]),
  );
}

/** Records a session of 200 frames into the workspace's database (as the user who owns it). */
async function recorded(): Promise<void> {
  peer = await startPeer(process.execPath, [serverScript('flood-peer.mjs'), 'plain', '200']);
  const r = await cli(['capture', `ws://127.0.0.1:${peer.port}/`, '--db', ws.db, '--quiet']);
  expect(r.code, r.stderr).toBe(0);
}

/** Gives the folder (and what is in it) to the user the commands run as, as their own files are. */
function ownedByRunner(): void {
  if (AS.uid === undefined) return;
  for (const name of ['', ...readdirSync(ws.dir)]) chownSync(join(ws.dir, name), NOBODY, NOBODY);
  const frames = `${ws.db}-frames`;
  if (existsSync(frames))
    for (const name of readdirSync(frames)) chownSync(join(frames, name), NOBODY, NOBODY);
}

const NOTICE = (reason: string) =>
  `frameline: ${ws.db} is read-only here (${reason}): sessions can be listed, shown, diagnosed and exported, but nothing is recorded, changed or recovered\n`;

describe.each([
  {
    what: 'a read-only file (0444) in a writable folder',
    reason: 'the file cannot be written',
    protect: () => chmodSync(ws.db, 0o444),
  },
  {
    what: 'a writable file in a read-only folder',
    reason: 'its folder cannot be written',
    protect: () => chmodSync(ws.dir, 0o555),
  },
])('$what', ({ reason, protect }) => {
  it('is listed, shown, exported and diagnosed; writes are refused in one line; nothing is left beside it', async () => {
    await recorded();
    ownedByRunner();
    protect();
    const before = files(ws.dir);

    const list = await run(['sessions', '--json', '--db', ws.db]);
    expect(list.stderr).toBe(NOTICE(reason));
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject([{ id: 1, status: 'complete', frames: 202 }]);

    const show = await run(['show', '1', '--frames', '--json', '--db', ws.db]);
    expect(show.code, show.stderr).toBe(0);
    expect((JSON.parse(show.stdout) as { frames: unknown[] }).frames).toHaveLength(202);

    const exported = await run(['export', '1', '--format', 'ndjson', '--db', ws.db]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout.trim().split('\n').length).toBeGreaterThan(200);

    const diagnosed = await run(['diagnose', '1', '--json', '--db', ws.db]);
    expect([0, 1]).toContain(diagnosed.code);
    expect(diagnosed.stderr).toBe(NOTICE(reason));
    expect(JSON.parse(diagnosed.stdout)).toMatchObject({ sessionId: 1 });

    for (const [args, what] of [
      [['incident', 'create', '--title', 'Drops'], 'so this command cannot change it'],
      [['capture', `ws://127.0.0.1:${peer!.port}/`], 'so it cannot record a session'],
      [['compact'], 'so it cannot be compacted'],
      [['recover'], 'so it cannot recover sessions'],
    ] as const) {
      const r = await run([...args, '--db', ws.db]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      const lines = r.stderr.replace(NOTICE(reason), '').trimEnd().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0]).toContain(`frameline: ${ws.db} is read-only here (${reason})`);
      expect(lines[0]).toContain(what);
      expect(lines[0]).toMatch(/make the file and its folder writable/);
    }
    // Not a byte written, no -wal or -shm left behind (a read-only -shm would block the next writer).
    expect(files(ws.dir)).toEqual(before);
  });
});

it('an earlier schema that cannot be written says so in one line, and what to do', async () => {
  // The schema as the version before this one left it, made read-only.
  const migrations = new URL('../../../electron/engine/store/migrations/', import.meta.url);
  const old = new Database(ws.db);
  old.pragma('journal_mode = WAL');
  for (const f of readdirSync(migrations)
    .filter((n) => /^\d{4}-.+\.sql$/.test(n) && Number(n.slice(0, 4)) < 120)
    .sort()) {
    old.exec(readFileSync(new URL(f, migrations), 'utf8'));
    old.pragma(`user_version = ${Number(f.slice(0, 4))}`);
  }
  old.pragma(`application_id = ${0x46524d4c}`);
  old.close();
  writeFileSync(join(ws.dir, 'note.txt'), 'kept');
  ownedByRunner();
  chmodSync(ws.db, 0o444);
  const before = files(ws.dir);

  const r = await run(['sessions', '--db', ws.db]);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(
    new RegExp(
      `^frameline: ${ws.db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} was written by an earlier Frameline \\(schema 110; this build reads \\d+\\) and is read-only here \\(the file cannot be written\\), so it cannot be brought up to date; make the file and its folder writable and open it once, or copy the database with its -frames folder somewhere writable and open the copy\\n$`,
    ),
  );
  expect(files(ws.dir)).toEqual(before);
});
