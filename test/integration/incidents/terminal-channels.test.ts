// The channels the command line's `incident`, `runbooks` and `walk` go through, as the service answers
// them for each requester: `runbooks:trust` for a person at a terminal and never for a page, a shell
// step run as its runbook wrote it when the request carries no command, a run followed to its end
// (`walks:getRun` with `wait`), a capture action that names its session while it records, and what an
// action lacks said in the requester's words.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionSummary } from '../../../shared/contract.js';
import type { WalkRun, WalkView } from '../../../shared/contract/incidents.js';
import type { Runbook, RunbookSummary } from '../../../shared/runbooks/schemas.js';
import type { Authoriser, CommandConfirmation } from '../../../electron/engine/incidents/trust.js';
import { FramelineService } from '../../../electron/engine/service.js';
import { wsServer, type WsScenario } from '../../servers/scenarios.js';
import { workspace, type Workspace } from '../../support/cli.js';
import { callService, failedCall } from '../../support/service.js';
import { until } from '../../support/wait.js';

const SHELL_STEPS = readFileSync(
  fileURLToPath(new URL('../../fixtures/runbooks/shell-steps.md', import.meta.url)),
  'utf8',
);

let ws: Workspace;
let services: FramelineService[];
let asked: CommandConfirmation[];

/** The person at a terminal, who says yes and is remembered being asked. */
const terminal: Authoriser = {
  requester: 'terminal',
  pageWritten: { allowed: true },
  confirm: (c) => {
    asked.push(c);
    return Promise.resolve();
  },
};

/** A service as the command line opens it (its authoriser: the terminal), or as a page's host does. */
function open(requester: 'terminal' | 'page'): FramelineService {
  const service =
    requester === 'terminal'
      ? new FramelineService({ dbPath: ws.db, shell: 'cli', authoriser: terminal })
      : new FramelineService({ dbPath: ws.db, shell: 'browser' });
  services.push(service);
  return service;
}

/** Closes a service before the test ends (another requester opens the database next). */
async function shut(service: FramelineService): Promise<void> {
  services = services.filter((s) => s !== service);
  await service.close();
}

beforeEach(() => {
  ws = workspace();
  services = [];
  asked = [];
});

afterEach(async () => {
  for (const s of services) await s.close();
  ws.cleanup();
});

/** An incident and a walk of the shell-steps runbook, imported by the terminal. */
async function walkOfShellSteps(service: FramelineService, target = 'ws://127.0.0.1:9/x'): Promise<WalkView> {
  await callService(service, 'runbooks:import', { text: SHELL_STEPS, fileName: 'shell-steps.md' });
  const incident = await callService<{ id: number }>(service, 'incidents:create', { title: 'Channels' });
  return callService<WalkView>(service, 'walks:start', {
    incidentId: incident.id,
    runbookId: 'shell-steps',
    target,
  });
}

describe('runbooks:trust', () => {
  it("is answered for a person at a terminal, never for a page, and trusts a page's import", async () => {
    const page = open('page');
    const text = SHELL_STEPS.replace('id: shell-steps', 'id: page-made');
    await callService(page, 'runbooks:import', { text, fileName: 'page-made.md' });
    const refused = await failedCall(page, 'runbooks:trust', { id: 'page-made' });
    expect(refused.code).toBe('forbidden');
    expect(refused.message).toMatch(
      /only outside the page.*"frameline runbooks trust page-made" in a terminal/,
    );
    const listed = await callService<RunbookSummary[]>(page, 'runbooks:list', {});
    expect(listed.find((r) => r.id === 'page-made')).toMatchObject({
      provenance: 'page',
      trusted: false,
      nodes: 2,
      steps: 3,
    });
    await shut(page);

    const cli = open('terminal');
    const trusted = await callService<{ runbook: Runbook; already: boolean }>(cli, 'runbooks:trust', {
      id: 'page-made',
    });
    expect(trusted.already).toBe(false);
    expect(trusted.runbook.steps.map((s) => s.command)).toEqual([
      'echo "hello from $WS_HOST:$WS_PORT"',
      'sleep 30',
      null,
    ]);
    const again = await callService<{ already: boolean }>(cli, 'runbooks:trust', { id: 'page-made' });
    expect(again.already).toBe(true);
    const after = await callService<RunbookSummary[]>(cli, 'runbooks:list', {});
    expect(after.find((r) => r.id === 'page-made')).toMatchObject({ provenance: 'page', trusted: true });
    expect(await failedCall(cli, 'runbooks:trust', { id: 'ws-3am' })).toMatchObject({
      code: 'bad-request',
      message: expect.stringMatching(/"ws-3am" is a built-in runbook/),
    });
    expect(await failedCall(cli, 'runbooks:trust', { id: 'nope' })).toMatchObject({ code: 'not-found' });
  });
});

