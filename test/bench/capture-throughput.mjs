// npm run bench: how fast the capture pipeline records, against its references measured side by side
// in the same run: a bare `ws` client on the same peer, the same client appending every message to a
// file (what `wscat > file` does: every byte written once), the same client handing every message's
// bytes to the page cache by writev without a copy (the least any recorder that keeps every byte
// must do on its receiving thread: its ratio bounds what a recorder can reach on this machine), and
// the raw write speed of the same disk.
// Every figure is the median of RUNS runs (default 5) with its spread (min–max); a ratio is taken
// per run (Frameline and the bare client back to back on the same peer) and then its median, so
// that a machine busy with other work weighs on both sides of each ratio alike.
// Cases: small frames (a plain ws.send() peer and a peer writing the socket as fast as it takes),
// and byte-heavy ones (16 KiB and 256 KiB JSON text frames), with the drain time (from the last
// frame's receipt until everything is committed) and peak RSS.
// Writes test/bench/results/capture-throughput.json.
//   BENCH_RUNS=N    runs per case (default 5)
//   BENCH_CASES=a,b only these cases (small-plain, small-fast, json-16k, json-256k)
//   BENCH_DIST=dir  measure another build's dist/ (a baseline)
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const here = new URL('.', import.meta.url).pathname;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TIMEOUT_MS = 300_000;
const CASES = [
  { name: 'small-plain', peer: 'plain', frames: 600_000, bytes: 100 },
  { name: 'small-fast', peer: 'fast', frames: 2_000_000, bytes: 100 },
  { name: 'json-16k', peer: 'json16k', frames: 200_000, bytes: 16 * 1024 },
  { name: 'json-256k', peer: 'json256k', frames: 8_000, bytes: 256 * 1024 },
].filter((c) => !process.env.BENCH_CASES || process.env.BENCH_CASES.split(',').includes(c.name));
const DISK_MB = 1024;

function startPeer(mode, frames) {
  const child = spawn(process.execPath, [join(here, '../servers/flood-peer.mjs'), mode, String(frames)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) =>
      resolve({ child, port: JSON.parse(line).port }),
    );
    child.once('exit', (code) => reject(new Error(`peer exited with ${code}`)));
  });
}

function runChild(args) {
  const child = spawn(process.execPath, [join(here, 'capture-child.mjs'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out.trim().split('\n').pop()));
      else reject(new Error(`${args[0]} run exited with ${code}`));
    });
  });
}

/** Median and spread of a list of numbers, rounded to `digits`. */
function stats(values, digits = 0) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  const r = (x) => Number(x.toFixed(digits));
  return { median: r(mid), min: r(s[0]), max: r(s[s.length - 1]), runs: s.length };
}

