// One measured run in its own process (so that peak RSS is this run's alone):
//   node capture-child.mjs bare|frameline URL FRAMES DBPATH
// Prints one JSON line: frames received, the receive window, peak RSS, and for Frameline the
// frames stored once the capture command's work is done.
import WebSocket from 'ws';

const [mode, url, framesArg, dbPath] = process.argv.slice(2);
const expected = Number(framesArg);
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);

function report(result) {
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  process.stdout.write(`${JSON.stringify({ ...result, peakRssBytes: peakRss })}\n`);
}

if (mode === 'bare') {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  let n = 0;
  let first = 0;
  let last = 0;
  ws.on('message', () => {
    const now = performance.now();
    if (n === 0) first = now;
    last = now;
    n++;
  });
  ws.on('close', () => report({ received: n, seconds: (last - first) / 1000 }));
} else {
  const { openStore } = await import('../../dist/electron/engine/store/database.js');
  const { Capture } = await import('../../dist/electron/engine/capture/capture.js');
  const { DEFAULTS } = await import('../../dist/electron/engine/capture/options.js');
  const db = openStore(dbPath);
  const started = performance.now();
  const capture = Capture.start(db, dbPath, {
    url,
    headers: [],
    subprotocols: [],
    compression: false,
    insecure: false,
    proxy: null,
    sends: [],
    ...DEFAULTS,
  });
  const result = await capture.done;
  const drainedAt = performance.now();
  const row = db
    .prepare(
      'SELECT count(*) AS n, min(ts) AS first, max(ts) AS last FROM frame WHERE session_id = ? AND opcode = 1 AND direction = 0',
    )
    .get(result.sessionId);
  db.close();
  report({
    received: result.frames,
    stored: row.n,
    seconds: (row.last - row.first) / 1e6,
    totalSeconds: (drainedAt - started) / 1000,
    expected,
  });
}
