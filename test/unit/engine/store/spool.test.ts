import { closeSync, openSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  KEPT_PAYLOAD_BYTES,
  readSpool,
  SpoolWriter,
  type SpoolMessage,
} from '../../../../electron/engine/store/spool.js';
import { collector, tempDir, type TempDir } from './helpers.js';

let dir: TempDir;
let fds: number[];

beforeEach(() => {
  dir = tempDir('frameline-spool-');
  fds = [];
});

afterEach(() => {
  for (const fd of fds) closeSync(fd);
  dir.remove();
});

function open(path: string): number {
  const fd = openSync(path, 'r');
  fds.push(fd);
  return fd;
}

const size = (path: string): number => statSync(path).size;

const connection: SpoolMessage = {
  type: 'connection',
  ordinal: 1,
  url: 'wss://example.com/ws',
  startedAt: 1_763_776_433_000_000,
  requestHeaders: { 'User-Agent': 'frameline', 'Sec-WebSocket-Protocol': 'v1' },
};
const handshake: SpoolMessage = {
  type: 'handshake',
  ordinal: 1,
  status: 101,
  responseHeaders: { Upgrade: 'websocket' },
  bodyHead: null,
  subprotocol: 'v1',
  extensions: 'permessage-deflate',
  timings: { dnsMs: 1.25, tcpMs: 2.5, tlsMs: null, upgradeMs: 3.75 },
  openedAt: 1_763_776_433_001_000,
};
const closed: SpoolMessage = {
  type: 'closed',
  ordinal: 1,
  closedAt: 1_763_776_434_000_000,
  code: 1001,
  reason: 'going away – ünïcode',
  closedBy: 'server',
  error: null,
};
const event: SpoolMessage = {
  type: 'event',
  ordinal: null,
  ts: 1_763_776_434_000_001,
  kind: 'note',
  detail: { a: [1, 2] },
};

