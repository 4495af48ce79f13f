// Importing a packet capture (pcap or pcapng, from tcpdump or Wireshark) as a session of kind `pcap`.
// Debian's tshark reads the file in one streamed pass and prints every TCP segment as a line (its
// stream, addresses, flags, sequence number, payload, and its own analysis: retransmissions, zero
// windows, segments missing from the capture); with a TLS key log it decrypts, and the decrypted
// bytes come from the same line. Frameline does the rest itself, on any port: it puts each stream's
// bytes in order, finds a `GET … Upgrade: websocket` answered by 101, and parses the frames —
// unmasked, fragments joined into messages, permessage-deflate inflated — each message at the time
// of the packet that completed it. Memory is bounded by what is not parsed yet in each open stream.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { constants, inflateRawSync } from 'node:zlib';
import type { ClosedBy, Headers } from '../../../shared/contract.js';
import type { PcapImportResult } from '../../../shared/contract/interop.js';
import { directionCode } from '../../../shared/frame-codes.js';
import type { EngineContext } from '../context.js';
import { EnvironmentError, InputError } from '../errors.js';
import { beginRecording, type Recording } from '../store/recording.js';
import { StoreWriter, type SessionSpool } from '../store/writer.js';
import { headerObject } from '../capture/wire.js';
import { header, IMPORT_PAYLOAD_CAP, type ImportHooks } from './har-import.js';

/** Bytes of one stream's unparsed data held before the stream is given up (a handshake never ends). */
const MAX_PENDING = 64 * 1024 * 1024;
/** Out-of-order segments held per direction while waiting for the one before them. */
const MAX_OUT_OF_ORDER = 256;
const WINDOW = 32 * 1024;
const DEFLATE_TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

const FIELDS = [
  'frame.time_epoch',
  'frame.cap_len',
  'tcp.stream',
  'ip.src',
  'ipv6.src',
  'tcp.srcport',
  'tcp.flags',
  'tcp.seq_raw',
  'tcp.payload',
  'data.data',
  'tls.record.content_type',
  'tcp.analysis.retransmission',
  'tcp.analysis.zero_window',
  'tcp.analysis.lost_segment',
  'tcp.len',
] as const;

interface Side {
  address: string;
  /** The next sequence number expected; null until the first segment. */
  next: number | null;
  early: Map<number, Buffer>;
  buffer: Buffer;
  /** The message being joined from fragments: opcode, compressed, parts. */
  message: { opcode: number; compressed: boolean; parts: Buffer[]; bytes: number } | null;
  window: Buffer;
  fin: number | null;
  rst: number | null;
  retransmissions: number;
  zeroWindows: number;
  missing: number;
  /** Bytes of this side's stream the capture does not hold (the holes in its sequence numbers). */
  gapBytes: number;
  /** Bytes captured after a hole, which cannot be read (a frame's start is lost in it). */
  unreadBytes: number;
  firstEvidence: { retransmission: number | null; zeroWindow: number | null; missing: number | null };
}

interface Stream {
  id: number;
  client: Side;
  server: Side;
  tls: boolean | null;
  synAt: number | null;
  synAckAt: number | null;
  firstAt: number;
  requestAt: number | null;
  state: 'request' | 'response' | 'open' | 'skipped' | 'broken';
  ordinal: number;
  url: string;
  requestHeaders: Headers;
  deflate: { client: boolean; server: boolean } | null;
  close: { code: number | null; reason: string | null; at: number; by: 'client' | 'server' } | null;
  lastAt: number;
  ended: boolean;
}

const side = (address: string): Side => ({
  address,
  next: null,
  early: new Map(),
  buffer: Buffer.alloc(0),
  message: null,
  window: Buffer.alloc(0),
  fin: null,
  rst: null,
  retransmissions: 0,
  zeroWindows: 0,
  missing: 0,
  gapBytes: 0,
  unreadBytes: 0,
  firstEvidence: { retransmission: null, zeroWindow: null, missing: null },
});

/** An HTTP head (request or response) from the start of `buf`, or null until it is complete. */
function httpHead(buf: Buffer): { line: string; headers: Headers; length: number } | null {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buf.toString('latin1', 0, end).split('\r\n');
  const raw: string[] = [];
  for (const l of lines.slice(1)) {
    const colon = l.indexOf(':');
    if (colon > 0) raw.push(l.slice(0, colon).trim(), l.slice(colon + 1).trim());
  }
  const headers = headerObject(raw);
  return { line: lines[0]!, headers, length: end + 4 };
}

