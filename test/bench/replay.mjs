// npm run bench: replay and mock. Each figure is the median of RUNS runs (default 5) with its spread
// (min–max), measured beside its reference in the same run, with the ratio to that reference (the
// median of the per-run ratios, so that a load change between runs does not skew it):
// - timing fidelity at speed 1: p50/p99 absolute error of the replayed gaps, for recorded gaps from
//   0.1 to 50 ms (log-uniform). 10,000 messages in all: each run replays its own slice of them
//   (BENCH_FIDELITY_MESSAGES / RUNS, 2,000 by default), so that five runs of three senders stay
//   within minutes; the pooled p50/p99 over all of them is reported too. References, each on the
//   same slice and in the same run, in a rotating order: a bare ws client on a setTimeout per gap,
//   and a bare ws client busy-waiting to each due time (the best this machine allows a process:
//   it burns a core for the whole slice, which a replay must not).
// - replay rate at --speed max against a local echo (the source recorded every echo, so the replay
//   ends when all are back and pairs them all): messages sent per second (first to last send) and
//   round trips per second (first send to last echo); reference: a bare ws client sending as fast
//   as the socket takes them, measured the same way.
// - mock throughput to 100 concurrent clients; reference: a bare ws server sending the same
//   messages.
// BENCH_ONLY=fidelity,rate,mock runs some of them; BENCH_CPU_PROF=DIR profiles the mock's child
// process (run the bench itself under node --cpu-prof for the replay, which runs in-process).
// Writes test/bench/results/replay.json (unless BENCH_ONLY is set).
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
const { beginRecording } = await import(new URL('electron/engine/store/recording.js', dist).href);
const { StoreWriter } = await import(new URL('electron/engine/store/writer.js', dist).href);
const { runReplay } = await import(new URL('electron/engine/replay/replay.js', dist).href);
const { iterateFrames } = await import(new URL('electron/engine/sessions/frame-store.js', dist).href);
const { ReplayRequestSchema } = await import(new URL('shared/contract/replay.js', dist).href);
const { gapErrors, errorSummary } = await import(new URL('shared/replay/timing.js', dist).href);
const { parseMicros } = await import(new URL('shared/time.js', dist).href);

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const FIDELITY_MESSAGES = Number(process.env.BENCH_FIDELITY_MESSAGES ?? 10_000);
const FIDELITY_PER_RUN = Math.ceil(FIDELITY_MESSAGES / RUNS);
const RATE_MESSAGES = Number(process.env.BENCH_RATE_MESSAGES ?? 50_000);
const MOCK_CLIENTS = 100;
const MOCK_MESSAGES = Number(process.env.BENCH_MOCK_MESSAGES ?? 1_000);
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
const PROFILE_DIR = process.env.BENCH_CPU_PROF;
const HIGH_WATER_BYTES = 4 * 1024 * 1024;

const dir = mkdtempSync(join(tmpdir(), 'frameline-bench-replay-'));
const db = join(dir, 'bench.db');
const engine = openEngine(db);
const log = (s) => process.stderr.write(`${s}\n`);
const started = performance.now();

function startPeer(script, args, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
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

const tick = (i) => JSON.stringify({ id: i, type: 'tick', price: 100 + (i % 7) });

/**
 * A recorded session with one connection. `client`: the client sent one message after each gap
 * (µs), the server echoed each 50 µs later, and the client closed; `server`: the server sent one
 * message after each gap, and closed.
 */
async function recordedSession(name, gapsUs, who) {
  const t0 = Date.now() * 1000;
  const recording = beginRecording(engine.db, db, {
    name,
    kind: 'capture',
    target: 'ws://bench/',
    settings: {},
    createdAt: t0,
  });
  const spool = StoreWriter.for(db).begin(engine.db, recording);
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
    const data = Buffer.from(tick(i));
    if (who === 'client') {
      spool.frame(1, ts, 1, 1, data, 1 << 20);
      spool.frame(1, ts + 50, 0, 1, data, 1 << 20);
    } else spool.frame(1, ts, 0, 1, data, 1 << 20);
  });
  ts += 1000;
  spool.message({
    type: 'closed',
    ordinal: 1,
    closedAt: ts,
    code: 1000,
    reason: '',
    closedBy: who,
    error: null,
  });
  await spool.finish(ts);
  return recording.sessionId;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x, digits) => Number(x.toFixed(digits));
