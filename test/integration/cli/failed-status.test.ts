// A capture that never opened a connection (refused, upgrade refused) is `failed`, not `complete`:
// in the JSON, in the table and in `show`.
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SessionSummary } from '../../../shared/contract.js';
import { cli, cliJson, workspace, type Workspace } from '../../support/cli.js';
import { closedPort, echo, rejectingServer, wsServer } from '../../servers/scenarios.js';

let ws: Workspace;
beforeEach(() => {
  ws = workspace();
});
afterEach(() => ws.cleanup());

it('marks captures that never connected failed, and one that did complete', async () => {
  const port = await closedPort();
  expect((await cli(['capture', `ws://127.0.0.1:${port}/`, '--name', 'refused', '--db', ws.db])).code).toBe(
    1,
  );
  const rejecting = await rejectingServer(403, 'forbidden');
  try {
    expect((await cli(['capture', rejecting.url, '--name', 'rejected', '--db', ws.db])).code).toBe(1);
  } finally {
    await rejecting.close();
  }
  const server = await wsServer((sock) => {
    echo(sock);
    sock.close(1000, 'bye');
  });
  try {
    expect((await cli(['capture', server.url, '--name', 'fine', '--db', ws.db])).code).toBe(0);
  } finally {
    await server.close();
  }

  const { json } = await cliJson<SessionSummary[]>(['sessions', '--db', ws.db]);
  expect(json.map((s) => [s.name, s.status])).toEqual([
    ['fine', 'complete'],
    ['rejected', 'failed'],
    ['refused', 'failed'],
  ]);
  const table = await cli(['sessions', '--db', ws.db]);
  expect(table.stdout).toMatch(/^1\s+failed\s/m);
  expect((await cli(['show', '1', '--db', ws.db])).stdout).toMatch(/\bfailed\b/);
  const { json: onlyFailed } = await cliJson<SessionSummary[]>([
    'sessions',
    '--status',
    'failed',
    '--db',
    ws.db,
  ]);
  expect(onlyFailed.map((s) => s.name)).toEqual(['rejected', 'refused']);
});
