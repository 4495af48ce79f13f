// npm run bench: how fast the capture pipeline records, against the physical limit measured in the
// same run (a bare `ws` client on the same peer). Writes test/bench/results/capture-throughput.json.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const here = new URL('.', import.meta.url).pathname;
const FRAMES = Number(process.env.BENCH_FRAMES ?? 3_000_000);
const TIMEOUT_MS = 300_000;

function startPeer(mode) {
  const child = spawn(process.execPath, [join(here, '../servers/flood-peer.mjs'), mode, String(FRAMES)], {
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

const dir = mkdtempSync(join(tmpdir(), 'frameline-bench-'));
const rows = [];
try {
  for (const mode of ['plain', 'fast']) {
    const peer = await startPeer(mode);
    try {
      const url = `ws://127.0.0.1:${peer.port}/`;
      process.stderr.write(`${mode} peer: bare ws client…\n`);
      const bare = await runChild(['bare', url, String(FRAMES)]);
      process.stderr.write(`${mode} peer: Frameline capture…\n`);
      const fl = await runChild(['frameline', url, String(FRAMES), join(dir, `${mode}.db`)]);
      const bareRate = bare.received / bare.seconds;
      const flRate = fl.stored / fl.seconds;
      rows.push({
        peer: mode,
        frames: FRAMES,
        bareFramesPerSecond: Math.round(bareRate),
        framelineFramesPerSecond: Math.round(flRate),
        ratio: Number((flRate / bareRate).toFixed(3)),
        framesLost: FRAMES - fl.stored,
        peakRssMB: Math.round(fl.peakRssBytes / 1048576),
        bareRssMB: Math.round(bare.peakRssBytes / 1048576),
        secondsUntilAllCommitted: Number(fl.totalSeconds.toFixed(1)),
      });
    } finally {
      peer.child.kill('SIGTERM');
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const header = [
  'peer',
  'frames',
  'bare ws f/s',
  'Frameline f/s',
  'ratio',
  'lost',
  'peak RSS MB',
  'all committed s',
];
const table = [
  header,
  ...rows.map((r) =>
    [
      r.peer,
      r.frames,
      r.bareFramesPerSecond,
      r.framelineFramesPerSecond,
      r.ratio,
      r.framesLost,
      r.peakRssMB,
      r.secondsUntilAllCommitted,
    ].map(String),
  ),
];
const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
for (const r of table) console.log(r.map((c, i) => c.padStart(widths[i])).join('  '));

const resultsDir = join(here, 'results');
mkdirSync(resultsDir, { recursive: true });
writeFileSync(
  join(resultsDir, 'capture-throughput.json'),
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: (await import('node:os')).cpus().length, rows }, null, 2)}\n`,
);
