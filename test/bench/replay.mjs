// npm run bench: replay and mock, each figure the median of RUNS runs with its spread, measured beside
// its reference in the same run:
// - timing fidelity at speed 1 over 10,000 messages whose recorded gaps run from 0.1 to 50 ms
//   (log-uniform): p50/p99 absolute error of the replayed gaps; reference: a bare ws client on a
//   setTimeout per gap;
// - replay rate at --speed max against a local echo; reference: a bare ws client sending as fast as
//   the socket takes them;
// - mock throughput to 100 concurrent clients; reference: a bare ws server sending the same messages.
// Writes test/bench/results/replay.json.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const here = new URL('.', import.meta.url).pathname;
const dist = new URL('../../dist/', import.meta.url);
const { openEngine } = await import(new URL('electron/engine/context.js', dist).href);
const { createSession, setSpoolPath } = await import(
  new URL('electron/engine/sessions/session-store.js', dist).href
);
const { spoolPathFor, StoreWriter } = await import(new URL('electron/engine/store/writer.js', dist).href);
const { runReplay } = await import(new URL('electron/engine/replay/replay.js', dist).href);
const { iterateFrames } = await import(new URL('electron/engine/sessions/frame-store.js', dist).href);
const { ReplayRequestSchema } = await import(new URL('shared/contract/replay.js', dist).href);
const { gapErrors, errorSummary } = await import(new URL('shared/replay/timing.js', dist).href);
const { parseMicros } = await import(new URL('shared/time.js', dist).href);

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const FIDELITY_MESSAGES = Number(process.env.BENCH_FIDELITY_MESSAGES ?? 10_000);
const RATE_MESSAGES = Number(process.env.BENCH_RATE_MESSAGES ?? 100_000);
const MOCK_CLIENTS = 100;
const MOCK_MESSAGES = Number(process.env.BENCH_MOCK_MESSAGES ?? 1_000);

const dir = mkdtempSync(join(tmpdir(), 'frameline-bench-replay-'));
const db = join(dir, 'bench.db');
const engine = openEngine(db);

function startPeer(script, args) {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => {
      const m = /^listening (ws:\/\/\S+)$/.exec(line);
      resolve({ child, url: m ? m[1] : `ws://127.0.0.1:${JSON.parse(line).port}/` });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}
const stop = (p) =>
  new Promise((r) => (p.child.exitCode !== null ? r() : (p.child.once('exit', r), p.child.kill('SIGTERM'))));

/** A recorded session with one connection whose client sent `gapsUs.length` messages at these gaps. */
async function recordedSession(name, gapsUs, answer = false) {
  const t0 = Date.now() * 1000;
  const id = createSession(engine.db, {
    name,
    kind: 'capture',
    target: 'ws://bench/',
    settings: {},
    createdAt: t0,
  });
  const path = spoolPathFor(db, id);
  setSpoolPath(engine.db, id, path);
  const spool = StoreWriter.for(db).begin(id, path);
  spool.message({ type: 'connection', ordinal: 1, url: 'ws://bench/', startedAt: t0, requestHeaders: {} });
  spool.message({
    type: 'handshake',
    ordinal: 1,
    status: 101,
    responseHeaders: {},
    bodyHead: null,
    subprotocol: null,
    extensions: null,
    timings: { dnsMs: null, tcpMs: null, tlsMs: null, upgradeMs: null },
    openedAt: t0,
  });
  let ts = t0;
  gapsUs.forEach((gap, i) => {
    ts += gap;
    const text = JSON.stringify({ id: i, type: 'tick', price: 100 + (i % 7) });
    spool.frame(1, ts, answer ? 0 : 1, 1, Buffer.from(text), 1 << 20);
  });
  spool.message({
    type: 'closed',
    ordinal: 1,
    closedAt: ts + 1000,
    code: 1000,
    reason: '',
    closedBy: 'server',
    error: null,
  });
  await spool.finish(ts + 1000);
  return id;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs) => [Math.min(...xs), Math.max(...xs)];
const figure = (xs, digits = 3) => ({
  median: Number(median(xs).toFixed(digits)),
  min: Number(spread(xs)[0].toFixed(digits)),
  max: Number(spread(xs)[1].toFixed(digits)),
  runs: xs.map((x) => Number(x.toFixed(digits))),
});

/** Sent timestamps (µs) of a replay's session. */
function sentTimes(sessionId) {
  const out = [];
  for (const f of iterateFrames(engine.db, sessionId))
    if (f.direction === 'out' && f.opcode === 'text') out.push(parseMicros(f.ts));
  return out;
}

/** A bare ws client: sends `messages` (text) after `gapsMs` with one setTimeout each, or all at once. */
function bareClient(url, messages, gapsMs) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const stamps = [];
    let received = 0;
    ws.on('error', reject);
    ws.on('message', () => {
      if (++received === messages.length) {
        ws.close();
      }
    });
    ws.on('close', () => resolve({ stamps, received }));
    ws.on('open', () => {
      let i = 0;
      if (!gapsMs) {
        const t0 = performance.now();
        const pump = () => {
          while (i < messages.length) {
            ws.send(messages[i++]);
            if (ws.bufferedAmount > 4 * 1024 * 1024) return setImmediate(pump);
          }
          stamps.push(t0, performance.now());
        };
        pump();
        return;
      }
      const next = () => {
        ws.send(messages[i]);
        stamps.push(performance.now() * 1000);
        if (++i < messages.length) setTimeout(next, gapsMs[i]);
      };
      setTimeout(next, gapsMs[0]);
    });
  });
}