/** Which side compresses, from the answer's Sec-WebSocket-Extensions: null without permessage-deflate. */
function deflateOf(extensions: string | null): { client: boolean; server: boolean } | null {
  if (!extensions) return null;
  const offer = extensions.split(',').find((e) => e.trim().toLowerCase().startsWith('permessage-deflate'));
  if (!offer) return null;
  const params = offer.toLowerCase();
  // true: the side keeps its compression context between messages.
  return {
    client: !params.includes('client_no_context_takeover'),
    server: !params.includes('server_no_context_takeover'),
  };
}

/** Bytes of the file header before the first packet: pcap's global header (pcapng's blocks vary). */
const PCAP_HEADER_BYTES = 24;
/** Bytes of progress between two reports: a line of tshark's is a packet, its file bytes estimated. */
const PROGRESS_STEP_BYTES = 1 << 20;

/**
 * How many bytes of the file a packet of `capLen` captured bytes takes: pcap's 16-byte record
 * header, or pcapng's Enhanced Packet Block (32 bytes around the data, padded to 4). The sum of these
 * is how far tshark has read, for the progress shown; the end of its output is 100 %.
 */
function recordBytes(path: string): (capLen: number) => number {
  const magic = Buffer.alloc(4);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, magic, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  return magic.readUInt32BE(0) === 0x0a0d0d0a
    ? (capLen) => 32 + Math.ceil(capLen / 4) * 4
    : (capLen) => 16 + capLen;
}

/** Where tshark is looked for, and the sentence when it is not there. */
function tsharkMissing(): EnvironmentError {
  return new EnvironmentError(
    'tshark is not installed; install the package tshark (apt-get install tshark) to import packet captures',
  );
}

/**
 * How tshark is asked for a capture's TCP segments, one line each (the benchmark runs tshark alone
 * with the same arguments, as the floor under an import's time).
 */
