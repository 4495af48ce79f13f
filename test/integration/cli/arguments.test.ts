// Every command and subcommand refuses an argument it does not take, in one line naming it, with
// exit code 2 and before it does anything (`frameline compact 5` compacted everything).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cli, workspace, type Workspace } from '../../support/cli.js';

const HAR = fileURLToPath(new URL('../../fixtures/har/chrome-devtools.har', import.meta.url));
const RUNBOOK = fileURLToPath(new URL('../../fixtures/runbooks/custom.md', import.meta.url));
const SURPLUS = 'surplus-argument';

let ws: Workspace;
beforeAll(async () => {
  ws = workspace();
  for (const args of [
    ['import', HAR],
    ['incident', 'create', '--title', 'Chat drops every minute'],
    ['incident', 'action', 'add', '1', '--title', 'Raise the idle timeout', '--type', 'prevent'],
    ['walk', 'start', '1', '--runbook', 'ws-3am'],
  ]) {
    const r = await cli([...args, '--db', ws.db]);
    if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  }
});
afterAll(() => ws.cleanup());

/** Each command as a user would write it, with one argument too many (its place: SURPLUS). */
const COMMANDS: string[][] = [
  ['capture', 'ws://127.0.0.1:9/', SURPLUS],
  ['sessions', SURPLUS],
  ['show', '1', SURPLUS],
  ['probe', 'ws://127.0.0.1:9/', SURPLUS],
  ['watch', 'ws://127.0.0.1:9/', SURPLUS],
  ['diagnose', '1', SURPLUS],
  ['compare', '1', '2', SURPLUS],
  ['incident', 'create', SURPLUS, '--title', 'x'],
  ['incident', 'list', SURPLUS],
  ['incident', 'show', '1', SURPLUS],
  ['incident', 'update', '1', SURPLUS, '--status', 'open'],
  ['incident', 'action', 'add', '1', SURPLUS, '--title', 'x', '--type', 'prevent'],
  ['incident', 'action', 'done', '1', SURPLUS],
  ['incident', 'action', 'remove', '1', SURPLUS],
  ['incident', 'link', '1', SURPLUS, '--session', '1'],
  ['runbooks', 'list', SURPLUS],
  ['runbooks', 'show', 'ws-3am', SURPLUS],
  ['runbooks', 'import', RUNBOOK, SURPLUS],
  ['runbooks', 'validate', RUNBOOK, SURPLUS],
  ['walk', 'start', '1', SURPLUS, '--runbook', 'ws-3am'],
  ['walk', 'list', '1', SURPLUS],
  ['walk', 'show', '1', SURPLUS],
  ['walk', 'back', '1', SURPLUS],
  ['walk', 'check', '1', '1', SURPLUS],
  ['walk', 'run', '1', SURPLUS],
  ['walk', 'action', '1', SURPLUS],
  ['walk', 'finding', '1', 'idle-timeout', SURPLUS],
  ['replay', '1', SURPLUS, '--to', 'ws://127.0.0.1:9/'],
  ['mock', '1', SURPLUS],
  ['report', '1', SURPLUS],
  ['import', HAR, SURPLUS],
  ['export', '1', SURPLUS, '--format', 'har'],
  ['relay', SURPLUS, '--to', 'ws://127.0.0.1:9/'],
  ['serve', SURPLUS],
  ['recover', SURPLUS],
  ['compact', SURPLUS],
];

it('covers every command of "frameline --help"', async () => {
  const help = await cli(['--help']);
  const listed = [...help.stdout.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]);
  expect(new Set(COMMANDS.map((c) => c[0]))).toEqual(new Set(listed));
});

it('refuses an argument a command does not take, in one line naming it, with exit code 2', async () => {
  const folder = `${ws.db}-frames`;
  const files = readdirSync(folder).map((f) => [f, readFileSync(join(folder, f)).toString('base64')]);
  const seen: Array<{ command: string; code: number | null; stdout: string; stderr: string }> = [];
  // A few at a time: each is a process of its own.
  for (let i = 0; i < COMMANDS.length; i += 4) {
    const batch = COMMANDS.slice(i, i + 4);
    const results = await Promise.all(batch.map((args) => cli([...args, '--db', ws.db])));
    results.forEach((r, j) => {
      const command = batch[j]!.slice(0, batch[j]!.indexOf(SURPLUS)).join(' ');
      const line = new RegExp(`^frameline: .*"${SURPLUS}" is one too many.*\n$`);
      seen.push({
        command,
        code: r.code,
        stdout: r.stdout,
        stderr: line.test(r.stderr) ? 'one line naming it' : r.stderr,
      });
    });
  }
  expect(seen).toEqual(
    COMMANDS.map((args) => ({
      command: args.slice(0, args.indexOf(SURPLUS)).join(' '),
      code: 2,
      stdout: '',
      stderr: 'one line naming it',
    })),
  );
  // Nothing was done: no incident created, no segment compacted.
  const incidents = await cli(['incident', 'list', '--json', '--db', ws.db]);
  expect((JSON.parse(incidents.stdout) as unknown[]).length).toBe(1);
  expect(readdirSync(folder).map((f) => [f, readFileSync(join(folder, f)).toString('base64')])).toEqual(
    files,
  );
});
