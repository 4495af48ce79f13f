// A WebSocket "server" spoken by hand over plain TCP, for the peers `ws` will not impersonate: one
// that masks its frames, sends bad UTF-8 or reserved bits, ignores a close, keeps TCP open after
// the closing handshake, trickles its 101, or answers 101 without an Upgrade header. It records
// the frames the client sends (unmasked), so tests can read the close code the client sent.
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface ClientFrame {
  opcode: number;
  payload: Buffer;
}

export interface RawPeer {
  url: string;
  /** Frames received from the client, in order. */
  received: ClientFrame[];
  /** The code of the client's close frame, once one came. */
  closeCode(): number | null;
  close(): Promise<void>;
}

export interface RawScript {
  /** What to answer to the upgrade request; default a proper 101. `key` is Sec-WebSocket-Key. */
  response?: (key: string) => string;
  /** Bytes of the response written one at a time, this many ms apart (a trickling server). */
  trickleMs?: number;
  /** Runs once the upgrade is answered. */
  open?: (socket: Socket) => void;
  /** Runs for each frame from the client; default: answer a close with the same close, then end. */
  frame?: (socket: Socket, frame: ClientFrame) => void;
  /** Keep our side of TCP open when the client ends its side (a peer that never lets go). */
  holdTcp?: boolean;
}

/** How a hand-made frame breaks (or keeps) the rules. */
export interface FrameOptions {
  /** Mask the payload (clients must, servers must not). */
  mask?: boolean;
  /** RSV1..RSV3 as a 3-bit number (4 = RSV1). */
  rsv?: number;
  /** The FIN bit; default set. */
  fin?: boolean;
  /** The length the header announces, when it should differ from the payload's (up to 2^64 - 1). */
  length?: bigint;
}

/** A frame as written on the wire: FIN, RSV bits, the opcode, the length, the mask and the payload. */
export function wireFrame(opcode: number, payload: Buffer, options: FrameOptions = {}): Buffer {
  const head: number[] = [((options.fin ?? true) ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | opcode];
  const maskBit = options.mask ? 0x80 : 0;
  const length = options.length ?? BigInt(payload.length);
  if (length < 126n) head.push(maskBit | Number(length));
  else if (length < 65536n) head.push(maskBit | 126, Number(length >> 8n), Number(length & 0xffn));
  else {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(length);
    head.push(maskBit | 127, ...b);
  }
  if (!options.mask) return Buffer.concat([Buffer.from(head), payload]);
  const key = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([Buffer.from(head), key, masked]);
}

/** A frame from the server: FIN, the given opcode, unmasked unless `mask`; `rsv` sets RSV bits. */
export function serverFrame(opcode: number, payload: Buffer, options: FrameOptions = {}): Buffer {
  return wireFrame(opcode, payload, options);
}

/** A close frame's payload: the code, then the reason's bytes. */
export function closePayload(code: number, reason: Buffer = Buffer.alloc(0)): Buffer {
  const p = Buffer.alloc(2);
  p.writeUInt16BE(code);
  return Buffer.concat([p, reason]);
}

/** A close frame from the server with `code`. */
export function closeFrame(code: number): Buffer {
  return serverFrame(8, closePayload(code));
}

export function accept(key: string): string {
  return createHash('sha1')
    .update(key + GUID)
    .digest('base64');
}

/** Whole frames at the head of `buf` (masked or not), and the bytes of a frame not complete yet. */
export function parseFrames(buf: Buffer): { frames: ClientFrame[]; rest: Buffer } {
  const frames: ClientFrame[] = [];
  let p = 0;
  while (buf.length - p >= 2) {
    const opcode = buf[p]! & 0x0f;
    const masked = (buf[p + 1]! & 0x80) !== 0;
    let len = buf[p + 1]! & 0x7f;
    let q = p + 2;
    if (len === 126) {
      if (buf.length - q < 2) break;
      len = buf.readUInt16BE(q);
      q += 2;
    } else if (len === 127) {
      if (buf.length - q < 8) break;
      len = Number(buf.readBigUInt64BE(q));
      q += 8;
    }
    const keyLength = masked ? 4 : 0;
    if (buf.length - q < keyLength + len) break;
    const key = buf.subarray(q, q + keyLength);
    const body = buf.subarray(q + keyLength, q + keyLength + len);
    const payload = masked ? Buffer.from(body.map((b, i) => b ^ key[i % 4]!)) : Buffer.from(body);
    frames.push({ opcode, payload });
    p = q + keyLength + len;
  }
  return { frames, rest: buf.subarray(p) };
}

/** Starts a peer on 127.0.0.1, port 0, that follows `script`. */
export function rawPeer(script: RawScript = {}): Promise<RawPeer> {
  const received: ClientFrame[] = [];
  const sockets = new Set<Socket>();
  const timers: NodeJS.Timeout[] = [];
  const server = createServer({ allowHalfOpen: script.holdTcp ?? false }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let head = Buffer.alloc(0);
    let upgraded = false;
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      if (!upgraded) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        upgraded = true;
        const key = /sec-websocket-key:\s*(\S+)/i.exec(head.subarray(0, end).toString())?.[1] ?? '';
        const answer =
          script.response?.(key) ??
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(key)}\r\n\r\n`;
        if (script.trickleMs !== undefined) {
          const bytes = Buffer.from(answer);
          let i = 0;
          const t = setInterval(() => {
            if (socket.destroyed || i >= bytes.length) return clearInterval(t);
            socket.write(bytes.subarray(i, ++i));
          }, script.trickleMs);
          timers.push(t);
          return;
        }
        socket.write(answer);
        script.open?.(socket);
        chunk = head.subarray(end + 4);
      }
      pending = Buffer.concat([pending, chunk]);
      const { frames, rest } = parseFrames(pending);
      pending = rest;
      for (const f of frames) {
        received.push(f);
        if (script.frame) script.frame(socket, f);
        else if (f.opcode === 8) {
          socket.write(serverFrame(8, f.payload));
          socket.end();
        }
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `ws://127.0.0.1:${port}/`,
        received,
        closeCode: () => {
          const c = received.find((f) => f.opcode === 8);
          return c && c.payload.length >= 2 ? c.payload.readUInt16BE(0) : null;
        },
        close: () =>
          new Promise((done) => {
            for (const t of timers) clearInterval(t);
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
