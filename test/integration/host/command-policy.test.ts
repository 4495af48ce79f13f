// Which shell commands `walks:run` runs, whatever the page claims with `confirmed: true`: browser
// mode runs the runbook's own commands only, edited ones only with `serve --allow-any-command`; a
// shell with its own confirmation (the desktop app's native dialog) runs nothing it declined. Tested
// on the engine's contract, and on `frameline serve` over its WebSocket as a page would call it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Result } from '../../../shared/contract.js';
import type { WalkRun, WalkView } from '../../../shared/contract/incidents.js';
import type {
  CommandConfirmation,
  CommandPolicy,
} from '../../../electron/engine/incidents/command-policy.js';
import { FramelineService } from '../../../electron/engine/service.js';
import { workspace, type Workspace } from '../../support/cli.js';
import { serve, type Served } from '../../support/serve.js';

const RUNBOOK = readFileSync(
  fileURLToPath(new URL('../../fixtures/runbooks/shell-steps.md', import.meta.url)),
  'utf8',
);
/** Step 1 of node RUN, exactly as the runbook has it. */
const OWN_COMMAND = 'echo "hello from $WS_HOST:$WS_PORT"';

type Call = (channel: string, payload: unknown) => Promise<Result<unknown>>;

async function valueOf<T>(call: Call, channel: string, payload: unknown): Promise<T> {
  const r = await call(channel, payload);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

/** An incident walking the shell-steps runbook on a target; returns the walk's id. */
async function startWalk(call: Call): Promise<number> {
  await valueOf(call, 'runbooks:import', { text: RUNBOOK, fileName: 'shell-steps.md' });
  const incident = await valueOf<{ id: number }>(call, 'incidents:create', { title: 'Policy' });
  const walk = await valueOf<WalkView>(call, 'walks:start', {
    incidentId: incident.id,
    runbookId: 'shell-steps',
    target: 'ws://127.0.0.1:9/x',
  });
  return walk.id;
}

/** The run once it has ended, asked of the engine every 20 ms for at most 10 s. */
async function finishedRun(call: Call, walkId: number, runId: number): Promise<WalkRun> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const view = await valueOf<WalkView>(call, 'walks:get', { id: walkId });
    const run = view.runs.find((r) => r.id === runId);
    if (run && run.status !== 'running') return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} did not end: ${JSON.stringify(run)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const runs = async (call: Call, walkId: number) =>
  (await valueOf<WalkView>(call, 'walks:get', { id: walkId })).runs;

describe('the engine policy', () => {
  let ws: Workspace;
  let service: FramelineService | undefined;
  const open = (commands?: CommandPolicy): Call => {
    service = new FramelineService({ dbPath: ws.db, shell: 'browser', ...(commands ? { commands } : {}) });
    return (channel, payload) => service!.handle(channel, payload);
  };

  beforeEach(() => {
    ws = workspace();
  });
  afterEach(async () => {
    await service?.close();
    service = undefined;
    ws.cleanup();
  });

  it("by default (browser mode) runs the runbook's own command, with the target in its variables", async () => {
    const call = open();
    const walkId = await startWalk(call);
    const { runId } = await valueOf<{ runId: number }>(call, 'walks:run', {
      id: walkId,
      step: 1,
      command: OWN_COMMAND,
      confirmed: true,
    });
    expect(await finishedRun(call, walkId, runId)).toMatchObject({
      status: 'ok',
      output: 'hello from 127.0.0.1:9\n',
    });
  });

  it('by default refuses an edited or a free-form command, whatever the page confirmed, and runs nothing', async () => {
    const call = open();
    const walkId = await startWalk(call);
    for (const payload of [
      { id: walkId, step: 1, command: 'touch /tmp/frameline-should-not-exist', confirmed: true },
      { id: walkId, command: `${OWN_COMMAND}; id`, confirmed: true },
    ]) {
      const r = await call('walks:run', payload);
      expect(r).toMatchObject({ ok: false, error: { code: 'bad-request' } });
      expect(!r.ok && r.error.message).toMatch(
        /step 1 of RUN runs only the runbook's own command here \(this one was edited\).*--allow-any-command/,
      );
    }
    // A step without a command has nothing of the runbook's to run.
    expect(await call('walks:run', { id: walkId, step: 3, command: 'id', confirmed: true })).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: /step 3 of RUN has no shell command/ },
    });
    expect(await runs(call, walkId)).toEqual([]);
  });

  it('asks the shell to confirm the whole command, with its variables, and runs nothing it declined', async () => {
    const asked: CommandConfirmation[] = [];
    let answer = false;
    const call = open({
      allowEdited: true,
      confirm: (c) => {
        asked.push(c);
        return Promise.resolve(answer);
      },
    });
    const walkId = await startWalk(call);
    const edited = 'echo "edited on $WS_HOST"';
    expect(await call('walks:run', { id: walkId, step: 1, command: edited, confirmed: true })).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: /declined in the confirmation dialog/ },
    });
    expect(await runs(call, walkId)).toEqual([]);
    expect(asked).toEqual([
      {
        walkId,
        node: 'RUN',
        step: 1,
        stepTitle: 'Say hello',
        command: edited,
        edited: true,
        original: OWN_COMMAND,
        env: expect.objectContaining({ WS_URL: 'ws://127.0.0.1:9/x', WS_HOST: '127.0.0.1', WS_PORT: '9' }),
      },
    ]);

    answer = true;
    const { runId } = await valueOf<{ runId: number }>(call, 'walks:run', {
      id: walkId,
      step: 1,
      command: edited,
      confirmed: true,
    });
    expect(await finishedRun(call, walkId, runId)).toMatchObject({
      status: 'ok',
      output: 'edited on 127.0.0.1\n',
    });
    expect(asked).toHaveLength(2);
  });
});

