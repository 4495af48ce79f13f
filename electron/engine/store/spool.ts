// The spool is a capture's write-ahead file. The receiving thread appends packed records to it
// (a write into the page cache, never a wait on SQLite); the writer thread reads them back and
// commits them; a crash leaves the file behind and the next open replays it. Layout of a record,
// little-endian: u32 length of what follows, u8 kind, then the body.
//   frame:   u32 connection ordinal, u32 seq, f64 ts (µs), u8 direction, u8 opcode, u8 truncated,
//            u32 real size, payload bytes (possibly capped)
//   message: UTF-8 JSON of a SpoolMessage
import { closeSync, existsSync, fstatSync, openSync, readSync, write, writeSync } from 'node:fs';
import type { ClosedBy, ErrorKind, Headers, Timings } from '../../../shared/model.js';

export const KIND_FRAME = 1;
export const KIND_MESSAGE = 2;
const FRAME_HEADER = 4 + 1 + 4 + 4 + 8 + 1 + 1 + 1 + 4; // 28 bytes before the payload

/** Non-frame facts a capture records, in the order they happened. */
export type SpoolMessage =
  | { type: 'connection'; ordinal: number; url: string; startedAt: number; requestHeaders: Headers }
  | {
      type: 'handshake';
      ordinal: number;
      status: number | null;
      responseHeaders: Headers;
      bodyHead: string | null;
      subprotocol: string | null;
      extensions: string | null;
      timings: Timings;
      openedAt: number | null;
      requestHeaders?: Headers;
    }
  | {
      type: 'closed';
      ordinal: number;
      closedAt: number;
      code: number | null;
      reason: string | null;
      closedBy: ClosedBy | null;
      error: { kind: ErrorKind; message: string } | null;
    }
  | { type: 'event'; ordinal: number | null; ts: number; kind: string; detail: unknown };

/** One frame as read back from the spool; `payload` is a view into the read buffer. */
export interface SpooledFrame {
  ordinal: number;
  seq: number;
  ts: number;
  direction: number;
  opcode: number;
  truncated: number;
  size: number;
  payload: Buffer;
}

const CHUNK_BYTES = 1 << 20;

/** Bytes that may wait for the thread pool before the receiving thread writes a chunk itself. */
const MAX_QUEUED_BYTES = 32 << 20;

interface PendingChunk {
  buf: Buffer;
  len: number;
  /** Where it goes in the file: chunks are written by position, so they may land out of order. */
  at: number;
  done: boolean;
}

/**
 * Appends records to a spool file. Used on the receiving thread: every call is cheap and bounded.
 * With `background`, full chunks are written by libuv's thread pool (one write in flight, each at
 * its own position), so that the receiving thread does not copy into the page cache itself; if the
 * pool falls behind by more than a fixed budget the receiving thread writes the chunk itself, which
 * bounds memory. `onWritten` reports each new durable length (the contiguous prefix on disk).
 */
export class SpoolWriter {
  private readonly fd: number;
  private chunk: Buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  private readonly queue: PendingChunk[] = [];
  private queuedBytes = 0;
  private writing = false;
  private assigned: number;
  private readonly spare: Buffer[] = [];
  private idle: Array<() => void> = [];
  private failure: Error | null = null;
  /** Bytes written to the file so far (everything before this offset survives a crash of the app). */
  written: number;

  constructor(
    readonly path: string,
    private readonly background = false,
    private readonly onWritten: (upTo: number) => void = () => {},
  ) {
    // Not O_APPEND: positioned writes must land where they are told.
    this.fd = existsSync(path) ? openSync(path, 'r+') : openSync(path, 'w');
    this.assigned = fstatSync(this.fd).size;
    this.written = this.assigned;
  }

  frame(
    ordinal: number,
    seq: number,
    ts: number,
    direction: number,
    opcode: number,
    data: Buffer,
    cap: number,
  ): void {
    const stored = data.length > cap ? cap : data.length;
    const need = FRAME_HEADER + stored;
    if (this.used + need > this.chunk.length) this.grow(need);
    const c = this.chunk;
    let o = this.used;
    c.writeUInt32LE(need - 4, o);
    c[o + 4] = KIND_FRAME;
    c.writeUInt32LE(ordinal, o + 5);
    c.writeUInt32LE(seq, o + 9);
    c.writeDoubleLE(ts, o + 13);
    c[o + 21] = direction;
    c[o + 22] = opcode;
    c[o + 23] = stored < data.length ? 1 : 0;
    c.writeUInt32LE(data.length, o + 24);
    o += FRAME_HEADER;
    if (stored === data.length) data.copy(c, o);
    else data.copy(c, o, 0, stored);
    this.used = o + stored;
  }

  message(msg: SpoolMessage): void {
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    const need = 5 + body.length;
    if (this.used + need > this.chunk.length) this.grow(need);
    this.chunk.writeUInt32LE(need - 4, this.used);
    this.chunk[this.used + 4] = KIND_MESSAGE;
    body.copy(this.chunk, this.used + 5);
    this.used += need;
  }

  /** Bytes appended but not yet handed to the file. */
  get pending(): number {
    return this.used;
  }

