// What the benchmarks added with issue 25 share: the built command line, a peer in its own process,
// a command's wall time and peak RSS, and a figure's median with its spread.
import { spawn } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const here = new URL('.', import.meta.url).pathname;
export const CLI = join(here, '../../dist/electron/cli/frameline.js');
const PROBE = new URL('./rss-probe.mjs', import.meta.url).href;
export const RUNS = Number(process.env.BENCH_RUNS ?? 5);

/** The machine, as the results files name it, with its load when the bench started (it may be shared). */
const loadAtStart = loadavg()[0];
export const machine = () =>
  `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, load average ${loadAtStart.toFixed(1)} at the start`;

/** A peer script of test/servers started with `args`; resolves once it printed {"port": N}. */
export function startPeer(script, args) {
  const child = spawn(process.execPath, [join(here, '../servers', script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) =>
      resolve({ child, port: JSON.parse(line).port, stop: () => child.kill('SIGTERM') }),
    );
  });
}

/** Runs a command to its end; answers its wall time (s), stdout and stderr. */
export function timed(command, args, { env } = {}) {
  const t0 = performance.now();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr}`));
      else resolve({ seconds, stdout, stderr });
    });
  });
}

/** Runs the built CLI; answers its wall time (s), its peak RSS (MB, all its threads) and stderr. */
export async function frameline(args, { heapMb } = {}) {
  const node = ['--import', PROBE, ...(heapMb ? [`--max-old-space-size=${heapMb}`] : []), CLI, ...args];
  const run = await timed(process.execPath, node);
  const rss = /bench-peak-rss-kb (\d+)/.exec(run.stderr);
  if (!rss) throw new Error(`frameline ${args.join(' ')} did not say its peak RSS: ${run.stderr}`);
  return { ...run, rssMb: Number(rss[1]) / 1024 };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** A figure over runs: its median and spread (min–max), rounded to `digits`. */
export function spread(xs, digits = 2) {
  const r = (x) => Math.round(x * 10 ** digits) / 10 ** digits;
  return { median: r(median(xs)), min: r(Math.min(...xs)), max: r(Math.max(...xs)), runs: xs.length };
}

/** The p-th percentile (0–100) of an ascending list. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
