// npm run bench [-- CASE…]: runs the benchmark cases (all, or the ones named), each in a process of
// its own, and after each prints every figure beside the last committed one (the results file as
// git's HEAD has it), so that a regression shows up the day it is made.
//   node test/bench/run.mjs CASE…          run these cases (names below), then compare
//   node test/bench/run.mjs --compare [CASE…]  compare the results files as they are, run nothing
//   node test/bench/run.mjs --table [CASE…]    print each results file as Markdown table rows
//                                             (figure | median (min–max)), for the docs' tables
// A figure is a number in a results file; {median, min, max} is one figure with its spread; rows of
// an array are told apart by their `case` (or `name`). Dates, run counts and versions are left out.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const root = join(here, '../..');

/** Each case: its script and the results file it writes. */
const CASES = {
  capture: 'capture-throughput',
  console: 'console',
  diagnose: 'diagnose-memory',
  replay: 'replay',
  reports: 'reports-interop',
  'cli-start': 'cli-start',
  'message-filter': 'message-filter',
  relay: 'relay',
  pcap: 'pcap-import',
  protocols: 'protocol-decoding',
};

const NOT_FIGURES = new Set(['date', 'runs', 'runsPerFigure', 'node', 'machine', 'note', 'port']);
const isSpread = (v) => v !== null && typeof v === 'object' && typeof v.median === 'number';

/** Every figure of a results document: path → number or {median, min, max}. */
function figures(doc, path = '', out = new Map()) {
  if (typeof doc === 'number') out.set(path, doc);
  else if (isSpread(doc)) out.set(path, doc);
  else if (Array.isArray(doc))
    doc.forEach((row, i) => {
      const name = row && typeof row === 'object' ? (row.case ?? row.name) : undefined;
      figures(row, `${path}[${typeof name === 'string' ? name : i}]`, out);
    });
  else if (doc !== null && typeof doc === 'object')
    for (const [k, v] of Object.entries(doc)) {
      if (NOT_FIGURES.has(k)) continue;
      figures(v, path ? `${path}.${k}` : k, out);
    }
  return out;
}

const number = (x) => {
  const a = Math.abs(x);
  const digits = a >= 100 || Number.isInteger(x) ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
};
const shown = (v) => (isSpread(v) ? `${number(v.median)} (${number(v.min)}–${number(v.max)})` : number(v));
const central = (v) => (isSpread(v) ? v.median : v);

/** The change of one figure: +12.3 %, or words where a percentage says nothing. */
function change(before, now) {
  const b = central(before);
  const n = central(now);
  if (b === n) return '=';
  if (b === 0) return `was 0`;
  const pct = ((n - b) / Math.abs(b)) * 100;
  return `${pct > 0 ? '+' : ''}${pct.toFixed(1)} %`;
}

/** The results file of a case as git's HEAD has it; null when none is committed. */
function committed(file) {
  try {
    return JSON.parse(
      execFileSync('git', ['show', `HEAD:${relative(root, file)}`], {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        maxBuffer: 64 << 20,
      }),
    );
  } catch {
    return null;
  }
}

const resultsFile = (name) => join(here, 'results', `${CASES[name]}.json`);

/** Markdown rows: each figure of this run beside the last committed one and the change. */
function comparison(name) {
  const file = resultsFile(name);
  if (!existsSync(file)) return [`${name}: no results file (${relative(root, file)})`];
  const now = JSON.parse(readFileSync(file, 'utf8'));
  const before = committed(file);
  const lines = [
    `### ${name}: this run (${now.date ?? '?'}) against the last committed results (${before?.date ?? 'none'})`,
    '',
    '| figure | this run | last committed | change |',
    '|---|---|---|---|',
  ];
  const old = before ? figures(before) : new Map();
  const fresh = figures(now);
  for (const [path, v] of fresh) {
    const b = old.get(path);
    lines.push(
      `| ${path} | ${shown(v)} | ${b === undefined ? '—' : shown(b)} | ${b === undefined ? 'new' : change(b, v)} |`,
    );
  }
  for (const path of old.keys())
    if (!fresh.has(path)) lines.push(`| ${path} | — | ${shown(old.get(path))} | gone |`);
  return lines;
}

/** Markdown rows of one results file as it is: figure | median (min–max). */
function table(name) {
  const file = resultsFile(name);
  if (!existsSync(file)) return [`${name}: no results file (${relative(root, file)})`];
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  return [
    `### ${name} (${doc.date ?? '?'}${doc.machine ? `, ${doc.machine}` : ''})`,
    '',
    '| figure | median (min–max) |',
    '|---|---|',
    ...[...figures(doc)].map(([path, v]) => `| ${path} | ${shown(v)} |`),
  ];
}

const args = process.argv.slice(2);
const mode = args[0] === '--compare' || args[0] === '--table' ? args.shift() : 'run';
const unknown = args.filter((a) => !(a in CASES));
if (unknown.length) {
  process.stderr.write(
    `unknown bench case ${unknown.join(', ')}; the cases are: ${Object.keys(CASES).join(', ')}\n`,
  );
  process.exit(2);
}
const chosen = args.length ? args : Object.keys(CASES);
let failed = 0;
for (const name of chosen) {
  if (mode === 'run') {
    process.stderr.write(`\n== bench ${name} (test/bench/${CASES[name]}.mjs)\n`);
    const run = spawnSync(process.execPath, [join(here, `${CASES[name]}.mjs`)], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (run.status !== 0) {
      process.stderr.write(`bench ${name} failed (exit ${run.status ?? run.signal})\n`);
      failed++;
      continue;
    }
  }
  process.stdout.write(`${(mode === '--table' ? table(name) : comparison(name)).join('\n')}\n\n`);
}
process.exit(failed ? 1 : 0);
