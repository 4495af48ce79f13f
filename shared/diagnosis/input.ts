// What the pure rules read: a session as plain data (connections, frame summaries, events), built
// by the engine from the store or by the tests from a fixture. Times are epoch microseconds.
import type { Check, Finding } from '../findings.js';
import type { ProtocolMessage } from '../contract/messages.js';
import type { ClosedBy, Direction, Headers, Opcode } from '../contract/sessions.js';
import type { ProtocolName } from '../protocols/names.js';

/** Epoch microseconds. */
export type Micros = number;

/** One connection attempt, as the rules need it. */
export interface DiagConnection {
  ordinal: number;
  url: string;
  startedAt: Micros;
  openedAt: Micros | null;
  closedAt: Micros | null;
  status: number | null;
  requestHeaders: Headers;
  responseHeaders: Headers;
  /** The first bytes of a refused upgrade's body, as text. */
  responseBodyHead: string | null;
  closeCode: number | null;
  closeReason: string | null;
  closedBy: ClosedBy | null;
  /** The relay's fault that ended it (closedBy relay), as written: `idle-cut=30`. */
  closeFault?: string | null;
  error: { kind: string; message: string } | null;
  /** The subprotocol the 101 named (null: none). */
  subprotocol?: string | null;
  /** The application protocol its handshake or first frames say (shared/protocols/detect.ts). */
  protocol?: ProtocolName | null;
}

/** What the rules read of a decoded message: its type, ids, codes and the protocol's timings. */
export type DiagMessage = Pick<
  ProtocolMessage,
  | 'type'
  | 'id'
  | 'namespace'
  | 'error'
  | 'pingInterval'
  | 'pingTimeout'
  | 'operationName'
  | 'topic'
  | 'packetId'
  | 'qos'
  | 'returnCode'
  | 'reasonCode'
  | 'reasonCodes'
  | 'keepAlive'
  | 'destination'
  | 'receipt'
  | 'receiptId'
  | 'heartBeat'
  | 'invocationId'
  | 'ref'
>;

/** One frame reduced to what the rules use (payloads are not kept). */
export interface DiagFrame {
  /** Ordinal of the connection it belongs to. */
  connection: number;
  ts: Micros;
  direction: Direction;
  opcode: Opcode;
  size: number;
  /** The id field of a JSON message (request/response matching). */
  messageId?: string;
  /** When the sender says it sent the message, epoch milliseconds (from a timestamp field). */
  sentAtMs?: number;
  /** A ping's or pong's payload as hex, to pair them. */
  controlKey?: string;
  /** The message in its connection's protocol (only on connections with one). */
  message?: DiagMessage;
}

/** A lifecycle event (reconnect scheduled, gave up…). */
export interface DiagEvent {
  ts: Micros;
  connection: number | null;
  kind: string;
  detail: unknown;
}

/** A recorded session as plain data. */
export interface SessionData {
  target: string;
  /** The Origin header the capture sent, if any. */
  origin: string | null;
  connections: DiagConnection[];
  /** Frames in time order. */
  frames: DiagFrame[];
  events: DiagEvent[];
  /** When the recording ended (null while live): bounds how long an unanswered ping waited. */
  endedAt: Micros | null;
}

/** What one rule concludes: the check it reports and the findings it raises. */
export interface RuleResult {
  check: Check;
  findings: Finding[];
}