describe('SpoolWriter + readSpool', () => {
  it('round-trips frames and messages in order with every field', () => {
    const path = dir.file('a.spool');
    const w = new SpoolWriter(path);
    const binary = Buffer.from([0, 1, 2, 250, 251, 255]);
    w.message(connection);
    w.message(handshake);
    w.frame(1, 1, 1_763_776_433_002_003, 0, 1, Buffer.from('héllo'), 1024);
    w.frame(7, 4_000_000_000, 1_763_776_433_002_004, 1, 2, binary, 1024);
    w.frame(1, 3, 1_763_776_433_002_005, 0, 9, Buffer.alloc(0), 1024);
    w.message(closed);
    w.message(event);
    w.close();

    const c = collector();
    const end = readSpool(open(path), 0, size(path), c);
    expect(end).toBe(size(path));
    expect(c.records.map((r) => r.kind)).toEqual([
      'message',
      'message',
      'frame',
      'frame',
      'frame',
      'message',
      'message',
    ]);
    expect(c.messages).toEqual([connection, handshake, closed, event]);
    const [f1, f2, f3] = c.frames;
    expect(f1).toEqual({
      at: expect.any(Number),
      ordinal: 1,
      seq: 1,
      ts: 1_763_776_433_002_003,
      direction: 0,
      opcode: 1,
      truncated: 0,
      size: Buffer.byteLength('héllo'),
      payload: Buffer.from('héllo'),
    });
    expect(f2).toEqual({
      at: expect.any(Number),
      ordinal: 7,
      seq: 4_000_000_000,
      ts: 1_763_776_433_002_004,
      direction: 1,
      opcode: 2,
      truncated: 0,
      size: 6,
      payload: binary,
    });
    expect(f3!.opcode).toBe(9);
    expect(f3!.size).toBe(0);
    expect(f3!.payload.length).toBe(0);
    // Where each payload lies in the file: the frame rows point there instead of copying it.
    const file = readFileSync(path);
    expect(file.subarray(f1!.at, f1!.at + f1!.size).equals(Buffer.from('héllo'))).toBe(true);
    expect(file.subarray(f2!.at, f2!.at + 6).equals(binary)).toBe(true);
  });

  it('stores at most cap payload bytes, flags the frame truncated and keeps the real size', () => {
    const path = dir.file('cap.spool');
    const w = new SpoolWriter(path);
    const data = Buffer.from('0123456789abcdef');
    w.frame(1, 1, 1, 0, 2, data, 4);
    w.frame(1, 2, 2, 0, 2, data, 16); // exactly at the cap: not truncated
    w.frame(1, 3, 3, 0, 2, data, 0);
    w.close();
    const c = collector();
    readSpool(open(path), 0, size(path), c);
    expect(c.frames.map((f) => [f.truncated, f.size, f.payload.toString()])).toEqual([
      [1, 16, '0123'],
      [0, 16, '0123456789abcdef'],
      [1, 16, ''],
    ]);
  });

  it('writes nothing until flushed and reports pending and written bytes', () => {
    const path = dir.file('flush.spool');
    const w = new SpoolWriter(path);
    w.frame(1, 1, 1, 0, 1, Buffer.from('abc'), 100);
    expect(w.pending).toBe(28 + 3);
    expect(size(path)).toBe(0);
    expect(w.flush()).toBe(31);
    expect(w.pending).toBe(0);
    expect(size(path)).toBe(31);
    w.message(event);
    w.close();
    expect(w.written).toBe(size(path));
  });

  it('appends to an existing spool instead of overwriting it', () => {
    const path = dir.file('append.spool');
    const a = new SpoolWriter(path);
    a.frame(1, 1, 1, 0, 1, Buffer.from('first'), 100);
    a.close();
    const b = new SpoolWriter(path);
    b.frame(1, 2, 2, 0, 1, Buffer.from('second'), 100);
    b.close();
    const c = collector();
    readSpool(open(path), 0, size(path), c);
    expect(c.frames.map((f) => f.payload.toString())).toEqual(['first', 'second']);
  });

  it('writes large kept payloads from where they are, in order with the copied records around them', () => {
    const path = dir.file('kept.spool');
    const w = new SpoolWriter(path);
    const big = (n: number) => Buffer.alloc(KEPT_PAYLOAD_BYTES + n, 0x61 + (n % 26));
    const sent: Array<{ payload: Buffer; kept: boolean }> = [];
    // Kept and copied payloads, large and small, with messages between them and flushes at odd
    // places, past the 1 MiB chunk: the file reads back as if every payload had been copied.
    w.message(connection);
    for (let i = 1; i <= 400; i++) {
      const payload = i % 3 === 0 ? Buffer.from(`small ${i}`) : big(i);
      const kept = i % 5 !== 0;
      sent.push({ payload, kept });
      w.frame(1, i, i, 0, 1, payload, i === 7 ? 100 : 1 << 20, payload.length, kept);
      if (i % 50 === 0) w.message(event);
      if (i % 97 === 0) w.flush();
    }
    const pending = w.pending;
    const before = w.written;
    w.close();
    expect(w.written).toBe(before + pending);
    expect(size(path)).toBe(w.written);
    const c = collector();
    expect(readSpool(open(path), 0, size(path), c)).toBe(size(path));
    expect(c.messages).toHaveLength(1 + 8);
    expect(c.frames.map((f) => f.seq)).toEqual(sent.map((_, i) => i + 1));
    c.frames.forEach((f, i) => {
      const want = i === 6 ? sent[i]!.payload.subarray(0, 100) : sent[i]!.payload;
      expect(f.payload.equals(want)).toBe(true);
      expect(f.size).toBe(sent[i]!.payload.length);
    });
  });

  it('keeps many records that overflow the 1 MiB write chunk', () => {
    const path = dir.file('many.spool');
    const w = new SpoolWriter(path);
    const n = 5000;
    const payload = Buffer.alloc(700, 0x61);
    for (let i = 1; i <= n; i++) w.frame(1, i, i, i % 2, 2, payload, 1 << 20);
    w.close();
    const c = collector();
    expect(readSpool(open(path), 0, size(path), c)).toBe(size(path));
    expect(c.frames.length).toBe(n);
    expect(c.frames.every((f, i) => f.seq === i + 1 && f.payload.equals(payload))).toBe(true);
  });
});

