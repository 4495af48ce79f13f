// npm run bench (last part): the console's filter on decoded messages over a 1,000,000-frame
// JSON-RPC session (flood-peer.mjs jsonrpc: "tick", every 10th "quote", every 1000th "alert"),
// through the engine's service as the console calls it:
//  1. the first message filter, which decodes the session once: its time, and how long page
//     requests made meanwhile (one every 100 ms, at random positions) wait for their answer;
//  2. later filters on the same session: the same one again, another one, one with most frames,
//     a rare one with a direction, one with a full-text search.
// Every figure is the median of BENCH_RUNS runs (5 unless told) with its spread (min–max), each run
// with a fresh service (the decoded messages are kept per open database). The load average is
// recorded beside them: the machine is shared. Writes test/bench/results/message-filter.json.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const here = new URL('.', import.meta.url).pathname;
const DIST = join(here, '../../dist');
const CLI = join(DIST, 'electron/cli/frameline.js');
const FRAMES = Number(process.env.BENCH_MESSAGE_FRAMES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'frameline-message-bench-'));
const db = join(dir, 'bench.db');
const log = (line) => process.stderr.write(`${line}\n`);

function startPeer() {
  const child = spawn(
    process.execPath,
    [join(here, '../servers/flood-peer.mjs'), 'jsonrpc', String(FRAMES)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`peer exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve({ child, ...JSON.parse(line) }));
  });
}

function capture(url) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'capture', url, '--quiet', '--db', db], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`capture exited with ${code}`))));
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const spread = (xs) => ({
  median: Math.round(median(xs)),
  min: Math.round(Math.min(...xs)),
  max: Math.round(Math.max(...xs)),
});
const quantile = (xs, q) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;

const { FramelineService } = await import(join(DIST, 'electron/engine/service.js'));

async function frames(service, filter, offset = 0) {
  const r = await service.handle('sessions:frames', { id: 1, filter, offset, limit: 64 });
  if (!r.ok) throw new Error(`sessions:frames: ${r.error.message}`);
  return r.value;
}

async function timed(service, filter, expected) {
  const t = performance.now();
  const { total } = await frames(service, filter);
  if (total !== expected)
    throw new Error(`${JSON.stringify(filter)} matched ${total} frames, not ${expected}`);
  return performance.now() - t;
}

const ALERTS = Math.floor(FRAMES / 1000);
const QUOTES = Math.floor(FRAMES / 10) - ALERTS;
const LATER = {
  sameAgain: [{ message: 'alert' }, ALERTS],
  another: [{ message: 'quote' }, QUOTES],
  mostFrames: [{ message: 'notification tick' }, FRAMES - QUOTES - ALERTS],
  rareWithDirection: [{ message: 'al*', direction: 'in' }, ALERTS],
  withTextSearch: [{ message: 'alert', text: '500000' }, FRAMES >= 500_000 ? 1 : 0],
};

async function run() {
  const service = new FramelineService({ dbPath: db, shell: 'browser' });
  try {
    await frames(service, {});
    const t0 = performance.now();
    let done = false;
    const first = frames(service, { message: 'alert' }).then((v) => ((done = true), v));
    const waits = [];
    while (!done) {
      await new Promise((r) => setTimeout(r, 100));
      if (done) break;
      const t = performance.now();
      await frames(service, {}, Math.floor(Math.random() * (FRAMES - 64)));
      waits.push(performance.now() - t);
    }
    const { total } = await first;
    if (total !== ALERTS) throw new Error(`the first filter matched ${total} frames, not ${ALERTS}`);
    const out = {
      firstMs: performance.now() - t0,
      waitP95Ms: quantile(waits, 0.95),
      waitMaxMs: Math.max(0, ...waits),
    };
    for (const [name, [filter, expected]] of Object.entries(LATER))
      out[name] = await timed(service, filter, expected);
    return out;
  } finally {
    await service.close();
  }
}

try {
  log(`recording a ${FRAMES}-frame JSON-RPC session…`);
  const peer = await startPeer();
  await capture(`ws://127.0.0.1:${peer.port}/rpc`);
  peer.child.kill('SIGTERM');
  // The engine's own indexer, as its background pass would: the search is timed on a current index.
  const { openStore } = await import(join(DIST, 'electron/engine/store/database.js'));
  const { catchUpTextIndex } = await import(join(DIST, 'electron/engine/sessions/text-index.js'));
  const store = openStore(db);
  catchUpTextIndex(store);
  store.close();
  const samples = [];
  const loads = [];
  for (let i = 0; i < RUNS; i++) {
    loads.push(loadavg()[0]);
    samples.push(await run());
    log(
      `  run ${i + 1}/${RUNS}: first filter ${Math.round(samples.at(-1).firstMs)} ms, load ${loads.at(-1).toFixed(1)}`,
    );
  }
  const field = (k) => spread(samples.map((s) => s[k]));
  const result = {
    date: new Date().toISOString(),
    frames: FRAMES,
    runs: RUNS,
    loadAverage: {
      median: Math.round(median(loads) * 10) / 10,
      min: Math.min(...loads),
      max: Math.max(...loads),
    },
    firstFilterMs: field('firstMs'),
    pageWaitWhileDecodingMs: { p95: field('waitP95Ms'), max: field('waitMaxMs') },
    laterFiltersMs: Object.fromEntries(Object.keys(LATER).map((k) => [k, field(k)])),
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results/message-filter.json'), `${JSON.stringify(result, null, 2)}\n`);
  log(JSON.stringify(result, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
