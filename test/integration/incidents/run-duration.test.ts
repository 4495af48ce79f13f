// A shell step's duration is one measurement: the run's summary (what the CLI prints), the incident
// timeline and the report say the same time, the one its stored start and end make. (They once said
// 240 ms in the CLI and timeline and 249 ms in the report: two clocks, read at different moments.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openEngine, type EngineContext } from '../../../electron/engine/context.js';
import { WalkEngine } from '../../../electron/engine/incidents/walk.js';
import { buildReport } from '../../../electron/engine/reports/report.js';
import { runOutcome } from '../../../electron/engine/reports/words.js';
import { parseMicros } from '../../../shared/time.js';
import { formatDuration } from '../../../shared/charts/scale.js';
import { confirmed } from '../../support/authorisers.js';

let dir: string;
let ctx: EngineContext;
let walks: WalkEngine;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'frameline-run-duration-'));
  ctx = openEngine(join(dir, 'frameline.db'));
  walks = new WalkEngine({ db: ctx.db, dbPath: ctx.dbPath });
});

afterAll(() => {
  ctx.db.close();
  rmSync(dir, { recursive: true, force: true });
});

it('says a shell run took the same time in its summary, the timeline and the report', async () => {
  const incident = walks.incidents.create({ title: 'Durations', severity: 'P3' });
  const walk = walks.start({ incidentId: incident.id, runbookId: 'ws-3am' });
  const times: string[] = [];
  for (const command of ['sleep 0.2; echo slow', 'echo fast']) {
    const run = await walks.runShell(await confirmed(walks, walk.id, { step: 1, command }), {
      timeoutMs: 10_000,
    }).done;
    const said = /^exited with 0 after (.+)$/.exec(run.summary)![1]!;
    times.push(said);
    // The time said is the stored start to the stored end, to the millisecond.
    const storedMs = (parseMicros(run.endedAt!) - parseMicros(run.startedAt)) / 1000;
    expect(said).toBe(formatDuration(Math.round(storedMs) * 1000));
    const finished = walks
      .view(walk.id)
      .timeline.filter((e) => e.kind === 'run-finished')
      .at(-1)!;
    expect(finished.text).toContain(`exited with 0 after ${said},`);
  }
  const report = await buildReport({ ctx, walks, version: 'test' }, incident.id, {
    enabled: true,
    fields: [],
    patterns: [],
  });
  const runs = report.walks[0]!.steps.flatMap((s) => s.runs);
  expect(runs.map((r) => runOutcome(r))).toEqual(times.map((t) => `exit 0 after ${t}`));
});