const figure = (xs, digits = 3) => ({
  median: round(median(xs), digits),
  min: round(Math.min(...xs), digits),
  max: round(Math.max(...xs), digits),
  runs: xs.map((x) => round(x, digits)),
});
/** Ours beside a reference, with the median of the per-run ratios ours / reference. */
const versus = (ours, ref, digits) => ({
  frameline: figure(ours, digits),
  reference: figure(ref, digits),
  ratio: figure(
    ours.map((x, i) => x / ref[i]),
    2,
  ),
});

/** Times (µs) of a replay's text frames, out and in. */
function frameTimes(sessionId) {
  const out = [];
  const inn = [];
  for (const f of iterateFrames(engine.db, sessionId))
    if (f.opcode === 'text') (f.direction === 'out' ? out : inn).push(parseMicros(f.ts));
  return { out, in: inn };
}

/** Opens a bare ws client to `url`. */
function bareSocket(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('error', reject);
    ws.once('open', () => resolve(ws));
  });
}

/** Resolves when `ws` received `n` messages (counting from now) and closed. */
function closeAfter(ws, n) {
  return new Promise((resolve) => {
    let received = 0;
    let lastAt = 0;
    ws.on('message', () => {
      lastAt = performance.now();
      if (++received === n) ws.close();
    });
    ws.on('close', () => resolve({ received, lastAt }));
  });
}

/** A bare ws client sending each message a recorded gap after the one before, with a setTimeout per gap; send times in µs. */
async function bareTimeouts(url, messages, gapsMs) {
  const ws = await bareSocket(url);
  const done = closeAfter(ws, messages.length);
  const stamps = [];
  await new Promise((resolve) => {
    let i = 0;
    const next = () => {
      ws.send(messages[i]);
      stamps.push(performance.now() * 1000);
      if (++i < messages.length) setTimeout(next, gapsMs[i]);
      else resolve();
    };
    setTimeout(next, gapsMs[0]);
  });
  await done;
  return stamps;
}

/** A bare ws client busy-waiting to each message's due time (offsets from the open, ms); send times in µs. */
async function bareSpin(url, messages, offsetsMs) {
  const ws = await bareSocket(url);
  const done = closeAfter(ws, messages.length);
  const stamps = [];
  const t0 = performance.now();
  for (let i = 0; i < messages.length; i++) {
    const due = t0 + offsetsMs[i];
    while (performance.now() < due);
    ws.send(messages[i]);
    stamps.push(performance.now() * 1000);
  }
  await done;
  return stamps;
}

/** A bare ws client sending all messages as fast as the socket takes them: send and round-trip rates. */
async function bareRate(url, messages) {
  const ws = await bareSocket(url);
  const done = closeAfter(ws, messages.length);
  const t0 = performance.now();
  const sentAt = await new Promise((resolve) => {
    let i = 0;
    const pump = () => {
      while (i < messages.length) {
        ws.send(messages[i++]);
        if (ws.bufferedAmount > HIGH_WATER_BYTES) return setImmediate(pump);
      }
      resolve(performance.now());
    };
    pump();
  });
  const { lastAt } = await done;
  return {
    send: messages.length / ((sentAt - t0) / 1000),
    roundTrip: messages.length / ((lastAt - t0) / 1000),
  };
}

