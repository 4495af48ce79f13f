// npm run bench (third part): reports and HAR/NDJSON at scale, through the real command line.
//  1. the report of an incident linked to a 1,000,000-frame session (target: under 5 s, peak RSS
//     under 300 MB): HTML and JSON;
//  2. HAR and NDJSON exports of that session, beside the same exports of a session ten times
//     smaller: memory stays flat (and a run with V8's heap held to 48 MB still completes);
//  3. the import of a 100 MB HAR file (Playwright's shape: milliseconds), with its progress lines.
// Every figure is the median of BENCH_RUNS runs (default 5) with its spread (min–max). Writes
// test/bench/results/reports-interop.json.
import { spawn } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const here = new URL('.', import.meta.url).pathname;
const CLI = join(here, '../../dist/electron/cli/frameline.js');
const PROBE = new URL('./rss-probe.mjs', import.meta.url).href;
const FRAMES = Number(process.env.BENCH_REPORT_FRAMES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const HAR_MB = Number(process.env.BENCH_HAR_MB ?? 100);
const dir = mkdtempSync(join(tmpdir(), 'frameline-reports-bench-'));
const db = join(dir, 'bench.db');

function startPeer(frames) {
  const child = spawn(process.execPath, [join(here, '../servers/flood-peer.mjs'), 'plain', String(frames)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`peer exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve({ child, ...JSON.parse(line) }));
  });
}

/** Runs the CLI; answers its wall time, peak RSS and stderr. */
function measure(args, { heapMb } = {}) {
  const node = ['--import', PROBE, ...(heapMb ? [`--max-old-space-size=${heapMb}`] : []), CLI, ...args];
  const t0 = performance.now();
  const child = spawn(process.execPath, node, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      const rss = /bench-peak-rss-kb (\d+)/.exec(stderr);
      if (code !== 0 || !rss) reject(new Error(`frameline ${args.join(' ')} exited with ${code}: ${stderr}`));
      else resolve({ seconds, rssMb: Number(rss[1]) / 1024, stderr });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const r2 = (x) => Math.round(x * 100) / 100;
const r0 = (x) => Math.round(x);

/** Median and spread of RUNS runs of `args` (fresh state from `before`, when given). */
async function runs(label, args, { before, heapMb } = {}) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    await before?.(i);
    samples.push(await measure(typeof args === 'function' ? args(i) : args, { heapMb }));
    process.stderr.write(
      `  ${label}: run ${i + 1}/${RUNS} ${r2(samples.at(-1).seconds)} s, ${r0(samples.at(-1).rssMb)} MB\n`,
    );
  }
  const secs = samples.map((s) => s.seconds);
  const rss = samples.map((s) => s.rssMb);
  return {
    runs: RUNS,
    seconds: { median: r2(median(secs)), min: r2(Math.min(...secs)), max: r2(Math.max(...secs)) },
    peakRssMb: { median: r0(median(rss)), min: r0(Math.min(...rss)), max: r0(Math.max(...rss)) },
    last: samples.at(-1),
  };
}

async function record(frames, name) {
  const peer = await startPeer(frames);
  try {
    await measure(['capture', `ws://127.0.0.1:${peer.port}/`, '--quiet', '--name', name, '--db', db]);
  } finally {
    peer.child.kill('SIGTERM');
  }
}

/** A HAR file of about `mb` MB as Playwright writes it: one WebSocket entry, times in milliseconds. */
function writeHar(path, mb) {
  const fd = openSync(path, 'w');
  const put = (s) => writeSync(fd, s);
  const start = Date.parse('2026-11-22T01:53:50.000Z');
  put(`{"log":{"version":"1.2","creator":{"name":"Playwright","version":"1.65.1"},"pages":[],"entries":[`);
  put(
    JSON.stringify({
      startedDateTime: new Date(start).toISOString(),
      time: 5,
      request: {
        method: 'GET',
        url: 'https://chat.example/',
        httpVersion: 'HTTP/1.1',
        headers: [],
        queryString: [],
        cookies: [],
        headersSize: -1,
        bodySize: 0,
      },
      response: {
        status: 200,
        statusText: 'OK',
        httpVersion: 'HTTP/1.1',
        headers: [],
        cookies: [],
        content: { size: 12, mimeType: 'text/html', text: '<!doctype html>' },
        redirectURL: '',
        headersSize: -1,
        bodySize: 12,
      },
      cache: {},
      timings: { send: 0, wait: 4, receive: 1 },
    }),
  );
  put(
    `,{"startedDateTime":"${new Date(start + 100).toISOString()}","time":-1,"_resourceType":"websocket","request":{"method":"GET","url":"wss://chat.example/socket","httpVersion":"HTTP/1.1","headers":[{"name":"Host","value":"chat.example"}],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0},"response":{"status":101,"statusText":"Switching Protocols","httpVersion":"HTTP/1.1","headers":[],"cookies":[],"content":{"size":-1,"mimeType":"x-unknown"},"redirectURL":"","headersSize":-1,"bodySize":-1},"cache":{},"timings":{"send":-1,"wait":-1,"receive":-1},"_webSocketMessages":[`,
  );
  const target = mb * 1024 * 1024;
  let bytes = 0;
  let n = 0;
  let batch = [];
  while (bytes < target) {
    const m = JSON.stringify({
      type: n % 10 === 0 ? 'send' : 'receive',
      time: start + 200 + n * 0.25,
      opcode: 1,
      data: JSON.stringify({
        id: n,
        type: 'tick',
        symbol: 'FRML',
        price: 101.25 + (n % 100) / 100,
        note: 'x'.repeat(40),
      }),
    });
    batch.push(m);
    bytes += m.length + 1;
    n++;
    if (batch.length === 10_000) {
      put((n > batch.length ? ',' : '') + batch.join(','));
      batch = [];
    }
  }
  if (batch.length) put((n > batch.length ? ',' : '') + batch.join(','));
  put(']}]}}\n');
  closeSync(fd);
  return n;
}

const results = { date: new Date().toISOString(), frames: FRAMES, runs: RUNS };
try {
  process.stderr.write(`recording a ${FRAMES}-frame session and a ${FRAMES / 10}-frame one…\n`);
  await record(FRAMES, 'million');
  await record(FRAMES / 10, 'tenth');
  await measure(['incident', 'create', '--title', 'Chat drops every minute', '--db', db]);
  await measure(['incident', 'link', '1', '--session', '1', '--db', db]);

  process.stderr.write('report of an incident with a 1,000,000-frame session…\n');
  results.report = {
    html: await runs('report html', ['report', '1', '-o', join(dir, 'report.html'), '--db', db]),
    json: await runs('report json', ['report', '1', '-o', join(dir, 'report.json'), '--db', db]),
  };

  process.stderr.write('HAR and NDJSON exports…\n');
  results.export = {};
  for (const format of ['har', 'ndjson']) {
    const out = join(dir, `export.${format}`);
    results.export[format] = {
      million: await runs(`${format} 1M`, ['export', '1', '--format', format, '-o', out, '--db', db]),
      bytes: statSync(out).size,
      tenth: await runs(`${format} 100k`, ['export', '2', '--format', format, '-o', out, '--db', db]),
      heldTo48MbHeap: await runs(
        `${format} 1M, 48 MB heap`,
        ['export', '1', '--format', format, '-o', out, '--db', db],
        {
          heapMb: 48,
        },
      ),
    };
  }

  process.stderr.write(`writing a ${HAR_MB} MB HAR file…\n`);
  const har = join(dir, 'big.har');
  const messages = writeHar(har, HAR_MB);
  const importDb = (i) => join(dir, `import-${i}.db`);
  results.import = {
    fileMb: r0(statSync(har).size / 1024 / 1024),
    messages,
    ...(await runs('import', (i) => ['import', har, '--db', importDb(i)], {
      before: (i) => rmSync(importDb(i), { force: true }),
    })),
  };
  results.import.progressLines = results.import.last.stderr
    .split('\n')
    .filter((l) => /^(checking|importing|committing):/.test(l)).length;
  for (const part of [results.report.html, results.report.json, results.import]) delete part.last;
  for (const f of Object.values(results.export))
    for (const k of ['million', 'tenth', 'heldTo48MbHeap']) delete f[k].last;

  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results/reports-interop.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
