// A MessagePack reader (https://github.com/msgpack/msgpack/blob/master/spec.md) for the protocols
// that carry it in binary frames: Socket.IO's msgpack parser, SignalR's MessagePack hub protocol.
// Pure and bounded: it reads one value from the head of a buffer and says how many bytes it used,
// or fails with the offset where the bytes stop making sense. Maps become plain objects (keys as
// text), bin and ext become byte arrays, 64-bit integers beyond 2^53 lose precision as in JSON.

/** Why a buffer is not the MessagePack value it starts as. */
export class MsgpackError extends Error {}

/** Nesting deeper than this is refused: a frame is not a way to exhaust the stack. */
const MAX_DEPTH = 64;

const utf8 = new TextDecoder('utf-8');

/** One MessagePack value read from the head of `bytes`, with the bytes it took. */
export function readMsgpack(bytes: Uint8Array): { value: unknown; length: number } {
  const r = new Reader(bytes);
  const value = r.value(0);
  return { value, length: r.at };
}

/** `bytes` as exactly one MessagePack value; throws MsgpackError when bytes are left over or missing. */
export function decodeMsgpack(bytes: Uint8Array): unknown {
  const { value, length } = readMsgpack(bytes);
  if (length !== bytes.length)
    throw new MsgpackError(`${bytes.length - length} bytes follow the value at offset ${length}`);
  return value;
}

class Reader {
  at = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): number {
    const start = this.at;
    if (start + n > this.bytes.length)
      throw new MsgpackError(
        `cut short at offset ${start}: ${n} bytes wanted, ${this.bytes.length - start} left`,
      );
    this.at += n;
    return start;
  }

  private u8 = () => this.view.getUint8(this.need(1));
  private u16 = () => this.view.getUint16(this.need(2));
  private u32 = () => this.view.getUint32(this.need(4));

  private raw(n: number): Uint8Array {
    const start = this.need(n);
    return this.bytes.subarray(start, start + n);
  }

  private text(n: number): string {
    return utf8.decode(this.raw(n));
  }

  /** A count of `n` values needs at least `n` bytes (`per` for maps): refused early when they are not there. */
  private count(n: number, per: number): number {
    if (n * per > this.bytes.length - this.at)
      throw new MsgpackError(`cut short at offset ${this.at}: ${n} values announced`);
    return n;
  }

  private array(n: number, depth: number): unknown[] {
    this.count(n, 1);
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(this.value(depth + 1));
    return out;
  }

  private map(n: number, depth: number): Record<string, unknown> {
    this.count(n, 2);
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const key = this.value(depth + 1);
      const value = this.value(depth + 1);
      Object.defineProperty(out, String(key), {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) throw new MsgpackError(`nested deeper than ${MAX_DEPTH}`);
    const start = this.at;
    const b = this.u8();
    if (b <= 0x7f) return b;
    if (b >= 0xe0) return b - 0x100;
    if (b >= 0xa0 && b <= 0xbf) return this.text(b & 0x1f);
    if (b >= 0x90 && b <= 0x9f) return this.array(b & 0x0f, depth);
    if (b >= 0x80 && b <= 0x8f) return this.map(b & 0x0f, depth);
    switch (b) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.raw(this.u8());
      case 0xc5:
        return this.raw(this.u16());
      case 0xc6:
        return this.raw(this.u32());
      case 0xc7:
        return this.ext(this.u8());
      case 0xc8:
        return this.ext(this.u16());
      case 0xc9:
        return this.ext(this.u32());
      case 0xca:
        return this.view.getFloat32(this.need(4));
      case 0xcb:
        return this.view.getFloat64(this.need(8));
      case 0xcc:
        return this.u8();
      case 0xcd:
        return this.u16();
      case 0xce:
        return this.u32();
      case 0xcf:
        return Number(this.view.getBigUint64(this.need(8)));
      case 0xd0:
        return this.view.getInt8(this.need(1));
      case 0xd1:
        return this.view.getInt16(this.need(2));
      case 0xd2:
        return this.view.getInt32(this.need(4));
      case 0xd3:
        return Number(this.view.getBigInt64(this.need(8)));
      case 0xd4:
        return this.ext(1);
      case 0xd5:
        return this.ext(2);
      case 0xd6:
        return this.ext(4);
      case 0xd7:
        return this.ext(8);
      case 0xd8:
        return this.ext(16);
      case 0xd9:
        return this.text(this.u8());
      case 0xda:
        return this.text(this.u16());
      case 0xdb:
        return this.text(this.u32());
      case 0xdc:
        return this.array(this.u16(), depth);
      case 0xdd:
        return this.array(this.u32(), depth);
      case 0xde:
        return this.map(this.u16(), depth);
      case 0xdf:
        return this.map(this.u32(), depth);
      default:
        throw new MsgpackError(`0x${b.toString(16)} at offset ${start} is not a MessagePack type`);
    }
  }

  /** An extension value: its type byte, then its data (timestamps and the like stay bytes). */
  private ext(n: number): Uint8Array {
    this.need(1);
    return this.raw(n);
  }
}