describe('walks:run and walks:getRun', () => {
  it("runs the step's own command when the request carries none, and answers its end when asked to wait", async () => {
    const cli = open('terminal');
    const walk = await walkOfShellSteps(cli);
    const { runId } = await callService<{ runId: number }>(cli, 'walks:run', {
      id: walk.id,
      step: 1,
      confirmed: true,
    });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({
      step: 1,
      command: 'echo "hello from $WS_HOST:$WS_PORT"',
      edited: false,
      writtenBy: 'runbook',
      runbook: { id: 'shell-steps', provenance: 'file', trusted: true },
    });
    const ended = await callService<WalkRun>(cli, 'walks:getRun', { runId, wait: true });
    expect(ended).toMatchObject({
      id: runId,
      node: 'RUN',
      step: 1,
      kind: 'shell',
      status: 'ok',
      output: 'hello from 127.0.0.1:9\n',
      sessionId: null,
    });
    expect(await callService<WalkRun>(cli, 'walks:getRun', { runId })).toEqual(ended);
  });

  it('answers a run still going at once without wait, and once it has ended with it', async () => {
    const cli = open('terminal');
    const walk = await walkOfShellSteps(cli);
    const { runId } = await callService<{ runId: number }>(cli, 'walks:run', {
      id: walk.id,
      step: 2,
      confirmed: true,
    });
    expect((await callService<WalkRun>(cli, 'walks:getRun', { runId })).status).toBe('running');
    const waited = callService<WalkRun>(cli, 'walks:getRun', { runId, wait: true });
    await callService(cli, 'walks:stop', { runId });
    expect(await waited).toMatchObject({
      id: runId,
      status: 'stopped',
      summary: expect.stringMatching(/^stopped/),
    });
    expect(await failedCall(cli, 'walks:getRun', { runId: 999 })).toMatchObject({
      code: 'not-found',
      message: 'no run 999',
    });
  });
});

describe('walks:action', () => {
  let server: WsScenario | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('names the session a capture records while it records, so that its frames can be followed', async () => {
    server = await wsServer((socket) => {
      const t = setInterval(() => socket.send('tick'), 20);
      socket.on('close', () => clearInterval(t));
    });
    const cli = open('terminal');
    const walk = await walkOfShellSteps(cli, `${server.url}/ticks`);
    const { runId } = await callService<{ runId: number }>(cli, 'walks:action', {
      id: walk.id,
      step: 3,
      duration: 60,
    });
    let run = await callService<WalkRun>(cli, 'walks:getRun', { runId });
    await until('the capture to record frames', async () => {
      run = await callService<WalkRun>(cli, 'walks:getRun', { runId });
      if (run.sessionId === null) return false;
      const live = await callService<SessionSummary[]>(cli, 'sessions:list', { status: 'live' });
      return (live.find((s) => s.id === run.sessionId)?.frames ?? 0) > 0;
    });
    expect(run).toMatchObject({ kind: 'capture', status: 'running' });
    const sessionId = run.sessionId;
    await callService(cli, 'walks:stop', { runId });
    const ended = await callService<WalkRun>(cli, 'walks:getRun', { runId, wait: true });
    expect(ended).toMatchObject({ status: 'stopped', sessionId });
    expect(ended.result).toMatchObject({ sessionId });
  });

  it('says what an action lacks in the words of its requester, and runs nothing', async () => {
    const cli = open('terminal');
    const incident = await callService<{ id: number }>(cli, 'incidents:create', { title: 'No target' });
    await callService(cli, 'runbooks:import', { text: SHELL_STEPS, fileName: 'shell-steps.md' });
    const walk = await callService<WalkView>(cli, 'walks:start', {
      incidentId: incident.id,
      runbookId: 'shell-steps',
    });
    const terminalWords = await failedCall(cli, 'walks:action', { id: walk.id, step: 3 });
    expect(terminalWords).toEqual({
      code: 'bad-request',
      message:
        'step 3 of RUN needs an endpoint URL: give --url ws://host/path, or start the walk with --target ws://host/path',
    });
    await shut(cli);
    const page = open('page');
    const pageWords = await failedCall(page, 'walks:action', { id: walk.id, step: 3 });
    expect(pageWords).toEqual({
      code: 'bad-request',
      message: "step 3 of RUN needs an endpoint URL: set the walk's target or give one for this run",
    });
    expect((await callService<WalkView>(page, 'walks:get', { id: walk.id })).runs).toEqual([]);
  });
});

describe('walks:list and walks:note', () => {
  it('says that an incident is not there rather than listing no walks, and what a note lacks', async () => {
    const cli = open('terminal');
    expect(await failedCall(cli, 'walks:list', { incidentId: 41 })).toEqual({
      code: 'not-found',
      message: 'no incident 41; list them with "frameline incident list"',
    });
    const walk = await walkOfShellSteps(cli);
    expect(await callService(cli, 'walks:list', { incidentId: walk.incident.id })).toHaveLength(1);
    expect(await failedCall(cli, 'walks:note', { id: walk.id, text: '   ' })).toEqual({
      code: 'bad-request',
      message: 'a note needs some text',
    });
  });
});
