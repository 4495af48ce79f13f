// Attack family: HAR import. Mutations of a valid Chrome DevTools HAR — wrong types, times that are
// huge, negative, not numbers or 1e300, missing fields, unknown message types and opcodes, deep
// nesting, huge strings, bytes that are not UTF-8, files cut short, devices that never end — are
// imported into a copy of a database that already holds an import. Each ends one of two ways: exit
// 0 with a usable session (complete, `show` reads every frame it reported, and every later command
// works), or exit 2 with one line and the database byte for byte as it was.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliJson, workspace, type Workspace } from '../support/cli.js';
import type { ShowJson } from '../support/session-json.js';
import {
  BOUNDED_PEAK_MIB,
  cliBounded,
  cross,
  expectCleanEnd,
  expectOneLineFailure,
  expectPeakWithin,
  family,
  limiter,
  snapshot,
} from './kit.js';

const cases = family('HAR import');
const pool = limiter(3);
const FIXTURE = join(import.meta.dirname, '../fixtures/har/chrome-devtools.har');

type Json = Record<string, unknown>;
interface Har {
  log: { entries: Array<Json & { request: Json; response: Json; _webSocketMessages: Json[] }> };
}

let seed: Workspace;
let seedFiles: Record<string, string>;
beforeAll(async () => {
  seed = workspace();
  const r = await cli(['import', FIXTURE, '--db', seed.db]);
  expect(r.code, r.stderr).toBe(0);
  seedFiles = snapshot(seed.dir);
});
afterAll(() => seed?.cleanup());

const base = () => JSON.parse(readFileSync(FIXTURE, 'utf8')) as Har;
/** The WebSocket entry and its messages. */
const socket = (h: Har) => h.log.entries[1]!;

interface Case {
  name: string;
  /** The file's bytes. */
  file: () => string | Buffer;
  /** A path to import instead of a file (a device). */
  path?: string;
  /** Words the user must be told (an unknown type named, not dropped in silence). */
  tells?: RegExp;
}

const mutated = (name: string, change: (h: Har) => void, tells?: RegExp): Case => ({
  name,
  file: () => {
    const h = base();
    change(h);
    return JSON.stringify(h);
  },
  ...(tells ? { tells } : {}),
});

const times = ['1e300', '-1e300', '-1', '1e20', '"abc"', 'null', '"NaN"'];
const opcodes = ['0', '3', '"1"', 'null', '1e300'];
const fields: Array<[string, (h: Har) => void]> = [
  ['no request', (h) => delete (socket(h) as Json).request],
  ['request.url ""', (h) => (socket(h).request.url = '')],
  ['request.url not a URL', (h) => (socket(h).request.url = 'not a url')],
  ['request.url of 100 KiB', (h) => (socket(h).request.url = `wss://x.example/${'a'.repeat(100_000)}`)],
  ['request.headers an object', (h) => (socket(h).request.headers = { Host: 'x' })],
  ['a header name with CRLF', (h) => (socket(h).request.headers = [{ name: 'X\r\nEvil', value: 'v' }])],
  ['response.status "abc"', (h) => (socket(h).response.status = 'abc')],
  ['response.status 1e300', (h) => (socket(h).response.status = 1e300)],
  ['startedDateTime garbage', (h) => (socket(h).startedDateTime = 'yesterday')],
  ['startedDateTime 9999-99-99', (h) => (socket(h).startedDateTime = '9999-99-99T99:99:99Z')],
  ['_webSocketMessages an object', (h) => ((socket(h) as Json)._webSocketMessages = { 0: {} })],
  ['a message that is null', (h) => (socket(h)._webSocketMessages[1] = null as never)],
  ['a message without data', (h) => delete socket(h)._webSocketMessages[0]!.data],
  ['data of 8 MiB', (h) => (socket(h)._webSocketMessages[0]!.data = 'x'.repeat(8 << 20))],
  ['data with a lone surrogate', (h) => (socket(h)._webSocketMessages[0]!.data = 'a\ud800b')],
  ['data with NUL and bidi controls', (h) => (socket(h)._webSocketMessages[0]!.data = 'a\u0000\u202eb')],
  ['binary data not base64', (h) => (socket(h)._webSocketMessages[2]!.data = '%%%')],
];
const unknownTypes = ['teleport', '', 'SEND', 'null'];

