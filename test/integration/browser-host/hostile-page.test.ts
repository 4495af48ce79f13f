// A script that got the console's cookie in browser mode (a hostile extension, a cross-site bug, a
// stolen link) drives `frameline serve` over its real WebSocket: it imports a runbook whose shell
// step is its own command, walks it and asks to run it with `confirmed: true`. Nothing may run on the
// page's word alone: a page's import is untrusted until a person trusts it outside the page, and
// every command needs the code that serve shows in its terminal, typed by the person into the page.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Result } from '../../../shared/contract.js';
import type { WalkRun, WalkView } from '../../../shared/contract/incidents.js';
import { cli, workspace, type Workspace } from '../../support/cli.js';
import { cookieFor, openApi, serve, type ApiSocket, type Served } from '../../support/serve.js';
import { until } from '../../support/wait.js';

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

/** A runbook whose one shell step creates `marker` (a bidi override hides nothing from the terminal). */
function hostileRunbook(marker: string): string {
  return `---
id: evil
title: Harmless looking checks
---

\`\`\`mermaid
flowchart TD
    CHECK[Check things] --> DONE([Done])
\`\`\`

## Check things {#CHECK}

### Look at the disk

\`\`\`sh
touch '${marker}' # \u202Eharmless
\`\`\`
`;
}
const command = (marker: string) => `touch '${marker}' # \u202Eharmless`;

async function open(extra: string[] = []): Promise<ApiSocket> {
  served = await serve(ws.db, extra);
  page = await openApi(served, await cookieFor(served));
  return page;
}

