// Where `ws` writes and parses frames: outgoing frames are seen at its Sender (so that pongs, the
// echo of a close and closes after a protocol error are on record too), an incoming ping and close
// before they are answered. Used by the capture's client connections and by the mock server's: the
// same code answers pings, and says who closed a connection, with which code and why, for both.
//
// Why this reaches into ws, and how that is kept safe. ws's supported surface is used wherever it
// has one: pings arrive through its 'ping' event (with `autoPong: false` Frameline answers them
// itself, see PONGS_IN_FLIGHT), the negotiated extensions through `extensions`, and the socket to
// cork comes from the 'upgrade' event (a client's response.socket) or handleUpgrade (the mock's).
// Three things ws offers no hook for, and recording needs: the frames it writes (it has no event
// for a frame sent, and sends some by itself: the echo of a close, the close after a protocol
// error), a close frame received (ws says so only once TCP has closed, as 'close' with no order
// against the frames around it), and what was being parsed when the peer broke the protocol (the
// 'error' event has ws's code, not the frame's opcode or compression). For these tapWire wraps the
// methods of the connection's Sender (`_sender`: send, ping, pong, close) and listens first on its
// Receiver (`_receiver`: 'conclude', 'error', `_opcode`, `_compressed`): private fields of ws.
// So ws is pinned to one exact version in package.json (and package-lock.json), tapWire throws
// when they are missing, and test/integration/engine/ws-internals.test.ts checks each field and
// method on a real connection: upgrading ws means running that test and reading ws's changes to
// lib/websocket.js, lib/sender.js and lib/receiver.js.
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import type { ClosedBy, Headers } from '../../../shared/contract.js';
import { protocolViolation, type ProtocolViolation } from './classify.js';

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
 * Runs `fn` with a connection's socket corked, so that the frames it sends leave in one write
 * instead of one system call each (ws corks and uncorks around every frame; nested corks hold).
 * `socket` is the one ws writes to: a client's from the 'upgrade' event, a server's from
 * handleUpgrade; null (not open yet) runs `fn` as it is.
 */
export function corked<T>(socket: Duplex | null, fn: () => T): T {
  socket?.cork();
  try {
    return fn();
  } finally {
    socket?.uncork();
  }
}

/**
 * How long the closing handshake may take once a close frame is sent or received: a peer that
 * ignores our close, or keeps TCP open after the handshake, does not hold the connection longer.
 */
export const CLOSE_WAIT_MS = 2_000;

/** The most fragments a message may have (ws's own default, set here so that messages can name it). */
export const MAX_FRAGMENTS = 16 * 1024;

/**
 * Pongs written and not yet handed to the kernel, at most, per connection.
 *
 * ws's own automatic pong drops the connection (no close frame, a "1006") once 60 are pending: its
 * guard against a peer that floods pings and never reads the answers, whose pongs would pile up in
 * memory. That drop made a capture of a server sending a burst of pings end where a browser's
 * connection goes on, and blamed the network. Frameline answers pings itself instead and keeps the
 * connection: every ping while fewer than this many pongs are on their way (so a burst of a
 * thousand is answered one for one), and beyond that only the latest ping, once the earlier pongs
 * have left (RFC 6455 §5.5.3 allows answering only the most recent of the pings still waiting).
 * Memory stays bounded — this many pongs of at most 131 bytes and one payload kept — whatever the
 * peer does, and the flood itself is on record, frame by frame, for `diagnose` to name (ping-flood).
 */
export const PONGS_IN_FLIGHT = 1024;

/**
 * What ws must be told when it opens a connection that tapWire records: Frameline answers pings
 * itself (see PONGS_IN_FLIGHT), bounds the closing handshake and names the fragment limit.
 */
export const WIRE_SOCKET_OPTIONS = {
  autoPong: false,
  closeTimeout: CLOSE_WAIT_MS,
  maxFragments: MAX_FRAGMENTS,
} as const;

/** Which end of the connection Frameline plays, and how it is named in what is recorded. */
export interface WireRole {
  /** 'client' for a capture, 'server' for the mock. */
  side: 'client' | 'server';
  /** Frameline's side in a sentence: "Frameline", "the mock". */
  name: string;
  /** The largest message accepted, and the flag that sets it (null for a fixed limit). */
  maxPayload: number;
  maxPayloadFlag: string | null;
  /** Answer the peer's pings (the mock's no-pong fault leaves them unanswered). */
  answerPings: boolean;
}

/** How a recorded connection ended: who closed it, with which code, and why. */
export interface WireEnd {
  code: number;
  reason: string;
  closedBy: ClosedBy;
  /** Why Frameline closed the connection itself (the peer broke the protocol, or ignored our close). */
  violation: (Omit<ProtocolViolation, 'description'> & { closeCode: number; message: string }) | null;
}