const rows = {};
try {
  const echo = await startPeer(join(here, '../servers/echo-peer.mjs'), ['echo']);
  try {
    if (!ONLY || ONLY.has('fidelity')) {
      let seed = 42;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const allGapsUs = Array.from({ length: FIDELITY_PER_RUN * RUNS }, () =>
        Math.round(100 * Math.exp(random() * Math.log(500))),
      );
      const per = { frameline: [], timeout: [], spin: [] };
      const cpu = { frameline: [], timeout: [], spin: [] };
      const pooled = { frameline: [], timeout: [], spin: [] };
      const checks = [];
      for (let run = 0; run < RUNS; run++) {
        const gapsUs = allGapsUs.slice(run * FIDELITY_PER_RUN, (run + 1) * FIDELITY_PER_RUN);
        const source = await recordedSession(`fidelity ${run + 1}`, gapsUs, 'client');
        const recorded = gapsUs.reduce((acc, g) => (acc.push((acc.at(-1) ?? 0) + g), acc), []);
        const messages = gapsUs.map((_, i) => tick(i));
        const senders = {
          frameline: async () => {
            const r = await runReplay(
              engine,
              ReplayRequestSchema.parse({ sessionId: source, to: echo.url, waitSeconds: 5 }),
            );
            checks.push(r.matched === gapsUs.length);
            return frameTimes(r.sessionId).out;
          },
          timeout: () =>
            bareTimeouts(
              echo.url,
              messages,
              gapsUs.map((g) => g / 1000),
            ),
          spin: () =>
            bareSpin(
              echo.url,
              messages,
              recorded.map((us) => us / 1000),
            ),
        };
        const order = Object.keys(senders);
        for (let k = 0; k < order.length; k++) {
          const name = order[(k + run) % order.length];
          log(`fidelity run ${run + 1}/${RUNS} (${gapsUs.length} msgs): ${name}…`);
          const c0 = process.cpuUsage();
          const w0 = performance.now();
          const errors = gapErrors(recorded, await senders[name](), 1);
          const c = process.cpuUsage(c0);
          cpu[name].push((c.user + c.system) / 1000 / (performance.now() - w0));
          const e = errorSummary(errors);
          per[name].push(e);
          pooled[name].push(...errors);
        }
      }
      const of = (name, q) => per[name].map((e) => e[q]);
      rows.fidelity = {
        messages: FIDELITY_PER_RUN * RUNS,
        messagesPerRun: FIDELITY_PER_RUN,
        gaps: '0.1–50 ms, log-uniform',
        everyAnswerMatched: checks.every(Boolean),
        p50Ms: versus(of('frameline', 'p50'), of('timeout', 'p50'), 3),
        p99Ms: versus(of('frameline', 'p99'), of('timeout', 'p99'), 3),
        // The bench process's CPU time over the wall time of each sender's run (1 = one core busy).
        cpuCores: Object.fromEntries(Object.entries(cpu).map(([k, xs]) => [k, figure(xs, 2)])),
        spinP50Ms: figure(of('spin', 'p50')),
        spinP99Ms: figure(of('spin', 'p99')),
        p99VersusSpin: figure(
          of('frameline', 'p99').map((x, i) => x / of('spin', 'p99')[i]),
          2,
        ),
        seconds: Math.round((performance.now() - started) / 1000),
        pooled: Object.fromEntries(Object.entries(pooled).map(([k, xs]) => [k, errorSummary(xs)])),
        targetP99Ms: 2,
      };
    }

    if (!ONLY || ONLY.has('rate')) {
      const sectionStart = performance.now();
      const source = await recordedSession(
        'rate',
        Array.from({ length: RATE_MESSAGES }, () => 10),
        'client',
      );
      const messages = Array.from({ length: RATE_MESSAGES }, (_, i) => tick(i));
      const ours = { send: [], roundTrip: [] };
      const ref = { send: [], roundTrip: [] };
      const checks = [];
      for (let run = 0; run < RUNS; run++) {
        log(`rate run ${run + 1}/${RUNS} (${RATE_MESSAGES} msgs)`);
        const first = run % 2 === 0 ? 'frameline' : 'bare';
        for (const who of first === 'frameline' ? ['frameline', 'bare'] : ['bare', 'frameline']) {
          if (who === 'frameline') {
            const r = await runReplay(
              engine,
              ReplayRequestSchema.parse({ sessionId: source, to: echo.url, speed: 'max', waitSeconds: 30 }),
            );
            checks.push(r.sent === RATE_MESSAGES && r.matched === RATE_MESSAGES);
            const t = frameTimes(r.sessionId);
            ours.send.push(t.out.length / ((t.out.at(-1) - t.out[0]) / 1e6));
            ours.roundTrip.push(t.in.length / ((t.in.at(-1) - t.out[0]) / 1e6));
          } else {
            const b = await bareRate(echo.url, messages);
            ref.send.push(b.send);
            ref.roundTrip.push(b.roundTrip);
          }
        }
      }
      rows.rate = {
        messages: RATE_MESSAGES,
        everyAnswerMatched: checks.every(Boolean),
        sendMsgPerSecond: versus(ours.send, ref.send, 0),
        roundTripMsgPerSecond: versus(ours.roundTrip, ref.roundTrip, 0),
        targetMsgPerSecond: 50_000,
        seconds: Math.round((performance.now() - sectionStart) / 1000),
      };
    }
  } finally {
    await stop(echo);
  }

  if (!ONLY || ONLY.has('mock')) {
    const sectionStart = performance.now();
    const answers = await recordedSession(
      'mock source',
      Array.from({ length: MOCK_MESSAGES }, () => 0),
      'server',
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
    const ours = [];
    const ref = [];
    for (let run = 0; run < RUNS; run++) {
      log(`mock run ${run + 1}/${RUNS}`);
      const order = run % 2 === 0 ? ['frameline', 'bare'] : ['bare', 'frameline'];
      for (const who of order) {
        const peer =
          who === 'frameline'
            ? await startPeer(
                join(here, '../../dist/electron/cli/frameline.js'),
                ['mock', String(answers), '--speed', '1000', '--db', db],
                PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] : [],
              )
            : await startPeer(join(here, '../servers/echo-peer.mjs'), ['serve', String(MOCK_MESSAGES)]);
        try {
          (who === 'frameline' ? ours : ref).push(await clients(peer.url));
        } finally {
          await stop(peer);
        }
      }
    }
    rows.mock = {
      clients: MOCK_CLIENTS,
      messagesPerClient: MOCK_MESSAGES,
      msgPerSecond: versus(ours, ref, 0),
      seconds: Math.round((performance.now() - sectionStart) / 1000),
    };
  }
} finally {
  engine.close();
  rmSync(dir, { recursive: true, force: true });
}

