// The spool is a capture's write-ahead file. The receiving thread appends packed records to it
// (a write into the page cache, never a wait on SQLite); the writer thread reads them back and
// commits them; a crash leaves the file behind and the next open replays it. Layout of a record,
// little-endian: u32 length of what follows, u8 kind, then the body.
//   frame:   u32 connection ordinal, u32 seq, f64 ts (µs), u8 direction, u8 opcode, u8 truncated,
//            u32 real size, payload bytes (possibly capped)
//   message: UTF-8 JSON of a SpoolMessage
import { closeSync, fstatSync, openSync, readSync, writevSync, writeSync } from 'node:fs';
import type { ClosedBy, ErrorKind, Headers, Timings } from '../../../shared/contract.js';
import { valueRefused } from './io-errors.js';

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
      /** A relayed connection: the relay's fault that ended it, and how its leg to the server closed. */
      fault?: string | null;
      upstream?: { code: number | null; reason: string | null } | null;
    }
  | { type: 'event'; ordinal: number | null; ts: number; kind: string; detail: unknown };

/** One frame as read back from the spool; `payload` is a view into the read buffer. */
export interface SpooledFrame {
  /** Byte offset of the payload in the spool file (where the frame row points). */
  at: number;
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
/**
 * Payloads at least this large that the caller will never change (`kept`) are written to the file
 * from where they are, beside the buffered headers, instead of being copied into the chunk first:
 * in a flood of 16 KiB frames that copy was a second pass over every byte on the receiving thread.
 */
export const KEPT_PAYLOAD_BYTES = 4096;

/**
 * Appends records to a spool file. Used on the receiving thread: every call is cheap and bounded,
 * and `flush` hands what is buffered to the page cache at once — a copy, never a wait on SQLite —
 * so that a crash of the app loses nothing flushed. (Handing chunks to a thread pool instead bought
 * no speed on two cores and left megabytes in memory, open to a crash.) `onWritten` reports each
 * new durable length.
 */
export class SpoolWriter {
  private readonly fd: number;
  private chunk: Buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  /**
   * What waits to be written before chunk[start..used], in file order: parts of the chunk and kept
   * payloads between them (empty while every payload was copied into the chunk).
   */
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private start = 0;
  /** Bytes written to the file so far (everything before this offset survives a crash of the app). */
  written: number;

  constructor(
    readonly path: string,
    private readonly onWritten: (upTo: number) => void = () => {},
  ) {
    this.fd = openSync(path, 'a');
    this.written = fstatSync(this.fd).size;
  }

