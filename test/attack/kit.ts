// The attack suite's own tools: case tables, a small pool for independent CLI cases, the invariants
// every family asserts (one line on stderr, the right exit code, nothing created or changed, a sound
// database), and each family's count of cases. Running the CLI, peers and waits is test/support's.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, expect } from 'vitest';
import { CLI, finished, type CliResult } from '../support/cli.js';

/** Every combination of the tables' rows, as tuples. */
export function cross<A, B>(a: readonly A[], b: readonly B[]): Array<[A, B]> {
  return a.flatMap((x) => b.map((y): [A, B] => [x, y]));
}

/**
 * Runs at most `n` of the wrapped bodies at once: the cases of a family run concurrently (vitest's
 * `it.concurrent`) without putting more than a few processes on two busy cores.
 */
export function limiter(n: number): <T>(body: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (body) => {
    if (running >= n) await new Promise<void>((r) => waiting.push(r));
    running++;
    try {
      return await body();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/** Counts a family's cases and prints the count once the file is done (the run's log keeps it). */
export function family(name: string): { add<T>(cases: T[]): T[]; one(): void } {
  let count = 0;
  afterAll(() => {
    process.stdout.write(`attack family ${name}: ${count} cases\n`);
  });
  return {
    add(cases) {
      count += cases.length;
      return cases;
    },
    one() {
      count++;
    },
  };
}

/** A stack frame line, as Node prints them under an error. */
const STACK = /^\s+at /m;

/**
 * A failure as the user must see it: exit `code`, no signal, stdout empty, and exactly one line on
 * stderr, without a stack frame. Answers that line.
 */
export function expectOneLineFailure(r: CliResult, code: 1 | 2, what = ''): string {
  const context = `${what}\nexit ${r.code}\nstderr: ${r.stderr.slice(0, 2000)}`;
  expect(r.code, context).toBe(code);
  expect(r.stderr, context).not.toMatch(STACK);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, context).toHaveLength(1);
  expect(lines[0]!.length, context).toBeGreaterThan(0);
  expect(r.stdout, context).toBe('');
  return lines[0]!;
}

/**
 * A command that may print notes (a capture's "connected", its close) but fails once: no stack, no
 * signal, exit `code`, and exactly one line of error ("error: …" or "frameline: …").
 */
export function expectOneError(r: CliResult, code: 1 | 2, what = ''): string {
  const context = `${what}\nexit ${r.code}\nstderr: ${r.stderr.slice(0, 2000)}`;
  expect(r.code, context).toBe(code);
  expect(r.stderr, context).not.toMatch(STACK);
  const errors = r.stderr.split('\n').filter((l) => /^(error|frameline): /.test(l));
  expect(errors, context).toHaveLength(1);
  return errors[0]!;
}

/** No stack trace and no death by signal, whatever the exit code. */
export function expectCleanEnd(r: CliResult, what = ''): void {
  const context = `${what}\nexit ${r.code}\nstderr: ${r.stderr.slice(0, 2000)}`;
  expect(r.code, context).not.toBeNull();
  expect(r.stderr, context).not.toMatch(STACK);
  expect(r.stderr, context).not.toMatch(/unexpected failure/);
}

/** Every file under `dir` (relative path → sha256 of its bytes): a picture to compare after. */
export function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        files[`${relative(dir, p)}/`] = 'dir';
        walk(p);
      } else files[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return files;
}

/** SQLite's own check of a database file: "ok" when sound. */
export function integrity(db: string): string {
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return String(d.pragma('integrity_check', { simple: true }));
  } finally {
    d.close();
  }
}

/** One SQL query on a database, read-only. */
export function query<T>(db: string, sql: string, ...params: unknown[]): T[] {
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return d.prepare(sql).all(...params) as T[];
  } finally {
    d.close();
  }
}

/**
 * The resident memory a bounded case may reach: the command holds about 120 MB importing a HAR
 * with an 8 MiB message, and a reader that takes a device that never ends passes it within seconds.
 */
export const BOUNDED_PEAK_MIB = 512;

/** A bounded run said how much memory it held at most, and it was within `mib`. */
export function expectPeakWithin(r: BoundedResult, mib: number, what: string): void {
  expect(r.peakMiB, `${what}: the run did not say its peak memory`).not.toBeNull();
  expect(r.peakMiB!, `${what}: peak resident memory in MiB`).toBeLessThanOrEqual(mib);
}

/** What a bounded run ended with, and the most memory it held at once. */
export interface BoundedResult extends CliResult {
  /** Peak resident set (VmHWM) in MiB; null when the process died before it could say. */
  peakMiB: number | null;
}

/**
 * The address space a bounded run may reserve (`ulimit -v`): only a runaway reaches it. V8 reserves
 * far more address space than it touches (Node 20 reserves 1.7 GB to import a HAR with an 8 MiB
 * message while holding 120 MB, and Node 24 more: a 2 GiB bound killed a sound run in a worker's
 * start), so the bound that matters is on resident memory, checked with `peakMiB`.
 */
const ADDRESS_SPACE_MIB = 8192;
const PEAK_RECORDER = fileURLToPath(new URL('./peak-resident.mjs', import.meta.url));

/**
 * The built command with a ceiling on its address space, so that a reader without a bound (a
 * device that never ends, /dev/zero) fails alone instead of taking the shared machine's memory with
 * it, and its peak resident memory recorded: a case asserts that peak against what it should need.
 */
export async function cliBounded(args: string[], timeoutMs = 30_000): Promise<BoundedResult> {
  const dir = mkdtempSync(join(tmpdir(), 'frameline-peak-'));
  const peakFile = join(dir, 'peak');
  try {
    const child = spawn(
      '/bin/sh',
      [
        '-c',
        `ulimit -v ${ADDRESS_SPACE_MIB * 1024} && exec "$0" "$@"`,
        process.execPath,
        '--import',
        PEAK_RECORDER,
        CLI,
        ...args,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          FRAMELINE_TEST_PEAK_FILE: peakFile,
          NO_PROXY: '*',
          HTTP_PROXY: '',
          HTTPS_PROXY: '',
          ALL_PROXY: '',
        },
      },
    );
    const r = await finished(child, timeoutMs);
    const kib = existsSync(peakFile) ? Number(readFileSync(peakFile, 'utf8')) : NaN;
    return { ...r, peakMiB: Number.isFinite(kib) ? Math.round(kib / 1024) : null };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