const seconds = Math.round((performance.now() - started) / 1000);
const result = { date: new Date().toISOString(), node: process.version, runs: RUNS, seconds, ...rows };
if (!ONLY)
  writeFileSync(new URL('results/replay.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
const f = (x, unit = '') => `${x.median}${unit} (${x.min}–${x.max})`;
const lines = [
  `replay bench: median of ${RUNS} runs (min–max); ratio = Frameline / reference in the same run; ${seconds} s`,
  `| figure | Frameline | reference | ratio | target |`,
  `|---|---|---|---|---|`,
];
if (rows.fidelity) {
  const r = rows.fidelity;
  const n = `${r.messagesPerRun} msgs per run, ${r.messages} in all`;
  lines.push(
    `| replay gap error p50, speed 1, ${n} | ${f(r.p50Ms.frameline, ' ms')} | ${f(r.p50Ms.reference, ' ms')} bare ws, setTimeout per gap; ${f(r.spinP50Ms, ' ms')} busy-wait | ${f(r.p50Ms.ratio)} | |`,
    `| replay gap error p99 | ${f(r.p99Ms.frameline, ' ms')} | ${f(r.p99Ms.reference, ' ms')} setTimeout; ${f(r.spinP99Ms, ' ms')} busy-wait | ${f(r.p99Ms.ratio)} (${f(r.p99VersusSpin)} to busy-wait) | < 2 ms |`,
    `| replay gap error p99, pooled over ${r.messages} msgs | ${r.pooled.frameline.p99} ms | ${r.pooled.timeout.p99} ms setTimeout; ${r.pooled.spin.p99} ms busy-wait | | < 2 ms |`,
    `| CPU while replaying at speed 1, cores | ${f(r.cpuCores.frameline)} | ${f(r.cpuCores.timeout)} setTimeout; ${f(r.cpuCores.spin)} busy-wait | | |`,
  );
}
if (rows.rate) {
  const r = rows.rate;
  lines.push(
    `| replay rate --speed max, ${r.messages} msgs to a local echo: sent/s | ${f(r.sendMsgPerSecond.frameline)} | ${f(r.sendMsgPerSecond.reference)} bare ws client | ${f(r.sendMsgPerSecond.ratio)} | ≥ 50,000 |`,
    `| … round trips/s (first send to last echo) | ${f(r.roundTripMsgPerSecond.frameline)} | ${f(r.roundTripMsgPerSecond.reference)} | ${f(r.roundTripMsgPerSecond.ratio)} | |`,
  );
}
if (rows.mock) {
  const r = rows.mock;
  lines.push(
    `| mock throughput, ${r.clients} clients × ${r.messagesPerClient} msgs, msg/s | ${f(r.msgPerSecond.frameline)} | ${f(r.msgPerSecond.reference)} bare ws server | ${f(r.msgPerSecond.ratio)} | |`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
