// `frameline show ID --grep REGEX / --where JSONPATH`: the frames whose payload matches, over a
// session captured from a real server, in text and JSON; a bad pattern is refused in one line.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FrameRecord } from '../../../shared/contract.js';
import { cli, cliJson, workspace, type Workspace } from '../../support/cli.js';
import { echo, wsServer } from '../../servers/scenarios.js';

let ws: Workspace;
const sent = [
  '{"type":"quote","data":{"items":[{"id":"EURUSD","bid":1.08}]}}',
  '{"type":"error","error":{"code":429},"reason":"Rate limit"}',
  'plain text: read timeout',
  '{"type":"quote","data":{"items":[{"id":"GBPUSD","bid":1.27}]}}',
];

beforeAll(async () => {
  ws = workspace();
  const server = await wsServer(echo);
  try {
    const args = ['capture', server.url, '--duration', '0.5', '--db', ws.db];
    for (const m of sent) args.push('--send', m);
    expect((await cli(args)).code).toBe(0);
  } finally {
    await server.close();
  }
});
afterAll(() => ws.cleanup());

it('shows the frames whose JSON matches a JSONPath condition, both ways, in JSON', async () => {
  const { result, json } = await cliJson<{ frames: FrameRecord[] }>([
    'show',
    '1',
    '--where',
    '$.type == "error"',
    '--json',
    '--db',
    ws.db,
  ]);
  expect(result.code).toBe(0);
  // Sent, then echoed back.
  expect(json.frames.map((f) => [f.direction, f.payload])).toEqual([
    ['out', sent[1]],
    ['in', sent[1]],
  ]);
  const ids = await cliJson<{ frames: FrameRecord[] }>([
    'show',
    '1',
    '--where',
    '$.data.items[0].bid > 1.1',
    '--json',
    '--db',
    ws.db,
  ]);
  expect(ids.json.frames.map((f) => f.payload)).toEqual([sent[3], sent[3]]);
  const exists = await cliJson<{ frames: FrameRecord[] }>([
    'show',
    '1',
    '--where',
    '$.error',
    '--json',
    '--db',
    ws.db,
  ]);
  expect(exists.json.frames).toHaveLength(2);
});

it('shows the frames whose text matches a regular expression, with --limit and --where together', async () => {
  const text = await cli(['show', '1', '--grep', '/TIMEOUT|rate limit/i', '--db', ws.db]);
  expect(text.code).toBe(0);
  const lines = text.stdout.split('\n').filter((l) => /^\S+ [<>] text /.test(l));
  expect(lines).toHaveLength(4);
  expect(text.stdout).toContain('read timeout');
  const one = await cliJson<{ frames: FrameRecord[] }>([
    'show',
    '1',
    '--grep',
    'USD',
    '--where',
    '$.data.items[0].id == "GBPUSD"',
    '--limit',
    '1',
    '--json',
    '--db',
    ws.db,
  ]);
  expect(one.json.frames.map((f) => f.payload)).toEqual([sent[3]]);
  // In text, a limit says how many more frames match, not how many the session holds.
  const first = await cli(['show', '1', '--grep', 'USD', '--limit', '1', '--db', ws.db]);
  expect(first.stdout).toContain('… 3 more matching frames: raise --limit');
});

it('refuses a bad pattern or JSONPath in one line, before printing anything', async () => {
  const regex = await cli(['show', '1', '--grep', '(unclosed', '--db', ws.db]);
  expect(regex.code).toBe(2);
  expect(regex.stdout).toBe('');
  expect(regex.stderr.trim().split('\n')).toHaveLength(1);
  expect(regex.stderr).toContain('"(unclosed" is not a regular expression: Unterminated group');
  const path = await cli(['show', '1', '--where', '$.type = "error"', '--db', ws.db]);
  expect(path.code).toBe(2);
  expect(path.stderr).toContain('is not a JSONPath');
});
