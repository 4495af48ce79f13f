// One place decides trust (engine/incidents/trust.ts): whatever a request claims with
// `confirmed: true`, a shell step runs only once the host's authoriser heard from a person outside
// the page, and a command a page wrote (an edit, a runbook imported through a console and not trusted
// since) is put to the person only where the host allows it. Tested on the engine's contract with
// browser mode's own authoriser (a code shown in serve's terminal) and one that stands for the
// desktop's dialog, and on `frameline serve` over its WebSocket.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Result } from '../../../shared/contract.js';
import type { WalkRun, WalkView } from '../../../shared/contract/incidents.js';
import type { RunbookSummary } from '../../../shared/runbooks/schemas.js';
import { terminalCodeAuthoriser } from '../../../electron/browser-host/command-codes.js';
import {
  DeclinedError,
  type Authoriser,
  type CommandConfirmation,
} from '../../../electron/engine/incidents/trust.js';
import { FramelineService } from '../../../electron/engine/service.js';
import { cli, workspace, type Workspace } from '../../support/cli.js';
import { cookieFor, openApi, serve, type ApiSocket, type Served } from '../../support/serve.js';
import { until } from '../../support/wait.js';

const RUNBOOK = readFileSync(
  fileURLToPath(new URL('../../fixtures/runbooks/shell-steps.md', import.meta.url)),
  'utf8',
);
const FIXTURE = fileURLToPath(new URL('../../fixtures/runbooks/shell-steps.md', import.meta.url));
/** Step 1 of node RUN, exactly as the runbook has it. */
const OWN_COMMAND = 'echo "hello from $WS_HOST:$WS_PORT"';
const CODE = /type this code in the console: ([0-9A-Z]{4}-[0-9A-Z]{4})/g;

type Call = (channel: string, payload: unknown) => Promise<Result<unknown>>;

