// The incidents, runbooks and walks channels as both shells carry them: FramelineService.handle with
// untrusted payloads, the walk:changed and shell:output pushes, and a capture action against a local
// server — what the console will draw and drive.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PayloadOf, ResponseOf } from '../../../shared/contract.js';
import type { WalkView } from '../../../shared/contract/incidents.js';
import { FramelineService } from '../../../electron/engine/service.js';
import { workspace, type Workspace } from '../../support/cli.js';
import { echo, wsServer, type WsScenario } from '../../servers/scenarios.js';
import { SAYS_YES } from '../../support/authorisers.js';
import { callService } from '../../support/service.js';
import { until } from '../../support/wait.js';

let ws: Workspace;
let service: FramelineService;
let server: WsScenario;
let changes: Array<PayloadOf<'walk:changed'>>;
let output: Array<PayloadOf<'shell:output'>>;

beforeEach(async () => {
  ws = workspace();
  // A person who says yes to every command: these tests run commands of their own (trust itself is
  // tested in test/integration/browser-host/trust.test.ts and hostile-page.test.ts).
  service = new FramelineService({ dbPath: ws.db, shell: 'browser', authoriser: SAYS_YES });
  changes = [];
  output = [];
  service.onPush((topic, payload) => {
    if (topic === 'walk:changed') changes.push(payload as PayloadOf<'walk:changed'>);
    if (topic === 'shell:output') output.push(payload as PayloadOf<'shell:output'>);
  });
  server = await wsServer(echo);
});

afterEach(async () => {
  await service.close();
  await server.close();
  ws.cleanup();
});

const call = <T = unknown>(channel: string, payload: unknown) => callService<T>(service, channel, payload);

let lastWalk = 0;

async function startWalk(runbookId = 'ws-3am'): Promise<WalkView> {
  const incident = await call<{ id: number }>('incidents:create', { title: 'Live drops', severity: 'P1' });
  const view = await call<WalkView>('walks:start', {
    incidentId: incident.id,
    runbookId,
    target: `${server.url}/live`,
  });
  lastWalk = view.id;
  return view;
}

/** A run of the last walk started, as the console reads it. */
async function runOf(runId: number): Promise<WalkView['runs'][number]> {
  const view = await call<WalkView>('walks:get', { id: lastWalk });
  const run = view.runs.find((r) => r.id === runId);
  if (!run) throw new Error(`walk ${lastWalk} has no run ${runId}`);
  return run;
}

