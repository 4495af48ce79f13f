// Shell steps through the engine API: only as authorised (trust.ts) for one step of one node visit,
// with the walk's target in the environment, output streamed and capped, a timeout and a stop that
// end the command and everything it started.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importRunbook } from '../../../electron/engine/incidents/runbook-library.js';
import { WalkEngine } from '../../../electron/engine/incidents/walk.js';
import { openStore, type Db } from '../../../electron/engine/store/database.js';
import { workspace, type Workspace } from '../../support/cli.js';
import { confirmed } from '../../support/authorisers.js';
import { until } from '../../support/wait.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/runbooks/shell-steps.md', import.meta.url));

let ws: Workspace;
let db: Db;
let engine: WalkEngine;
let outputs: Array<{ runId: number; text: string }>;
let walkId: number;

beforeEach(() => {
  ws = workspace();
  db = openStore(ws.db);
  outputs = [];
  engine = new WalkEngine({ db, dbPath: ws.db, outputCapBytes: 1000, onOutput: (o) => outputs.push(o) });
  importRunbook(db, readFileSync(FIXTURE, 'utf8'), FIXTURE, { provenance: 'file' });
  const incident = engine.incidents.create({ title: 'Shell steps' });
  walkId = engine.start({
    incidentId: incident.id,
    runbookId: 'shell-steps',
    target: 'ws://127.0.0.1:9/x',
  }).id;
});

afterEach(async () => {
  await engine.close();
  db.close();
  ws.cleanup();
});

/** Waits for a condition the process will reach by itself, failing after `ms`. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('shell steps', () => {
  it('run only as a step with a command of the current node', async () => {
    await expect(confirmed(engine, walkId, { step: 3, command: 'echo hi' })).rejects.toThrow(
      /step 3 of RUN has no shell command; steps with one: 1, 2/,
    );
    await expect(confirmed(engine, walkId, { step: 1, command: '   ' })).rejects.toThrow(/empty/);
    expect(engine.view(walkId).runs).toEqual([]);
  });

  it('run nothing when the walk moved on after the command was confirmed', async () => {
    const authorised = await confirmed(engine, walkId, { command: 'echo "hello from $WS_HOST:$WS_PORT"' });
    engine.choose(walkId, 'DONE');
    expect(() => engine.runShell(authorised)).toThrow(
      /nothing was run: the walk moved on \(to DONE\) while step 1 of RUN was being confirmed/,
    );
    // Back at RUN, it is another visit: the confirmation was for the first one.
    engine.back(walkId);
    expect(() => engine.runShell(authorised)).toThrow(/the walk moved on \(to RUN\)/);
    expect(engine.view(walkId).runs).toEqual([]);
  });

  it("run with the walk's target in the environment, stream their output and keep it in the timeline", async () => {
    const { step } = engine.commandAt(walkId);
    const { runId, done } = engine.runShell(await confirmed(engine, walkId, { command: step.command! }));
    const run = await done;
    expect(run).toMatchObject({
      id: runId,
      node: 'RUN',
      step: 1,
      status: 'ok',
      exitCode: 0,
      output: 'hello from 127.0.0.1:9\n',
      truncated: false,
      original: null,
    });
    expect(outputs.map((o) => o.text).join('')).toBe('hello from 127.0.0.1:9\n');
    const finished = engine.view(walkId).timeline.at(-1)!;
    expect(finished).toMatchObject({
      kind: 'run-finished',
      runId,
      detail: { status: 'ok', output: 'hello from 127.0.0.1:9\n', truncated: false },
    });
    expect(finished.text).toMatch(/^step 1 of RUN exited with 0 after .*, 1 line of output$/);
  });

  it('record an edited command with the original', async () => {
    const run = await engine.runShell(
      await confirmed(engine, walkId, { step: 1, command: 'echo edited >&2' }),
    ).done;
    expect(run).toMatchObject({
      request: 'echo edited >&2',
      original: 'echo "hello from $WS_HOST:$WS_PORT"',
    });
    expect(run.output).toBe('edited\n');
    const started = engine.view(walkId).timeline.find((e) => e.kind === 'run-started')!;
    expect(started.detail).toMatchObject({ edited: true, command: 'echo edited >&2' });
    expect(started.text).toMatch(/\(edited\): \$ echo edited >&2$/);
  });

  it('cap the output kept, with the beginning and the end and a truncated flag', async () => {
    const run = await engine.runShell(
      await confirmed(engine, walkId, {
        step: 1,
        command: 'i=0; while [ $i -lt 500 ]; do echo "line $i"; i=$((i+1)); done',
      }),
    ).done;
    expect(run.truncated).toBe(true);
    expect(run.outputBytes).toBe(4390);
    expect(run.output).toMatch(/^line 0\nline 1\n/);
    expect(run.output).toMatch(/line 499\n$/);
    expect(run.output).toMatch(/… 3390 bytes of output left out/);
    expect(run.summary).toMatch(/output truncated \(4390 bytes/);
  });

  it('that time out are ended, with everything they started', async () => {
    const pidFile = join(ws.dir, 'child.pid');
    const started = Date.now();
    const run = await engine.runShell(
      await confirmed(engine, walkId, {
        step: 2,
        command: `sleep 30 & echo $! > ${pidFile}; echo waiting; wait`,
      }),
      { timeoutMs: 300 },
    ).done;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(run).toMatchObject({
      status: 'timeout',
      output: 'waiting\n',
      summary: 'timed out after 300 ms and was ended',
    });
    const child = Number(readFileSync(pidFile, 'utf8'));
    await until('the background sleep to be gone', () => !alive(child));
    const w = engine.view(walkId);
    expect(w.timeline.at(-1)).toMatchObject({ kind: 'run-finished', detail: { status: 'timeout' } });
  });

  it('that are stopped end at once, and one runs at a time per walk', async () => {
    const { step } = engine.commandAt(walkId, 2);
    const { runId, done } = engine.runShell(
      await confirmed(engine, walkId, { step: 2, command: step.command! }),
    );
    expect(engine.run(runId).status).toBe('running');
    const again = await confirmed(engine, walkId, { step: 1, command: 'echo again' });
    expect(() => engine.runShell(again)).toThrow(new RegExp(`run ${runId} of walk ${walkId} is still going`));
    const stopped = await engine.stop(runId);
    expect(await done).toEqual(stopped);
    expect(stopped).toMatchObject({ status: 'stopped', exitCode: null });
    expect(stopped.summary).toMatch(/^stopped after /);
    await expect(async () => engine.stop(runId)).rejects.toThrow(/is not running \(it is stopped\)/);
    expect(engine.view(walkId).timeline.at(-1)!.text).toMatch(/^step 2 of RUN stopped after /);
  });

  it('that fail report their exit code', async () => {
    const run = await engine.runShell(
      await confirmed(engine, walkId, { step: 1, command: 'echo nope; exit 7' }),
    ).done;
    expect(run).toMatchObject({ status: 'failed', exitCode: 7, output: 'nope\n' });
  });
});