describe('frameline serve', () => {
  let ws: Workspace;
  let served: Served | undefined;
  let sock: WebSocket | undefined;

  beforeEach(() => {
    ws = workspace();
  });
  afterEach(async () => {
    sock?.close();
    await served?.stop();
    served = sock = undefined;
    ws.cleanup();
  });

  /** The contract over the served WebSocket, as the page calls it. */
  async function connect(extra: string[]): Promise<Call> {
    served = await serve(ws.db, extra);
    const page = await fetch(served.url, { redirect: 'manual' });
    const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
    sock = new WebSocket(`ws://127.0.0.1:${served.port}/api`, {
      headers: { Cookie: cookie, Origin: served.origin },
    });
    await new Promise((resolve, reject) => {
      sock!.once('open', resolve);
      sock!.once('error', reject);
    });
    let nextId = 1;
    return (channel, payload) =>
      new Promise((resolve) => {
        const id = nextId++;
        const onMessage = (d: Buffer) => {
          const msg = JSON.parse(d.toString()) as { id?: number; result?: Result<unknown> };
          if (msg.id !== id) return;
          sock!.off('message', onMessage);
          resolve(msg.result!);
        };
        sock!.on('message', onMessage);
        sock!.send(JSON.stringify({ id, channel, payload }));
      });
  }

  it("runs the runbook's own command and refuses an edited one from the page", async () => {
    const call = await connect([]);
    const walkId = await startWalk(call);
    const edited = await call('walks:run', { id: walkId, step: 1, command: 'echo pwned', confirmed: true });
    expect(edited).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: /--allow-any-command/ },
    });
    const { runId } = await valueOf<{ runId: number }>(call, 'walks:run', {
      id: walkId,
      step: 1,
      command: OWN_COMMAND,
      confirmed: true,
    });
    expect(await finishedRun(call, walkId, runId)).toMatchObject({ status: 'ok' });
  });

  it('runs an edited command when started with --allow-any-command', async () => {
    const call = await connect(['--allow-any-command']);
    const walkId = await startWalk(call);
    const { runId } = await valueOf<{ runId: number }>(call, 'walks:run', {
      id: walkId,
      step: 1,
      command: 'echo edited',
      confirmed: true,
    });
    expect(await finishedRun(call, walkId, runId)).toMatchObject({ status: 'ok', output: 'edited\n' });
  });
});
