/* global document */
// npm run bench (second part): the console under load, in Debian's Chromium through browser mode.
//  1. open a 1,000,000-frame and a 10,000,000-frame session: time from the click to the first screen;
//  2. a full-text search and a direction filter on each: time until the list shows the answer;
//  3. while capturing a 50,000 frames/s feed: how long the UI takes to answer typing (p50/p95/max).
// The machine is shared and noisy, so every figure is the median of BENCH_RUNS runs (5 unless told)
// with its spread (min–max), and each is measured side by side with a reference in the same run:
// the same steps on a 1,000-frame session, and the same typing on a blank page under the same load
// and in the console attached to a quiet endpoint.
// The sessions are recorded once by `frameline capture` from a fast local peer (real spool, writer,
// schema and indexes) and indexed by the engine's own indexer, then kept in BENCH_CACHE_DIR (the
// system temp dir unless told) for later runs while the storage code is unchanged.
// Writes test/bench/results/console.json. BENCH_DIST runs another build (a before/after comparison).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { WebSocketServer } from 'ws';

const here = new URL('.', import.meta.url).pathname;
const DIST = resolve(process.env.BENCH_DIST ?? join(here, '../../dist'));
const CLI = join(DIST, 'electron/cli/frameline.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const FRAMES = Number(process.env.BENCH_CONSOLE_FRAMES ?? 1_000_000);
const BIG_FRAMES = Number(process.env.BENCH_BIG_FRAMES ?? 10_000_000);
const SMALL_FRAMES = 1000;
const LIVE_RATE = Number(process.env.BENCH_LIVE_RATE ?? 50_000);
const KEYS = 40;
const CACHE = process.env.BENCH_CACHE_DIR ?? join(tmpdir(), 'frameline-bench-cache');
const ONLY = process.env.BENCH_ONLY; // "sessions" or "live": one half (while working on it)
const children = [];
const log = (line) => process.stderr.write(`${line}\n`);

// ---------------------------------------------------------------------------------------------
// Processes and peers

function start(args) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolvePromise, reject) => {
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) =>
      resolvePromise({ child, ...JSON.parse(line) }),
    );
  });
}

function run(args) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('exit', (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`${args.join(' ')} exited with ${code}`)),
    );
  });
}

function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  return exited;
}

/** 100-byte text frames `{"seq":N,"pad":"xx…"}` as fast as the socket takes them, then a 1000 close. */
const PADDING = `"pad":"${'x'.repeat(100)}`;
function seqFrames(from, count) {
  const parts = [];
  for (let seq = from; seq < from + count; seq++) {
    const payload = Buffer.from(`{"seq":${seq},${PADDING}`.slice(0, 99) + '}');
    parts.push(Buffer.from([0x81, payload.length]), payload);
  }
  return Buffer.concat(parts);
}

async function fastPeer(total) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    const socket = ws._socket;
    let sent = 0;
    const pump = () => {
      let ok = true;
      while (ok && sent < total) {
        const n = Math.min(2000, total - sent);
        ok = socket.write(seqFrames(sent + 1, n));
        sent += n;
      }
      if (sent >= total) socket.write(Buffer.from([0x88, 0x02, 0x03, 0xe8]));
      else socket.once('drain', pump);
    };
    pump();
  });
  await new Promise((r) => wss.once('listening', r));
  return { port: wss.address().port, close: () => new Promise((r) => wss.close(r)) };
}

