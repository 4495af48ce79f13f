// Domain types shared by the engine, the command line and the console.

/** Which way a frame travelled, seen from Frameline (the client). */
export type Direction = 'in' | 'out';

/** WebSocket frame kinds as recorded; `ws` hands over whole messages, so `continuation` is reserved. */
export type Opcode = 'text' | 'binary' | 'ping' | 'pong' | 'close' | 'continuation';

/** Wire opcodes of RFC 6455, the numbers stored in the database. */
export const OPCODE_NUMBER: Readonly<Record<Opcode, number>> = {
  continuation: 0,
  text: 1,
  binary: 2,
  close: 8,
  ping: 9,
  pong: 10,
};

/** Opcode names by wire number. */
export const OPCODE_NAME: Readonly<Record<number, Opcode>> = {
  0: 'continuation',
  1: 'text',
  2: 'binary',
  8: 'close',
  9: 'ping',
  10: 'pong',
};

/** A session is live while its writer runs, complete when it ended cleanly, interrupted after a crash. */
export type SessionStatus = 'live' | 'complete' | 'interrupted';

/** What produced a session. */
export type SessionKind = 'capture' | 'import' | 'replay' | 'mock' | 'probe';

/** Who ended a connection: our side, the peer, or nobody (no close frame: 1006). */
export type ClosedBy = 'client' | 'server' | 'network';

/** Why a connection attempt or an open connection failed. */
export type ErrorKind =
  'refused' | 'dns' | 'timeout' | 'tls' | 'protocol' | 'reset' | 'upgrade-rejected' | 'proxy' | 'other';

/** Phase durations of one connection attempt, in milliseconds; null when the phase did not happen. */
export interface Timings {
  dnsMs: number | null;
  tcpMs: number | null;
  tlsMs: number | null;
  upgradeMs: number | null;
}

/** Header names with their values as sent or received (repeated headers joined with ", "). */
export type Headers = Record<string, string>;

/** One session as listed. */
export interface SessionSummary {
  id: number;
  name: string;
  kind: SessionKind;
  target: string;
  status: SessionStatus;
  createdAt: string;
  endedAt: string | null;
  frames: number;
  tags: string[];
}

/** One connection attempt inside a session. */
export interface ConnectionView {
  id: number;
  ordinal: number;
  url: string;
  status: number | null;
  requestHeaders: Headers;
  responseHeaders: Headers;
  responseBodyHead: string | null;
  subprotocol: string | null;
  extensions: string | null;
  timings: Timings;
  openedAt: string | null;
  closedAt: string | null;
  closeCode: number | null;
  closeReason: string | null;
  closedBy: ClosedBy | null;
  error: { kind: ErrorKind; message: string } | null;
  frames: number;
  bytesIn: number;
  bytesOut: number;
  firstFrameTs: string | null;
  lastFrameTs: string | null;
}

/** One recorded frame; `payload` is text for text frames, base64 otherwise. */
export interface FrameView {
  connection: number;
  seq: number;
  ts: string;
  direction: Direction;
  opcode: Opcode;
  size: number;
  payload: string;
  truncated: boolean;
}

/** A lifecycle or diagnostic event. */
export interface EventView {
  ts: string;
  connection: number | null;
  kind: string;
  detail: unknown;
}