export function tsharkArguments(path: string, keylog?: string): string[] {
  const args = ['-r', path, '-n', '-Y', 'tcp', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a'];
  // tshark's own HTTP and WebSocket dissectors would take the bytes we parse ourselves.
  args.push('--disable-protocol', 'http', '--disable-protocol', 'websocket');
  if (keylog !== undefined) args.push('-o', `tls.keylog_file:${keylog}`);
  for (const f of FIELDS) args.push('-e', f);
  return args;
}

/**
 * Imports a pcap or pcapng file into a new session of kind `pcap`; `keylog` is a TLS key log
 * (SSLKEYLOGFILE format) to decrypt wss:// with. InputError when the file holds no WebSocket
 * connection (nothing is created), EnvironmentError when tshark is missing or cannot read it.
 */
export async function importPcap(
  ctx: EngineContext,
  request: { path: string; keylog?: string; name?: string },
  hooks: ImportHooks = {},
): Promise<PcapImportResult> {
  const fileName = basename(request.path);
  const total = statSync(request.path).size;
  const onFile = recordBytes(request.path);
  const args = tsharkArguments(request.path, request.keylog);
  const child = spawn('tshark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err) =>
      reject((err as NodeJS.ErrnoException).code === 'ENOENT' ? tsharkMissing() : err),
    );
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  await spawned;

  const streams = new Map<number, Stream>();
  // Streams already finished: a late segment (the answer to a reset) opens nothing new.
  const gone = new Set<number>();
  let recording: Recording | null = null;
  let spool: SessionSpool | null = null;
  let startedAt = 0;
  let connections = 0;
  let frames = 0;
  let skipped = 0;
  let endedAt = 0;
  const tcpEvents = { resets: 0, retransmissions: 0, zeroWindows: 0, missing: 0 };

  const begin = (s: Stream) => {
    if (spool) return spool;
    startedAt = s.synAt ?? s.firstAt;
    // The database is opened only now: a capture without a WebSocket connection creates nothing.
    const { db, dbPath } = ctx;
    recording = beginRecording(db, dbPath, {
      name: request.name ?? fileName,
      kind: 'pcap',
      target: s.url,
      settings: { importedFrom: fileName, ...(request.keylog !== undefined ? { keylog: true } : {}) },
      createdAt: startedAt,
    });
    spool = StoreWriter.for(dbPath).begin(db, recording);
    return spool;
  };

  const event = (s: Stream, ts: number, kind: string, detail: unknown) =>
    spool!.message({ type: 'event', ordinal: s.ordinal, ts, kind, detail });

  /** Records a whole message (or a control frame) one side sent. */
  const record = (
    s: Stream,
    from: 'client' | 'server',
    ts: number,
    opcode: number,
    data: Buffer,
    size: number,
  ) => {
    spool!.frame(
      s.ordinal,
      ts,
      directionCode(from === 'client' ? 'out' : 'in'),
      opcode,
      data,
      IMPORT_PAYLOAD_CAP,
      size,
    );
    frames++;
    s.lastAt = ts;
  };

  /** Parses the WebSocket frames buffered on one side. */
  const frames_ = (s: Stream, from: 'client' | 'server', ts: number) => {
    const d = s[from];
    let buf = d.buffer;
    while (buf.length >= 2) {
      const b0 = buf[0]!;
      const b1 = buf[1]!;
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (buf.length < 4) break;
        len = buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (buf.length < 10) break;
        len = Number(buf.readBigUInt64BE(2));
        off = 10;
      }
      const masked = (b1 & 0x80) !== 0;
      const start = off + (masked ? 4 : 0);
      if (buf.length < start + len) break;
      const payload = Buffer.from(buf.subarray(start, start + len));
      if (masked) {
        const key = buf.subarray(off, off + 4);
        for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i & 3]!;
      }
      buf = buf.subarray(start + len);
      const fin = (b0 & 0x80) !== 0;
      const rsv1 = (b0 & 0x40) !== 0;
      const opcode = b0 & 0x0f;
      if (opcode >= 8) {
        if (opcode === 8 && !s.close)
          s.close = {
            code: payload.length >= 2 ? payload.readUInt16BE(0) : null,
            reason: payload.length > 2 ? payload.toString('utf8', 2) : null,
            at: ts,
            by: from,
          };
        record(s, from, ts, opcode, payload, payload.length);
        continue;
      }
      if (opcode !== 0) d.message = { opcode, compressed: rsv1, parts: [], bytes: 0 };
      if (!d.message) continue; // a continuation without its start: the start is not in the capture
      d.message.parts.push(payload);
      d.message.bytes += payload.length;
      if (!fin) continue;
      const m = d.message;
      d.message = null;
      let data = Buffer.concat(m.parts, m.bytes);
      if (m.compressed && s.deflate) {
        const takeover = s.deflate[from];
        try {
          data = inflateRawSync(Buffer.concat([data, DEFLATE_TAIL]), {
            finishFlush: constants.Z_SYNC_FLUSH,
            ...(takeover && d.window.length > 0 ? { dictionary: d.window } : {}),
          });
        } catch (err) {
          // Compressed against messages the capture does not hold (it began after them, or lost
          // them): nothing after this can be read on this connection.
          event(s, ts, 'pcap-undecodable', {
            side: from,
            message: `a compressed message the ${from} sent cannot be inflated: ${(err as Error).message}`,
          });
          s.state = 'broken';
          d.buffer = Buffer.alloc(0);
          return;
        }
        if (takeover) {
          const joined = Buffer.concat([d.window, data]);
          d.window = Buffer.from(joined.subarray(Math.max(0, joined.length - WINDOW)));
        }
      }
      record(s, from, ts, m.opcode, data, data.length);
    }
    d.buffer = buf;
  };

  /** Bytes one side sent, in order: the handshake, then frames. */
  const received = (s: Stream, from: 'client' | 'server', ts: number, bytes: Buffer) => {
    if (s.state === 'skipped' || s.state === 'broken') return;
    const d = s[from];
    d.buffer = d.buffer.length === 0 ? bytes : Buffer.concat([d.buffer, bytes]);
    if (s.tls === null) s.tls = false;
    // An HTTP server does not speak first: a stream whose server does is some other protocol.
    if (s.state === 'request' && from === 'server') return skip(s);
    if (s.state === 'request') {
      if (s.requestAt === null) s.requestAt = ts;
      if (!'GET '.startsWith(d.buffer.toString('latin1', 0, Math.min(4, d.buffer.length)))) return skip(s);
      if (d.buffer.length < 4) return;
      const head = httpHead(d.buffer);
      if (!head) return d.buffer.length > 65536 ? skip(s) : undefined;
      if ((header(head.headers, 'upgrade') ?? '').toLowerCase() !== 'websocket') return skip(s);
      const target = head.line.split(' ')[1] ?? '/';
      const host = header(head.headers, 'host') ?? s.server.address;
      s.url = `${s.tls ? 'wss' : 'ws'}://${host}${target.startsWith('/') ? target : `/${target}`}`;
      s.requestHeaders = head.headers;
      s.state = 'response';
      d.buffer = d.buffer.subarray(head.length);
    }
    if (s.state === 'response' && s.server.buffer.length > 0) {
      const head = httpHead(s.server.buffer);
      if (!head) return s.server.buffer.length > 65536 ? skip(s) : undefined;
      s.server.buffer = s.server.buffer.subarray(head.length);
      const status = Number(head.line.split(' ')[1]);
      if (status !== 101) return skip(s);
      s.ordinal = ++connections;
      const sp = begin(s);
      const extensions = header(head.headers, 'sec-websocket-extensions');
      s.deflate = deflateOf(extensions);
      const startedAt = s.synAt ?? s.firstAt;
      const ms = (a: number | null, b: number | null) => (a === null || b === null ? null : (b - a) / 1000);
      sp.message({
        type: 'connection',
        ordinal: s.ordinal,
        url: s.url,
        startedAt,
        requestHeaders: s.requestHeaders,
      });
      sp.message({
        type: 'handshake',
        ordinal: s.ordinal,
        status,
        responseHeaders: head.headers,
        bodyHead: null,
        subprotocol: header(head.headers, 'sec-websocket-protocol'),
        extensions,
        timings: {
          dnsMs: null,
          tcpMs: ms(s.synAt, s.synAckAt),
          tlsMs: s.tls ? ms(s.synAckAt, s.requestAt) : null,
          upgradeMs: ms(s.requestAt, ts),
        },
        openedAt: ts,
      });
      s.lastAt = ts;
      s.state = 'open';
    }
    if (s.state === 'open') {
      frames_(s, 'client', ts);
      frames_(s, 'server', ts);
      if (s.client.buffer.length + s.server.buffer.length > MAX_PENDING) {
        event(s, ts, 'pcap-unparsed', { bytes: s.client.buffer.length + s.server.buffer.length });
        s.state = 'broken';
        s.client.buffer = s.server.buffer = Buffer.alloc(0);
      }
    }
  };

  const skip = (s: Stream) => {
    s.state = 'skipped';
    s.client.buffer = s.server.buffer = Buffer.alloc(0);
    s.client.early.clear();
    s.server.early.clear();
  };

  /**
   * A side's segments held behind a hole that was never filled: the hole's bytes (up to the first one
   * held) are missing from the capture, and what was held after it cannot be read.
   */
  const gaveUp = (d: Side) => {
    if (d.early.size === 0 || d.next === null) return;
    const next = d.next;
    let hole = Infinity;
    for (const [seq, held] of d.early) {
      hole = Math.min(hole, (seq - next) | 0);
      d.unreadBytes += held.length;
    }
    d.gapBytes += hole;
    d.early.clear();
  };

  /** Segments of one side put in order by sequence number; a gap holds later ones back. */
  const segment = (
    s: Stream,
    from: 'client' | 'server',
    ts: number,
    seq: number,
    syn: boolean,
    fin: boolean,
    payload: Buffer,
  ) => {
    const d = s[from];
    if (d.next === null || syn) d.next = (seq + (syn ? 1 : 0)) >>> 0;
    if (payload.length > 0) {
      const ahead = (seq - d.next) | 0;
      if (ahead > 0) {
        if (d.early.size < MAX_OUT_OF_ORDER) d.early.set(seq, payload);
        else {
          // Bytes missing from the capture that never came: give up waiting and go on after them.
          d.missing++;
          d.firstEvidence.missing ??= ts;
          gaveUp(d);
          d.unreadBytes += payload.length;
          d.next = seq;
          if (s.state === 'open') s.state = 'broken';
        }
      } else if (-ahead < payload.length) {
        const fresh = payload.subarray(-ahead);
        d.next = (d.next + fresh.length) >>> 0;
        received(s, from, ts, fresh);
        for (let more = d.early.get(d.next); more !== undefined; more = d.early.get(d.next)) {
          d.early.delete(d.next);
          d.next = (d.next + more.length) >>> 0;
          received(s, from, ts, more);
        }
      }
    }
    if (fin) d.fin ??= ts;
  };

  /** A stream that ended (or the capture did): its close, its TCP evidence, then it is let go. */
  const finish = (s: Stream) => {
    streams.delete(s.id);
    gone.add(s.id);
    if (s.ordinal === 0) {
      skipped++;
      return;
    }
    for (const from of ['client', 'server'] as const) {
      const d = s[from];
      const who = { from: d.address, side: from };
      if (d.rst !== null) {
        tcpEvents.resets++;
        event(s, d.rst, 'tcp-reset', { ...who, count: 1 });
      }
      if (d.retransmissions > 0) {
        tcpEvents.retransmissions += d.retransmissions;
        event(s, d.firstEvidence.retransmission!, 'tcp-retransmission', { ...who, count: d.retransmissions });
      }
      if (d.zeroWindows > 0) {
        tcpEvents.zeroWindows += d.zeroWindows;
        // A zero window advertised by a side: it stopped reading what the other sent.
        event(s, d.firstEvidence.zeroWindow!, 'tcp-zero-window', { ...who, count: d.zeroWindows });
      }
      gaveUp(d);
      if (d.missing > 0 || d.gapBytes > 0) {
        tcpEvents.missing += Math.max(1, d.missing);
        event(s, d.firstEvidence.missing ?? s.lastAt, 'tcp-missing', {
          ...who,
          count: Math.max(1, d.missing),
          // How much of the stream the capture lacks, and how much after it could not be read.
          bytes: d.gapBytes,
          unreadBytes: d.unreadBytes,
        });
      }
    }
    const ends = (['client', 'server'] as const)
      .flatMap((from) => [
        { from, at: s[from].rst, how: 'reset' as const },
        { from, at: s[from].fin, how: 'FIN' as const },
      ])
      .filter((e): e is { from: 'client' | 'server'; at: number; how: 'reset' | 'FIN' } => e.at !== null)
      .sort((a, b) => a.at - b.at || (a.how === 'reset' ? -1 : 1));
    const first = ends[0];
    // A side that sent its FIN and then reset before the other side closed its half (a proxy's
    // abortive close: SO_LINGER 0, as HAProxy's `option nolinger`) reset the connection.
    const abortive =
      first?.how === 'FIN' &&
      s[first.from].rst !== null &&
      (s[first.from === 'client' ? 'server' : 'client'].fin ?? Infinity) > s[first.from].rst!;
    const closedAt = s.close?.at ?? first?.at ?? s.lastAt;
    let closedBy: ClosedBy | null = s.close?.by ?? null;
    let error: { kind: 'reset' | 'other'; message: string } | null = null;
    if (!s.close) {
      if (first) {
        const reset = first.how === 'reset' || abortive;
        closedBy = reset ? 'network' : first.from;
        const addr = s[first.from].address;
        error = {
          kind: reset ? 'reset' : 'other',
          message: reset
            ? `the connection was reset by ${addr} (the ${first.from} side${abortive ? ', right after its FIN' : ''}) without a close frame`
            : `the ${first.from} side (${addr}) closed TCP (FIN) without a close frame`,
        };
        event(s, reset ? s[first.from].rst! : first.at, reset ? 'tcp-closed-by-reset' : 'tcp-closed-by-fin', {
          from: addr,
          side: first.from,
        });
      } else
        error = {
          kind: 'other',
          message: 'the capture ends before the connection does: no close frame, FIN or reset',
        };
    }
    spool!.message({
      type: 'closed',
      ordinal: s.ordinal,
      closedAt,
      code: s.close ? s.close.code : 1006,
      reason: s.close?.reason ?? null,
      closedBy,
      error,
    });
    endedAt = Math.max(endedAt, closedAt);
  };

  let done = PCAP_HEADER_BYTES;
  let packets = 0;
  let shownAt = 0;
  const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
  let failure: unknown = null;
  try {
    for await (const line of lines) {
      const f = line.split('\t');
      const ts = Math.round(Number(f[0]) * 1e6);
      done += onFile(Number(f[1]) || 0);
      packets++;
      if (done - shownAt >= PROGRESS_STEP_BYTES) {
        shownAt = done;
        hooks.onProgress?.({ phase: 'importing', done: Math.min(done, total), total, packets });
      }
      const id = Number(f[2]);
      if (!Number.isInteger(id) || f[2] === '' || gone.has(id)) continue;
      const src = f[3] ? `${f[3]}:${f[5]}` : `[${f[4]}]:${f[5]}`;
      const flags = parseInt(f[6] ?? '0', 16);
      const syn = (flags & 0x02) !== 0;
      const ack = (flags & 0x10) !== 0;
      let s = streams.get(id);
      if (!s) {
        // The side that sent the SYN (or the first segment, when the capture began later) is the client.
        s = {
          id,
          client: side(src),
          server: side(''),
          tls: null,
          synAt: syn && !ack ? ts : null,
          synAckAt: null,
          firstAt: ts,
          requestAt: null,
          state: 'request',
          ordinal: 0,
          url: '',
          requestHeaders: {},
          deflate: null,
          close: null,
          lastAt: ts,
          ended: false,
        };
        if (syn && ack) {
          s.server = s.client;
          s.client = side('');
        }
        streams.set(id, s);
      }
      let from: 'client' | 'server' = src === s.client.address ? 'client' : 'server';
      if (s.client.address === '' && src !== s.server.address) {
        s.client.address = src;
        from = 'client';
      } else if (from === 'server' && s.server.address === '') s.server.address = src;
      if (syn && ack) s.synAckAt ??= ts;
      const d = s[from];
      if (f[11]) {
        d.retransmissions++;
        d.firstEvidence.retransmission ??= ts;
      }
      if (f[12]) {
        d.zeroWindows++;
        d.firstEvidence.zeroWindow ??= ts;
      }
      if (f[13]) {
        d.missing++;
        d.firstEvidence.missing ??= ts;
      }
      const rst = (flags & 0x04) !== 0;
      if (rst) d.rst ??= ts;
      const fin = (flags & 0x01) !== 0;
      const tcpPayload = f[8] ? Buffer.from(f[8], 'hex') : null;
      if (s.tls === null && tcpPayload && from === 'client' && tcpPayload[0] === 0x16) s.tls = true;
      if (s.tls) {
        // TLS: tshark decrypts (with the key log) and puts the records in order; a stream it cannot
        // decrypt yields nothing and is counted as skipped.
        const plain = (f[9] ?? '').split(',').filter((h) => h !== '');
        const types = (f[10] ?? '').split(',');
        if (plain.length > 0 && types.includes('23'))
          for (const h of plain) received(s, from, ts, Buffer.from(h, 'hex'));
        if (fin) d.fin ??= ts;
      } else {
        const payload = tcpPayload ?? Buffer.alloc(0);
        const seq = Number(f[7]);
        segment(s, from, ts, seq, syn, fin, payload);
        const wire = Number(f[14] || 0);
        if (payload.length < wire) {
          // Cut by the capture's snap length: the rest of this stream cannot be read.
          d.missing++;
          d.firstEvidence.missing ??= ts;
          if (s.state === 'open')
            event(s, ts, 'pcap-truncated', {
              side: from,
              message: `the capture kept ${payload.length} of a segment's ${wire} bytes (its snap length); take it again without -s`,
            });
          if (s.ordinal === 0) skip(s);
          else s.state = 'broken';
          d.next = (seq + wire) >>> 0;
        }
      }
      const other = s[from === 'client' ? 'server' : 'client'];
      if (rst || (d.fin !== null && other.fin !== null)) s.ended = true;
      if (s.ended) finish(s);
    }
    for (const s of [...streams.values()]) finish(s);
    // tshark read the whole file.
    hooks.onProgress?.({ phase: 'importing', done: total, total, packets });
  } catch (err) {
    failure = err;
    child.kill();
  }
  const code = await exited;
  // The session ends where its last connection did; what was recorded is kept, even when the
  // capture could not be read to its end.
  if (spool !== null) await (spool as SessionSpool).finish(Math.max(endedAt, startedAt));
  if (failure !== null) throw failure;
  if (code !== 0)
    throw new InputError(
      `tshark cannot read ${fileName}: ${
        stderr
          .trim()
          .split('\n')
          .filter((l) => !/dangerous/.test(l))
          .join(' ') || `exit ${code}`
      }`,
    );
  if (!recording)
    throw new InputError(
      `${fileName} has no WebSocket connection (of ${skipped} TCP stream${skipped === 1 ? '' : 's'}, none upgraded with 101${request.keylog === undefined ? '; for wss:// give the TLS key log with --keylog FILE' : ''}); nothing was imported`,
    );
  return { sessionId: (recording as Recording).sessionId, connections, frames, skipped, tcpEvents };
}
