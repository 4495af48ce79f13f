// Runs the built `frameline` command as a user would, each test with its own database.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built command (FRAMELINE_CLI runs the tests against another build, such as the one before a fix). */
export const CLI =
  process.env.FRAMELINE_CLI ??
  fileURLToPath(new URL('../../dist/electron/cli/frameline.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Workspace {
  dir: string;
  db: string;
  cleanup(): void;
}

/** A temporary folder with a database path in it. */
export function workspace(): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'frameline-test-'));
  return { dir, db: join(dir, 'frameline.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function startCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cwd?: string,
  stdin: 'ignore' | 'pipe' = 'ignore',
): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    stdio: [stdin, 'pipe', 'pipe'],
    ...(cwd !== undefined ? { cwd } : {}),
    env: { ...process.env, NO_PROXY: '*', HTTP_PROXY: '', HTTPS_PROXY: '', ALL_PROXY: '', ...env },
  });
}

/** Collects a started command's output until it exits (killed after `timeoutMs`). */
export function finished(child: ChildProcess, timeoutMs = 30_000): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  // A command that could not be started (say, a user who cannot run this Node) fails the test with
  // why, at once: without a listener the error is thrown elsewhere and the test waits for a close.
  child.on('error', (err) => (stderr += `could not start ${child.spawnfile}: ${err.message}\n`));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function cli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<CliResult> {
  return finished(startCli(args, env), timeoutMs);
}

/** Runs a command with --json and parses its stdout. */
export async function cliJson<T = unknown>(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ result: CliResult; json: T }> {
  const result = await cli([...args, '--json'], env);
  let json: T;
  try {
    json = JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return { result, json };
}

/** Frames whole in a spool file (a torn last record does not count): what recovery must commit. */
export async function spooledFrames(path: string): Promise<number> {
  const { openSync, closeSync, statSync } = await import('node:fs');
  const { readSpool } = await import('../../electron/engine/store/spool.js');
  const fd = openSync(path, 'r');
  try {
    let frames = 0;
    readSpool(fd, 0, statSync(path).size, { frame: () => frames++, message: () => {} });
    return frames;
  } finally {
    closeSync(fd);
  }
}
