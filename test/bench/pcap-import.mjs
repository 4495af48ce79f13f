// npm run bench -- pcap: importing a packet capture, beside tshark alone reading the same file with
// the same arguments to /dev/null (the floor under an import: Frameline's own work is the rest).
// The capture is written here, as tcpdump on the loopback interface would have taken it: one
// WebSocket connection (handshake, then JSON text messages of about 500 bytes from the server in
// segments of up to 16 KiB, a few from the client, masked), BENCH_PCAP_MB megabytes of it
// (default 1024). Figures: MB of capture per second for both, the ratio per run, Frameline's peak
// RSS (its own process and threads; tshark is its child) and tshark's alone.
// Writes test/bench/results/pcap-import.json.
//   BENCH_RUNS=N        runs (default 5)
//   BENCH_PCAP_MB=MB    size of the capture (default 1024)
import { execFileSync } from 'node:child_process';
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
import { pathToFileURL } from 'node:url';
import { frameline, machine, RUNS, spread, timed } from './bench-kit.mjs';

const here = new URL('.', import.meta.url).pathname;
const MB = Number(process.env.BENCH_PCAP_MB ?? 1024);
const { tsharkArguments } = await import(
  pathToFileURL(join(here, '../../dist/electron/engine/interop/pcap-import.js')).href
);

const CLIENT = { port: 51234, seq: 1_000_000 };
const SERVER = { port: 8080, seq: 5_000_000 };
const SEGMENT = 16 * 1024;

