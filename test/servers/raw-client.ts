// A WebSocket client spoken by hand over plain TCP, for the clients `ws` will not impersonate: one
// that leaves its frames unmasked, sends bad UTF-8, reserved bits, reserved opcodes, oversized or
// fragmented control frames, or floods pings. It keeps every frame the server sends, so tests read
// the close code the server really put on the wire.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { accept, parseFrames, type ClientFrame } from './raw-peer.js';

export interface RawClient {
  /** Frames the server sent after its 101, in order. */
  received: ClientFrame[];
  /** Writes bytes as they are (build frames with wireFrame; clients mask). */
  write(bytes: Buffer): void;
  /** The code of the server's close frame, once one came (1005 for an empty one). */
  closeCode(): number | null;
  /** Resolves when the server ended the TCP connection (or it was destroyed). */
  ended: Promise<void>;
  destroy(): void;
}

/** Connects to a ws:// URL on loopback and completes the upgrade (rejects on anything but a proper 101). */
export function rawClient(url: string, timeoutMs = 10_000): Promise<RawClient> {
  const u = new URL(url);
  const key = randomBytes(16).toString('base64');
  const socket: Socket = connect({ host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port) });
  const received: ClientFrame[] = [];
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no 101 from ${url} within ${timeoutMs} ms`));
    }, timeoutMs);
    let head: Buffer = Buffer.alloc(0);
    let pending: Buffer = Buffer.alloc(0);
    let upgraded = false;
    socket.on('connect', () =>
      socket.write(
        `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    socket.on('close', () => {
      clearTimeout(timer);
      if (!upgraded) reject(new Error(`${url} closed before its 101`));
    });
    socket.on('data', (chunk: Buffer) => {
      if (!upgraded) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const answer = head.subarray(0, end).toString();
        if (!/^HTTP\/1\.1 101 /.test(answer) || !answer.includes(accept(key))) {
          socket.destroy();
          return reject(new Error(`not a proper 101 from ${url}: ${answer.split('\r\n')[0]}`));
        }
        upgraded = true;
        clearTimeout(timer);
        chunk = head.subarray(end + 4);
        resolve({
          received,
          write: (bytes) => void socket.write(bytes),
          closeCode: () => {
            const c = received.find((f) => f.opcode === 8);
            if (!c) return null;
            return c.payload.length >= 2 ? c.payload.readUInt16BE(0) : 1005;
          },
          ended,
          destroy: () => socket.destroy(),
        });
      }
      pending = Buffer.concat([pending, chunk]);
      const { frames, rest } = parseFrames(pending);
      pending = rest;
      received.push(...frames);
    });
  });
}