async function valueOf<T>(call: Call, channel: string, payload: unknown): Promise<T> {
  const r = await call(channel, payload);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

/** An incident walking `runbookId` on a target; returns the walk's id. */
async function startWalk(call: Call, runbookId = 'shell-steps'): Promise<number> {
  const incident = await valueOf<{ id: number }>(call, 'incidents:create', { title: 'Trust' });
  const walk = await valueOf<WalkView>(call, 'walks:start', {
    incidentId: incident.id,
    runbookId,
    target: 'ws://127.0.0.1:9/x',
  });
  return walk.id;
}

/** The run once it has ended. */
async function finishedRun(call: Call, walkId: number, runId: number): Promise<WalkRun> {
  let run: WalkRun | undefined;
  await until(`run ${runId} to end`, async () => {
    run = (await valueOf<WalkView>(call, 'walks:get', { id: walkId })).runs.find((r) => r.id === runId);
    return run !== undefined && run.status !== 'running';
  });
  return run!;
}

const runs = async (call: Call, walkId: number) =>
  (await valueOf<WalkView>(call, 'walks:get', { id: walkId })).runs;

describe('the engine, with an authoriser', () => {
  let ws: Workspace;
  let service: FramelineService | undefined;
  const open = (authoriser?: Authoriser): Call => {
    service = new FramelineService({
      dbPath: ws.db,
      shell: 'browser',
      ...(authoriser ? { authoriser } : {}),
    });
    return (channel, payload) => service!.handle(channel, payload);
  };
  /** Browser mode's own authoriser, printing into `terminal`. */
  const browser = (terminal: string[], allowPageWritten = false, now?: () => number) =>
    terminalCodeAuthoriser({
      print: (t) => terminal.push(t),
      allowPageWritten,
      ...(now ? { now } : {}),
    });
  const lastCode = (terminal: string[]) => [...terminal.join('\n').matchAll(CODE)].at(-1)?.[1];

  beforeEach(() => {
    ws = workspace();
  });
  afterEach(async () => {
    await service?.close();
    service = undefined;
    ws.cleanup();
  });

  it("keeps each runbook's provenance: a console's import is a page's and untrusted, the command line's a file's", async () => {
    const call = open(browser([]));
    await valueOf(call, 'runbooks:import', { text: RUNBOOK, fileName: 'shell-steps.md' });
    const custom = readFileSync(fileURLToPath(new URL('../../fixtures/runbooks/custom.md', import.meta.url)));
    const file = `${ws.dir}/custom.md`;
    writeFileSync(file, custom);
    expect((await cli(['runbooks', 'import', file, '--db', ws.db])).code).toBe(0);
    const list = await valueOf<RunbookSummary[]>(call, 'runbooks:list', {});
    const of = (id: string) => list.find((r) => r.id === id)!;
    expect(of('ws-3am')).toMatchObject({ source: 'builtin', provenance: 'builtin', trusted: true });
    expect(of('shell-steps')).toMatchObject({ source: 'imported', provenance: 'page', trusted: false });
    expect(of('idle-drops')).toMatchObject({ source: 'imported', provenance: 'file', trusted: true });
    expect(await valueOf(call, 'runbooks:get', { id: 'shell-steps' })).toMatchObject({
      provenance: 'page',
      trusted: false,
    });

    // Trusted on the command line; replaced through the page, it is untrusted again.
    const trusted = await cli(['runbooks', 'trust', 'shell-steps', '--db', ws.db]);
    expect(trusted.code).toBe(0);
    expect(trusted.stdout).toContain(OWN_COMMAND);
    expect(
      (await valueOf<RunbookSummary[]>(call, 'runbooks:list', {})).find((r) => r.id === 'shell-steps'),
    ).toMatchObject({
      provenance: 'page',
      trusted: true,
    });
    await valueOf(call, 'runbooks:import', { text: RUNBOOK, fileName: 'shell-steps.md', replace: true });
    expect(
      (await valueOf<RunbookSummary[]>(call, 'runbooks:list', {})).find((r) => r.id === 'shell-steps'),
    ).toMatchObject({
      trusted: false,
    });
    const builtin = await cli(['runbooks', 'trust', 'ws-3am', '--db', ws.db]);
    expect(builtin.code).toBe(2);
    expect(builtin.stderr).toMatch(/^frameline: "ws-3am" is a built-in runbook.*nothing to trust\n$/);
    const none = await cli(['runbooks', 'trust', 'nope', '--db', ws.db]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^frameline: no imported runbook "nope"/);
  });

  it('runs nothing without an authoriser', async () => {
    const call = open();
    const walkId = await startWalk(call, 'ws-3am');
    expect(
      await call('walks:run', { id: walkId, step: 1, command: 'echo hi', confirmed: true }),
    ).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await runs(call, walkId)).toEqual([]);
  });

  it("in browser mode runs a trusted runbook's command only with the code shown in the terminal, once", async () => {
    const terminal: string[] = [];
    let clock = 1_000_000;
    const call = open(browser(terminal, false, () => clock));
    expect((await cli(['runbooks', 'import', FIXTURE, '--db', ws.db])).code).toBe(0);
    const walkId = await startWalk(call);
    const ask = { id: walkId, step: 1, command: OWN_COMMAND, confirmed: true };

    expect(await call('walks:run', ask)).toMatchObject({
      ok: false,
      error: { code: 'needs-confirmation', message: /code shown in the terminal where frameline serve runs/ },
    });
    const shown = terminal.join('\n');
    expect(shown).toContain('step 1 "Say hello" of RUN, walk');
    expect(shown).toContain('runbook shell-steps: imported from a file on the command line');
    expect(shown).toContain(`    ${OWN_COMMAND}`);
    expect(shown).toContain('WS_URL=ws://127.0.0.1:9/x');
    const code = lastCode(terminal)!;

    // A code is for the command it was shown with: another command, or another step, spends it.
    expect(await call('walks:run', { ...ask, step: 2, command: 'sleep 30', code })).toMatchObject({
      ok: false,
    });
    expect(await call('walks:run', { ...ask, code })).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: /no code is waiting/ },
    });

    // Expired after five minutes.
    await call('walks:run', ask);
    const late = lastCode(terminal)!;
    clock += 5 * 60_000 + 1;
    expect(await call('walks:run', { ...ask, code: late })).toMatchObject({
      ok: false,
      error: { message: /no code is waiting for this command/ },
    });
    expect(await runs(call, walkId)).toEqual([]);

    await call('walks:run', ask);
    const { runId } = await valueOf<{ runId: number }>(call, 'walks:run', {
      ...ask,
      code: lastCode(terminal),
    });
    expect(await finishedRun(call, walkId, runId)).toMatchObject({
      status: 'ok',
      output: 'hello from 127.0.0.1:9\n',
    });
    expect(terminal.at(-1)).toMatch(/code accepted: running step 1 of RUN/);
  });

  it('in browser mode refuses what a page wrote unless serve allows it, and then still asks for the code', async () => {
    const terminal: string[] = [];
    let call = open(browser(terminal));
    await valueOf(call, 'runbooks:import', { text: RUNBOOK, fileName: 'shell-steps.md' });
    let walkId = await startWalk(call);
    // The runbook's own command, but the runbook is a page's.
    expect(
      await call('walks:run', { id: walkId, step: 1, command: OWN_COMMAND, confirmed: true }),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'forbidden',
        message: /step 1 of RUN was not run: runbook shell-steps was imported through the console/,
      },
    });
    expect((await cli(['runbooks', 'trust', 'shell-steps', '--db', ws.db])).code).toBe(0);
    // Trusted now; an edit is still the page's.
    const edited = await call('walks:run', {
      id: walkId,
      step: 1,
      command: `${OWN_COMMAND}; id`,
      confirmed: true,
    });
    expect(edited).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: /the command was edited in the console.*--allow-any-command/ },
    });
    expect(terminal).toEqual([]);
    expect(await call('walks:run', { id: walkId, step: 3, command: 'id', confirmed: true })).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: /step 3 of RUN has no shell command/ },
    });
    expect(await runs(call, walkId)).toEqual([]);

    // `serve --allow-any-command`: the edit is put to the person, with its code.
    await service!.close();
    call = open(browser(terminal, true));
    walkId = await startWalk(call);
    const ask = { id: walkId, step: 1, command: 'echo "edited on $WS_HOST"', confirmed: true };
    expect(await call('walks:run', ask)).toMatchObject({ ok: false, error: { code: 'needs-confirmation' } });
    expect(terminal.join('\n')).toContain('the command was EDITED in the console');
    const { runId } = await valueOf<{ runId: number }>(call, 'walks:run', {
      ...ask,
      code: lastCode(terminal),
    });
    expect(await finishedRun(call, walkId, runId)).toMatchObject({
      status: 'ok',
      output: 'edited on 127.0.0.1\n',
    });
  });

  it('asks a dialog-like authoriser with the whole command and who wrote it, and runs nothing it declined', async () => {
    const asked: CommandConfirmation[] = [];
    let answer = false;
    const call = open({
      requester: 'page',
      pageWritten: { allowed: true },
      confirm: (c) => {
        asked.push(c);
        return answer
          ? Promise.resolve()
          : Promise.reject(new DeclinedError('declined in the confirmation dialog'));
      },
    });
    await valueOf(call, 'runbooks:import', { text: RUNBOOK, fileName: 'shell-steps.md' });
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
        visitId: expect.any(Number),
        node: 'RUN',
        step: 1,
        stepTitle: 'Say hello',
        command: edited,
        edited: true,
        original: OWN_COMMAND,
        env: expect.objectContaining({ WS_URL: 'ws://127.0.0.1:9/x', WS_HOST: '127.0.0.1', WS_PORT: '9' }),
        runbook: {
          id: 'shell-steps',
          title: 'Shell steps for the tests',
          provenance: 'page',
          trusted: false,
        },
        writtenBy: 'page',
      },
    ]);

    answer = true;
    const { runId } = await valueOf<{ runId: number }>(call, 'walks:run', {
      id: walkId,
      command: OWN_COMMAND,
      confirmed: true,
    });
    expect(await finishedRun(call, walkId, runId)).toMatchObject({
      status: 'ok',
      output: 'hello from 127.0.0.1:9\n',
    });
    expect(asked.at(-1)).toMatchObject({ step: 1, edited: false, writtenBy: 'page' });
  });

  it('weighs the copy a walk runs: trusting a runbook trusts walks on that very text, not on another', async () => {
    const terminal: string[] = [];
    const call = open(browser(terminal));
    await valueOf(call, 'runbooks:import', { text: RUNBOOK, fileName: 'shell-steps.md' });
    const before = await startWalk(call);
    // Replaced through the page with another text, then trusted: the older walk ran the old text.
    const other = RUNBOOK.replace('title: Shell steps for the tests', 'title: Shell steps, again');
    await valueOf(call, 'runbooks:import', { text: other, fileName: 'shell-steps.md', replace: true });
    const after = await startWalk(call);
    expect((await cli(['runbooks', 'trust', 'shell-steps', '--db', ws.db])).code).toBe(0);
    const ask = (id: number) => call('walks:run', { id, step: 1, command: OWN_COMMAND, confirmed: true });
    expect(await ask(before)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await ask(after)).toMatchObject({ ok: false, error: { code: 'needs-confirmation' } });

    // A file's walk stays a file's when the runbook is later replaced through the page.
    expect((await cli(['runbooks', 'import', FIXTURE, '--replace', '--db', ws.db])).code).toBe(0);
    const fromFile = await startWalk(call);
    await valueOf(call, 'runbooks:import', { text: RUNBOOK, fileName: 'shell-steps.md', replace: true });
    expect(await ask(fromFile)).toMatchObject({ ok: false, error: { code: 'needs-confirmation' } });
  });
});