/** Writes a pcap file of about `mb` MB; answers the messages in it. */
function writeCapture(path, mb) {
  const fd = openSync(path, 'w');
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(262144, 16); // snap length
  global.writeUInt32LE(1, 20); // Ethernet
  writeSync(fd, global);
  let usec = Date.parse('2026-12-07T03:00:00Z') * 1000;
  let out = [];
  let outBytes = 0;
  const flush = () => {
    if (out.length) writeSync(fd, Buffer.concat(out));
    out = [];
    outBytes = 0;
  };
  /** One TCP segment from `from` to `to` with `flags` and `payload`. */
  const packet = (from, to, flags, payload = Buffer.alloc(0)) => {
    usec += 20;
    const ipLength = 20 + 20 + payload.length;
    const p = Buffer.alloc(16 + 14 + ipLength);
    p.writeUInt32LE(Math.floor(usec / 1e6), 0);
    p.writeUInt32LE(usec % 1e6, 4);
    p.writeUInt32LE(14 + ipLength, 8);
    p.writeUInt32LE(14 + ipLength, 12);
    p.writeUInt16BE(0x0800, 16 + 12); // IPv4 (both MACs zero, as on loopback)
    const ip = 16 + 14;
    p[ip] = 0x45;
    p.writeUInt16BE(ipLength, ip + 2);
    p.writeUInt16BE(0x4000, ip + 6); // don't fragment
    p[ip + 8] = 64;
    p[ip + 9] = 6; // TCP
    p.writeUInt32BE(0x7f000001, ip + 12);
    p.writeUInt32BE(0x7f000001, ip + 16);
    const tcp = ip + 20;
    p.writeUInt16BE(from.port, tcp);
    p.writeUInt16BE(to.port, tcp + 2);
    p.writeUInt32BE(from.seq >>> 0, tcp + 4);
    p.writeUInt32BE(to.seq >>> 0, tcp + 8);
    p[tcp + 12] = 5 << 4;
    p[tcp + 13] = flags;
    p.writeUInt16BE(65535, tcp + 14);
    payload.copy(p, tcp + 20);
    from.seq += payload.length + (flags & 0x03 ? 1 : 0); // SYN and FIN take one
    out.push(p);
    outBytes += p.length;
    if (outBytes > 4 << 20) flush();
    return p.length;
  };
  const SYN = 0x02;
  const ACK = 0x10;
  const PSH_ACK = 0x18;
  const FIN_ACK = 0x11;
  packet(CLIENT, { ...SERVER, seq: 0 }, SYN);
  packet(SERVER, CLIENT, SYN | ACK);
  packet(CLIENT, SERVER, ACK);
  packet(
    CLIENT,
    SERVER,
    PSH_ACK,
    Buffer.from(
      'GET /feed HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    ),
  );
  packet(
    SERVER,
    CLIENT,
    PSH_ACK,
    Buffer.from(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n',
    ),
  );
  const text = (n) =>
    JSON.stringify({
      seq: n,
      type: 'tick',
      symbol: 'FRML',
      price: 101.25 + (n % 100) / 100,
      note: 'x'.repeat(400),
    });
  const frame = (payload, masked) => {
    const head = payload.length < 126 ? 2 : 4;
    const f = Buffer.alloc(head + (masked ? 4 : 0) + payload.length);
    f[0] = 0x81;
    if (head === 2) f[1] = payload.length;
    else {
      f[1] = 126;
      f.writeUInt16BE(payload.length, 2);
    }
    if (masked) {
      f[1] |= 0x80;
      f.writeUInt32BE(0x12345678, head);
      for (let i = 0; i < payload.length; i++) f[head + 4 + i] = payload[i] ^ f[head + (i & 3)];
    } else payload.copy(f, head);
    return f;
  };
  const target = mb * 1024 * 1024;
  let written = 24;
  let messages = 0;
  let pending = [];
  let pendingBytes = 0;
  while (written < target) {
    messages++;
    const f = frame(Buffer.from(text(messages)), false);
    pending.push(f);
    pendingBytes += f.length;
    if (pendingBytes >= SEGMENT) {
      written += packet(SERVER, CLIENT, PSH_ACK, Buffer.concat(pending));
      pending = [];
      pendingBytes = 0;
      // Now and then the client speaks (masked), and acknowledges.
      if (messages % 2000 < 33) {
        messages++;
        written += packet(CLIENT, SERVER, PSH_ACK, frame(Buffer.from(text(messages)), true));
      }
    }
  }
  if (pending.length) packet(SERVER, CLIENT, PSH_ACK, Buffer.concat(pending));
  packet(SERVER, CLIENT, PSH_ACK, Buffer.from([0x88, 0x02, 0x03, 0xe8]));
  const close = Buffer.from([0x88, 0x82, 1, 2, 3, 4, 0x03 ^ 1, 0xe8 ^ 2]);
  packet(CLIENT, SERVER, PSH_ACK, close);
  packet(SERVER, CLIENT, FIN_ACK);
  packet(CLIENT, SERVER, FIN_ACK);
  flush();
  closeSync(fd);
  return messages;
}

const dir = mkdtempSync(join(tmpdir(), 'frameline-pcap-bench-'));
try {
  const file = join(dir, 'feed.pcap');
  process.stderr.write(`writing a ${MB} MB capture…\n`);
  const messages = writeCapture(file, MB);
  const fileMb = statSync(file).size / 1024 / 1024;
  const tsharkVersion = execFileSync('tshark', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  const samples = { framelineMBps: [], tsharkMBps: [], ratio: [], framelineRssMb: [], tsharkRssMb: [] };
  let frames = null;
  for (let i = 0; i < RUNS; i++) {
    const db = join(dir, `import-${i}.db`);
    const ours = await frameline(['import', file, '--json', '--db', db]);
    const alone = await timed('/usr/bin/time', [
      '-f',
      'tshark-peak-rss-kb %M',
      'sh',
      '-c',
      'exec tshark "$@" > /dev/null',
      'tshark',
      ...tsharkArguments(file),
    ]);
    const tsharkRss = Number(/tshark-peak-rss-kb (\d+)/.exec(alone.stderr)?.[1] ?? NaN) / 1024;
    frames ??= JSON.parse(ours.stdout).frames;
    rmSync(db, { force: true });
    rmSync(`${db}-frames`, { recursive: true, force: true });
    samples.framelineMBps.push(fileMb / ours.seconds);
    samples.tsharkMBps.push(fileMb / alone.seconds);
    samples.ratio.push(alone.seconds / ours.seconds);
    samples.framelineRssMb.push(ours.rssMb);
    samples.tsharkRssMb.push(tsharkRss);
    process.stderr.write(
      `  run ${i + 1}/${RUNS}: frameline ${ours.seconds.toFixed(1)} s, ${ours.rssMb.toFixed(0)} MB; tshark alone ${alone.seconds.toFixed(1)} s, ${tsharkRss.toFixed(0)} MB\n`,
    );
  }
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    machine: machine(),
    tshark: tsharkVersion,
    note: 'MB of capture per second; ratio = Frameline / tshark alone (same arguments, output to /dev/null), per run; peak RSS of the frameline process (tshark, its child, not included) and of tshark alone',
    fileMb: Math.round(fileMb),
    messages,
    framesImported: frames,
    framelineMBps: spread(samples.framelineMBps, 1),
    tsharkMBps: spread(samples.tsharkMBps, 1),
    ratio: spread(samples.ratio, 3),
    framelinePeakRssMb: spread(samples.framelineRssMb, 0),
    tsharkPeakRssMb: spread(samples.tsharkRssMb, 0),
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results/pcap-import.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
