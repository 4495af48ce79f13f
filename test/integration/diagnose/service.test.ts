// The diagnose channels as both shells carry them: FramelineService.handle('diagnose:probe', …)
// against a real server with its progress pushed on `diagnose:progress`, and 'diagnose:session'
// on what it recorded.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contract, topics, type PayloadOf } from '../../../shared/contract.js';
import { FramelineService } from '../../../electron/engine/service.js';
import { workspace, type Workspace } from '../../support/cli.js';
import { pythonServer, Stack } from './helpers.js';
import { callService } from '../../support/service.js';

let ws: Workspace;
let service: FramelineService;
let progress: Array<PayloadOf<'diagnose:progress'>>;
const stack = new Stack();

beforeEach(() => {
  ws = workspace();
  service = new FramelineService({ dbPath: ws.db, shell: 'browser' });
  progress = [];
  service.onPush((topic, payload) => {
    if (topic === 'diagnose:progress') progress.push(payload as PayloadOf<'diagnose:progress'>);
  });
});

afterEach(async () => {
  await service.close();
  await stack.unwind();
  ws.cleanup();
});

const call = <T = unknown>(channel: string, payload: unknown) => callService<T>(service, channel, payload);

describe('diagnose channels', () => {
  it('runs a probe, pushes its progress under the caller’s run id, and answers the contract’s shape', async () => {
    const server = stack.push(await pythonServer(['--ping-interval', '0.3']));
    const value = await call('diagnose:probe', {
      url: `${server.url}/ws`,
      echo: 2,
      idleLimitSeconds: 1,
      runId: 'run-42',
    });
    const report = contract.diagnose.probe.response.parse(value);
    expect(report).toMatchObject({ runId: 'run-42', target: `${server.url}/ws`, direct: null });
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    // Every push is valid for the topic's schema, and each check went from running to a result.
    for (const p of progress) topics['diagnose:progress'].parse(p);
    expect(new Set(progress.map((p) => p.runId))).toEqual(new Set(['run-42']));
    const upgrade = progress.filter((p) => p.check === 'upgrade').map((p) => p.state);
    expect(upgrade).toEqual(['running', 'ok']);
    expect(progress.find((p) => p.check === 'idle' && p.state === 'ok')?.detail).toMatch(
      /still open after 1(\.\d)? s/,
    );

    const diagnosis = contract.diagnose.session.response.parse(
      await call('diagnose:session', { id: report.sessionId }),
    );
    expect(diagnosis.findings).toEqual(report.findings);
  });

  it('answers bad-request for a bad probe and not-found for a missing session', async () => {
    const bad = await service.handle('diagnose:probe', { url: 'http://127.0.0.1:1/ws' });
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: expect.stringMatching(/ws:\/\//) },
    });
    const schema = await service.handle('diagnose:probe', { url: 'ws://127.0.0.1:1/ws', echo: -1 });
    expect(schema).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    const missing = await service.handle('diagnose:session', { id: 404 });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});