  /** Hands what is buffered to the file (synchronously, or queued in background mode); returns the durable length. */
  flush(): number {
    if (this.failure) throw this.failure;
    if (this.used === 0) return this.written;
    const buf = this.chunk;
    const len = this.used;
    const at = this.assigned;
    this.used = 0;
    this.assigned += len;
    if (!this.background) {
      this.writeNow(buf, len, at);
      this.written = this.assigned;
      this.onWritten(this.written);
      return this.written;
    }
    this.chunk = this.spare.pop() ?? (Buffer.allocUnsafe(CHUNK_BYTES) as Buffer);
    const entry: PendingChunk = { buf, len, at, done: false };
    this.queue.push(entry);
    if (this.queuedBytes + len > MAX_QUEUED_BYTES) {
      // The disk does not keep up with the wire: spend this thread's time rather than memory.
      this.writeNow(buf, len, at);
      this.complete(entry);
    } else {
      this.queuedBytes += len;
      this.pump();
    }
    return this.written;
  }

  /** Resolves once everything handed over is in the file. */
  drained(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Flushes, waits for the file, and closes it; returns the file's length. */
  async close(): Promise<number> {
    this.flush();
    await this.drained();
    closeSync(this.fd);
    return this.written;
  }

  private writeNow(buf: Buffer, len: number, at: number): void {
    let off = 0;
    while (off < len) off += writeSync(this.fd, buf, off, len - off, at + off);
  }

  /** Marks a chunk written and moves the durable length over every finished chunk at the front. */
  private complete(entry: PendingChunk): void {
    entry.done = true;
    if (entry.buf.length === CHUNK_BYTES) this.spare.push(entry.buf);
    const before = this.written;
    while (this.queue[0]?.done) {
      const head = this.queue.shift()!;
      this.written = head.at + head.len;
    }
    if (this.written !== before) this.onWritten(this.written);
    if (this.queue.length === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  private pump(): void {
    if (this.writing) return;
    const next = this.queue.find((c) => !c.done);
    if (!next) return;
    this.writing = true;
    const writeFrom = (off: number): void => {
      write(this.fd, next.buf, off, next.len - off, next.at + off, (err, n) => {
        if (err) {
          this.failure = new Error(`cannot write the spool ${this.path}: ${err.message}`);
          this.writing = false;
          return;
        }
        if (off + n < next.len) return writeFrom(off + n);
        this.writing = false;
        this.queuedBytes -= next.len;
        if (!next.done) this.complete(next);
        this.pump();
      });
    };
    writeFrom(0);
  }

  private grow(need: number): void {
    this.flush();
    if (need > this.chunk.length) this.chunk = Buffer.allocUnsafe(need);
  }
}

/** A record that is not torn but unreadable; `offset` is where it starts (everything before is whole). */
export class SpoolDamagedError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
    this.name = 'SpoolDamagedError';
  }
}

/** Receives the records read back from a spool. */
export interface SpoolVisitor {
  frame(frame: SpooledFrame): void;
  message(msg: SpoolMessage): void;
}

const READ_BYTES = 4 << 20;

/**
 * Reads whole records from `from` up to at most `to` (or the end of the file), at most `maxFrames`
 * frames; returns the offset after the last whole record read. A torn record at the end (a crash
 * mid-write) is left unread.
 */
export function readSpool(
  fd: number,
  from: number,
  to: number,
  visitor: SpoolVisitor,
  maxFrames = Infinity,
): number {
  let offset = from;
  let frames = 0;
  let buf = Buffer.allocUnsafe(READ_BYTES);
  while (offset < to && frames < maxFrames) {
    const want = Math.min(buf.length, to - offset);
    const got = readSync(fd, buf, 0, want, offset);
    if (got < 5) break;
    let p = 0;
    while (p + 4 <= got && frames < maxFrames) {
      const len = buf.readUInt32LE(p);
      if (p + 4 + len > got) break;
      const kind = buf[p + 4];
      if (kind === KIND_FRAME) {
        const size = buf.readUInt32LE(p + 24);
        visitor.frame({
          ordinal: buf.readUInt32LE(p + 5),
          seq: buf.readUInt32LE(p + 9),
          ts: buf.readDoubleLE(p + 13),
          direction: buf[p + 21]!,
          opcode: buf[p + 22]!,
          truncated: buf[p + 23]!,
          size,
          payload: buf.subarray(p + FRAME_HEADER, p + 4 + len),
        });
        frames++;
      } else if (kind === KIND_MESSAGE) {
        visitor.message(JSON.parse(buf.toString('utf8', p + 5, p + 4 + len)) as SpoolMessage);
      } else {
        throw new SpoolDamagedError(
          offset + p,
          `spool is damaged at byte ${offset + p}: unknown record kind ${kind}`,
        );
      }
      p += 4 + len;
    }
    if (p === 0) {
      // One record larger than the read buffer: grow and read again, unless the file simply ends
      // inside it (a torn record).
      const len = buf.readUInt32LE(0);
      if (got < want || offset + 4 + len > to) break;
      buf = Buffer.allocUnsafe(4 + len);
      continue;
    }
    offset += p;
  }
  return offset;
}
