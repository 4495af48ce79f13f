// npm run bench (third part): the memory `frameline diagnose` needs, by session size. Sessions of
// 1, 3 and 10 million frames are built straight in SQL (a feed with request/response pairs by id,
// send times, pings and pongs, over several connections); the built command diagnoses each, and
// its peak resident memory (maxRSS) is read at its exit. Memory must stay flat as sessions grow.
// Writes test/bench/results/diagnose-memory.json.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const here = new URL('.', import.meta.url).pathname;
const CLI = join(here, '../../dist/electron/cli/frameline.js');
const { openStore } = await import(join(here, '../../dist/electron/engine/store/database.js'));
const SIZES = (process.env.BENCH_DIAGNOSE_FRAMES ?? '1000000,3000000,10000000').split(',').map(Number);
const CONNECTIONS = 4;
/** The bound the issue sets for a 3-million-frame session, and for every size. */
const LIMIT_MIB = 256;
const T0 = 1_800_000_000_000_000; // epoch µs

const dir = mkdtempSync(join(tmpdir(), 'frameline-diagnose-bench-'));
// Reports the peak resident memory of the process it is preloaded into, on stderr, at its exit.
const preload = join(dir, 'max-rss.mjs');
writeFileSync(
  preload,
  "import { writeSync } from 'node:fs';\nprocess.on('exit', () => writeSync(2, `MAXRSS ${process.resourceUsage().maxRSS}\\n`));\n",
);

/** One session of `frames` frames over CONNECTIONS connections, inserted by SQLite itself. */
function build(path, frames) {
  openStore(path).close(); // the schema, as Frameline makes it
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const per = Math.floor(frames / CONNECTIONS);
  db.transaction(() => {
    const session = db
      .prepare(
        "INSERT INTO session (name, kind, target, status, created_at, ended_at) VALUES (?, 'capture', 'ws://feed.example/ws', 'complete', ?, ?)",
      )
      .run(`bench ${frames}`, T0, T0 + frames * 100 + 1_000_000).lastInsertRowid;
    for (let c = 0; c < CONNECTIONS; c++) {
      const start = c * per;
      const connection = db
        .prepare(
          "INSERT INTO connection (session_id, ordinal, url, started_at, status, opened_at, closed_at, close_code, closed_by) VALUES (?, ?, 'ws://feed.example/ws', ?, 101, ?, ?, 1000, 'client')",
        )
        .run(
          session,
          c + 1,
          T0 + start * 100,
          T0 + start * 100 + 10,
          T0 + (start + per) * 100 + 50,
        ).lastInsertRowid;
      // Every 10th frame a request we send with an id, answered by the next frame; every 1000th a
      // ping and its pong; the rest a feed of ticks carrying their send time. 100 µs apart.
      db.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
         INSERT INTO frame (session_id, connection_id, seq, ts, direction, opcode, size, payload)
         SELECT ?, ?, ? + i, ? + (? + i) * 100,
                CASE WHEN i % 1000 = 1 OR i % 10 = 0 THEN 1 ELSE 0 END,
                CASE i % 1000 WHEN 1 THEN 9 WHEN 2 THEN 10 ELSE 1 END,
                length(p), p
         FROM (SELECT i, CAST(CASE
                 WHEN i % 1000 IN (1, 2) THEN printf('%016x', i - (i % 1000 = 2))
                 WHEN i % 10 = 0 THEN printf('{"id":%d,"op":"quote","symbol":"FRML"}', i)
                 WHEN i % 10 = 1 THEN printf('{"id":%d,"price":101.25,"sentAt":%d}', i - 1, (${T0} + (? + i) * 100) / 1000)
                 ELSE printf('{"type":"tick","seq":%d,"sentAt":%d,"pad":"%s"}', i, (${T0} + (? + i) * 100) / 1000, 'xxxxxxxxxxxxxxxx')
               END AS BLOB) AS p FROM n)`,
      ).run(per, session, connection, start, T0, start, start, start);
      db.prepare(
        `UPDATE connection SET
           frames = (SELECT count(*) FROM frame WHERE connection_id = connection.id AND session_id = ?),
           frames_in = (SELECT count(*) FROM frame WHERE connection_id = connection.id AND session_id = ? AND direction = 0),
           frames_out = (SELECT count(*) FROM frame WHERE connection_id = connection.id AND session_id = ? AND direction = 1),
           first_frame_at = ?, last_frame_at = ?
         WHERE id = ?`,
      ).run(session, session, session, T0 + (start + 1) * 100, T0 + (start + per) * 100, connection);
    }
  })();
  db.close();
}

function diagnose(path) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(
      process.execPath,
      ['--import', preload, CLI, 'diagnose', '1', '--json', '--db', path],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('exit', (code) => {
      const rss = /MAXRSS (\d+)/.exec(stderr);
      if (!rss || (code !== 0 && code !== 1))
        return reject(new Error(`diagnose exited with ${code}: ${stderr}`));
      const report = JSON.parse(stdout);
      resolve({
        peakRssMiB: Math.round(Number(rss[1]) / 1024),
        seconds: Math.round((Date.now() - started) / 100) / 10,
        framesAnalysed: report.checks.find((c) => c.name === 'session')?.detail.frames,
        findings: report.findings.map((f) => f.id),
      });
    });
  });
}

const rows = [];
try {
  for (const frames of SIZES) {
    const path = join(dir, `session-${frames}.db`);
    process.stderr.write(`building a session of ${frames} frames…\n`);
    const t = Date.now();
    build(path, frames);
    process.stderr.write(`  built in ${Math.round((Date.now() - t) / 1000)} s; diagnosing…\n`);
    const r = await diagnose(path);
    process.stderr.write(`  peak RSS ${r.peakRssMiB} MiB in ${r.seconds} s\n`);
    rows.push({ frames, ...r });
    rmSync(path, { force: true });
    rmSync(`${path}-wal`, { force: true });
    rmSync(`${path}-shm`, { force: true });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const peaks = rows.map((r) => r.peakRssMiB);
const result = {
  date: new Date().toISOString(),
  node: process.version,
  limitMiB: LIMIT_MIB,
  rows,
  withinLimit: peaks.every((p) => p < LIMIT_MIB),
  growthLargestOverSmallest: Number((Math.max(...peaks) / Math.min(...peaks)).toFixed(2)),
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'diagnose-memory.json'), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
if (!result.withinLimit) process.exitCode = 1;