const dir = mkdtempSync(join(tmpdir(), 'frameline-bench-'));
const rows = [];
let disk;
try {
  const diskRuns = [];
  for (let i = 0; i < RUNS; i++)
    diskRuns.push(await runChild(['disk', join(dir, 'disk.bin'), String(DISK_MB)]));
  disk = {
    megabytes: DISK_MB,
    pageCacheMBps: stats(diskRuns.map((d) => d.pageCacheMBps)),
    syncedMBps: stats(diskRuns.map((d) => d.syncedMBps)),
  };
  process.stderr.write(
    `disk: ${disk.pageCacheMBps.median} MB/s into the page cache, ${disk.syncedMBps.median} MB/s synced\n`,
  );
  for (const c of CASES) {
    const peer = await startPeer(c.peer, c.frames);
    const runs = [];
    try {
      const url = `ws://127.0.0.1:${peer.port}/`;
      for (let i = 0; i < RUNS; i++) {
        process.stderr.write(
          `${c.name} run ${i + 1}/${RUNS}: bare ws client, the same writing to a file, then Frameline…\n`,
        );
        const bare = await runChild(['bare', url, String(c.frames)]);
        const file = await runChild(['bare-file', url, String(c.frames), join(dir, 'bare-file.out')]);
        const writev = await runChild(['bare-writev', url, String(c.frames), join(dir, 'bare-writev.out')]);
        const db = join(dir, `${c.name}-${i}.db`);
        const fl = await runChild(['frameline', url, String(c.frames), db]);
        rmSync(`${db}-frames`, { recursive: true, force: true });
        rmSync(`${db}-spool`, { recursive: true, force: true });
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
        const bareRate = bare.received / bare.seconds;
        const fileRate = file.received / file.seconds;
        const writevRate = writev.received / writev.seconds;
        const flRate = fl.stored / fl.seconds;
        runs.push({
          bareRate,
          fileRate,
          flRate,
          ratio: flRate / bareRate,
          fileRatio: flRate / fileRate,
          writevRatio: writevRate / bareRate,
          lost: c.frames - fl.stored,
          drain: fl.drainSeconds,
          rss: fl.peakRssBytes / 1048576,
          bareRss: bare.peakRssBytes / 1048576,
        });
      }
    } finally {
      peer.child.kill('SIGTERM');
    }
    rows.push({
      case: c.name,
      peer: c.peer,
      frames: c.frames,
      payloadBytes: c.bytes,
      bareFramesPerSecond: stats(runs.map((r) => r.bareRate)),
      bareToFileFramesPerSecond: stats(runs.map((r) => r.fileRate)),
      framelineFramesPerSecond: stats(runs.map((r) => r.flRate)),
      framelineMBps: stats(runs.map((r) => (r.flRate * c.bytes) / 1048576)),
      ratio: stats(
        runs.map((r) => r.ratio),
        3,
      ),
      ratioToFileWriter: stats(
        runs.map((r) => r.fileRatio),
        3,
      ),
      pageCacheReferenceRatio: stats(
        runs.map((r) => r.writevRatio),
        3,
      ),
      framesLost: Math.max(...runs.map((r) => r.lost)),
      drainSeconds: stats(
        runs.map((r) => r.drain),
        1,
      ),
      peakRssMB: stats(runs.map((r) => r.rss)),
      bareRssMB: stats(runs.map((r) => r.bareRss)),
    });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const fmt = (s) => `${s.median} (${s.min}–${s.max})`;
const header = [
  'case',
  'frames',
  'bare ws f/s',
  'bare to file f/s',
  'Frameline f/s',
  'ratio',
  'ratio to file',
  'writev ref. ratio',
  'lost',
  'drain s',
  'peak RSS MB',
];
const table = [
  header,
  ...rows.map((r) =>
    [
      r.case,
      r.frames,
      fmt(r.bareFramesPerSecond),
      fmt(r.bareToFileFramesPerSecond),
      fmt(r.framelineFramesPerSecond),
      fmt(r.ratio),
      fmt(r.ratioToFileWriter),
      fmt(r.pageCacheReferenceRatio),
      r.framesLost,
      fmt(r.drainSeconds),
      fmt(r.peakRssMB),
    ].map(String),
  ),
];
const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
for (const r of table) console.log(r.map((c, i) => c.padStart(widths[i])).join('  '));
console.log(
  `disk: ${fmt(disk.pageCacheMBps)} MB/s into the page cache, ${fmt(disk.syncedMBps)} MB/s with fdatasync`,
);

const resultsDir = join(here, 'results');
mkdirSync(resultsDir, { recursive: true });
writeFileSync(
  join(resultsDir, process.env.BENCH_OUT ?? 'capture-throughput.json'),
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      machine: `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, shared with other work`,
      runsPerFigure: RUNS,
      note: 'each figure: median (min–max) of the runs; ratio = Frameline / bare ws client on the same peer, per run; ratioToFileWriter = Frameline / the same bare client appending every message to a file; pageCacheReferenceRatio = the bare client handing every message to the page cache by writev (no copy, nothing else) / the bare client: the least a recorder keeping every byte must do on its receiving thread',
      disk,
      rows,
    },
    null,
    2,
  )}\n`,
);
