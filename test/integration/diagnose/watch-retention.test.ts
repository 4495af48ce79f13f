// A watch through the service, as the console and `frameline watch` reach it: it is listed while it
// runs (the status bar's line) and not once stopped, its rounds are probe sessions tagged `watch`,
// and it deletes its own sessions older than it keeps (here 0.0001 days, 8.64 s) — never another's.
import { afterEach, expect, it } from 'vitest';
import type { PayloadOf, SessionSummary } from '../../../shared/contract.js';
import type { Watch } from '../../../shared/contract/diagnose.js';
import { FramelineService } from '../../../electron/engine/service.js';
import { cli, workspace, type Workspace } from '../../support/cli.js';
import { callService } from '../../support/service.js';
import { pythonServer, Stack } from './helpers.js';

const KEEP_DAYS = 0.0001;

const stack = new Stack();
let ws: Workspace | undefined;

afterEach(async () => {
  await stack.unwind();
  ws?.cleanup();
});

it('keeps the last rounds only, and is listed while it runs', async () => {
  ws = workspace();
  const backend = stack.push(await pythonServer(['--ping-interval', '0.5']));
  // Another session of the same endpoint, not the watch's: it stays.
  const own = await cli(['capture', backend.url, '--duration', '0.2', '--quiet', '--db', ws.db]);
  expect(own.code, own.stderr).toBe(0);

  const service = new FramelineService({ dbPath: ws.db, shell: 'cli' });
  stack.push({ close: () => service.close() });
  const rounds: Array<PayloadOf<'diagnose:watch-round'>> = [];
  let firstDeletion: (r: PayloadOf<'diagnose:watch-round'>) => void = () => {};
  const deleted = new Promise<PayloadOf<'diagnose:watch-round'>>((resolve) => (firstDeletion = resolve));
  let ended: (e: PayloadOf<'diagnose:watch-ended'>) => void = () => {};
  const end = new Promise<PayloadOf<'diagnose:watch-ended'>>((resolve) => (ended = resolve));
  service.onPush((topic, payload) => {
    if (topic === 'diagnose:watch-round') {
      const r = payload as PayloadOf<'diagnose:watch-round'>;
      rounds.push(r);
      if (r.sessionsDeleted > 0) firstDeletion(r);
    } else if (topic === 'diagnose:watch-ended') ended(payload as PayloadOf<'diagnose:watch-ended'>);
  });

  const started = await callService<{ runId: string; metricsUrl: string; loopback: boolean }>(
    service,
    'diagnose:watch',
    {
      probe: { url: backend.url, idleLimitSeconds: 1 },
      everySeconds: 1,
      keepDays: KEEP_DAYS,
      runId: 'retention',
    },
  );
  expect(started).toMatchObject({ runId: 'retention', loopback: true });
  const listed = await callService<Watch[]>(service, 'diagnose:watches', {});
  expect(listed).toHaveLength(1);
  expect(listed[0]).toMatchObject({
    target: `${backend.url}/`,
    everySeconds: 1,
    metricsUrl: started.metricsUrl,
  });

  const round = await deleted;
  const sessions = await callService<SessionSummary[]>(service, 'sessions:list', {});
  const watched = sessions.filter((s) => s.tags.includes('watch'));
  // The sessions the rounds made and that are still here are those younger than the watch keeps.
  const keptUs = KEEP_DAYS * 86_400e6;
  const now = Date.now() * 1000;
  for (const s of watched.filter((x) => x.status !== 'live'))
    expect(now - Date.parse(s.createdAt) * 1000).toBeLessThan(keptUs + 5e6);
  const made = rounds.map((r) => r.sessionId);
  const gone = made.filter((id) => !sessions.some((s) => s.id === id));
  expect(gone.length).toBeGreaterThanOrEqual(round.sessionsDeleted);
  expect(gone).toContain(made[0]);
  // The capture of the same endpoint is not the watch's: it stays.
  expect(sessions.some((s) => s.kind === 'capture')).toBe(true);

  expect(await callService(service, 'diagnose:stop', { runId: 'retention' })).toEqual({ stopped: true });
  const e = await end;
  expect(e.error).toBeNull();
  expect(e.probes).toBeGreaterThanOrEqual(rounds.length);
  expect(await callService<Watch[]>(service, 'diagnose:watches', {})).toEqual([]);
  // Its metrics are no longer served.
  await expect(fetch(started.metricsUrl)).rejects.toThrow();
}, 90_000);
