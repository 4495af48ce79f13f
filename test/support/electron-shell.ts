// Runs the built desktop main process (dist/electron/main/main.js) under plain Node with our stand-in
// for `electron` (test/support/electron-double/), in a temporary user-data folder and database,
// and drives it as Electron and a page would: the test sends an operation, the stand-in answers.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const REGISTER = new URL('./electron-double/register.mjs', import.meta.url).href;

export interface RecordedCall {
  api: string;
  args: unknown[];
  /** Whether the app was ready when main made the call. */
  ready: boolean;
}

export interface ShellState {
  ready: boolean;
  calls: RecordedCall[];
  windows: Array<{ options: Record<string, unknown>; url: string; sent: unknown[][]; destroyed: boolean }>;
  ipcChannels: string[];
  ipcListeners: string[];
  engines: Array<{ pid: number; alive: boolean }>;
}

export interface DesktopShell {
  dbPath: string;
  child: ChildProcess;
  /** One operation of the stand-in (see ops in electron.mjs). */
  op<T = unknown>(op: string, args?: Record<string, unknown>): Promise<T>;
  state(): Promise<ShellState>;
  /** Polls the recorded state until `predicate` holds (every 20 ms, at most `ms`). */
  until(what: string, predicate: (s: ShellState) => boolean, ms?: number): Promise<ShellState>;
  output(): string;
  /** Quits the app and waits for the process to end; kills it if it does not. */
  stop(): Promise<number | null>;
}

export function startDesktopShell(): DesktopShell {
  const work = mkdtempSync(join(tmpdir(), 'frameline-shell-'));
  const dbPath = join(work, 'frameline.db');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FRAMELINE_DB: dbPath,
    XDG_CONFIG_HOME: join(work, 'config'),
    HOME: work,
  };
  delete env.ELECTRON_RUN_AS_NODE;
  const child = fork(join(root, 'dist/electron/main/main.js'), [], {
    cwd: root,
    execArgv: ['--import', REGISTER],
    serialization: 'advanced',
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  child.on('message', (m: { id: number; result?: unknown; error?: string }) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error !== undefined) w?.reject(new Error(m.error));
    else w?.resolve(m.result);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => {
    for (const w of waiting.values()) w.reject(new Error(`main exited:\n${output}`));
    waiting.clear();
  });

  const op = <T>(name: string, args: Record<string, unknown> = {}) =>
    new Promise<T>((resolve, reject) => {
      if (child.exitCode !== null || !child.connected)
        return reject(new Error(`main is not running:\n${output}`));
      const id = nextId++;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, op: name, ...args });
    });
  const state = () => op<ShellState>('state');

  return {
    dbPath,
    child,
    op,
    state,
    async until(what, predicate, ms = 20_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const s = await state();
        if (predicate(s)) return s;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; main printed:\n${output}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.connected) {
        await op('quit').catch(() => {});
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        const code = await exited;
        clearTimeout(timer);
        rmSync(work, { recursive: true, force: true });
        return code;
      }
      const code = await exited;
      rmSync(work, { recursive: true, force: true });
      return code;
    },
  };
}
