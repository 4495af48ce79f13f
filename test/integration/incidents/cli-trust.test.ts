// `frameline walk run` decides through the one trust module with the command line's authoriser:
// --yes confirms a run of a runbook the person imported from a file (or a built-in), but not of one a
// console imported and nobody trusted since — --yes says "I saw what runs", and nobody saw that; at a
// terminal without --yes, the command is shown whole (escaped) and runs only when the person says y.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WalkRun, WalkView } from '../../../shared/contract/incidents.js';
import { FramelineService } from '../../../electron/engine/service.js';
import { terminalCodeAuthoriser } from '../../../electron/browser-host/command-codes.js';
import { CLI, cli, workspace, type CliResult, type Workspace } from '../../support/cli.js';
import { PYTHON } from '../../support/processes.js';

let ws: Workspace;

beforeEach(() => {
  ws = workspace();
});
afterEach(() => ws.cleanup());

const fl = (...args: string[]): Promise<CliResult> => cli([...args, '--db', ws.db]);

/** A runbook whose step creates `marker`, with a bidi override the terminal must show escaped. */
function runbook(marker: string): string {
  return `---
id: page-made
title: Made in a page
---

\`\`\`mermaid
flowchart TD
    MAKE[Make a file] --> DONE([Done])
\`\`\`

## Make a file {#MAKE}

### Touch it

\`\`\`sh
touch '${marker}' # \u202Equiet
\`\`\`
`;
}

/** Imports through the contract as a console does (its provenance is a page's), then starts a walk. */
async function importThroughPage(text: string): Promise<number> {
  const service = new FramelineService({
    dbPath: ws.db,
    shell: 'browser',
    authoriser: terminalCodeAuthoriser({ print: () => {}, allowPageWritten: false }),
  });
  try {
    const r = await service.handle('runbooks:import', { text, fileName: 'page-made.md' });
    expect(r.ok).toBe(true);
  } finally {
    await service.close();
  }
  const incident = JSON.parse((await fl('incident', 'create', '--title', 'Trust', '--json')).stdout) as {
    id: number;
  };
  const walk = JSON.parse(
    (await fl('walk', 'start', String(incident.id), '--runbook', 'page-made', '--json')).stdout,
  ) as WalkView;
  return walk.id;
}

/** Runs the command line on a pseudo-terminal, answering `answer` to its question; output and exit code. */
function atTerminal(args: string[], answer: string): Promise<{ code: number | null; output: string }> {
  const script = `
import os, pty, select, sys
node, answer = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(node, [node] + sys.argv[3:])
out = b''
answered = False
while True:
    ready, _, _ = select.select([fd], [], [], 30)
    if not ready:
        break
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
    if not answered and b'[y/N]' in out:
        os.write(fd, answer.encode() + b'\\n')
        answered = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode('utf8', 'replace'))
sys.exit(os.waitstatus_to_exitcode(status))
`;
  const child = spawn(PYTHON, ['-c', script, process.execPath, answer, CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

describe('frameline walk run', () => {
  it("runs a console's import with --yes only after it was trusted on the command line", async () => {
    const marker = join(ws.dir, 'made');
    const walkId = await importThroughPage(runbook(marker));
    const refused = await fl('walk', 'run', String(walkId), '--yes');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^frameline: step 1 of MAKE was not run: runbook page-made was imported through the console.*frameline runbooks trust page-made.*without --yes at a terminal/,
    );
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(marker)).toBe(false);

    const trusted = await fl('runbooks', 'trust', 'page-made');
    expect(trusted.code).toBe(0);
    expect(trusted.stdout).toContain(`touch '${marker}' # ⟦U+202E⟧quiet`);
    const listed = await fl('runbooks');
    expect(listed.stdout).toMatch(/^page-made\s+page \(trusted\)/m);
    const ran = await fl('walk', 'run', String(walkId), '--yes', '--json');
    expect(ran.code, ran.stderr).toBe(0);
    expect(JSON.parse(ran.stdout) as WalkRun).toMatchObject({ status: 'ok', node: 'MAKE', step: 1 });
    expect(existsSync(marker)).toBe(true);
  });

  it('at a terminal without --yes shows the command whole and escaped, and runs it only on y', async () => {
    const marker = join(ws.dir, 'asked');
    const walkId = await importThroughPage(runbook(marker));
    const args = ['walk', 'run', String(walkId), '--db', ws.db];

    const no = await atTerminal(args, 'n');
    expect(no.code).toBe(2);
    expect(no.output).toContain('runbook page-made: imported through the console, not trusted');
    expect(no.output).toContain(`touch '${marker}' # ⟦U+202E⟧quiet`);
    expect(no.output).not.toContain('\u202E');
    expect(no.output).toMatch(/nothing was run: it was declined at the prompt/);
    expect(existsSync(marker)).toBe(false);

    const yes = await atTerminal(args, 'y');
    expect(yes.code, yes.output).toBe(0);
    expect(yes.output).toMatch(/run \d+ ok: exited with 0/);
    expect(existsSync(marker)).toBe(true);
  });

  it('keeps --yes for a built-in runbook and a file imported on the command line', async () => {
    const file = fileURLToPath(new URL('../../fixtures/runbooks/shell-steps.md', import.meta.url));
    expect((await fl('runbooks', 'import', file)).code).toBe(0);
    const incident = JSON.parse((await fl('incident', 'create', '--title', 'File', '--json')).stdout) as {
      id: number;
    };
    const walk = JSON.parse(
      (
        await fl(
          'walk',
          'start',
          String(incident.id),
          '--runbook',
          'shell-steps',
          '--target',
          'ws://127.0.0.1:9/x',
          '--json',
        )
      ).stdout,
    ) as WalkView;
    const ran = await fl('walk', 'run', String(walk.id), '--step', '1', '--yes');
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toBe('hello from 127.0.0.1:9\n');
  });
});