describe('readSpool boundaries', () => {
  /** Writes the records one by one and returns the offset after each. */
  function writeWithBoundaries(path: string, count: number): number[] {
    const w = new SpoolWriter(path);
    const ends: number[] = [];
    w.message(connection);
    ends.push(w.flush());
    for (let i = 1; i <= count; i++) {
      w.frame(1, i, 1000 + i, 0, 1, Buffer.from(`frame number ${i}`), 1024);
      ends.push(w.flush());
    }
    w.close();
    return ends;
  }

  it('does not read a torn final record and returns the offset of the last whole one', () => {
    const path = dir.file('torn.spool');
    const ends = writeWithBoundaries(path, 5);
    truncateSync(path, size(path) - 3);
    const c = collector();
    const end = readSpool(open(path), 0, size(path), c);
    expect(end).toBe(ends[ends.length - 2]);
    expect(c.frames.map((f) => f.seq)).toEqual([1, 2, 3, 4]);
    expect(c.frames[3]!.payload.toString()).toBe('frame number 4');
  });

  it('does not read a final record torn inside its length prefix', () => {
    const path = dir.file('torn-prefix.spool');
    const ends = writeWithBoundaries(path, 3);
    const lastWhole = ends[ends.length - 2]!;
    truncateSync(path, lastWhole + 2);
    const c = collector();
    expect(readSpool(open(path), 0, size(path), c)).toBe(lastWhole);
    expect(c.frames.map((f) => f.seq)).toEqual([1, 2]);
  });

  it('stops at a torn record when asked to read past the end of the file', () => {
    const path = dir.file('torn-past-end.spool');
    const ends = writeWithBoundaries(path, 2);
    truncateSync(path, size(path) - 3);
    const c = collector();
    expect(readSpool(open(path), 0, size(path) + 100, c)).toBe(ends[1]);
    expect(c.frames.map((f) => f.seq)).toEqual([1]);
  });

  it('stops at `to` without reading a record that crosses it', () => {
    const path = dir.file('to.spool');
    const ends = writeWithBoundaries(path, 5);
    const c = collector();
    expect(readSpool(open(path), 0, ends[2]!, c)).toBe(ends[2]);
    expect(c.frames.map((f) => f.seq)).toEqual([1, 2]);
    const d = collector();
    expect(readSpool(open(path), 0, ends[2]! + 5, d)).toBe(ends[2]);
    expect(d.frames.map((f) => f.seq)).toEqual([1, 2]);
  });

  it('resumes from an offset it returned', () => {
    const path = dir.file('resume.spool');
    const ends = writeWithBoundaries(path, 5);
    const c = collector();
    expect(readSpool(open(path), ends[2]!, size(path), c)).toBe(size(path));
    expect(c.frames.map((f) => f.seq)).toEqual([3, 4, 5]);
    expect(c.messages).toEqual([]);
  });

  it('reads at most maxFrames frames and returns the offset right after the last one', () => {
    const path = dir.file('max.spool');
    const ends = writeWithBoundaries(path, 10);
    const fd = open(path);
    const c = collector();
    const first = readSpool(fd, 0, size(path), c, 3);
    expect(first).toBe(ends[3]);
    expect(c.frames.map((f) => f.seq)).toEqual([1, 2, 3]);
    expect(c.messages).toEqual([connection]);

    let offset = first;
    let rounds = 0;
    while (offset < size(path)) {
      offset = readSpool(fd, offset, size(path), c, 3);
      rounds++;
    }
    expect(rounds).toBe(3);
    expect(c.frames.map((f) => f.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('returns the start offset when there is nothing to read', () => {
    const path = dir.file('empty.spool');
    writeFileSync(path, '');
    const c = collector();
    expect(readSpool(open(path), 0, 0, c)).toBe(0);
    expect(c.records).toEqual([]);
  });

  it('reads a record larger than its 4 MiB read buffer', () => {
    const path = dir.file('big.spool');
    const big = Buffer.alloc(5 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
    const w = new SpoolWriter(path);
    w.frame(1, 1, 1, 0, 1, Buffer.from('small before'), 8 << 20);
    w.frame(1, 2, 2, 1, 2, big, 8 << 20);
    w.frame(1, 3, 3, 0, 1, Buffer.from('small after'), 8 << 20);
    w.close();
    const c = collector();
    expect(readSpool(open(path), 0, size(path), c)).toBe(size(path));
    expect(c.frames.map((f) => f.seq)).toEqual([1, 2, 3]);
    expect(c.frames[1]!.size).toBe(big.length);
    expect(c.frames[1]!.truncated).toBe(0);
    expect(c.frames[1]!.payload.equals(big)).toBe(true);
    expect(c.frames[2]!.payload.toString()).toBe('small after');
  });

  it('reads a large record that is the first one in the file', () => {
    const path = dir.file('big-first.spool');
    const big = Buffer.alloc(5 * 1024 * 1024, 0x5a);
    const w = new SpoolWriter(path);
    w.frame(2, 9, 9, 0, 2, big, 8 << 20);
    w.close();
    const c = collector();
    expect(readSpool(open(path), 0, size(path), c)).toBe(size(path));
    expect(c.frames.length).toBe(1);
    expect(c.frames[0]!.payload.equals(big)).toBe(true);
  });

  it('leaves a torn large record unread', () => {
    const path = dir.file('big-torn.spool');
    const w = new SpoolWriter(path);
    w.frame(1, 1, 1, 0, 1, Buffer.from('whole'), 8 << 20);
    const whole = w.flush();
    w.frame(1, 2, 2, 0, 2, Buffer.alloc(5 * 1024 * 1024, 1), 8 << 20);
    w.close();
    truncateSync(path, size(path) - 1000);
    const c = collector();
    expect(readSpool(open(path), 0, size(path), c)).toBe(whole);
    expect(c.frames.map((f) => f.seq)).toEqual([1]);
  });

  it('throws on an unknown record kind, naming the byte offset', () => {
    const path = dir.file('damaged.spool');
    const w = new SpoolWriter(path);
    w.frame(1, 1, 1, 0, 1, Buffer.from('ok'), 100);
    const good = w.flush();
    w.close();
    const bad = Buffer.alloc(9);
    bad.writeUInt32LE(5, 0);
    bad[4] = 99;
    writeFileSync(path, Buffer.concat([readFileSync(path), bad]));
    expect(() => readSpool(open(path), 0, size(path), collector())).toThrow(
      new RegExp(`damaged at byte ${good}: unknown record kind 99`),
    );
  });
});

/** Server frames (unmasked, FIN, lengths under 126) written back to back, as one read of a socket gives them. */
function wire(...frames: Array<[number, Buffer]>): { chunk: Buffer; payloads: Buffer[] } {
  const chunk = Buffer.concat(
    frames.map(([op, p]) => Buffer.concat([Buffer.from([0x80 | op, p.length]), p])),
  );
  const payloads: Buffer[] = [];
  let at = 0;
  for (const [, p] of frames) {
    payloads.push(chunk.subarray(at + 2, at + 2 + p.length)); // what the parser hands over: views of the chunk
    at += 2 + p.length;
  }
  return { chunk, payloads };
}

describe('slices: received frames spooled with the bytes of the chunk they came in', () => {
  it('reads back every frame of a chunk, in order, with its payload where the file holds it', () => {
    const path = dir.file('slice.spool');
    const w = new SpoolWriter(path);
    const { chunk, payloads } = wire(
      [1, Buffer.from('one')],
      [9, Buffer.from('beat')],
      [2, Buffer.from([0, 255])],
    );
    w.message(connection);
    w.reading(1, chunk);
    expect(w.sliced(1, 1, 100, 1, payloads[0]!, 1024)).toBe(true);
    expect(w.sliced(1, 2, 100, 9, payloads[1]!, 1024)).toBe(true);
    // Our pong, sent between the ping and the next frame of the same chunk, ends the slice.
    w.frame(1, 3, 101, 1, 10, Buffer.from('beat'), 1024);
    expect(w.sliced(1, 4, 101, 2, payloads[2]!, 1024)).toBe(true);
    w.reading(1, null);
    w.message(closed);
    w.close();

    const c = collector();
    expect(readSpool(open(path), 0, size(path), c)).toBe(size(path));
    expect(c.records.map((r) => (r.kind === 'frame' ? r.frame.seq : r.message.type))).toEqual([
      'connection',
      1,
      2,
      3,
      4,
      'closed',
    ]);
    expect(c.frames.map((f) => [f.ordinal, f.ts, f.direction, f.opcode, f.size, f.truncated])).toEqual([
      [1, 100, 0, 1, 3, 0],
      [1, 100, 0, 9, 4, 0],
      [1, 101, 1, 10, 4, 0],
      [1, 101, 0, 2, 2, 0],
    ]);
    expect(c.frames.map((f) => f.payload.toString('latin1'))).toEqual(['one', 'beat', 'beat', '\x00\xff']);
    const file = readFileSync(path);
    for (const f of c.frames) expect(file.subarray(f.at, f.at + f.size).equals(f.payload)).toBe(true);
  });

  it('spools on its own what does not lie whole in the chunk: a joined copy, a cut payload, another connection', () => {
    const path = dir.file('fallback.spool');
    const w = new SpoolWriter(path);
    const { chunk, payloads } = wire(
      [1, Buffer.from('kept')],
      [1, Buffer.from('a longer one')],
      [1, Buffer.from('b')],
    );
    w.reading(1, chunk);
    expect(w.sliced(1, 1, 5, 1, Buffer.from('joined'), 1024)).toBe(false); // not a view of the chunk
    expect(w.sliced(2, 1, 5, 1, payloads[0]!, 1024)).toBe(false); // another connection's chunk
    expect(w.sliced(1, 1, 5, 1, payloads[1]!, 4)).toBe(false); // over the cap: stored cut, on its own
    expect(w.sliced(1, 1, 5, 1, payloads[2]!, 1024)).toBe(true);
    expect(w.sliced(1, 2, 5, 1, payloads[0]!, 1024)).toBe(false); // before what the slice already holds
    expect(w.sliced(1, 2, 5, 1, chunk, 1024)).toBe(false); // reaching back before it, too
    w.reading(1, null);
    expect(w.sliced(1, 2, 5, 1, payloads[2]!, 1024)).toBe(false); // no chunk being read
    w.close();
    const c = collector();
    readSpool(open(path), 0, size(path), c);
    expect(c.frames.map((f) => f.payload.toString())).toEqual(['b']);
  });

  it('counts the open slice as pending and writes it on flush, the rest of the chunk in a slice of its own', () => {
    const path = dir.file('flush.spool');
    const w = new SpoolWriter(path);
    const { chunk, payloads } = wire([1, Buffer.from('first')], [1, Buffer.from('second')]);
    w.reading(1, chunk);
    w.sliced(1, 1, 7, 1, payloads[0]!, 1024);
    expect(w.pending).toBeGreaterThan(0);
    expect(size(path)).toBe(0);
    w.flush();
    expect(w.pending).toBe(0);
    w.sliced(1, 2, 7, 1, payloads[1]!, 1024);
    w.reading(1, null);
    w.close();
    const c = collector();
    readSpool(open(path), 0, size(path), c);
    expect(c.frames.map((f) => [f.seq, f.payload.toString()])).toEqual([
      [1, 'first'],
      [2, 'second'],
    ]);
  });

  it('refuses a damaged slice whole, at its first byte, and keeps every record before it', () => {
    const path = dir.file('damaged-slice.spool');
    const w = new SpoolWriter(path);
    w.frame(1, 1, 1, 0, 1, Buffer.from('ok'), 100);
    const good = w.flush();
    const { chunk, payloads } = wire([1, Buffer.from('aa')], [1, Buffer.from('bb')]);
    w.reading(1, chunk);
    w.sliced(1, 2, 2, 1, payloads[0]!, 100);
    w.sliced(1, 3, 2, 1, payloads[1]!, 100);
    w.close();
    const file = readFileSync(path);
    // The second frame's length (index entry 2, second word) made to reach past the record.
    file.writeUInt32LE(1000 | (1 << 24), good + 25 + 8 + 4);
    writeFileSync(path, file);
    const c = collector();
    expect(() => readSpool(open(path), 0, size(path), c)).toThrow(
      new RegExp(`damaged at byte ${good}: frame 2 of a slice record lies outside it`),
    );
    expect(c.frames.map((f) => f.payload.toString())).toEqual(['ok']);
  });
});
