// A search of the session list is bounded by the contract: an over-long query is a bad request in
// one sentence, never SQLite's "pattern too complex"; the longest allowed one still answers.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { FramelineService } from '../../../electron/engine/service.js';
import { cli, workspace, type Workspace } from '../../support/cli.js';

let ws: Workspace;
let service: FramelineService;
beforeEach(() => {
  ws = workspace();
  service = new FramelineService({ dbPath: ws.db, shell: 'browser' });
});
afterEach(async () => {
  await service.close();
  ws.cleanup();
});

it('refuses an over-long session search in one sentence and answers the longest allowed one', async () => {
  const huge = await service.handle('sessions:list', { query: 'a'.repeat(60_000) });
  expect(huge).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  const message = (huge as { error: { message: string } }).error.message;
  expect(message).toMatch(/at most 500 characters/);
  expect(message).not.toMatch(/too complex|SQLITE/i);

  const longest = await service.handle('sessions:list', { query: 'a '.repeat(250) });
  expect(longest).toEqual({ ok: true, value: [] });
  const wild = await service.handle('sessions:list', { query: '%_'.repeat(250) });
  expect(wild).toEqual({ ok: true, value: [] });

  const viaCli = await cli(['sessions', '--search', 'b'.repeat(60_000), '--db', ws.db]);
  expect(viaCli.code).toBe(2);
  expect(viaCli.stderr.trim().split('\n')).toHaveLength(1);
  expect(viaCli.stderr).toMatch(/at most 500 characters/);
});
