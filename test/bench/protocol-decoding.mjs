// npm run bench -- protocols: what decoding a protocol costs the console on a large session. Two
// sessions of BENCH_PROTOCOL_FRAMES frames (default 1,000,000) recorded with `frameline capture`: a
// Socket.IO server's flood (flood-peer socketio: events "tick", every 10th "quote", every 1000th
// "alert"; Frameline speaks Socket.IO, as the URL names it) and a plain one (flood-peer plain: JSON
// without a protocol), asked the same through the engine's service as the console asks:
//  open    the session and its first page of frames (a fresh service: nothing decoded yet);
//  middle  a page in the middle of the session;
//  search  a full-text search for one sequence number (on a current index);
//  filter  the message filter "alert" (the Socket.IO session decodes every frame once; the plain
//          one has nothing to decode and matches nothing).
// Every figure is the median of BENCH_RUNS runs with its spread; ratio = Socket.IO / plain, per run.
// Writes test/bench/results/protocol-decoding.json.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, machine, RUNS, spread, startPeer } from './bench-kit.mjs';

const here = new URL('.', import.meta.url).pathname;
const DIST = join(here, '../../dist');
const FRAMES = Number(process.env.BENCH_PROTOCOL_FRAMES ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'frameline-protocol-bench-'));
const { FramelineService } = await import(join(DIST, 'electron/engine/service.js'));

function capture(url, db) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'capture', url, '--quiet', '--db', db], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`capture exited with ${code}`))));
  });
}

async function record(mode, db) {
  const peer = await startPeer('flood-peer.mjs', [mode, String(FRAMES)]);
  try {
    await capture(
      `ws://127.0.0.1:${peer.port}/${mode === 'socketio' ? 'socket.io/?EIO=4&transport=websocket' : ''}`,
      db,
    );
  } finally {
    peer.stop();
  }
  // The engine's own indexer, as its background pass would: the search is timed on a current index.
  const { openStore } = await import(join(DIST, 'electron/engine/store/database.js'));
  const { catchUpTextIndex } = await import(join(DIST, 'electron/engine/sessions/text-index.js'));
  const store = openStore(db);
  catchUpTextIndex(store);
  store.close();
}

async function ask(service, channel, request) {
  const t = performance.now();
  const r = await service.handle(channel, request);
  if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
  return { ms: performance.now() - t, value: r.value };
}

/** One run over one session: each step's time in ms, with a fresh service. */
async function run(db, alerts) {
  const service = new FramelineService({ dbPath: db, shell: 'browser' });
  try {
    const detail = await ask(service, 'sessions:get', { id: 1 });
    const first = await ask(service, 'sessions:frames', { id: 1, filter: {}, offset: 0, limit: 64 });
    const middle = await ask(service, 'sessions:frames', {
      id: 1,
      filter: {},
      offset: FRAMES / 2,
      limit: 64,
    });
    const search = await ask(service, 'sessions:frames', {
      id: 1,
      filter: { text: String(FRAMES / 2) },
      offset: 0,
      limit: 64,
    });
    if (search.value.total < 1) throw new Error(`the search for ${FRAMES / 2} found nothing`);
    const filter = await ask(service, 'sessions:frames', {
      id: 1,
      filter: { message: 'alert' },
      offset: 0,
      limit: 64,
    });
    if (filter.value.total !== alerts)
      throw new Error(`the filter "alert" matched ${filter.value.total} frames, not ${alerts}`);
    return { openMs: detail.ms + first.ms, middleMs: middle.ms, searchMs: search.ms, filterMs: filter.ms };
  } finally {
    await service.close();
  }
}

try {
  const sessions = {
    socketIo: { mode: 'socketio', db: join(dir, 'socketio.db'), alerts: Math.floor(FRAMES / 1000) },
    plain: { mode: 'plain', db: join(dir, 'plain.db'), alerts: 0 },
  };
  for (const [name, s] of Object.entries(sessions)) {
    process.stderr.write(`recording a ${FRAMES}-frame ${name} session…\n`);
    await record(s.mode, s.db);
  }
  const samples = { socketIo: [], plain: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const [name, s] of Object.entries(sessions)) samples[name].push(await run(s.db, s.alerts));
    const [a, b] = [samples.socketIo.at(-1), samples.plain.at(-1)];
    process.stderr.write(
      `  run ${i + 1}/${RUNS} (Socket.IO / plain, ms): open ${a.openMs.toFixed(0)}/${b.openMs.toFixed(0)}, middle ${a.middleMs.toFixed(0)}/${b.middleMs.toFixed(0)}, search ${a.searchMs.toFixed(0)}/${b.searchMs.toFixed(0)}, filter ${a.filterMs.toFixed(0)}/${b.filterMs.toFixed(0)}\n`,
    );
  }
  const steps = ['openMs', 'middleMs', 'searchMs', 'filterMs'];
  const figure = (name) =>
    Object.fromEntries(
      steps.map((k) => [
        k,
        spread(
          samples[name].map((r) => r[k]),
          1,
        ),
      ]),
    );
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    machine: machine(),
    note: 'ms per request through the service, a fresh service each run; ratio = Socket.IO / plain, per run (the plain filter has nothing to decode and matches nothing)',
    frames: FRAMES,
    socketIo: figure('socketIo'),
    plain: figure('plain'),
    ratio: Object.fromEntries(
      steps.map((k) => [
        k,
        spread(
          samples.socketIo.map((r, i) => r[k] / samples.plain[i][k]),
          2,
        ),
      ]),
    ),
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results/protocol-decoding.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