/** An endpoint that accepts and says nothing: the console attached, with no load. */
async function quietPeer() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (ws) => ws.on('error', () => {}));
  await new Promise((r) => wss.once('listening', r));
  return {
    port: wss.address().port,
    close: () =>
      new Promise((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(r);
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// The recorded sessions, made once and cached while the storage code is the same

function fingerprint() {
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(name).update(readFileSync(path));
    }
  };
  walk(join(DIST, 'electron/engine/store'));
  hash.update(readFileSync(join(DIST, 'electron/engine/sessions/text-index.js')));
  return hash.digest('hex').slice(0, 12);
}

async function capture(db, frames, name) {
  const peer = await fastPeer(frames);
  try {
    await run([CLI, 'capture', `ws://127.0.0.1:${peer.port}/`, '--quiet', '--name', name, '--db', db]);
  } finally {
    await peer.close();
  }
}

async function dataset() {
  const dir = join(CACHE, `console-${SMALL_FRAMES}-${FRAMES}-${BIG_FRAMES}-${fingerprint()}`);
  const db = join(dir, 'bench.db');
  if (existsSync(join(dir, 'meta.json')) && !process.env.BENCH_FRESH) {
    log(`using the sessions recorded in ${dir}`);
    return { db, ...JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) };
  }
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const pdb = join(partial, 'bench.db');
  const t0 = performance.now();
  const sessions = { small: 1, million: 2 };
  log(`recording the sessions into ${partial} (once)…`);
  await capture(pdb, SMALL_FRAMES, 'reference');
  await capture(pdb, FRAMES, 'million');
  if (BIG_FRAMES > 0) {
    log(`recording a ${BIG_FRAMES.toLocaleString('en-US')}-frame session…`);
    await capture(pdb, BIG_FRAMES, 'ten million');
    sessions.big = 3;
  }
  const recordSeconds = (performance.now() - t0) / 1000;
  // The engine's own indexer, as its background pass would (searches are timed on an index that
  // is current, as after a capture has been idle for a while).
  const t1 = performance.now();
  const { openStore } = await import(join(DIST, 'electron/engine/store/database.js'));
  const { catchUpTextIndex } = await import(join(DIST, 'electron/engine/sessions/text-index.js'));
  const store = openStore(pdb);
  catchUpTextIndex(store);
  store.close();
  const meta = {
    sessions,
    recordSeconds: Number(recordSeconds.toFixed(1)),
    indexSeconds: Number(((performance.now() - t1) / 1000).toFixed(1)),
  };
  writeFileSync(join(partial, 'meta.json'), `${JSON.stringify(meta)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return { db, ...meta };
}

// ---------------------------------------------------------------------------------------------
// Measuring

async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const percentile = (xs, p) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/** Median of the runs, with the spread. */
function stats(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return {
    median: Math.round(median),
    min: Math.round(sorted[0]),
    max: Math.round(sorted[sorted.length - 1]),
    runs: xs.map(Math.round),
  };
}

async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const grid = (page) => page.locator('[role=grid][aria-label=Frames]');

/**
 * Clicks where the element is, as a user does: its box is found before the clock starts, so that
 * the time is the console's, not the test driver's search for the element.
 */
async function clickAt(page, locator) {
  const box = await locator.boundingBox();
  if (!box) throw new Error('the element to click is not on screen');
  return () => page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

/** Opens a session from the list, searches it and filters it; answers the three times. */
async function sessionPass(page, base, id, frames) {
  await page.goto(`${base}#/sessions`);
  const row = page.locator(`tr[data-session-id="${id}"]`);
  await row.waitFor();
  const firstRow = grid(page).locator('[role=row]:not(.is-loading)').first();
  const clickRow = await clickAt(page, row);
  const open = await timed(async () => {
    await clickRow();
    await firstRow.waitFor();
  });

  const search = page.getByLabel('Search frames');
  const target = Math.floor(frames * 0.777);
  await search.fill(`"seq":${target}`);
  const searched = await timed(async () => {
    await page.keyboard.press('Enter');
    await grid(page)
      .locator('[role=row]', { hasText: `"seq":${target},` })
      .first()
      .waitFor();
  });
  await search.fill('');
  await page.waitForFunction(
    () => !/ of /.test(document.querySelector('.filter-bar')?.textContent ?? ''),
    null,
    { polling: 'raf' },
  );
  const clickOut = await clickAt(
    page,
    page.getByRole('group', { name: 'Direction' }).getByRole('button', { name: /Out/ }),
  );
  const filtered = await timed(async () => {
    await clickOut();
    await page.locator('.filter-bar', { hasText: / of / }).first().waitFor();
    await grid(page).locator('[role=row]:not(.is-loading)').first().waitFor();
  });
  // The rate chart counts every frame in the background (seconds for 10 M): the next pass must not
  // be measured while the engine is still counting this one.
  await page.getByTestId('rate-loading').waitFor({ state: 'detached', timeout: 300_000 });
  return { open, searched, filtered };
}

/** Types KEYS characters into the focused field; answers each key's time until it shows. */
async function typing(page, field) {
  await field.click();
  const start = await field.evaluate((el) => el.value.length);
  const times = [];
  for (let i = 0; i < KEYS; i++) {
    times.push(
      await timed(async () => {
        await page.keyboard.type(String.fromCharCode(97 + (i % 26)));
        await page.waitForFunction((len) => document.activeElement?.value?.length === len, start + i + 1, {
          polling: 'raf',
        });
      }),
    );
  }
  await field.fill('');
  return times;
}

/** Attaches the console to `port`; answers a function that detaches it. */
async function attach(page, base, port) {
  await page.goto(`${base}#/attach`);
  await page
    .getByRole('navigation', { name: 'Screens' })
    .getByRole('button', { name: /Attach/ })
    .click();
  const url = page.getByLabel('WebSocket URL');
  await url.fill(`ws://127.0.0.1:${port}/`);
  await url.press('Enter');
  await page.getByTestId('capture-state').filter({ hasText: 'Open' }).waitFor();
  return async () => {
    await page.getByRole('button', { name: /Disconnect/ }).click();
    await page.getByTestId('capture-state').filter({ hasText: 'Ended' }).waitFor({ timeout: 120_000 });
  };
}

const framesIn = async (page) =>
  Number(
    (await page.locator('[aria-label="Capture status"] .strip-counter strong').first().innerText()).replace(
      /\D/g,
      '',
    ),
  );

// ---------------------------------------------------------------------------------------------

const machine = {
  kind: `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB, shared`,
  loadAtStart: loadavg().map((n) => Number(n.toFixed(1))),
};
const series = {
  open: { reference: [], million: [], big: [] },
  search: { reference: [], million: [], big: [] },
  filter: { reference: [], million: [], big: [] },
  typing: { blank: [], idle: [], live: [] },
  liveRate: [],
};
const work = mkdtempSync(join(tmpdir(), 'frameline-console-bench-'));
let browser;
let meta;
try {
  meta = await dataset();
  const served = await start([CLI, 'serve', '--json', '--db', meta.db]);
  const base = new URL(served.url);
  const root = `${base.origin}/`;
  browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(served.url); // trades the token for its cookie
  const blank = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await blank.setContent('<textarea aria-label="Blank" style="width:600px;height:120px"></textarea>');

  // A live session for the typing runs: its own database, so the recorded ones stay as they were.
  const liveServed = await start([CLI, 'serve', '--json', '--db', join(work, 'live.db')]);
  const liveBase = `${new URL(liveServed.url).origin}/`;
  const livePage = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await livePage.goto(liveServed.url);

  // A first pass, not counted: the browser, the engine and the page cache warm up.
  if (ONLY !== 'live') await sessionPass(page, root, meta.sessions.small, SMALL_FRAMES);

  for (let r = 1; r <= RUNS; r++) {
    log(`run ${r} of ${RUNS}…`);
    if (ONLY !== 'live') {
      const passes = [
        ['reference', meta.sessions.small, SMALL_FRAMES],
        ['million', meta.sessions.million, FRAMES],
        ...(meta.sessions.big ? [['big', meta.sessions.big, BIG_FRAMES]] : []),
      ];
      // Each run starts with another session, so that no figure always pays for going first.
      const turn = r % passes.length;
      for (const [key, id, frames] of [...passes.slice(turn), ...passes.slice(0, turn)]) {
        const t = await sessionPass(page, root, id, frames);
        series.open[key].push(t.open);
        series.search[key].push(t.searched);
        series.filter[key].push(t.filtered);
      }
    }
    if (ONLY !== 'sessions') {
      // Idle: attached to an endpoint that sends nothing.
      const quiet = await quietPeer();
      let detach = await attach(livePage, liveBase, quiet.port);
      series.typing.idle.push(await typing(livePage, livePage.getByLabel('Message to send')));
      await detach();
      await quiet.close();

      // Under load: the console and a blank page, each typed into while LIVE_RATE frames/s arrive.
      const steady = await start([join(here, 'steady-peer.mjs'), String(LIVE_RATE)]);
      detach = await attach(livePage, liveBase, steady.port);
      await livePage.waitForTimeout(2000); // let the rate settle: this is the load under which we measure
      const before = await framesIn(livePage);
      const t0 = performance.now();
      series.typing.live.push(await typing(livePage, livePage.getByLabel('Message to send')));
      series.liveRate.push(((await framesIn(livePage)) - before) / ((performance.now() - t0) / 1000));
      series.typing.blank.push(await typing(blank, blank.getByLabel('Blank')));
      await detach();
      await stop(steady.child);
    }
  }
} finally {
  await browser?.close();
  await Promise.all(children.map(stop));
  rmSync(work, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Results

const latency = (runs, p) =>
  stats(runs.map((times) => (p === 'max' ? Math.max(...times) : percentile(times, p))));
const big = `${BIG_FRAMES / 1e6}M`;
const million = `${FRAMES / 1e6}M`;
const figures = [];
if (series.open.million.length) {
  for (const [what, key, target] of [
    ['open, first screen', 'open', 500],
    ['full-text search', 'search', 200],
    ['direction filter', 'filter', 200],
  ]) {
    figures.push({
      name: `${what}: ${million} frames`,
      target: target ? `< ${target} ms` : null,
      value: stats(series[key].million),
      reference: {
        what: `${SMALL_FRAMES.toLocaleString('en-US')} frames`,
        value: stats(series[key].reference),
      },
    });
    if (series[key].big.length)
      figures.push({
        name: `${what}: ${big} frames`,
        target: null,
        value: stats(series[key].big),
        reference: {
          what: `${SMALL_FRAMES.toLocaleString('en-US')} frames`,
          value: stats(series[key].reference),
        },
      });
  }
}
if (series.typing.live.length) {
  for (const [p, target] of [
    [50, null],
    [95, 100],
    ['max', 250],
  ]) {
    figures.push({
      name: `input latency ${p === 'max' ? 'max' : `p${p}`} at ${LIVE_RATE.toLocaleString('en-US')} frames/s`,
      target: target ? `< ${target} ms` : null,
      value: latency(series.typing.live, p),
      reference: { what: 'blank page, same load', value: latency(series.typing.blank, p) },
      idleConsole: latency(series.typing.idle, p),
    });
  }
}

const cell = (s) => `${s.median} (${s.min}–${s.max})`;
const rows = [['figure (median of runs, min–max, ms)', 'console', 'reference', 'target']];
for (const f of figures)
  rows.push([f.name, cell(f.value), `${cell(f.reference.value)} ${f.reference.what}`, f.target ?? '']);
if (series.typing.idle.length)
  rows.push(['input latency p95, console attached and idle', cell(latency(series.typing.idle, 95)), '', '']);
const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((c, i) => c.padEnd(w[i])).join('  '));
if (series.liveRate.length)
  console.log(`capture rate while typing: ${cell(stats(series.liveRate))} frames/s (asked ${LIVE_RATE})`);

machine.loadAtEnd = loadavg().map((n) => Number(n.toFixed(1)));
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  process.env.BENCH_RESULTS ?? join(here, 'results', 'console.json'),
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      machine,
      runs: RUNS,
      frames: FRAMES,
      bigFrames: BIG_FRAMES,
      recording: { recordSeconds: meta?.recordSeconds, indexSeconds: meta?.indexSeconds },
      liveRateAsked: LIVE_RATE,
      liveRateAchieved: series.liveRate.length ? stats(series.liveRate) : null,
      figures,
    },
    null,
    2,
  )}\n`,
);
