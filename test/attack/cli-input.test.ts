// Attack family: bad command-line input. Every command fed wrong numbers, unknown options, extra
// arguments, ids that name nothing, URLs and headers that are not, devices that never end, files
// that are no database, and contradictory flags. Each case runs on its own copy of a database that
// holds a recorded session and an incident: the user sees exit 2 and one line, and not one byte of
// the copy changes (no file created, none touched).
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, workspace, type Workspace } from '../support/cli.js';
import { recordQuotes } from '../support/replay.js';
import {
  BOUNDED_PEAK_MIB,
  cliBounded,
  cross,
  expectOneLineFailure,
  expectPeakWithin,
  family,
  limiter,
  snapshot,
  type BoundedResult,
} from './kit.js';

const cases = family('bad CLI input');
const pool = limiter(3);
const DEAD = 'ws://127.0.0.1:9/';

let seed: Workspace;
let seedFiles: Record<string, string>;
beforeAll(async () => {
  seed = workspace();
  await recordQuotes(seed.db);
  const r = await cli(['incident', 'create', '--title', 'Attack', '--db', seed.db]);
  expect(r.code, r.stderr).toBe(0);
  writeFileSync(join(seed.dir, 'notes.txt'), 'incident notes, not a database\n');
  mkdirSync(join(seed.dir, 'a-folder'));
  seedFiles = snapshot(seed.dir);
}, 120_000);
afterAll(() => seed.cleanup());

interface Case {
  name: string;
  /** argv; DIR is replaced by the case's folder, DB by its database (added as --db unless given). */
  args: string[];
  /** Runs under a memory bound (a device that never ends). */
  bounded?: boolean;
}