const list: Case[] = [
  ...times.map((t) =>
    mutated(`message time ${t}`, (h) => (socket(h)._webSocketMessages[1]!.time = JSON.parse(t) as never)),
  ),
  ...opcodes.map((o) =>
    mutated(`opcode ${o}`, (h) => (socket(h)._webSocketMessages[1]!.opcode = JSON.parse(o) as never)),
  ),
  ...fields.map(([n, f]) => mutated(n, f)),
  ...unknownTypes.map((t) =>
    mutated(
      `a message of type ${JSON.stringify(t)} (issue 19 item 12)`,
      (h) => (socket(h)._webSocketMessages[1]!.type = t),
      t ? new RegExp(t) : undefined,
    ),
  ),
  // Text the JSON parser must take as it is, not through JSON.stringify.
  {
    name: 'time 1e999 (infinite)',
    file: () => JSON.stringify(base()).replace('"time":1763776430.650001', '"time":1e999'),
  },
  {
    name: 'time NaN as a bare word',
    file: () => JSON.stringify(base()).replace('"time":1763776430.650001', '"time":NaN'),
  },
  {
    name: 'bytes that are not UTF-8 in a text message',
    file: () => {
      const text = Buffer.from(JSON.stringify(base()));
      const at = text.indexOf('caf');
      return Buffer.concat([text.subarray(0, at), Buffer.from([0xff, 0xfe]), text.subarray(at)]);
    },
  },
  {
    name: 'data an object nested 5,000 deep',
    file: () =>
      JSON.stringify(base()).replace(
        '"data":"AAECAwT/"',
        `"data":${'{"v":'.repeat(5000)}1${'}'.repeat(5000)}`,
      ),
  },
  { name: 'a byte-order mark', file: () => `\ufeff${JSON.stringify(base())}` },
  { name: 'an empty file', file: () => '' },
  { name: 'the word null', file: () => 'null' },
  { name: 'the file cut in half', file: () => JSON.stringify(base()).slice(0, 1500) },
  {
    name: 'entries nested 100,000 deep',
    file: () => `{"log":{"entries":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`,
  },
  { name: 'a duplicate "log" key', file: () => `{"log":{"entries":[]},${JSON.stringify(base()).slice(1)}` },
  { name: '/dev/zero', file: () => '', path: '/dev/zero' },
];

async function attack(c: Case): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'frameline-attack-'));
  const files = mkdtempSync(join(tmpdir(), 'frameline-har-'));
  try {
    cpSync(seed.dir, dir, { recursive: true });
    const db = join(dir, 'frameline.db');
    const har = c.path ?? join(files, 'mutated.har');
    if (!c.path) writeFileSync(har, c.file());
    const r = await cliBounded(['import', har, '--json', '--db', db], 60_000);
    expectCleanEnd(r, c.name);
    expectPeakWithin(r, BOUNDED_PEAK_MIB, c.name);
    if (r.code !== 0) {
      expectOneLineFailure(r, 2, c.name);
      expect(snapshot(dir), 'a refused file changed the database').toEqual(seedFiles);
      return;
    }
    const imported = JSON.parse(r.stdout) as { sessionId: number; frames: number; skipped: number };
    if (c.tells) expect(`${r.stdout}${r.stderr}`, 'an unknown message type went unsaid').toMatch(c.tells);
    const show = await cliJson<ShowJson>(['show', String(imported.sessionId), '--frames', '--db', db]);
    expectCleanEnd(show.result, `${c.name}: show`);
    expect(show.result.code, show.result.stderr).toBe(0);
    expect(show.json.session.status).toBe('complete');
    expect(show.json.frames).toHaveLength(imported.frames);
    // Nothing left behind for every later command to trip on (each open would say it here).
    expect(show.result.stderr).toBe('');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(files, { recursive: true, force: true });
  }
}

describe('mutations of a valid HAR (issue 19 items 5 and 12)', () => {
  it.concurrent.each(cases.add(list).map((c) => [c.name, c] as const))('%s', (_n, c) =>
    pool(() => attack(c)),
  );
});

describe('a refused file and a database that did not exist', () => {
  const files = cases.add(cross(['[1, 2]', '{"log":{"entries":{}}}'], ['new.db']));
  it.concurrent.each(files)('importing %s creates no database', (text, name) =>
    pool(async () => {
      const w = workspace();
      try {
        writeFileSync(join(w.dir, 'bad.har'), text);
        const r = await cli(['import', join(w.dir, 'bad.har'), '--db', join(w.dir, name)]);
        expectOneLineFailure(r, 2);
        expect(Object.keys(snapshot(w.dir))).toEqual(['bad.har']);
      } finally {
        w.cleanup();
      }
    }),
  );
});
