/* global document */
// npm run bench (second part): the console under load, in Debian's Chromium through browser mode.
//  1. open a 1,000,000-frame session: time from the click to its first screen of frames;
//  2. a full-text search and a direction filter on it: time until the list shows the answer;
//  3. while capturing a 50,000 frames/s feed: how long the UI takes to answer typing (p50/p95/max).
// Writes test/bench/results/console.json.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const here = new URL('.', import.meta.url).pathname;
const CLI = join(here, '../../dist/electron/cli/frameline.js');
const FRAMES = Number(process.env.BENCH_CONSOLE_FRAMES ?? 1_000_000);
const LIVE_RATE = Number(process.env.BENCH_LIVE_RATE ?? 50_000);
const dir = mkdtempSync(join(tmpdir(), 'frameline-console-bench-'));
const db = join(dir, 'bench.db');
const children = [];

function start(args, { readyLine = true } = {}) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  if (!readyLine) return { child };
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve({ child, ...JSON.parse(line) }));
  });
}

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${args.join(' ')} exited with ${code}`)),
    );
  });
}

const percentile = (xs, p) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return Math.round(performance.now() - t0);
}

const results = {};
let browser;
try {
  process.stderr.write(`recording a ${FRAMES}-frame session…\n`);
  const flood = await start([join(here, '../servers/flood-peer.mjs'), 'plain', String(FRAMES)]);
  await run([CLI, 'capture', `ws://127.0.0.1:${flood.port}/`, '--quiet', '--name', 'million', '--db', db]);
  flood.child.kill('SIGTERM');

  const served = await start([CLI, 'serve', '--json', '--db', db]);
  browser = await chromium.launch({
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
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(served.url);

  // 1. Open the session.
  await page
    .getByRole('navigation', { name: 'Screens' })
    .getByRole('button', { name: /Sessions/ })
    .click();
  const row = page.locator('tr[data-session-id="1"]');
  await row.waitFor();
  const firstRow = page.locator('[role=grid][aria-label=Frames] [role=row]:not(.is-loading)').first();
  results.openSessionMs = await timed(async () => {
    await row.click();
    await firstRow.waitFor();
  });

  // Let the background indexer finish before timing searches (its progress is reported in the UI).
  const search = page.getByLabel('Search frames');
  const indexedAt = performance.now();
  await search.fill('"seq":1');
  // The console asks again while the index is behind, and says "N not indexed yet" until it is not.
  await page
    .locator('.filter-bar', { hasText: /of .* frames/ })
    .first()
    .waitFor();
  await page.waitForFunction(
    () => !/not indexed yet/.test(document.querySelector('.filter-bar')?.textContent ?? ''),
    null,
    {
      timeout: 180_000,
      polling: 250,
    },
  );
  results.indexCatchUpSeconds = Number(((performance.now() - indexedAt) / 1000).toFixed(1));
  await search.fill('');

  // 2. Search and filter.
  const target = Math.floor(FRAMES * 0.777);
  await search.fill(`"seq":${target}`);
  results.searchMs = await timed(async () => {
    await search.press('Enter');
    await page
      .locator('[role=grid][aria-label=Frames] [role=row]', { hasText: `"seq":${target},` })
      .first()
      .waitFor();
  });
  await search.fill('');
  await page.waitForFunction(
    () => !/ of /.test(document.querySelector('.filter-bar')?.textContent ?? ''),
    null,
    { polling: 'raf' },
  );
  results.directionFilterMs = await timed(async () => {
    await page.getByRole('group', { name: 'Direction' }).getByRole('button', { name: /Out/ }).click();
    await page.locator('.filter-bar', { hasText: / of / }).first().waitFor();
    await page.locator('[role=grid][aria-label=Frames] [role=row]:not(.is-loading)').first().waitFor();
  });

  // 3. Input latency while capturing at LIVE_RATE frames/s.
  const steady = await start([join(here, '../servers/flood-peer.mjs'), 'rate', String(LIVE_RATE)]);
  await page
    .getByRole('navigation', { name: 'Screens' })
    .getByRole('button', { name: /Attach/ })
    .click();
  await page.getByLabel('WebSocket URL').fill(`ws://127.0.0.1:${steady.port}/`);
  await page.getByLabel('WebSocket URL').press('Enter');
  await page.getByText('Open', { exact: true }).first().waitFor();
  await page.waitForTimeout(2000); // let the rate settle: this is the load under which we measure
  const box = page.getByLabel('Message to send');
  await box.click();
  const latencies = [];
  for (let i = 0; i < 40; i++) {
    const ch = String.fromCharCode(97 + (i % 26));
    const before = await box.inputValue();
    latencies.push(
      await timed(async () => {
        await page.keyboard.type(ch);
        await page.waitForFunction(
          ([label, len]) => document.querySelector(`[aria-label="${label}"]`)?.value.length === len,
          ['Message to send', before.length + 1],
          { polling: 'raf' },
        );
      }),
    );
  }
  const status = await page.locator('body').innerText();
  results.liveRateTarget = LIVE_RATE;
  results.inputLatencyMs = {
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    max: Math.max(...latencies),
  };
  results.liveStatusExcerpt = (status.match(/[\d,.]+\s*(k|M)?\s*frames\/s/i) ?? [''])[0];
  steady.child.kill('SIGTERM');
} finally {
  await browser?.close();
  for (const c of children) c.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}

const rows = [
  [
    `open a ${FRAMES.toLocaleString('en-US')}-frame session (first screen)`,
    `${results.openSessionMs} ms`,
    '< 1000 ms',
  ],
  ['full-text search (after indexing)', `${results.searchMs} ms`, '< 200 ms'],
  ['direction filter', `${results.directionFilterMs} ms`, '< 200 ms'],
  [`input latency at ${LIVE_RATE} frames/s (p95)`, `${results.inputLatencyMs.p95} ms`, '< 100 ms'],
  ['background full-text indexing of the session', `${results.indexCatchUpSeconds} s`, ''],
];
const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((c, i) => c.padEnd(w[i])).join('  '));
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', 'console.json'),
  `${JSON.stringify({ date: new Date().toISOString(), frames: FRAMES, ...results }, null, 2)}\n`,
);
