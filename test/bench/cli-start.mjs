// npm run bench (last part): how long a command of the command line takes from start to exit, for the
// commands people type most (`--help`, `sessions`, `show SESSION`), beside the bare start of the same
// Node (`node -e 0`) measured in the same run, turn about, so that a busy machine weighs on both.
// Each figure is the median of RUNS runs, with its spread. Target: under 0.25 s for each command.
// Beside the time, the CPU time each process used (user and system, read at its exit by a preloaded
// module given to both): on a machine shared with other work, the figure the load does not inflate.
// Writes test/bench/results/cli-start.json. FRAMELINE_CLI times another build's command (say, the one
// before a change) against this build's database.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const here = new URL('.', import.meta.url).pathname;
const CLI = process.env.FRAMELINE_CLI ?? join(here, '../../dist/electron/cli/frameline.js');
const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 21);
const TARGET_S = 0.25;

const dir = mkdtempSync(join(tmpdir(), 'frameline-cli-bench-'));
const db = join(dir, 'bench.db');
// A database with one small session (a connection closed normally), written through the store.
const made = spawnSync(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    `const { openStore } = await import(${JSON.stringify(join(here, '../../dist/electron/engine/store/database.js'))});
     const db = openStore(${JSON.stringify(db)});
     const s = db.prepare("INSERT INTO session (name, kind, target, status, created_at, ended_at) VALUES ('bench', 'capture', 'ws://127.0.0.1:1/', 'complete', 1800000000000000, 1800000001000000)").run().lastInsertRowid;
     db.prepare("INSERT INTO connection (session_id, ordinal, url, started_at, status, opened_at, closed_at, close_code, closed_by) VALUES (?, 1, 'ws://127.0.0.1:1/', 1800000000000000, 101, 1800000000000100, 1800000001000000, 1000, 'client')").run(s);
     db.close();`,
  ],
  { encoding: 'utf8', input: '' },
);
if (made.status !== 0) throw new Error(`could not make the bench database: ${made.stderr}`);

const commands = {
  '--help': [CLI, '--help'],
  sessions: [CLI, 'sessions', '--db', db],
  'show 1': [CLI, 'show', '1', '--db', db],
};
const reference = ['-e', '0'];

// Says the CPU time its process used, on stderr, at its exit.
const cpuAtExit = join(dir, 'cpu-at-exit.mjs');
writeFileSync(
  cpuAtExit,
  "import { writeSync } from 'node:fs';\nprocess.on('exit', () => { const u = process.cpuUsage(); writeSync(2, `CPU ${u.user + u.system}\\n`); });\n",
);

/** One run: its time from start to exit and the CPU time it used, in seconds. */
function timed(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(cpuAtExit).href, ...args], {
    encoding: 'utf8',
  });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const cpu = /^CPU (\d+)$/m.exec(r.stderr);
  if (!cpu) throw new Error(`${args.join(' ')} did not say its CPU time: ${r.stderr}`);
  return { s, cpu: Number(cpu[1]) / 1e6 };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
};
const round = (x) => Math.round(x * 1000) / 1000;

const loadAtStart = loadavg().map(round);
const results = {};
try {
  // One warm run each: the first start reads every file from disk.
  for (const args of Object.values(commands)) timed(args);
  timed(reference);
  for (const [name, args] of Object.entries(commands)) {
    const own = [];
    const bare = [];
    for (let i = 0; i < RUNS; i++) {
      if (i % 2 === 0) {
        own.push(timed(args));
        bare.push(timed(reference));
      } else {
        bare.push(timed(reference));
        own.push(timed(args));
      }
    }
    const a = stats(own.map((r) => r.s));
    const b = stats(bare.map((r) => r.s));
    const aCpu = stats(own.map((r) => r.cpu));
    const bCpu = stats(bare.map((r) => r.cpu));
    const figure = (x) => ({ median: round(x.median), min: round(x.min), max: round(x.max) });
    results[name] = {
      seconds: figure(a),
      nodeAlone: figure(b),
      ratio: round(a.median / b.median),
      cpuSeconds: figure(aCpu),
      nodeAloneCpuSeconds: figure(bCpu),
      targetSeconds: TARGET_S,
      met: a.median < TARGET_S,
    };
    console.log(
      `cli start ${name.padEnd(9)} ${a.median.toFixed(3)} s (${a.min.toFixed(3)}–${a.max.toFixed(3)}, CPU ${aCpu.median.toFixed(3)} s)  node -e 0 ${b.median.toFixed(3)} s (CPU ${bCpu.median.toFixed(3)} s)  ratio ${(a.median / b.median).toFixed(2)}  target < ${TARGET_S} s: ${a.median < TARGET_S ? 'met' : 'MISSED'}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

writeFileSync(
  join(here, 'results/cli-start.json'),
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model,
        loadAtStart,
        loadAtEnd: loadavg().map(round),
      },
      node: process.version,
      runs: RUNS,
      results,
    },
    null,
    2,
  )}\n`,
);