/** Runs a case on its own copy of the seeded folder; expects exit 2, one line, nothing changed. */
async function attack(c: Case): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'frameline-attack-'));
  try {
    cpSync(seed.dir, dir, { recursive: true });
    const db = join(dir, 'frameline.db');
    const args = c.args.map((a) => a.replaceAll('DIR', dir).replace(/^DB$/, db));
    if (!args.includes('--db')) args.push('--db', db);
    const r = c.bounded ? await cliBounded(args, 30_000) : await cli(args, {}, 30_000);
    expectOneLineFailure(r, 2, `frameline ${args.join(' ')}`);
    if (c.bounded) expectPeakWithin(r as BoundedResult, BOUNDED_PEAK_MIB, `frameline ${args.join(' ')}`);
    expect(snapshot(dir), `frameline ${args.join(' ')} changed files`).toEqual(seedFiles);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(list: Case[]): void {
  it.concurrent.each(cases.add(list).map((c) => [c.name, c] as const))('%s', (_n, c) =>
    pool(() => attack(c)),
  );
}

describe('numbers that are not', () => {
  const flags: Array<[string, string[]]> = [
    ['capture --duration', ['capture', DEAD, '--duration']],
    ['capture --connect-timeout', ['capture', DEAD, '--connect-timeout']],
    ['capture --max-payload', ['capture', DEAD, '--max-payload']],
    ['show --limit', ['show', '1', '--limit']],
    ['replay --speed', ['replay', '1', '--to', DEAD, '--speed']],
    ['mock --port', ['mock', '1', '--port']],
  ];
  const values = ['abc', '-1', '1e309'];
  run(cross(flags, values).map(([[n, a], v]) => ({ name: `${n} ${JSON.stringify(v)}`, args: [...a, v] })));
});

describe('unknown options and missing values', () => {
  const commands: string[][] = [
    ['capture', DEAD],
    ['sessions'],
    ['show', '1'],
    ['probe', DEAD],
    ['diagnose', '1'],
    ['incident', 'list'],
    ['replay', '1', '--to', DEAD],
    ['mock', '1'],
    ['report', '1'],
    ['import', 'DIR/x.har'],
    ['export', '1', '--format', 'har'],
    ['serve'],
    ['recover'],
  ];
  run(commands.map((a) => ({ name: `${a[0]} --colour`, args: [...a, '--colour'] })));
  run([{ name: 'compact --db without its value', args: ['compact', '--json', '--db'] }]);
});

describe('extra arguments (issue 19 item 16)', () => {
  run(
    [
      ['recover', '5'],
      ['compact', '5'],
      ['sessions', 'x'],
      ['show', '1', '2'],
      ['report', '1', '2'],
      ['serve', 'x'],
      ['mock', '1', '2'],
      ['capture', DEAD, DEAD],
      ['incident', 'list', 'x'],
    ].map((a) => ({ name: a.join(' '), args: a })),
  );
});

describe('ids that name nothing', () => {
  const commands: Array<[string, (id: string) => string[]]> = [
    ['show', (id) => ['show', id]],
    ['diagnose', (id) => ['diagnose', id]],
    ['report', (id) => ['report', id]],
    ['export', (id) => ['export', id, '--format', 'har']],
    ['mock', (id) => ['mock', id]],
    ['replay', (id) => ['replay', id, '--to', DEAD]],
  ];
  run(cross(commands, ['0', '1000']).map(([[n, f], id]) => ({ name: `${n} ${id}`, args: f(id) })));
});

describe('URLs that are not WebSocket endpoints', () => {
  const urls = ['not a url', 'http://127.0.0.1:9/', 'file:///etc/passwd'];
  const where: Array<[string, (u: string) => string[]]> = [
    ['capture', (u) => ['capture', u]],
    ['probe', (u) => ['probe', u]],
    ['replay --to', (u) => ['replay', '1', '--to', u]],
  ];
  run(cross(where, urls).map(([[n, f], u]) => ({ name: `${n} ${JSON.stringify(u)}`, args: f(u) })));
});

describe('headers that are not', () => {
  const headers = ['NoColon', 'Bad Name: x', 'X-A: a\r\nInjected: 1', 'X-A: nul\u0001here'];
  run(
    cross([['capture', DEAD]], headers).map(([a, h]) => ({
      name: `${a[0]} -H ${JSON.stringify(h)}`,
      args: [...a, '-H', h],
    })),
  );
});

describe('files that never end or are not files (issue 19 item 15)', () => {
  run(
    [
      ['runbooks', 'validate', '/dev/zero'],
      ['runbooks', 'import', '/dev/zero'],
      ['capture', DEAD, '--send-file', '/dev/zero'],
      ['capture', 'wss://127.0.0.1:9/', '--ca', '/dev/zero'],
      ['capture', 'wss://127.0.0.1:9/', '--cert', '/dev/zero', '--key', '/dev/zero'],
      ['replay', '1', '--to', 'wss://127.0.0.1:9/', '--ca', '/dev/zero'],
      ['capture', DEAD, '--send-file', 'DIR/a-folder'],
      ['capture', 'wss://127.0.0.1:9/', '--ca', 'DIR/missing.pem'],
    ].map((a) => ({ name: a.join(' '), args: a, bounded: true })),
  );
});

describe('databases that are not', () => {
  run(
    [
      ['sessions', '--db', ''],
      ['sessions', '--db', 'DIR/notes.txt'],
      ['capture', DEAD, '--db', 'DIR/notes.txt'],
      ['incident', 'create', '--title', 'x', '--db', 'DIR/notes.txt'],
      ['show', '1', '--db', 'DIR/no-such.db'],
    ].map((a) => ({ name: a.join(' '), args: a })),
  );
});

describe('flags that contradict or do not parse', () => {
  run(
    [
      ['replay', '1', '--to', DEAD, '--ignore', '$[[['],
      ['replay', '1', '--to', DEAD, '--ignore', '$.a['],
      ['capture', DEAD, '--proxy', 'http://127.0.0.1:9', '--no-proxy'],
      ['capture', DEAD, '--send-every', '1'],
      ['capture', DEAD, '--subprotocol', 'two words'],
      ['report', '1', '--no-redact', '--redact-field', 'x'],
      ['report', '1', '--format', 'docx'],
      ['incident', 'create'],
      ['incident', 'update', '1', '--detected', 'yesterday-ish'],
      ['incident', 'action', 'add', '1', '--title', 't', '--type', 'bogus'],
      ['incident', 'action', 'add', '1', '--title', 't', '--type', 'mitigate', '--due', '2026-13-45'],
      ['walk', 'start', '1', '--runbook', 'no-such-runbook'],
      ['mock', '1', '--fault', 'explode=1'],
      ['mock', '1', '--fault', 'close=99999@1'],
    ].map((a) => ({ name: a.join(' '), args: a })),
  );
});
