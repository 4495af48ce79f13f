// One measured run in its own process (so that peak RSS is this run's alone):
//   node capture-child.mjs bare URL FRAMES
//   node capture-child.mjs bare-file URL FRAMES PATH   (the bare client appending every message to PATH)
//   node capture-child.mjs bare-writev URL FRAMES PATH (the same, handing the received buffers to the
//                                                     kernel by writev, 256 KiB at a time, no copy)
//   node capture-child.mjs frameline URL FRAMES DBPATH
//   node capture-child.mjs disk PATH MEGABYTES
// Prints one JSON line. bare/frameline: frames received, the receive window (first to last frame),
// peak RSS; for Frameline also the frames stored and the drain time: from the last frame's receipt
// until the capture has committed everything and closed the session. disk: the raw write speed of
// the same file system (1 MiB writes into the page cache, then with fdatasync at the end).
// BENCH_DIST points at another build's dist/ (to measure a baseline the same way).
import { closeSync, fdatasyncSync, openSync, rmSync, writevSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';

const [mode, target, countArg, dbPath] = process.argv.slice(2);
const dist = process.env.BENCH_DIST ?? new URL('../../dist/', import.meta.url).pathname;
const load = (p) => import(pathToFileURL(`${dist}/${p}`).href);

function report(result) {
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify({ ...result, peakRssBytes })}\n`);
}

/**
 * A bare ws client on `target`: counts the messages and times the first and last; `keep` sees each
 * one (nothing for the bare client), `done` runs at the close, before the result is printed.
 */
function receive(keep, done) {
  const ws = new WebSocket(target, { perMessageDeflate: false, maxPayload: 100 * 1024 * 1024 });
  let n = 0;
  let first = 0;
  let last = 0;
  ws.on('message', (data) => {
    const now = performance.now();
    if (n === 0) first = now;
    last = now;
    n++;
    keep?.(data);
  });
  ws.on('close', () => {
    done?.();
    report({ received: n, seconds: (last - first) / 1000 });
  });
}

if (mode === 'disk') {
  const megabytes = Number(countArg);
  const chunk = Buffer.alloc(1 << 20, 0x61);
  const fd = openSync(target, 'w');
  const t0 = performance.now();
  for (let i = 0; i < megabytes; i++) writeSync(fd, chunk);
  const written = performance.now();
  fdatasyncSync(fd);
  const synced = performance.now();
  closeSync(fd);
  rmSync(target, { force: true });
  report({
    pageCacheMBps: megabytes / ((written - t0) / 1000),
    syncedMBps: megabytes / ((synced - t0) / 1000),
  });
} else if (mode === 'bare') {
  receive();
} else if (mode === 'bare-file') {
  // What `wscat -c URL > file` does: every message appended to a file, 1 MiB at a time, on the
  // receiving thread; the reference for "every byte written once".
  const fd = openSync(dbPath, 'w');
  const chunk = Buffer.allocUnsafe(1 << 20);
  let used = 0;
  receive(
    (data) => {
      if (used + data.length > chunk.length) {
        writeSync(fd, chunk, 0, used);
        used = 0;
      }
      if (data.length > chunk.length) writeSync(fd, data);
      else {
        data.copy(chunk, used);
        used += data.length;
      }
    },
    () => {
      writeSync(fd, chunk, 0, used);
      closeSync(fd);
      rmSync(dbPath, { force: true });
    },
  );
} else if (mode === 'bare-writev') {
  // The least any recorder that keeps every byte must do on the receiving thread: each message's
  // bytes handed to the page cache once, from where ws left them (no copy in user space), in
  // writev calls of 256 KiB, as Frameline's spool does; nothing else (no headers, no index).
  const fd = openSync(dbPath, 'w');
  let parts = [];
  let bytes = 0;
  const flush = () => {
    let left = parts;
    while (left.length > 0) {
      let n = writevSync(fd, left.slice(0, 1024));
      let i = 0;
      while (i < left.length && n >= left[i].length) n -= left[i++].length;
      left = left.slice(i);
      if (n > 0) left[0] = left[0].subarray(n);
    }
    parts = [];
    bytes = 0;
  };
  receive(
    (data) => {
      parts.push(data);
      bytes += data.length;
      if (bytes >= 256 * 1024) flush();
    },
    () => {
      flush();
      closeSync(fd);
      rmSync(dbPath, { force: true });
    },
  );
} else {
  const { openEngine } = await load('electron/engine/context.js');
  const { Capture } = await load('electron/engine/capture/capture.js');
  const { CaptureRequestSchema } = await load('shared/contract/capture.js');
  const { nowMicros } = await load('electron/engine/clock.js');
  const engine = openEngine(dbPath);
  const capture = Capture.start(engine, CaptureRequestSchema.parse({ url: target }));
  const result = await capture.done;
  const drainedAt = nowMicros();
  const row = engine.db
    .prepare(
      'SELECT count(*) AS n, min(ts) AS first, max(ts) AS last FROM frame WHERE session_id = ? AND opcode = 1 AND direction = 0',
    )
    .get(result.sessionId);
  engine.close();
  report({
    received: result.frames,
    stored: row.n,
    seconds: (row.last - row.first) / 1e6,
    drainSeconds: (drainedAt - row.last) / 1e6,
    expected: Number(countArg),
  });
}
