// Every file the command line reads on the user's word is read within its documented limit: a
// device, a pipe or a directory is refused before a byte is read, a file over the limit is refused
// by its size, each in one line naming the flag (or what the file is for), the file and the limit,
// exit code 2 — never a read that runs to 4 GB (/dev/zero) or waits forever (a pipe).
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cli, workspace, type Workspace } from '../../support/cli.js';

const HAR = fileURLToPath(new URL('../../fixtures/har/chrome-devtools.har', import.meta.url));
const MiB = 1024 * 1024;

let ws: Workspace;
let fifo: string;
let folder: string;
const sparse = (name: string, bytes: number) => {
  const path = join(ws.dir, name);
  const fd = openSync(path, 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
  return path;
};
beforeAll(async () => {
  ws = workspace();
  fifo = join(ws.dir, 'a-pipe');
  execFileSync('mkfifo', [fifo]);
  folder = join(ws.dir, 'a-folder');
  mkdirSync(folder);
  const r = await cli(['import', HAR, '--db', ws.db]);
  if (r.code !== 0) throw new Error(r.stderr);
});
afterAll(() => ws.cleanup());

/** Each way of naming a file, with what the line must say: the flag (or the file's role) and the limit. */
function cases(file: string): Array<{ args: string[]; names: string; limit: string }> {
  return [
    { args: ['runbooks', 'validate', file], names: 'the runbook file', limit: '1 MiB' },
    { args: ['runbooks', 'import', file], names: 'the runbook file', limit: '1 MiB' },
    { args: ['capture', 'ws://127.0.0.1:9/', '--send-file', file], names: '--send-file', limit: '64 MiB' },
    { args: ['capture', 'wss://127.0.0.1:9/', '--ca', file], names: 'the CA file', limit: '1 MiB' },
    {
      args: ['capture', 'wss://127.0.0.1:9/', '--cert', file, '--key', file],
      names: 'the client certificate file',
      limit: '1 MiB',
    },
    { args: ['probe', 'wss://127.0.0.1:9/', '--ca', file], names: 'the CA file', limit: '1 MiB' },
    {
      args: ['replay', '1', '--to', 'wss://127.0.0.1:9/', '--ca', file],
      names: 'the CA file',
      limit: '1 MiB',
    },
  ];
}

async function refused(file: string, what: RegExp, { har = false } = {}) {
  // A HAR file has no limit but its size: it is read as a stream.
  const all = [
    ...cases(file),
    ...(har ? [{ args: ['import', file], names: 'the file to import', limit: '' }] : []),
  ];
  const seen = [];
  for (const c of all) {
    const r = await cli([...c.args, '--db', ws.db], {}, 20_000);
    const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const line = new RegExp(
      `^frameline: ${escaped(c.names)} ${escaped(file)} ${what.source}${c.limit ? `.*at most ${escaped(c.limit)}` : ''}.*\n$`,
    );
    seen.push({
      command: c.args.slice(0, 2).join(' '),
      code: r.code,
      stderr: line.test(r.stderr) ? 'ok' : r.stderr,
    });
  }
  expect(seen).toEqual(all.map((c) => ({ command: c.args.slice(0, 2).join(' '), code: 2, stderr: 'ok' })));
}

it('refuses a device at once (/dev/zero was read towards 4 GB)', async () => {
  await refused('/dev/zero', /is a device, not a file/, { har: true });
});

it('refuses a named pipe without waiting for it', async () => {
  await refused(fifo, /is a named pipe, not a file/, { har: true });
});

it('refuses a directory', async () => {
  await refused(folder, /is a directory, not a file/, { har: true });
});

it('refuses a file over its limit by its size, without reading it', async () => {
  const big = sparse('big', 64 * MiB + 1);
  await refused(big, /holds 67,108,865 bytes/);
});