describe('runbooks channels', () => {
  it('list, get with the Markdown, validate with the line of a problem, and import', async () => {
    const list = await call<Array<{ id: string; source: string }>>('runbooks:list', {});
    expect(list).toHaveLength(5);
    const r = await call<{ id: string; source: string; markdown: string; nodes: unknown[] }>('runbooks:get', {
      id: 'symptom-matrix',
    });
    expect(r).toMatchObject({ id: 'symptom-matrix', source: 'builtin' });
    expect(r.markdown).toMatch(/^---\nid: symptom-matrix/);

    const bad = await call('runbooks:validate', {
      fileName: 'x.md',
      text: '```mermaid\nflowchart TD\n  A -->\n```',
    });
    expect(bad).toEqual({
      valid: false,
      problem: { line: 3, message: 'the link after node A has no node at its other end' },
      runbook: null,
    });
    const text = readFileSync(
      fileURLToPath(new URL('../../fixtures/runbooks/custom.md', import.meta.url)),
      'utf8',
    );
    const imported = await call<{ runbook: { id: string; source: string }; replaced: boolean }>(
      'runbooks:import',
      {
        fileName: 'custom.md',
        text,
      },
    );
    expect(imported).toMatchObject({ runbook: { id: 'idle-drops', source: 'imported' }, replaced: false });
    const again = await service.handle('runbooks:import', { fileName: 'custom.md', text });
    expect(again).toMatchObject({ ok: false, error: { code: 'bad-request', message: /--replace/ } });
    const missing = await service.handle('runbooks:get', { id: 'nope' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});

describe('walks channels', () => {
  it('start, choose, back and note, pushing walk:changed each time', async () => {
    let w = await startWalk();
    expect(w.current.visit.node).toBe('ALERT');
    w = await call<WalkView>('walks:choose', { id: w.id });
    w = await call<WalkView>('walks:choose', { id: w.id, label: 'Client side' });
    w = await call<WalkView>('walks:note', { id: w.id, text: 'only Safari users' });
    w = await call<WalkView>('walks:back', { id: w.id });
    expect(w.current.visit.node).toBe('SCOPE');
    expect(changes.filter((c) => c.walkId === w.id)).toHaveLength(5);
    expect(changes[0]).toEqual({ walkId: null, incidentId: w.incident.id });

    const detail = await call<{
      walks: Array<{ id: number; currentNode: string }>;
      timeline: Array<{ kind: string }>;
    }>('incidents:get', { id: w.incident.id });
    expect(detail.walks).toEqual([expect.objectContaining({ id: w.id, currentNode: 'SCOPE' })]);
    expect(detail.timeline.map((e) => e.kind)).toContain('note');
    expect(await service.handle('walks:get', { id: 999 })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await service.handle('walks:choose', { id: w.id, label: 'nowhere' })).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: /not a way on from here/ },
    });
  });

  it('checks steps off through walks:check: kept with the walk, on the timeline, and in walks:get', async () => {
    let w = await startWalk();
    w = await call<WalkView>('walks:check', { walk: w.id, step: 3, checked: true });
    expect(w.checked).toEqual({ ALERT: [3] });
    // Another node's step, by name; ticking again changes nothing.
    w = await call<WalkView>('walks:check', { walk: w.id, node: 'SCOPE', step: 1, checked: true });
    w = await call<WalkView>('walks:check', { walk: w.id, step: 3, checked: true });
    w = await call<WalkView>('walks:check', { walk: w.id, step: 3, checked: false });
    expect(w.checked).toEqual({ SCOPE: [1] });
    expect(w.timeline.filter((e) => e.kind.startsWith('step-')).map((e) => [e.kind, e.node, e.text])).toEqual(
      [
        ['step-checked', 'ALERT', 'step 3 "Count the close codes" of ALERT checked'],
        ['step-checked', 'SCOPE', expect.stringMatching(/^step 1 ".+" of SCOPE checked$/)],
        ['step-unchecked', 'ALERT', 'step 3 "Count the close codes" of ALERT unchecked'],
      ],
    );
    expect((await call<WalkView>('walks:get', { id: w.id })).checked).toEqual({ SCOPE: [1] });
    expect(await service.handle('walks:check', { walk: w.id, step: 9, checked: true })).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: /ALERT has 3 steps; there is no step 9/ },
    });
    expect(await service.handle('walks:check', { walk: w.id, step: 1 })).toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    });
  });

  it('keeps the output cap a shell run asks for, within bounds', async () => {
    const w = await startWalk();
    const { runId } = await call<{ runId: number }>('walks:run', {
      id: w.id,
      step: 1,
      command: 'head -c 5000 /dev/zero | tr "\\0" x',
      confirmed: true,
      outputCapBytes: 2048,
    });
    await until('the run to end', async () => (await runOf(runId)).status !== 'running');
    const run = await runOf(runId);
    expect(run).toMatchObject({ status: 'ok', truncated: true, outputBytes: 5000 });
    expect(run.output).toMatch(/^x{1024}\n… 2952 bytes of output left out/);
    // A run that went well checks its step off.
    expect((await call<WalkView>('walks:get', { id: w.id })).checked).toEqual({ ALERT: [1] });
    for (const outputCapBytes of [10, 64 * 1024 * 1024, 1.5])
      expect(
        await service.handle('walks:run', {
          id: w.id,
          step: 1,
          command: 'true',
          confirmed: true,
          outputCapBytes,
        }),
      ).toMatchObject({ ok: false, error: { code: 'bad-request', message: /outputCapBytes/ } });
  });

  it('refuses a shell run that is not confirmed, before anything runs', async () => {
    const w = await startWalk();
    for (const payload of [
      { id: w.id, command: 'echo hi' },
      { id: w.id, command: 'echo hi', confirmed: false },
      { id: w.id, command: 'echo hi', confirmed: 'yes' },
    ]) {
      expect(await service.handle('walks:run', payload)).toMatchObject({
        ok: false,
        error: { code: 'bad-request', message: /walks:run: confirmed/ },
      });
    }
    expect((await call<WalkView>('walks:get', { id: w.id })).runs).toEqual([]);
  });

  it('runs a confirmed command, streaming shell:output, and stops a long one', async () => {
    const w = await startWalk();
    const { runId } = await call<{ runId: number }>('walks:run', {
      id: w.id,
      step: 1,
      command: 'echo one; echo two >&2; echo three',
      confirmed: true,
      timeoutMs: 5000,
    });
    await until('the run to end', async () => (await runOf(runId)).status !== 'running');
    // Each stream arrives in order (stdout and stderr are two pipes: their interleaving is the OS's).
    const streamed = (stream: string) =>
      output
        .filter((o) => o.runId === runId && o.stream === stream)
        .map((o) => o.text)
        .join('');
    expect(streamed('stdout')).toBe('one\nthree\n');
    expect(streamed('stderr')).toBe('two\n');
    const view = await call<WalkView>('walks:get', { id: w.id });
    expect(view.runs[0]).toMatchObject({ id: runId, status: 'ok', outputBytes: 14 });
    expect(view.runs[0]!.output.split('\n').sort()).toEqual(['', 'one', 'three', 'two']);

    const long = await call<{ runId: number }>('walks:run', {
      id: w.id,
      step: 1,
      command: 'sleep 30',
      confirmed: true,
    });
    expect(await call('walks:stop', { runId: long.runId })).toEqual({ ok: true });
    expect((await runOf(long.runId)).status).toBe('stopped');
  });

  it('runs a capture action against the target and files the session under the incident', async () => {
    const w = await startWalk();
    const { runId } = await call<{ runId: number }>('walks:action', { id: w.id, step: 2, duration: 0.5 });
    await until('the capture to end', async () => (await runOf(runId)).status !== 'running');
    const run = await runOf(runId);
    expect(run).toMatchObject({ kind: 'capture', status: 'ok' });
    const sessionId = (run.result as { sessionId: number }).sessionId;
    const detail = await call<ResponseOf<'incidents', 'get'>>('incidents:get', { id: w.incident.id });
    expect(detail.sessions.map((s) => [s.id, s.via])).toEqual([[sessionId, 'walk']]);
    const view = await call<WalkView>('walks:get', { id: w.id });
    expect(view.timeline.filter((e) => e.runId === runId).map((e) => e.kind)).toEqual([
      'run-started',
      'run-finished',
    ]);
    expect(view.timeline.find((e) => e.kind === 'session-linked')?.text).toMatch(
      new RegExp(`^session ${sessionId} \\(capture ".+"\\) linked by walk ${w.id}$`),
    );
  });

  it("runs a capture action's conversation script, and fails the step when an expect times out", async () => {
    const runbook = (script: string) => `---
id: scripted
title: Scripted capture
---

\`\`\`mermaid
flowchart TD
    HELLO[Say hello]
\`\`\`

## Say hello {#HELLO}

Action: capture ${JSON.stringify({ duration: 30, script })}
`;
    const runScripted = async (script: string) => {
      await call('runbooks:import', { fileName: 'scripted.md', text: runbook(script), replace: true });
      const w = await startWalk('scripted');
      const { runId } = await call<{ runId: number }>('walks:action', { id: w.id });
      await until('the capture to end', async () => (await runOf(runId)).status !== 'running');
      const run = await runOf(runId);
      const sessionId = (run.result as { sessionId: number }).sessionId;
      const detail = await call<ResponseOf<'sessions', 'get'>>('sessions:get', { id: sessionId });
      return { run, kinds: detail.events.map((e) => e.kind).filter((k) => k.startsWith('script-')) };
    };

    // The echo server answers with the message itself; the close step ends the 30 s capture.
    const ok = await runScripted('send {"op":"hello"}\nexpect {"op":"hello"} 5s\nclose 1000 done');
    expect(ok.run).toMatchObject({ kind: 'capture', status: 'ok' });
    expect(ok.kinds).toEqual(['script-step', 'script-step', 'script-expect-matched', 'script-step']);

    const failed = await runScripted('send hi\nexpect /bye/ 200ms');
    expect(failed.run).toMatchObject({ kind: 'capture', status: 'failed' });
    expect(failed.run.summary).toMatch(
      /; script line 2 \(expect \/bye\/ 200ms\): no message matched within 0\.2 s \(1 received meanwhile\)$/,
    );
    expect(failed.kinds).toEqual(['script-step', 'script-step', 'script-expect-timeout']);
  });
});
