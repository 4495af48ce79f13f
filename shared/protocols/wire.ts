// What the detectors and decoders read of a frame, and the small readers they share: text from
// bytes, JSON that may be cut short, the fields of a JSON object. Pure: no Node builtins.
import type { ProtocolMessage } from '../contract/messages.js';
import type { Direction, Opcode } from '../contract/sessions.js';
import type { ProtocolName } from './names.js';

/** A frame as the decoders read it: its payload as stored (text frames as UTF-8 bytes or text). */
export interface WireFrame {
  direction: Direction;
  opcode: Opcode;
  data: Uint8Array | string;
  /** The stored payload is only the head of the frame's bytes. */
  truncated?: boolean;
}

const utf8 = new TextDecoder('utf-8');

/** A frame's payload as text (invalid UTF-8 replaced, as every reader of a text frame shows it). */
export function textOf(f: WireFrame): string {
  return typeof f.data === 'string' ? f.data : utf8.decode(f.data);
}

const encoder = new TextEncoder();

/** A frame's payload as bytes. */
export function bytesOf(f: WireFrame): Uint8Array {
  return typeof f.data === 'string' ? encoder.encode(f.data) : f.data;
}

/** True for the frames that carry application data (text and binary). */
export function carriesData(f: WireFrame): boolean {
  return f.opcode === 'text' || f.opcode === 'binary';
}

/** JSON text parsed, or undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A plain object (not an array, not null). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A string field, or undefined. */
export function str(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

/** An id as text (JSON-RPC and SignalR ids may be numbers or strings). */
export function idText(v: unknown): string | undefined {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ? String(v) : undefined;
}

/**
 * The string fields `"key":"value"` found in the head of a JSON text cut short: what a truncated
 * payload still says (its type, id, method) when it no longer parses as a whole.
 */
export function fieldsOfHead(text: string, keys: readonly string[]): Record<string, string> {
  const found: Record<string, string> = {};
  for (const key of keys) {
    const m = new RegExp(`"${key}"\\s*:\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|(-?\\d+))`).exec(text);
    if (m) found[key] = m[1] !== undefined ? ((parseJson(`"${m[1]}"`) as string | undefined) ?? m[1]) : m[2]!;
  }
  return found;
}

/** The one shape of a frame that does not parse as its connection's protocol. */
export function malformed(protocol: ProtocolName, reason: string): ProtocolMessage {
  return { protocol, type: 'malformed', reason };
}

/** Drops the fields left undefined, so that a message carries only what the frame said. */
export function defined(m: ProtocolMessage): ProtocolMessage {
  for (const k of Object.keys(m) as Array<keyof ProtocolMessage>) if (m[k] === undefined) delete m[k];
  return m;
}
