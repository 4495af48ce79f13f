// `reports:render` says which linked sessions had frames whose stored bytes failed their check, so
// that a host writing the report (the command line: one line per session on stderr, exit code 1)
// needs nothing else than the rendered report: a session recorded against a quote service, linked
// to an incident, its segment file then cut short.
import { readdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { FramelineService } from '../../../electron/engine/service.js';
import { wsServer, type WsScenario } from '../../servers/scenarios.js';
import { cliJson, workspace, type Workspace } from '../../support/cli.js';
import { callService } from '../../support/service.js';

const REQUESTS = ['{"id":"r1","op":"quote"}', '{"id":"r2","op":"quote"}', '{"id":"r3","op":"quote"}'];

let ws: Workspace;
let server: WsScenario;

beforeEach(async () => {
  ws = workspace();
  // Answers each request with its id (the report's round trips read them), closes after the third.
  server = await wsServer((sock) => {
    let answered = 0;
    sock.on('message', (data) => {
      const { id } = JSON.parse(data.toString()) as { id: string };
      sock.send(JSON.stringify({ id, ok: true, price: '101.25', note: 'steady market' }));
      if (++answered === REQUESTS.length) sock.close(1000, 'done');
    });
  });
});

afterEach(async () => {
  await server.close();
  ws.cleanup();
});

type Rendered = {
  content: string;
  damaged: Array<{ sessionId: number; damagedFrames: { frames: number; cutShort: number } }>;
};

it('names the linked sessions whose frames failed their check, and none when all are intact', async () => {
  const { result, json } = await cliJson<{ session: { id: number } }>([
    'capture',
    server.url,
    ...REQUESTS.flatMap((r) => ['--send', r]),
    '--quiet',
    '--db',
    ws.db,
  ]);
  expect(result.code, result.stderr).toBe(0);
  const sessionId = json.session.id;
  const render = async (incidentId: number): Promise<Rendered> => {
    // A service of its own each time, as each command of the command line opens one.
    const service = new FramelineService({ dbPath: ws.db, shell: 'browser' });
    try {
      return await callService<Rendered>(service, 'reports:render', { incidentId, format: 'md' });
    } finally {
      await service.close();
    }
  };
  const service = new FramelineService({ dbPath: ws.db, shell: 'browser' });
  let incidentId: number;
  try {
    incidentId = (await callService<{ id: number }>(service, 'incidents:create', { title: 'Bit rot' })).id;
    await callService(service, 'incidents:link', { id: incidentId, session: sessionId });
  } finally {
    await service.close();
  }
  const intact = await render(incidentId);
  expect(intact.damaged).toEqual([]);
  expect(intact.content).not.toContain('**Damaged frames:**');

  // The segment cut in the middle of the first request: it and every frame after it are gone.
  const dir = `${ws.db}-frames`;
  const segment = join(
    dir,
    readdirSync(dir).find((f) => f === `session-${sessionId}.frames`)!,
  );
  truncateSync(segment, Math.floor(statSync(segment).size / 3));
  const cut = await render(incidentId);
  expect(cut.damaged).toHaveLength(1);
  expect(cut.damaged[0]!.sessionId).toBe(sessionId);
  expect(cut.damaged[0]!.damagedFrames.cutShort).toBeGreaterThan(0);
  expect(cut.damaged[0]!.damagedFrames.frames).toBe(cut.damaged[0]!.damagedFrames.cutShort);
  expect(cut.content).toContain('**Damaged frames:**');
});