describe('frameline serve', () => {
  let ws: Workspace;
  let served: Served | undefined;
  let page: ApiSocket | undefined;

  beforeEach(() => {
    ws = workspace();
  });
  afterEach(async () => {
    page?.close();
    await served?.stop();
    served = page = undefined;
    ws.cleanup();
  });

  it('with --allow-any-command runs an edited command once the code from its terminal is typed', async () => {
    served = await serve(ws.db, ['--allow-any-command']);
    page = await openApi(served, await cookieFor(served));
    const call: Call = (c, p) => page!.call(c, p);
    expect((await cli(['runbooks', 'import', FIXTURE, '--db', ws.db])).code).toBe(0);
    const walkId = await startWalk(call);
    const ask = { id: walkId, step: 1, command: 'echo edited', confirmed: true };
    const offset = served.stderr().length;
    expect(await call('walks:run', ask)).toMatchObject({ ok: false, error: { code: 'needs-confirmation' } });
    let code: string | undefined;
    await until("the code in serve's terminal", () => {
      code = [...served!.stderr().slice(offset).matchAll(CODE)].at(-1)?.[1];
      return code !== undefined;
    });
    const { runId } = await valueOf<{ runId: number }>(call, 'walks:run', { ...ask, code });
    expect(await finishedRun(call, walkId, runId)).toMatchObject({ status: 'ok', output: 'edited\n' });
  });
});
