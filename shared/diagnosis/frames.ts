// Reduces a recorded frame to what the rules need: the JSON id of a message (to pair requests with
// responses), the time its sender says it was sent (to see buffering), and a control frame's
// payload (to pair pings with pongs). Works on the first bytes of a payload: ids and timestamps
// usually come first, and a truncated head still yields them.
import type { ProtocolMessage } from '../contract/messages.js';
import type { Direction, Opcode } from '../contract/sessions.js';
import { decodeFrame, type DecodeContext, type WireFrame } from '../protocols/decode.js';
import type { DiagFrame, DiagMessage, Micros } from './input.js';

/** A frame as read from the store or a fixture. */
export interface RawFrame {
  connection: number;
  ts: Micros;
  direction: Direction;
  opcode: Opcode;
  size: number;
  /** Text frames: the first characters of the payload; ping/pong: the payload as hex; else null. */
  head: string | null;
  /** The head is the start of a longer payload (so it is no whole JSON text). */
  truncated?: boolean;
}

/** Fields that carry the time a message was sent, in the order they are tried. */
export const SENT_AT_FIELDS = ['sentAt', 'sent_at', 'timestamp', 'ts', 'time', 'at'] as const;

/** How many characters of a text payload the rules read. */
export const HEAD_CHARS = 256;
/** How many bytes of a payload are decoded as the connection's protocol (ids and types come first). */
export const DECODE_BYTES = HEAD_CHARS * 4;

const MESSAGE_FIELDS = [
  'type',
  'id',
  'namespace',
  'error',
  'pingInterval',
  'pingTimeout',
  'operationName',
  'topic',
  'packetId',
  'qos',
  'returnCode',
  'reasonCode',
  'reasonCodes',
  'keepAlive',
  'destination',
  'receipt',
  'receiptId',
  'heartBeat',
  'invocationId',
  'ref',
] as const satisfies ReadonlyArray<keyof DiagMessage>;

/** The fields of a decoded message the rules read (the rest, and the payload, are dropped). */
export function diagMessage(m: ProtocolMessage): DiagMessage {
  const out: Record<string, unknown> = {};
  for (const k of MESSAGE_FIELDS) if (m[k] !== undefined) out[k] = m[k];
  return out as DiagMessage;
}

/**
 * Gives a frame of a connection with a protocol its decoded message, from the first DECODE_BYTES
 * of its payload (`wire.truncated` when there were more).
 */
export function decodeDiagFrame(frame: DiagFrame, wire: WireFrame, context: DecodeContext | null): DiagFrame {
  const m = decodeFrame(wire, context);
  if (m) frame.message = diagMessage(m);
  return frame;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** An epoch time in seconds, milliseconds or microseconds, as milliseconds; undefined if implausible. */
export function epochMs(value: unknown): number | undefined {
  if (typeof value === 'string') {
    if (/^\d+(\.\d+)?$/.test(value)) return epochMs(Number(value));
    const t = Date.parse(value);
    return Number.isNaN(t) || !/\d{4}-\d\d-\d\dT/.test(value) ? undefined : t;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return undefined;
  if (value >= 1e9 && value < 1e11) return value * 1000; // seconds (2001–5138)
  if (value >= 1e12 && value < 1e14) return value; // milliseconds
  if (value >= 1e15 && value < 1e17) return value / 1000; // microseconds
  return undefined;
}

function topLevel(head: string): Record<string, unknown> | null {
  if (!head.startsWith('{')) return null;
  try {
    const parsed: unknown = JSON.parse(head);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** The pattern of each field name read so far (a diagnosis reads a handful; a pass reads millions of frames). */
const FIELD_PATTERNS = new Map<string, RegExp>();

function fieldPattern(field: string): RegExp {
  let pattern = FIELD_PATTERNS.get(field);
  if (!pattern) {
    pattern = new RegExp(`"${escapeRegExp(field)}"\\s*:\\s*("(?:[^"\\\\]|\\\\.){0,200}"|-?\\d+(?:\\.\\d+)?)`);
    if (FIELD_PATTERNS.size >= 64) FIELD_PATTERNS.clear();
    FIELD_PATTERNS.set(field, pattern);
  }
  return pattern;
}

/** The first `"field": value` in a (possibly truncated) JSON text, as a string or number. */
function firstField(head: string, field: string): string | number | undefined {
  const m = fieldPattern(field).exec(head);
  if (!m) return undefined;
  const raw = m[1]!;
  if (raw.startsWith('"')) {
    try {
      return JSON.parse(raw) as string;
    } catch {
      return undefined;
    }
  }
  return Number(raw);
}

/** Reads a JSON field from a whole message, or from the head of a truncated one. */
function field(head: string, whole: Record<string, unknown> | null, name: string): unknown {
  if (whole) return whole[name];
  return firstField(head, name);
}

/**
 * Reduces a raw frame; `idField` names the JSON field that pairs requests with responses. A reader
 * that pairs messages only (the scorecard) asks for no `sentAt`. A payload is parsed only when it
 * names a wanted field and is whole; a truncated head is read field by field.
 */
export function toDiagFrame(raw: RawFrame, idField = 'id', fields: 'all' | 'pairing' = 'all'): DiagFrame {
  const frame: DiagFrame = {
    connection: raw.connection,
    ts: raw.ts,
    direction: raw.direction,
    opcode: raw.opcode,
    size: raw.size,
  };
  if ((raw.opcode === 'ping' || raw.opcode === 'pong') && raw.head !== null) frame.controlKey = raw.head;
  if (raw.opcode !== 'text' || raw.head === null) return frame;
  const head = raw.head.trimStart();
  if (!head.startsWith('{')) return frame;
  const sentAt = fields === 'all';
  const named = (name: string) => head.includes(`"${name}"`);
  if (!named(idField) && !(sentAt && SENT_AT_FIELDS.some(named))) return frame;
  const whole = raw.truncated ? null : topLevel(head);
  const id = field(head, whole, idField);
  if ((typeof id === 'string' && id !== '') || (typeof id === 'number' && Number.isFinite(id)))
    frame.messageId = String(id);
  if (!sentAt) return frame;
  for (const name of SENT_AT_FIELDS) {
    const ms = epochMs(field(head, whole, name));
    if (ms !== undefined) {
      frame.sentAtMs = ms;
      break;
    }
  }
  return frame;
}
