// Runs one shell command of a runbook step: the user's own shell, a timeout, a stop, and an output
// cap that keeps the beginning and the end of what the command printed. The command and everything
// it starts form one process group, so that a timeout or a stop ends all of it.
import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';

export interface ShellOptions {
  command: string;
  timeoutMs: number;
  /** Bytes of output kept at most (half from the start, half from the end). */
  capBytes: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Output as it comes (decoded text). */
  onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
}

export interface ShellResult {
  status: 'ok' | 'failed' | 'timeout' | 'stopped';
  exitCode: number | null;
  signal: string | null;
  output: string;
  truncated: boolean;
  /** Bytes printed in all. */
  bytes: number;
  /** Why the command could not start, when it could not. */
  error: string | null;
}

export interface ShellRun {
  readonly pid: number | undefined;
  readonly done: Promise<ShellResult>;
  /** Ends the command (and what it started): TERM, then KILL after a grace period. */
  stop(): void;
  /** The capped output so far. */
  snapshot(): { output: string; truncated: boolean; bytes: number };
}

/** How long a stopped command gets to exit before it is killed. */
const KILL_GRACE_MS = 2000;

/** Keeps the first and the last half of the cap; everything when it fits. */
export class OutputCap {
  private head: Buffer[] = [];
  private headLen = 0;
  private tail: Buffer[] = [];
  private tailLen = 0;
  bytes = 0;

  constructor(private readonly cap: number) {}

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    const half = Math.floor(this.cap / 2);
    let rest = chunk;
    if (this.headLen < half) {
      const take = rest.subarray(0, half - this.headLen);
      this.head.push(take);
      this.headLen += take.length;
      rest = rest.subarray(take.length);
    }
    if (rest.length === 0) return;
    this.tail.push(rest);
    this.tailLen += rest.length;
    const limit = this.cap - half;
    while (this.tailLen > limit) {
      const first = this.tail[0]!;
      const excess = this.tailLen - limit;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailLen -= first.length;
      } else {
        this.tail[0] = first.subarray(excess);
        this.tailLen -= excess;
      }
    }
  }

  get truncated(): boolean {
    return this.bytes > this.headLen + this.tailLen;
  }

  text(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    const tail = Buffer.concat(this.tail).toString('utf8');
    if (!this.truncated) return head + tail;
    const left = this.bytes - this.headLen - this.tailLen;
    return `${head}\n… ${left} bytes of output left out (kept: the first and the last ${Math.floor(this.cap / 2)} bytes) …\n${tail}`;
  }
}

/** Starts a command in the platform's shell. */
export function runShell(o: ShellOptions): ShellRun {
  const windows = process.platform === 'win32';
  const child = windows
    ? spawn(process.env.ComSpec ?? 'cmd.exe', ['/d', '/s', '/c', o.command], {
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsVerbatimArguments: true,
        env: o.env ?? process.env,
        cwd: o.cwd,
        windowsHide: true,
      })
    : spawn('/bin/sh', ['-c', o.command], {
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group: a timeout or a stop reaches everything the command started.
        detached: true,
        env: o.env ?? process.env,
        cwd: o.cwd,
      });
  const cap = new OutputCap(o.capBytes);
  let ending: 'timeout' | 'stopped' | null = null;
  let killTimer: NodeJS.Timeout | null = null;
  let spawnError: string | null = null;
  let exited = false;

  const signalGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      if (windows) spawn('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore' });
      else process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const end = (why: 'timeout' | 'stopped') => {
    if (exited || ending) return;
    ending = why;
    signalGroup('SIGTERM');
    killTimer = setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS);
  };

  for (const stream of ['stdout', 'stderr'] as const) {
    const decoder = new StringDecoder('utf8');
    child[stream]!.on('data', (chunk: Buffer) => {
      cap.push(chunk);
      const text = decoder.write(chunk);
      if (text) o.onOutput?.(text, stream);
    });
  }
  const timeout = setTimeout(() => end('timeout'), o.timeoutMs);

  const done = new Promise<ShellResult>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timeout);
      if (killTimer) clearTimeout(killTimer);
      resolve({
        status: ending ?? (spawnError === null && code === 0 ? 'ok' : 'failed'),
        exitCode: code,
        signal,
        output: cap.text(),
        truncated: cap.truncated,
        bytes: cap.bytes,
        error: spawnError,
      });
    };
    child.once('error', (err) => {
      spawnError = err.message;
      if (child.pid === undefined) finish(null, null);
    });
    // Whatever the command left running in its group (and holding its output open) goes with it.
    child.once('exit', () => {
      exited = true;
      if (!windows) signalGroup('SIGKILL');
    });
    child.once('close', finish);
  });
  return {
    pid: child.pid,
    done,
    stop: () => end('stopped'),
    snapshot: () => ({ output: cap.text(), truncated: cap.truncated, bytes: cap.bytes }),
  };
}
