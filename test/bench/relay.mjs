// npm run bench -- relay: what `frameline relay` costs a real client, beside a direct connection to
// the same server in the same run (direct and relayed back to back in every run).
//  1. added latency: a client sends 100-byte messages at BENCH_RELAY_RATE messages/s (default
//     10,000) for BENCH_RELAY_SECONDS (default 5) to an echo server and times each echo; p50 and p99
//     of the round trip, direct and through the relay (a round trip crosses the relay twice);
//  2. throughput: a server writing 100-byte frames at socket speed (flood-peer fast,
//     BENCH_RELAY_FRAMES frames, default 1,000,000) to the client, frames/s at the client.
// The relay records everything into a fresh database each run. Writes test/bench/results/relay.json.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { CLI, machine, percentile, RUNS, spread, startPeer } from './bench-kit.mjs';

const here = new URL('.', import.meta.url).pathname;
const RATE = Number(process.env.BENCH_RELAY_RATE ?? 10_000);
const SECONDS = Number(process.env.BENCH_RELAY_SECONDS ?? 5);
const FRAMES = Number(process.env.BENCH_RELAY_FRAMES ?? 1_000_000);
const PAD = 'x'.repeat(100);

/** `frameline relay --to target`; resolves with its URL and a stop that waits for its commit. */
function startRelay(target, db) {
  const child = spawn(process.execPath, [CLI, 'relay', '--to', target, '--json', '--db', db], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`relay exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      const { url } = JSON.parse(line);
      resolve({
        url,
        stop: async () => {
          child.kill('SIGTERM');
          const code = await exited;
          if (code !== 0) throw new Error(`relay ended with ${code}: ${stderr}`);
        },
      });
    });
  });
}

function open(url) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Round trips (ms) of messages sent at RATE for SECONDS, each echoed by the server. */
async function roundTrips(url) {
  const ws = await open(url);
  const total = Math.round(RATE * SECONDS);
  const sentAt = new Float64Array(total + 1);
  const trips = [];
  await new Promise((resolve) => {
    ws.on('message', (data) => {
      const now = performance.now();
      const seq = Number(/"seq":(\d+)/.exec(data.toString('latin1'))[1]);
      trips.push(now - sentAt[seq]);
      if (trips.length === total) resolve();
    });
    const t0 = performance.now();
    let sent = 0;
    const timer = setInterval(() => {
      // Messages are due by the clock: a late timer sends the ones it owes.
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * RATE));
      while (sent < due) {
        sent++;
        sentAt[sent] = performance.now();
        ws.send(`{"seq":${sent},"pad":"${PAD}"}`.slice(0, 99) + '}');
      }
      if (sent === total) clearInterval(timer);
    }, 1);
  });
  ws.close();
  trips.sort((a, b) => a - b);
  return { p50: percentile(trips, 50), p99: percentile(trips, 99) };
}

/** Frames per second the client receives from a server writing at socket speed. */
function throughput(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let n = 0;
    let first = 0;
    let last = 0;
    ws.on('message', () => {
      last = performance.now();
      if (n++ === 0) first = last;
    });
    ws.once('error', reject);
    ws.once('close', () => {
      if (n < FRAMES) reject(new Error(`${n} of ${FRAMES} frames arrived`));
      else resolve(n / ((last - first) / 1000));
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'frameline-relay-bench-'));
const echo = await startPeer('echo-peer.mjs', ['echo']);
const flood = await startPeer('flood-peer.mjs', ['fast', String(FRAMES)]);
const s = { directP50: [], directP99: [], relayP50: [], relayP99: [], addedP50: [], addedP99: [] };
const t = { direct: [], relay: [], ratio: [] };
try {
  for (let i = 0; i < RUNS; i++) {
    const direct = await roundTrips(`ws://127.0.0.1:${echo.port}/`);
    const relay = await startRelay(`ws://127.0.0.1:${echo.port}/`, join(dir, `latency-${i}.db`));
    const relayed = await roundTrips(relay.url).finally(relay.stop);
    s.directP50.push(direct.p50);
    s.directP99.push(direct.p99);
    s.relayP50.push(relayed.p50);
    s.relayP99.push(relayed.p99);
    s.addedP50.push(relayed.p50 - direct.p50);
    s.addedP99.push(relayed.p99 - direct.p99);

    const directRate = await throughput(`ws://127.0.0.1:${flood.port}/`);
    const floodRelay = await startRelay(`ws://127.0.0.1:${flood.port}/`, join(dir, `flood-${i}.db`));
    const relayRate = await throughput(floodRelay.url).finally(floodRelay.stop);
    t.direct.push(directRate);
    t.relay.push(relayRate);
    t.ratio.push(relayRate / directRate);
    process.stderr.write(
      `  run ${i + 1}/${RUNS}: round trip p50/p99 direct ${direct.p50.toFixed(2)}/${direct.p99.toFixed(2)} ms, relayed ${relayed.p50.toFixed(2)}/${relayed.p99.toFixed(2)} ms; ` +
        `frames/s direct ${Math.round(directRate)}, relayed ${Math.round(relayRate)}\n`,
    );
  }
} finally {
  echo.stop();
  flood.stop();
  rmSync(dir, { recursive: true, force: true });
}

const result = {
  date: new Date().toISOString(),
  node: process.version,
  machine: machine(),
  note: 'round trips in ms (a relayed one crosses the relay twice); added = relayed − direct, per run; ratio = relayed / direct frames per second, per run',
  messagesPerSecond: RATE,
  seconds: SECONDS,
  latency: {
    directP50Ms: spread(s.directP50, 3),
    directP99Ms: spread(s.directP99, 3),
    relayedP50Ms: spread(s.relayP50, 3),
    relayedP99Ms: spread(s.relayP99, 3),
    addedP50Ms: spread(s.addedP50, 3),
    addedP99Ms: spread(s.addedP99, 3),
  },
  throughput: {
    frames: FRAMES,
    directFramesPerSecond: spread(t.direct, 0),
    relayedFramesPerSecond: spread(t.relay, 0),
    ratio: spread(t.ratio, 3),
  },
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results/relay.json'), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
