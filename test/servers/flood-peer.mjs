// A peer that floods 100-byte text frames at whoever connects, then closes with 1000.
//   node flood-peer.mjs fast|plain FRAMES
//   node flood-peer.mjs rate FRAMES_PER_SECOND   (steady rate until the client leaves)
//   node flood-peer.mjs jsonrpc FRAMES  (JSON-RPC 2.0 notifications sent like plain: method "tick",
//        every 10th "quote", every 1000th "alert"; a session whose messages can be filtered on)
//   node flood-peer.mjs socketio FRAMES  (a Socket.IO server's flood: Engine.IO's open and the
//        namespace's connect, then events sent like plain: "tick", every 10th "quote", every
//        1000th "alert", each 42["name",{"seq":N}])
//   node flood-peer.mjs json16k|json256k FRAMES  (byte-heavy: JSON text frames of exactly 16 KiB or
//        256 KiB, written straight to the socket like fast; each starts {"seq":N, with N from 1)
// fast:  writes pre-built frames straight to the socket in corked batches, so that the client, not
//        the server, is the bottleneck;
// plain: calls ws.send() once per frame, as an ordinary server does; each payload carries its
//        sequence number ({"seq":N,...}) so that tests can check order and gaps.
// Prints {"port": N} on stdout when listening; serves any number of connections; exits on SIGTERM.
import { WebSocketServer } from 'ws';

const mode = process.argv[2] ?? 'fast';
const total = Number(process.argv[3] ?? 1_000_000);
const PAYLOAD = Buffer.from(
  `{"type":"tick","symbol":"FRML","price":101.25,"note":"${'x'.repeat(100)}`.slice(0, 100),
);
const PADDING = `"pad":"${'x'.repeat(100)}`;
const FRAME = Buffer.concat([Buffer.from([0x81, PAYLOAD.length]), PAYLOAD]);
const BATCH_FRAMES = 2000;
const BATCH = Buffer.concat(Array.from({ length: BATCH_FRAMES }, () => FRAME));
const CLOSE = Buffer.from([0x88, 0x02, 0x03, 0xe8]);

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });

function floodFast(ws) {
  const socket = ws._socket;
  let sent = 0;
  const pump = () => {
    socket.cork();
    let ok = true;
    while (ok && sent < total) {
      const n = Math.min(BATCH_FRAMES, total - sent);
      ok = socket.write(n === BATCH_FRAMES ? BATCH : BATCH.subarray(0, n * FRAME.length));
      sent += n;
    }
    socket.uncork();
    if (sent >= total) socket.write(CLOSE);
    else socket.once('drain', pump);
  };
  pump();
}

const plainFrame = (n) => `{"seq":${n},${PADDING}`.slice(0, 99) + '}';
const jsonRpcFrame = (n) =>
  `{"jsonrpc":"2.0","method":"${n % 1000 === 0 ? 'alert' : n % 10 === 0 ? 'quote' : 'tick'}","params":{"seq":${n}}}`;
const socketIoFrame = (n) =>
  `42["${n % 1000 === 0 ? 'alert' : n % 10 === 0 ? 'quote' : 'tick'}",{"seq":${n},"symbol":"FRML"}]`;

function floodPlain(ws, frame = plainFrame) {
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      sent++;
      ws.send(frame(sent), { binary: false });
      if (ws.bufferedAmount > 4 << 20) {
        ws._socket.once('drain', pump);
        return;
      }
      if (sent % 10000 === 0) {
        setImmediate(pump);
        return;
      }
    }
    ws.close(1000, 'done');
  };
  pump();
}

// A steady rate, as a busy production feed: every 10 ms, rate/100 frames.
function steady(ws) {
  const perTick = Math.max(1, Math.round(total / 100));
  let sent = 0;
  const timer = setInterval(() => {
    if (ws.readyState !== 1) return clearInterval(timer);
    for (let i = 0; i < perTick; i++) {
      sent++;
      ws.send(plainFrame(sent), { binary: false });
    }
  }, 10);
  ws.on('close', () => clearInterval(timer));
}

// Byte-heavy frames: a JSON template of exactly `size` bytes, built once, with a slot after
// {"seq": that each frame fills with its sequence number (padded with spaces, which JSON allows), so
// that the peer writes at memory speed and is never the bottleneck.
const SEQ_SLOT = 12;
function bigTemplate(size) {
  const head = `{"seq":${' '.repeat(SEQ_SLOT)},"type":"book","levels":[`;
  const levels = [];
  let n = head.length;
  for (let i = 0; n < size - 200; i++) {
    const level = `${i ? ',' : ''}{"p":${(100 + (i % 997) / 100).toFixed(2)},"q":${(i * 31) % 1000}}`;
    levels.push(level);
    n += level.length;
  }
  const start = `${head}${levels.join('')}],"pad":"`;
  return Buffer.from(`${start}${'x'.repeat(size - start.length - 2)}"}`);
}

function wireHeader(len) {
  if (len < 126) return Buffer.from([0x81, len]);
  if (len < 65536) {
    const h = Buffer.alloc(4);
    h[0] = 0x81;
    h[1] = 126;
    h.writeUInt16BE(len, 2);
    return h;
  }
  const h = Buffer.alloc(10);
  h[0] = 0x81;
  h[1] = 127;
  h.writeBigUInt64BE(BigInt(len), 2);
  return h;
}

function floodBig(ws, size) {
  const socket = ws._socket;
  const template = bigTemplate(size);
  const header = wireHeader(size);
  const slot = header.length + '{"seq":'.length;
  const wire = header.length + size;
  // About a megabyte per write: a write per frame would make the peer, not the client, the limit.
  const perWrite = Math.max(1, Math.floor((1 << 20) / wire));
  let sent = 0;
  const pump = () => {
    let ok = true;
    while (ok && sent < total) {
      const n = Math.min(perWrite, total - sent);
      const chunk = Buffer.allocUnsafe(n * wire);
      for (let i = 0; i < n; i++) {
        sent++;
        header.copy(chunk, i * wire);
        template.copy(chunk, i * wire + header.length);
        chunk.write(String(sent).padEnd(SEQ_SLOT, ' '), i * wire + slot, 'latin1');
      }
      ok = socket.write(chunk);
    }
    if (sent >= total) socket.write(CLOSE);
    else socket.once('drain', pump);
  };
  pump();
}

wss.on('connection', (ws) => {
  ws.on('error', () => {});
  if (mode === 'json16k') floodBig(ws, 16 * 1024);
  else if (mode === 'json256k') floodBig(ws, 256 * 1024);
  else if (mode === 'fast') floodFast(ws);
  else if (mode === 'rate') steady(ws);
  else if (mode === 'jsonrpc') floodPlain(ws, jsonRpcFrame);
  else if (mode === 'socketio') {
    ws.send('0{"sid":"flood","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}');
    ws.send('40{"sid":"flood-ns"}');
    floodPlain(ws, socketIoFrame);
  } else floodPlain(ws);
});
wss.on('listening', () => process.stdout.write(`${JSON.stringify({ port: wss.address().port })}\n`));
process.on('SIGTERM', () => process.exit(0));
