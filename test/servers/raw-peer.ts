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

/** A frame from the server: FIN, the given opcode, unmasked unless `mask`; `rsv` sets RSV bits. */
export function serverFrame(
  opcode: number,
  payload: Buffer,
  options: { mask?: boolean; rsv?: number } = {},
): Buffer {
  const head: number[] = [0x80 | ((options.rsv ?? 0) << 4) | opcode];
  const maskBit = options.mask ? 0x80 : 0;
  if (payload.length < 126) head.push(maskBit | payload.length);
  else if (payload.length < 65536) head.push(maskBit | 126, payload.length >> 8, payload.length & 0xff);
  else throw new Error('payload too long for this test peer');
  if (!options.mask) return Buffer.concat([Buffer.from(head), payload]);
  const key = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([Buffer.from(head), key, masked]);
}

/** A close frame from the server with `code`. */
export function closeFrame(code: number): Buffer {
  const p = Buffer.alloc(2);
  p.writeUInt16BE(code);
  return serverFrame(8, p);
}

export function accept(key: string): string {
  return createHash('sha1')
    .update(key + GUID)
    .digest('base64');
}

function parseClientFrames(buf: Buffer): { frames: ClientFrame[]; rest: Buffer } {
  const frames: ClientFrame[] = [];
  let p = 0;
  while (buf.length - p >= 2) {
    const opcode = buf[p]! & 0x0f;
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
    if (buf.length - q < 4 + len) break;
    const key = buf.subarray(q, q + 4);
    const payload = Buffer.from(buf.subarray(q + 4, q + 4 + len).map((b, i) => b ^ key[i % 4]!));
    frames.push({ opcode, payload });
    p = q + 4 + len;
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
      const { frames, rest } = parseClientFrames(pending);
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