const rows = {};
try {
  const echo = await startPeer(join(here, '../servers/echo-peer.mjs'), ['echo']);
  try {
    // --- timing fidelity ---
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const gapsUs = Array.from({ length: FIDELITY_MESSAGES }, () =>
      Math.round(100 * Math.exp(random() * Math.log(500))),
    );
    const fidelity = await recordedSession('fidelity', gapsUs);
    const recorded = gapsUs.reduce((acc, g) => (acc.push((acc.at(-1) ?? 0) + g), acc), []);
    const messages = gapsUs.map((_, i) => JSON.stringify({ id: i, type: 'tick', price: 100 + (i % 7) }));
    const ours = { p50: [], p99: [] };
    const ref = { p50: [], p99: [] };
    for (let run = 0; run < RUNS; run++) {
      process.stderr.write(`fidelity run ${run + 1}/${RUNS}: Frameline…\n`);
      const r = await runReplay(
        engine,
        ReplayRequestSchema.parse({ sessionId: fidelity, to: echo.url, waitSeconds: 2 }),
      );
      const e = errorSummary(gapErrors(recorded, sentTimes(r.sessionId), 1));
      ours.p50.push(e.p50);
      ours.p99.push(e.p99);
      process.stderr.write(`fidelity run ${run + 1}/${RUNS}: bare ws client, setTimeout per gap…\n`);
      const bare = await bareClient(
        echo.url,
        messages,
        gapsUs.map((g) => g / 1000),
      );
      const b = errorSummary(gapErrors(recorded, bare.stamps, 1));
      ref.p50.push(b.p50);
      ref.p99.push(b.p99);
    }
    rows.fidelity = {
      messages: FIDELITY_MESSAGES,
      gaps: '0.1–50 ms, log-uniform',
      framelineP50Ms: figure(ours.p50),
      framelineP99Ms: figure(ours.p99),
      bareSetTimeoutP50Ms: figure(ref.p50),
      bareSetTimeoutP99Ms: figure(ref.p99),
      targetP99Ms: 2,
    };

    // --- replay rate at max ---
    const rate = await recordedSession(
      'rate',
      Array.from({ length: RATE_MESSAGES }, () => 10),
    );
    const rateMessages = Array.from({ length: RATE_MESSAGES }, (_, i) =>
      JSON.stringify({ id: i, type: 'tick', price: 100 + (i % 7) }),
    );
    const fl = [];
    const bareRates = [];
    for (let run = 0; run < RUNS; run++) {
      process.stderr.write(`rate run ${run + 1}/${RUNS}\n`);
      const r = await runReplay(
        engine,
        ReplayRequestSchema.parse({ sessionId: rate, to: echo.url, speed: 'max', waitSeconds: 30 }),
      );
      const t = sentTimes(r.sessionId);
      fl.push(t.length / ((t.at(-1) - t[0]) / 1e6));
      const bare = await bareClient(echo.url, rateMessages, null);
      bareRates.push(RATE_MESSAGES / ((bare.stamps[1] - bare.stamps[0]) / 1000));
    }
    rows.rate = {
      messages: RATE_MESSAGES,
      framelineMsgPerSecond: figure(fl, 0),
      bareWsMsgPerSecond: figure(bareRates, 0),
      targetMsgPerSecond: 50_000,
    };
  } finally {
    await stop(echo);
  }

  // --- mock throughput to 100 clients ---
  const answers = await recordedSession(
    'mock source',
    Array.from({ length: MOCK_MESSAGES }, () => 0),
    true,
  );
  const clients = (url) =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      let done = 0;
      let total = 0;
      for (let c = 0; c < MOCK_CLIENTS; c++) {
        const ws = new WebSocket(url, { perMessageDeflate: false });
        let n = 0;
        ws.on('error', reject);
        ws.on('message', () => {
          total++;
          if (++n === MOCK_MESSAGES) {
            ws.terminate();
            if (++done === MOCK_CLIENTS) resolve(total / ((performance.now() - t0) / 1000));
          }
        });
      }
    });
  const mockRates = [];
  const bareMock = [];
  for (let run = 0; run < RUNS; run++) {
    process.stderr.write(`mock run ${run + 1}/${RUNS}\n`);
    const mock = await startPeer(join(here, '../../dist/electron/cli/frameline.js'), [
      'mock',
      String(answers),
      '--speed',
      '1000',
      '--db',
      db,
    ]);
    try {
      mockRates.push(await clients(mock.url));
    } finally {
      await stop(mock);
    }
    const bare = await startPeer(join(here, '../servers/echo-peer.mjs'), ['serve', String(MOCK_MESSAGES)]);
    try {
      bareMock.push(await clients(bare.url));
    } finally {
      await stop(bare);
    }
  }
  rows.mock = {
    clients: MOCK_CLIENTS,
    messagesPerClient: MOCK_MESSAGES,
    framelineMsgPerSecond: figure(mockRates, 0),
    bareWsServerMsgPerSecond: figure(bareMock, 0),
  };
} finally {
  engine.close();
  rmSync(dir, { recursive: true, force: true });
}

