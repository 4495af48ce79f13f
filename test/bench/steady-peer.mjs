// A peer that sends 100-byte text frames ({"seq":N,...}) at a steady rate to whoever connects, as a
// busy production feed: frames are due by the clock, so a late timer on a loaded machine sends the
// ones it owes instead of lowering the rate (a backlog of more than 100 ms is dropped, not sent).
//   node steady-peer.mjs FRAMES_PER_SECOND
// Prints {"port": N} on stdout when listening; exits on SIGTERM.
import { WebSocketServer } from 'ws';

const rate = Number(process.argv[2] ?? 50_000);
const PADDING = `"pad":"${'x'.repeat(100)}`;
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });

wss.on('connection', (ws) => {
  ws.on('error', () => {});
  const t0 = performance.now();
  let due = 0;
  let sent = 0;
  const timer = setInterval(() => {
    if (ws.readyState !== 1) return clearInterval(timer);
    const now = Math.floor(((performance.now() - t0) / 1000) * rate);
    due = Math.max(due, now - rate / 10); // owe at most 100 ms
    while (due < now) {
      due++;
      sent++;
      ws.send(`{"seq":${sent},${PADDING}`.slice(0, 99) + '}', { binary: false });
    }
  }, 10);
  ws.on('close', () => clearInterval(timer));
});
wss.on('listening', () => process.stdout.write(`${JSON.stringify({ port: wss.address().port })}\n`));
process.on('SIGTERM', () => process.exit(0));
