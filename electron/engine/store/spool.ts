// The spool is a capture's write-ahead file. The receiving thread appends packed records to it
// (a write into the page cache, never a wait on SQLite); the writer thread reads them back and
// commits them; a crash leaves the file behind and the next open replays it. Layout of a record,
// little-endian: u32 length of what follows, u8 kind, then the body.
//   frame:   u32 connection ordinal, u32 seq, f64 ts (µs), u8 direction, u8 opcode, u8 truncated,
//            u32 real size, payload bytes (possibly capped)
//   message: UTF-8 JSON of a SpoolMessage
//   slice:   u32 connection ordinal, u32 seq of its first frame, f64 ts (µs), u32 count, then per
//            frame u32 offset of its payload in the bytes and u32 length | opcode << 24 (a slice
//            holds whole payloads under 4 KiB), then the bytes: a run of the socket's bytes as
//            they were read (frame headers included), holding the payloads of `count` received
//            frames with consecutive seqs and one time (how a flood of small frames is spooled:
//            see SpoolWriter.reading)
import { closeSync, fstatSync, openSync, readSync, writevSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import type { ClosedBy, ErrorKind, Headers, Timings } from '../../../shared/contract.js';
import { valueRefused } from './io-errors.js';

export const KIND_FRAME = 1;
export const KIND_MESSAGE = 2;
export const KIND_SLICE = 3;
const FRAME_HEADER = 4 + 1 + 4 + 4 + 8 + 1 + 1 + 1 + 4; // 28 bytes before the payload
const SLICE_HEADER = 4 + 1 + 4 + 4 + 8 + 4; // 25 bytes before the index
/** 32-bit words per frame in a slice's index. */
const SLICE_ENTRY = 2;
/** Frames per slice at most (a longer run of the same chunk is cut into several slices). */
const SLICE_FRAMES = 4096;
/** The index is written from a Uint32Array as it lies in memory: little-endian machines only. */
const SLICES = endianness() === 'LE';

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
  /**
   * The chunk the socket of connection `rawOrdinal` just gave (see `reading`), and the open slice
   * of it: the frames indexed since `sliceFrom` (`count` of them, from seq `sliceSeq`, all at
   * `sliceTs`), whose payloads end at `sliceEnd`.
   */
  private raw: Buffer | null = null;
  private rawMemory: ArrayBufferLike | null = null;
  /** Where the chunk lies in its memory: its first byte, and the first byte after it. */
  private rawStart = 0;
  private rawEnd = 0;
  private rawOrdinal = -1;
  private sliceFrom = 0;
  private sliceEnd = 0;
  private sliceSeq = 0;
  private sliceTs = 0;
  private count = 0;
  private readonly index = new Uint32Array(SLICE_FRAMES * SLICE_ENTRY);

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
    this.cutSlice();
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

  /**
   * Spools a received payload that still lies whole in the chunk being read (see `reading`): its
   * place in the chunk is added to the open slice (two numbers; its bytes are written with the
   * chunk's). False, and nothing spooled, when it does not lie there (or would be cut to `cap`), or
   * is large (KEPT_PAYLOAD_BYTES or more: written from where it is, it costs one header, and a slice
   * buys nothing): `frame` spools it then.
   */
  sliced(ordinal: number, seq: number, ts: number, opcode: number, data: Buffer, cap: number): boolean {
    if (this.raw === null) return false;
    const length = data.length;
    const at = data.byteOffset - this.rawStart;
    if (
      ordinal !== this.rawOrdinal ||
      data.buffer !== this.rawMemory ||
      at < this.sliceEnd ||
      this.rawStart + at + length > this.rawEnd ||
      length > cap ||
      length >= KEPT_PAYLOAD_BYTES
    )
      return false;
    let count = this.count;
    if (count > 0 && (ts !== this.sliceTs || seq !== this.sliceSeq + count || count === SLICE_FRAMES)) {
      this.cutSlice();
      count = 0;
    }
    if (count === 0) {
      this.sliceSeq = seq;
      this.sliceTs = ts;
    }
    const i = count * SLICE_ENTRY;
    const index = this.index;
    index[i] = at - this.sliceFrom;
    index[i + 1] = length | (opcode << 24);
    this.count = count + 1;
    this.sliceEnd = at + length;
    return true;
  }

  /**
   * The socket of connection `ordinal` gave `chunk` (before the WebSocket parser reads it; `null`
   * once it has read it). The payloads of received frames that lie whole in it are then spooled as
   * slices of it: the chunk's bytes handed to the file as they are, with an index of where each
   * payload lies, instead of a header and a copy per frame — in a flood of small frames, that
   * per-frame work was a third of the receiving thread's. The chunk must never change afterwards
   * (a socket's chunks never do).
   */
  reading(ordinal: number, chunk: Buffer | null): void {
    this.cutSlice();
    const raw = SLICES ? chunk : null;
    this.raw = raw;
    this.rawMemory = raw === null ? null : raw.buffer;
    this.rawStart = raw === null ? 0 : raw.byteOffset;
    this.rawEnd = raw === null ? 0 : raw.byteOffset + raw.length;
    this.rawOrdinal = ordinal;
    this.sliceFrom = 0;
    this.sliceEnd = 0;
  }

  /** Appends the open slice as a record; later frames of the same chunk start a new one. */
  private cutSlice(): void {
    const count = this.count;
    if (count === 0) return;
    this.count = 0;
    const raw = this.raw!;
    const bytes = raw.subarray(this.sliceFrom, this.sliceEnd);
    this.sliceFrom = this.sliceEnd;
    const indexBytes = count * SLICE_ENTRY * 4;
    const byReference = bytes.length >= KEPT_PAYLOAD_BYTES;
    const head = SLICE_HEADER + indexBytes;
    const buffered = byReference ? head : head + bytes.length;
    if (this.used + buffered > this.chunk.length) this.grow(buffered);
    const c = this.chunk;
    let o = this.used;
    c.writeUInt32LE(head + bytes.length - 4, o);
    c[o + 4] = KIND_SLICE;
    c.writeUInt32LE(this.rawOrdinal, o + 5);
    c.writeUInt32LE(this.sliceSeq, o + 9);
    c.writeDoubleLE(this.sliceTs, o + 13);
    c.writeUInt32LE(count, o + 21);
    o += SLICE_HEADER;
    c.set(new Uint8Array(this.index.buffer, 0, indexBytes), o);
    o += indexBytes;
    if (byReference) {
      this.used = o;
      this.parts.push(c.subarray(this.start, o), bytes);
      this.partsBytes += o - this.start + bytes.length;
      this.start = o;
      return;
    }
    bytes.copy(c, o);
    this.used = o + bytes.length;
  }

  message(msg: SpoolMessage): void {
    this.cutSlice();
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    const need = 5 + body.length;
    if (this.used + need > this.chunk.length) this.grow(need);
    this.chunk.writeUInt32LE(need - 4, this.used);
    this.chunk[this.used + 4] = KIND_MESSAGE;
    body.copy(this.chunk, this.used + 5);
    this.used += need;
  }

  /** Bytes appended but not yet written to the file (the open slice's included). */
  get pending(): number {
    const slice =
      this.count > 0 ? SLICE_HEADER + this.count * SLICE_ENTRY * 4 + this.sliceEnd - this.sliceFrom : 0;
    return this.partsBytes + this.used - this.start + slice;
  }

  /** Writes what is buffered to the file; returns the durable length. */
  flush(): number {
    this.cutSlice();
    return this.writeOut();
  }

  private writeOut(): number {
    const pending = this.partsBytes + this.used - this.start;
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
    this.writeOut();
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

/** Visits the frames of the slice record at `p` of `buf` (file offset `offset + p`); returns how many. */
function readSlice(buf: Buffer, p: number, len: number, offset: number, visitor: SpoolVisitor): number {
  const at = offset + p;
  const damaged = (why: string) => new SpoolDamagedError(at, `spool is damaged at byte ${at}: ${why}`);
  if (len + 4 < SLICE_HEADER) throw damaged(`a slice record of ${len + 4} bytes is shorter than its header`);
  const ordinal = buf.readUInt32LE(p + 5);
  const seq = buf.readUInt32LE(p + 9);
  const ts = buf.readDoubleLE(p + 13);
  const count = buf.readUInt32LE(p + 21);
  const indexAt = p + SLICE_HEADER;
  const bytesAt = indexAt + count * SLICE_ENTRY * 4;
  const end = p + 4 + len;
  if (count === 0 || bytesAt > end)
    throw damaged(`a slice record's index of ${count} frames does not fit it`);
  // Every entry is checked before any frame is visited: a damaged slice is refused whole.
  for (let k = 0, e = indexAt; k < count; k++, e += SLICE_ENTRY * 4) {
    const from = bytesAt + buf.readUInt32LE(e);
    const word = buf.readUInt32LE(e + 4);
    if (from + (word & 0xffffff) > end || word >>> 24 > 15)
      throw damaged(`frame ${k + 1} of a slice record lies outside it`);
  }
  for (let k = 0, e = indexAt; k < count; k++, e += SLICE_ENTRY * 4) {
    const from = bytesAt + buf.readUInt32LE(e);
    const word = buf.readUInt32LE(e + 4);
    const length = word & 0xffffff;
    visit(at, () =>
      visitor.frame({
        at: offset + from,
        ordinal,
        seq: seq + k,
        ts,
        direction: 0,
        opcode: word >>> 24,
        truncated: 0,
        size: length,
        payload: buf.subarray(from, from + length),
      }),
    );
  }
  return count;
}

/**
 * Reads whole records from `from` up to at most `to` (or the end of the file), until `maxFrames`
 * frames were read (a slice's frames are read together, so its last one may pass the limit);
 * returns the offset after the last whole record read. A torn record at the end (a crash mid-write)
 * is left unread. `scratch` (SPOOL_READ_BYTES long) is read into instead of a new buffer:
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
      } else if (kind === KIND_SLICE) {
        frames += readSlice(buf, p, len, offset, visitor);
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
