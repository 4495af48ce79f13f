// `frameline sessions`: every session with its status and frame count, in the documented JSON shape.
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SessionSummary } from '../../../shared/contract.js';
import { cli, cliJson, workspace, type Workspace } from '../../support/cli.js';
import { echo, wsServer } from '../../servers/scenarios.js';

let ws: Workspace;
beforeEach(() => {
  ws = workspace();
});
afterEach(() => ws.cleanup());

it('lists captured sessions newest first with their frame counts', async () => {
  const server = await wsServer(echo);
  try {
    await cli(['capture', server.url, '--send', 'a', '--duration', '0.2', '--name', 'first', '--db', ws.db]);
    await cli([
      'capture',
      server.url,
      '--send',
      'b',
      '--send',
      'c',
      '--duration',
      '0.2',
      '--name',
      'second',
      '--db',
      ws.db,
    ]);
  } finally {
    await server.close();
  }
  const { result, json } = await cliJson<SessionSummary[]>(['sessions', '--db', ws.db]);
  expect(result.code).toBe(0);
  expect(json.map((s) => [s.id, s.name, s.status, s.frames])).toEqual([
    [2, 'second', 'complete', 6],
    [1, 'first', 'complete', 4],
  ]);
  for (const s of json) {
    expect(Object.keys(s)).toEqual(
      expect.arrayContaining(['id', 'name', 'target', 'status', 'createdAt', 'frames']),
    );
    expect(s.target).toBe(`${server.url}/`);
  }
  const human = await cli(['sessions', '--db', ws.db]);
  expect(human.stdout).toMatch(/^ID\s+STATUS\s+FRAMES\s+KIND/);
  expect(human.stdout).toMatch(/2\s+complete\s+6\s+capture/);
  // Only one kind: none of these is a probe.
  expect((await cli(['sessions', '--kind', 'probe', '--db', ws.db])).stdout).toBe('No session matches.\n');
  expect(
    (await cliJson<SessionSummary[]>(['sessions', '--kind', 'capture', '--db', ws.db])).json,
  ).toHaveLength(2);
});

it('uses FRAMELINE_DB when --db is not given', async () => {
  const result = await cli(['capture', 'ws://127.0.0.1:9/', '--connect-timeout', '0.2'], {
    FRAMELINE_DB: ws.db,
  });
  expect(result.code).toBe(1);
  const { json } = await cliJson<SessionSummary[]>(['sessions'], { FRAMELINE_DB: ws.db });
  expect(json).toHaveLength(1);
});