async function value<T>(channel: string, payload: unknown): Promise<T> {
  const r = await page!.call(channel, payload);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

async function walkOn(runbookId: string): Promise<number> {
  const incident = await value<{ id: number }>('incidents:create', { title: 'Hostile page' });
  return (
    await value<WalkView>('walks:start', { incidentId: incident.id, runbookId, target: 'ws://127.0.0.1:9/x' })
  ).id;
}

const runsOf = async (walkId: number): Promise<WalkRun[]> =>
  (await value<WalkView>('walks:get', { id: walkId })).runs;

/** The code serve printed in its terminal after `offset` characters of it, as a person reads it. */
const CODE = /type this code in the console: ([0-9A-Z]{4}-[0-9A-Z]{4})/g;
async function codeAfter(offset: number): Promise<string> {
  let code: string | undefined;
  await until("a code in serve's terminal", () => {
    code = [...served!.stderr().slice(offset).matchAll(CODE)].at(-1)?.[1];
    return code !== undefined;
  });
  return code!;
}

describe('a script holding the console cookie in browser mode', () => {
  it('imports a runbook, walks it and runs its command with confirmed: true, and nothing runs', async () => {
    const marker = join(ws.dir, 'pwned');
    await open();
    const imported = await value<{ runbook: { provenance: string; trusted: boolean } }>('runbooks:import', {
      text: hostileRunbook(marker),
      fileName: 'evil.md',
    });
    expect(imported.runbook).toMatchObject({ provenance: 'page', trusted: false });
    const walkId = await walkOn('evil');
    const attempts: Array<Record<string, unknown>> = [
      { id: walkId, step: 1, command: command(marker), confirmed: true },
      { id: walkId, command: command(marker), confirmed: true },
      { id: walkId, step: 1, command: command(marker), confirmed: true, code: 'ABCD-EFGH' },
    ];
    for (const attempt of attempts) {
      const r: Result<unknown> = await page!.call('walks:run', attempt);
      expect(r).toMatchObject({
        ok: false,
        error: { code: 'forbidden', message: expect.stringMatching(/imported through the console/) },
      });
      expect(!r.ok && r.error.message).toMatch(/frameline runbooks trust evil/);
    }
    expect(existsSync(marker)).toBe(false);
    expect(await runsOf(walkId)).toEqual([]);
    // An untrusted page import is not even put to the person: no code was offered.
    expect(served!.stderr()).not.toMatch(CODE);
  });

  it("cannot run a built-in step without the code from serve's terminal, nor with a guessed one", async () => {
    await open();
    const walkId = await walkOn('ws-3am');
    // The walk moves to a node with a shell step (the built-in's own command, unedited).
    let view = await value<WalkView>('walks:get', { id: walkId });
    for (let i = 0; i < 10 && !view.current.steps.some((s) => s.command); i++)
      view = await value<WalkView>('walks:choose', { id: walkId, label: '1' });
    const step = view.current.steps.find((s) => s.command)!;
    expect(step).toBeDefined();
    const ask = { id: walkId, step: step.index, command: step.command!, confirmed: true };

    const before = served!.stderr().length;
    expect(await page!.call('walks:run', ask)).toMatchObject({
      ok: false,
      error: {
        code: 'needs-confirmation',
        message: expect.stringMatching(/terminal where frameline serve runs/),
      },
    });
    const code = await codeAfter(before);
    expect(served!.stderr().slice(before)).toContain(step.command!.split('\n')[0]!);
    // A guess is refused and spends the code: the right one no longer works either.
    const guess = code === 'ABCD-EFGH' ? 'ABCD-EFGJ' : 'ABCD-EFGH';
    expect(await page!.call('walks:run', { ...ask, code: guess })).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: expect.stringMatching(/does not match/) },
    });
    expect(await page!.call('walks:run', { ...ask, code })).toMatchObject({ ok: false });
    expect(await runsOf(walkId)).toEqual([]);
  });

  it('cannot run an edited command, even with a code, unless serve was started with --allow-any-command', async () => {
    const marker = join(ws.dir, 'edited');
    await open();
    await value('runbooks:import', { text: hostileRunbook(join(ws.dir, 'unused')), fileName: 'evil.md' });
    expect((await cli(['runbooks', 'trust', 'evil', '--db', ws.db])).code).toBe(0);
    const walkId = await walkOn('evil');
    const r = await page!.call('walks:run', {
      id: walkId,
      step: 1,
      command: `touch '${marker}'`,
      confirmed: true,
    });
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: expect.stringMatching(/--allow-any-command/) },
    });
    expect(existsSync(marker)).toBe(false);
    expect(await runsOf(walkId)).toEqual([]);
  });

  it('runs once a person trusted the runbook outside the page and typed the code the terminal showed', async () => {
    const marker = join(ws.dir, 'ran');
    await open();
    await value('runbooks:import', { text: hostileRunbook(marker), fileName: 'evil.md' });
    const walkId = await walkOn('evil');

    // Outside the page, on the command line: the person reads what they trust.
    const trusted = await cli(['runbooks', 'trust', 'evil', '--db', ws.db]);
    expect(trusted.code).toBe(0);
    expect(trusted.stdout).toContain('trusted runbook evil');
    expect(trusted.stdout).toContain(`touch '${marker}' # ⟦U+202E⟧harmless`);

    const ask = { id: walkId, step: 1, command: command(marker), confirmed: true };
    const before = served!.stderr().length;
    expect(await page!.call('walks:run', ask)).toMatchObject({
      ok: false,
      error: { code: 'needs-confirmation' },
    });
    const code = await codeAfter(before);
    // The terminal shows what runs, the bidi override escaped.
    expect(served!.stderr().slice(before)).toContain(`touch '${marker}' # ⟦U+202E⟧harmless`);
    expect(existsSync(marker)).toBe(false);

    // Typed with a space and in lower case, as a person might.
    const { runId } = await value<{ runId: number }>('walks:run', {
      ...ask,
      code: code.toLowerCase().replace('-', ' '),
    });
    await until(
      'the run to end',
      async () => (await runsOf(walkId)).find((x) => x.id === runId)?.status === 'ok',
    );
    expect(existsSync(marker)).toBe(true);
    // A code runs one command once.
    expect(await page!.call('walks:run', { ...ask, code })).toMatchObject({ ok: false });
    expect(await runsOf(walkId)).toHaveLength(1);
  });
});