/** A tapped connection: what it saw of the closing handshake, and how to read how it ended. */
export interface Wire {
  /** The protocol rule the peer broke, once ws found it (ws then closes the connection itself). */
  readonly violation: ProtocolViolation | null;
  /**
   * How the connection ended, from ws's close event and the close frames seen each way: the code on
   * the wire is the truth (ws reports 1006 when no close came back, even after it sent one itself).
   */
  end(code: number, reason: Buffer): WireEnd;
}

/** The private fields of ws's Receiver that tapWire reads (see the top of this file). */
interface ReceiverInternals extends NodeJS.EventEmitter {
  _opcode?: number;
  _compressed?: boolean;
}

/** A close frame's payload read back: its code (1005 for none) and its reason. */
function readClose(payload: Buffer): { code: number; reason: string } {
  if (payload.length < 2) return { code: 1005, reason: '' };
  return { code: payload.readUInt16BE(0), reason: payload.subarray(2).toString('utf8') };
}

/**
 * Taps an open connection's Sender and Receiver (throws when this version of ws moved them),
 * answers its pings (the connection must be opened with WIRE_SOCKET_OPTIONS) and keeps what the
 * closing handshake needs to say who closed.
 */
export function tapWire(ws: WebSocket, tap: WireTap, role: WireRole): Wire {
  // The private fields this relies on; see the top of this file for why, and for their test.
  const internals = ws as unknown as { _sender?: SenderLike; _receiver?: ReceiverInternals };
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
  const peer = role.side === 'client' ? 'server' : 'client';
  let sentClose: { code: number; reason: string } | null = null;
  let receivedClose = false;
  let closeSentFirst = false;
  let violation: ProtocolViolation | null = null;

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
    const payload = closePayload(code, data);
    if (sentClose === null) {
      sentClose = readClose(payload);
      if (!receivedClose) closeSentFirst = true;
    }
    tap.sent(8, payload);
    close(code, data, mask, cb);
  };

  let inFlight = 0;
  let owed: Buffer | null = null;
  const pongSent = () => {
    inFlight--;
    if (owed !== null && inFlight < PONGS_IN_FLIGHT && ws.readyState === ws.OPEN) {
      const data = owed;
      owed = null;
      inFlight++;
      ws.pong(data, undefined, pongSent);
    }
  };
  const answer = (data: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    if (inFlight >= PONGS_IN_FLIGHT) {
      owed = data; // answered once a pong on its way has left: the latest ping wins
      return;
    }
    owed = null;
    inFlight++;
    ws.pong(data, undefined, pongSent);
  };

  // Listening first keeps the order of the wire: the ping, then its pong (with autoPong off, ws
  // itself answers nothing before its 'ping' event).
  ws.prependListener('ping', (data: Buffer) => {
    tap.received(9, data);
    if (role.answerPings) answer(data);
  });
  receiver.prependListener('conclude', (code: number, reason: Buffer) => {
    receivedClose = true;
    tap.received(8, closePayload(code, reason));
  });
  // Before ws closes the connection for it: what was being parsed says what the peer did.
  receiver.prependListener('error', (err: Error) => {
    violation ??= protocolViolation(err, {
      peer,
      opcode: typeof receiver._opcode === 'number' ? receiver._opcode : null,
      deflate: ws.extensions.split(',').includes('permessage-deflate'),
      compressed: receiver._compressed === true,
      maxPayload: role.maxPayload,
      maxPayloadFlag: role.maxPayloadFlag,
      maxFragments: MAX_FRAGMENTS,
    });
  });

  return {
    get violation() {
      return violation;
    },
    end(code: number, reason: Buffer): WireEnd {
      const sent = sentClose as { code: number; reason: string } | null;
      if (receivedClose) {
        // A closing handshake: the side that started it closed, with its code and reason.
        if (closeSentFirst && sent) return { ...sent, closedBy: role.side, violation: null };
        return { code, reason: reason.toString('utf8'), closedBy: peer, violation: null };
      }
      if (sent) {
        // We closed (the peer broke the protocol, or the recording ended) and no close came back:
        // the close that ended the connection is ours, whatever the socket did next.
        const message = violation
          ? `${violation.description}; ${role.name} closed with ${sent.code}`
          : `the ${peer} did not answer ${role.name}'s close (${sent.code}) within ${CLOSE_WAIT_MS / 1000} s, as RFC 6455 requires; the connection was dropped`;
        return {
          ...sent,
          closedBy: role.side,
          violation: {
            violation: violation?.violation ?? 'close-unanswered',
            wsCode: violation?.wsCode ?? null,
            closeCode: sent.code,
            message,
          },
        };
      }
      const dropped = { code, reason: reason.toString('utf8'), closedBy: 'network' as const };
      if (!violation) return { ...dropped, violation: null };
      // The peer broke the protocol as the connection went away, before a close could be sent.
      return {
        ...dropped,
        violation: {
          violation: violation.violation,
          wsCode: violation.wsCode,
          closeCode: code,
          message: `${violation.description}; the connection dropped before ${role.name} could close it`,
        },
      };
    },
  };
}
