// A database and its -frames folder, copied, renamed, moved or named through a symbolic link, stay
// one pair: what is done to a copy never reaches its original's files, a copy reads its own frames
// wherever it lies, and a link never splits the database from its frames.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cli, workspace, type Workspace } from '../../support/cli.js';
import { serverScript, startPeer, type Peer } from '../../support/processes.js';

let ws: Workspace;
let peer: Peer | null = null;
beforeEach(() => {
  ws = workspace();
});
afterEach(async () => {
  await peer?.stop();
  peer = null;
  ws.cleanup();
});

/**
 * Captures 3,000 small frames into `db`, each payload cut to 40 bytes: every frame then has a record
 * of its own, so the segment is mostly headers, and compaction rewrites it (whole payloads read
 * together are stored nearly without overhead, and a segment of them may be left as it is).
 */
async function capture(db: string): Promise<void> {
  peer ??= await startPeer(process.execPath, [serverScript('flood-peer.mjs'), 'plain', '3000']);
  const r = await cli([
    'capture',
    `ws://127.0.0.1:${peer.port}/`,
    '--payload-cap',
    '40',
    '--db',
    db,
    '--quiet',
  ]);
  expect(r.code, r.stderr).toBe(0);
}

function digests(folder: string): Map<string, string> {
  return new Map(
    readdirSync(folder).map((f) => [
      f,
      createHash('sha256')
        .update(readFileSync(join(folder, f)))
        .digest('hex'),
    ]),
  );
}

/** The frames of session 1 as `show --frames --json` prints them. */
async function frames(db: string): Promise<unknown[]> {
  const r = await cli(['show', '1', '--frames', '--json', '--db', db]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { frames: unknown[] }).frames;
}

it('compacting a copy leaves the original’s segment byte for byte, and both read the same frames', async () => {
  const live = join(ws.dir, 'live.db');
  await capture(live);
  const before = await frames(live);
  expect(before).toHaveLength(3002); // and the two close frames
  const files = digests(`${live}-frames`);

  const backup = join(ws.dir, 'backup.db');
  cpSync(live, backup);
  cpSync(`${live}-frames`, `${backup}-frames`, { recursive: true });
  const compacted = await cli(['compact', '--json', '--db', backup]);
  expect(compacted.code, compacted.stderr).toBe(0);
  expect(JSON.parse(compacted.stdout)).toMatchObject({ segmentsRewritten: 1 });

  expect(digests(`${live}-frames`)).toEqual(files);
  expect(await frames(live)).toEqual(before);
  expect(await frames(backup)).toEqual(before);
});

it('a copy renamed into another folder reads all its frames; without its folder it names the one it needs', async () => {
  const live = join(ws.dir, 'live.db');
  await capture(live);
  const before = await frames(live);

  const caseDir = join(ws.dir, 'case-42');
  mkdirSync(caseDir);
  const evidence = join(caseDir, 'evidence.db');
  cpSync(live, evidence);
  // Its frames are marked damaged (exit 1), and the one line on stderr names the folder to put back.
  const alone = await cli(['show', '1', '--frames', '--db', evidence]);
  expect(alone.code).toBe(1);
  expect(alone.stderr).toMatch(
    /^frameline: session 1: \d+ frames are damaged \(seq [^)]*: \d+ in a missing segment file\); they are marked damaged and their bytes left out, the other frames come through as stored; /,
  );
  expect(
    alone.stderr.endsWith(
      `; the frame payloads of session 1 are in ${evidence}-frames, which is missing; put the folder evidence.db-frames back beside evidence.db\n`,
    ),
    alone.stderr,
  ).toBe(true);
  expect(alone.stderr.trimEnd().split('\n')).toHaveLength(1);
  // Renamed with it, as the message says: everything reads, with the original gone.
  renameSync(`${live}-frames`, `${evidence}-frames`);
  expect(await frames(evidence)).toEqual(before);
});

it('a symbolic link as --db keeps the database and its frames folder together beside the real file', async () => {
  const realDir = join(ws.dir, 'real');
  mkdirSync(realDir);
  const real = join(realDir, 'live.db');
  const link = join(ws.dir, 'link.db');
  symlinkSync(real, link);

  await capture(link); // made through the link
  expect(existsSync(`${link}-frames`)).toBe(false);
  expect(existsSync(join(`${real}-frames`, 'session-1.frames'))).toBe(true);
  const through = await frames(link);
  expect(through).toHaveLength(3002);
  expect(await frames(real)).toEqual(through);
});