  frame(
    ordinal: number,
    seq: number,
    ts: number,
    direction: number,
    opcode: number,
    data: Buffer,
    cap: number,
    /** The size on the wire when `data` is already a cut copy of the payload (an import). */
    size = data.length,
    /** The caller never changes `data` (a received payload): a large one is written from where it is. */
    kept = false,
  ): void {
    const stored = data.length > cap ? cap : data.length;
    const byReference = kept && stored >= KEPT_PAYLOAD_BYTES;
    const need = FRAME_HEADER + stored;
    const buffered = byReference ? FRAME_HEADER : need;
    if (this.used + buffered > this.chunk.length) this.grow(buffered);
    const c = this.chunk;
    let o = this.used;
    c.writeUInt32LE(need - 4, o);
    c[o + 4] = KIND_FRAME;
    c.writeUInt32LE(ordinal, o + 5);
    c.writeUInt32LE(seq, o + 9);
    c.writeDoubleLE(ts, o + 13);
    c[o + 21] = direction;
    c[o + 22] = opcode;
    c[o + 23] = stored < data.length || size > data.length ? 1 : 0;
    c.writeUInt32LE(Math.max(size, data.length), o + 24);
    o += FRAME_HEADER;
    if (byReference) {
      this.used = o;
      this.parts.push(c.subarray(this.start, o), stored === data.length ? data : data.subarray(0, stored));
      this.partsBytes += o - this.start + stored;
      this.start = o;
      return;
    }
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

  /** Bytes appended but not yet written to the file. */
  get pending(): number {
    return this.partsBytes + this.used - this.start;
  }

  /** Writes what is buffered to the file; returns the durable length. */
  flush(): number {
    const pending = this.pending;
    if (pending === 0) return this.written;
    if (this.parts.length === 0) {
      let off = 0;
      while (off < this.used) off += writeSync(this.fd, this.chunk, off, this.used - off);
    } else {
      let parts = this.parts;
      if (this.used > this.start) parts.push(this.chunk.subarray(this.start, this.used));
      let left = pending;
      while (left > 0) {
        let n = writevSync(this.fd, parts);
        left -= n;
        // A short write: on from the first byte not written.
        let i = 0;
        while (n > 0 && n >= parts[i]!.length) n -= parts[i++]!.length;
        parts = parts.slice(i);
        if (n > 0) parts[0] = parts[0]!.subarray(n);
      }
      this.parts = [];
      this.partsBytes = 0;
    }
    this.written += pending;
    this.used = 0;
    this.start = 0;
    this.onWritten(this.written);
    return this.written;
  }

  /** Flushes and closes the file; returns its length. */
  close(): number {
    this.flush();
    this.discard();
    return this.written;
  }

  /**
   * Closes the file without writing what is still buffered: after a failed write (a full disk),
   * appending more would follow a torn record, so whatever the file holds now is what it keeps.
   */
  discard(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private closed = false;

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

/** Thrown by a visitor for a whole record that contradicts what came before (a damaged spool). */
export class SpoolRecordError extends Error {
  override name = 'SpoolRecordError';
}

/** Receives the records read back from a spool. */
export interface SpoolVisitor {
  frame(frame: SpooledFrame): void;
  message(msg: SpoolMessage): void;
}

/** How much of a spool is read at a time. */
export const SPOOL_READ_BYTES = 4 << 20;

/**
 * Runs a visitor on the record at `at`, turning its SpoolRecordError, or a value the database
 * refuses to store, into damage at that offset: such a record can never be applied, and must not
 * keep its session from being recovered (everything before it is kept).
 */
function visit(at: number, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (err instanceof SpoolRecordError)
      throw new SpoolDamagedError(at, `spool is damaged at byte ${at}: ${err.message}`);
    const refused = valueRefused(err);
    if (refused !== null)
      throw new SpoolDamagedError(
        at,
        `spool cannot be applied past byte ${at}: its record there holds a value the database cannot store (${refused})`,
      );
    throw err;
  }
}

/**
 * Reads whole records from `from` up to at most `to` (or the end of the file), at most `maxFrames`
 * frames; returns the offset after the last whole record read. A torn record at the end (a crash
 * mid-write) is left unread. `scratch` (SPOOL_READ_BYTES long) is read into instead of a new buffer:
 * a caller that reads again and again keeps one, so the pages of a fresh 4 MiB buffer are not
 * faulted in every time.
 */
export function readSpool(
  fd: number,
  from: number,
  to: number,
  visitor: SpoolVisitor,
  maxFrames = Infinity,
  scratch?: Buffer,
): number {
  let offset = from;
  let frames = 0;
  let buf = scratch ?? Buffer.allocUnsafe(SPOOL_READ_BYTES);
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
        if (len + 4 < FRAME_HEADER) {
          throw new SpoolDamagedError(
            offset + p,
            `spool is damaged at byte ${offset + p}: a frame record of ${len + 4} bytes is shorter than its header`,
          );
        }
        const size = buf.readUInt32LE(p + 24);
        visit(offset + p, () =>
          visitor.frame({
            at: offset + p + FRAME_HEADER,
            ordinal: buf.readUInt32LE(p + 5),
            seq: buf.readUInt32LE(p + 9),
            ts: buf.readDoubleLE(p + 13),
            direction: buf[p + 21]!,
            opcode: buf[p + 22]!,
            truncated: buf[p + 23]!,
            size,
            payload: buf.subarray(p + FRAME_HEADER, p + 4 + len),
          }),
        );
        frames++;
      } else if (kind === KIND_MESSAGE) {
        let msg: SpoolMessage;
        try {
          msg = JSON.parse(buf.toString('utf8', p + 5, p + 4 + len)) as SpoolMessage;
        } catch {
          throw new SpoolDamagedError(
            offset + p,
            `spool is damaged at byte ${offset + p}: unreadable message`,
          );
        }
        visit(offset + p, () => visitor.message(msg));
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
