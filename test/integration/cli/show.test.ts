// `frameline show` in text mode, on a capture of Python's `websockets`: the headers its help promises
// (secrets redacted, as every other output does), and a cut list of frames that says how many more
// there are and how to see them.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cli, workspace, type Workspace } from '../../support/cli.js';
import { PYTHON, serverScript, startPeer, type Peer } from '../../support/processes.js';

const TOKEN = 'canary-show-token-3b9f';
let ws: Workspace;
let peer: Peer;

beforeAll(async () => {
  ws = workspace();
  peer = await startPeer(PYTHON, [serverScript('python_ws.py')]);
  const sends = Array.from({ length: 6 }, (_, i) => ['--send', `message ${i + 1}`]).flat();
  const r = await cli(
    [
      'capture',
      `ws://127.0.0.1:${peer.port}/feed`,
      '-H',
      `Authorization: Bearer ${TOKEN}`,
      '-H',
      'X-Trace: trace-41',
      ...sends,
      '--duration',
      '1',
      '--db',
      ws.db,
    ],
    {},
    30_000,
  );
  if (r.code !== 0) throw new Error(`capture failed: ${r.stderr}`);
}, 40_000);

afterAll(async () => {
  await peer?.stop();
  ws?.cleanup();
});

it('prints the request and response headers of each connection, secrets redacted', async () => {
  const r = await cli(['show', '1', '--db', ws.db]);
  expect(r.code, r.stderr).toBe(0);
  const request = /^ {2}request headers:\n((?: {4}.+\n)+)/m.exec(r.stdout)?.[1] ?? '';
  const response = /^ {2}response headers:\n((?: {4}.+\n)+)/m.exec(r.stdout)?.[1] ?? '';
  expect(request).toMatch(/^ {4}Authorization: Bearer \*\*\*$/im);
  expect(request).toMatch(/^ {4}X-Trace: trace-41$/im);
  expect(response).toMatch(/^ {4}Upgrade: websocket$/im);
  expect(response).toMatch(/^ {4}Sec-WebSocket-Accept: \S+$/im);
  expect(r.stdout).not.toContain(TOKEN);
});

it('says how many frames a --limit left out, and how to see them', async () => {
  const all = await cli(['show', '1', '--frames', '--db', ws.db]);
  const frames = all.stdout.split('\n').filter((l) => /^\d\d:\d\d:\d\d\.\d+ /.test(l)).length;
  expect(frames).toBeGreaterThan(5);
  expect(all.stdout).not.toMatch(/more frames/);
  const cut = await cli(['show', '1', '--frames', '--limit', '5', '--db', ws.db]);
  expect(cut.code, cut.stderr).toBe(0);
  expect(cut.stdout).toMatch(
    new RegExp(`\\n… ${frames - 5} more frames: raise --limit, or drop it to see them all\\n$`),
  );
});