const result = { date: new Date().toISOString(), node: process.version, runs: RUNS, ...rows };
writeFileSync(new URL('results/replay.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
const f = (x) => `${x.median} (${x.min}–${x.max})`;
process.stdout.write(
  [
    `| figure | Frameline | reference | target |`,
    `|---|---|---|---|`,
    `| replay gap error p50, ${FIDELITY_MESSAGES} msgs, speed 1 | ${f(rows.fidelity.framelineP50Ms)} ms | ${f(rows.fidelity.bareSetTimeoutP50Ms)} ms (bare ws, setTimeout per gap) | |`,
    `| replay gap error p99 | ${f(rows.fidelity.framelineP99Ms)} ms | ${f(rows.fidelity.bareSetTimeoutP99Ms)} ms | < 2 ms |`,
    `| replay rate, --speed max, ${RATE_MESSAGES} msgs to a local echo | ${f(rows.rate.framelineMsgPerSecond)} msg/s | ${f(rows.rate.bareWsMsgPerSecond)} msg/s (bare ws client) | ≥ 50,000 msg/s |`,
    `| mock throughput, ${MOCK_CLIENTS} clients × ${MOCK_MESSAGES} msgs | ${f(rows.mock.framelineMsgPerSecond)} msg/s | ${f(rows.mock.bareWsServerMsgPerSecond)} msg/s (bare ws server) | |`,
  ].join('\n') + '\n',
);
