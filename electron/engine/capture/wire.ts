// Where `ws` writes and parses frames: outgoing frames are seen at its Sender (so that pongs sent
// automatically, the echo of a close and closes after a protocol error are on record too), an
// incoming ping and close at its Receiver, before `ws` answers them. Both are `ws` internals,
// checked when a connection opens, so that an upgrade of `ws` that moves them fails loudly in the
// tests. Used by the capture's client connections and by the mock server's.
import type WebSocket from 'ws';
import type { Headers } from '../../../shared/contract.js';

/** What a tapped connection reports; opcodes are RFC 6455's. */
export interface WireTap {
  /** A frame our side wrote. */
  sent(opcode: number, data: Buffer): void;
  /** A ping or a close frame the peer sent (messages and pongs arrive through ws's own events). */
  received(opcode: number, data: Buffer): void;
}

interface SenderLike {
  send(data: unknown, options: { binary?: boolean }, cb?: unknown): void;
  ping(data: unknown, mask: boolean, cb?: unknown): void;
  pong(data: unknown, mask: boolean, cb?: unknown): void;
  close(code: number | undefined, data: unknown, mask: boolean, cb?: unknown): void;
}

/** Raw HTTP header lines (name, value, name, value…) as an object; repeated names joined with ", ". */
export function headerObject(raw: string[]): Headers {
  const out: Headers = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const existing = Object.keys(out).find((k) => k.toLowerCase() === name.toLowerCase());
    if (existing) out[existing] = `${out[existing]}, ${raw[i + 1]}`;
    else out[name] = raw[i + 1]!;
  }
  return out;
}

/** Any payload ws accepts, as bytes. */
export function toBuffer(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(String(data ?? ''), 'utf8');
}

/** A close frame's payload: the code (none for 1005) and the reason. */
export function closePayload(code: number | undefined, reason: unknown): Buffer {
  if (code === undefined || code === 1005) return Buffer.alloc(0);
  const r = toBuffer(reason ?? '');
  const b = Buffer.allocUnsafe(2 + r.length);
  b.writeUInt16BE(code, 0);
  r.copy(b, 2);
  return b;
}

/**
 * Runs `fn` with the connection's socket corked, so that the frames it sends leave in one write
 * instead of one system call each (ws corks and uncorks around every frame; nested corks hold).
 */
export function corked<T>(ws: WebSocket, fn: () => T): T {
  const socket = (ws as unknown as { _socket?: { cork(): void; uncork(): void } | null })._socket;
  socket?.cork();
  try {
    return fn();
  } finally {
    socket?.uncork();
  }
}

/** Taps an open connection's Sender and Receiver; throws when this version of ws moved them. */
export function tapWire(ws: WebSocket, tap: WireTap): void {
  const internals = ws as unknown as { _sender?: SenderLike; _receiver?: NodeJS.EventEmitter };
  const sender = internals._sender;
  const receiver = internals._receiver;
  if (
    !sender ||
    !receiver ||
    typeof sender.close !== 'function' ||
    typeof receiver.prependListener !== 'function'
  ) {
    throw new Error('this version of ws moved its Sender/Receiver; Frameline cannot record outgoing frames');
  }
  const send = sender.send.bind(sender);
  const ping = sender.ping.bind(sender);
  const pong = sender.pong.bind(sender);
  const close = sender.close.bind(sender);
  sender.send = (data, options, cb) => {
    tap.sent(options.binary ? 2 : 1, toBuffer(data));
    send(data, options, cb);
  };
  sender.ping = (data, mask, cb) => {
    tap.sent(9, toBuffer(data));
    ping(data, mask, cb);
  };
  sender.pong = (data, mask, cb) => {
    tap.sent(10, toBuffer(data));
    pong(data, mask, cb);
  };
  sender.close = (code, data, mask, cb) => {
    tap.sent(8, closePayload(code, data));
    close(code, data, mask, cb);
  };
  // ws answers a ping before it emits 'ping'; listening on the Receiver first keeps the order of the wire.
  receiver.prependListener('ping', (data: Buffer) => tap.received(9, data));
  receiver.prependListener('conclude', (code: number, reason: Buffer) =>
    tap.received(8, closePayload(code, reason)),
  );
}
