// MQTT 3.1.1 and 5 control packets, as they cross a WebSocket in binary frames: a fixed header
// (type, flags, remaining length), then the packet's variable header. MQTT 5 adds properties
// (skipped here) and reason codes; which version a connection speaks is the level its CONNECT
// named, so the decoder is told it (`version`, 4 when unknown).
import type { ProtocolMessage } from '../contract/messages.js';
import { bytesOf, defined, malformed, type WireFrame } from './wire.js';

/** MQTT control packet types by their number (index). */
export const MQTT_TYPES = [
  undefined,
  'CONNECT',
  'CONNACK',
  'PUBLISH',
  'PUBACK',
  'PUBREC',
  'PUBREL',
  'PUBCOMP',
  'SUBSCRIBE',
  'SUBACK',
  'UNSUBSCRIBE',
  'UNSUBACK',
  'PINGREQ',
  'PINGRESP',
  'DISCONNECT',
  'AUTH',
] as const;

/**
 * An MQTT Variable Byte Integer (a Remaining Length, a property length) at `offset`: its value and
 * where the next field starts, or null when the bytes end before it does. The decoder and
 * Frameline's MQTT client both read lengths with it. Throws a RangeError past four bytes.
 */
export function mqttVarint(
  b: Uint8Array,
  offset: number,
  end = b.length,
): { value: number; next: number } | null {
  let value = 0;
  for (let i = 0, multiplier = 1; i < 4; i++, multiplier *= 128) {
    if (offset + i >= end) return null;
    const byte = b[offset + i]!;
    value += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return { value, next: offset + i + 1 };
  }
  throw new RangeError('a variable byte integer longer than four bytes');
}

/** Reads a packet's fields front to back; every read past the end throws a Short. */
class Short extends Error {}
class Reader {
  at = 0;
  constructor(
    readonly b: Uint8Array,
    readonly end: number,
  ) {}
  byte(): number {
    if (this.at >= this.end) throw new Short();
    return this.b[this.at++]!;
  }
  u16(): number {
    return (this.byte() << 8) | this.byte();
  }
  varint(): number {
    const read = mqttVarint(this.b, this.at, this.end);
    if (!read) throw new Short();
    this.at = read.next;
    return read.value;
  }
  text(): string {
    const n = this.u16();
    if (this.at + n > this.end) throw new Short();
    const s = new TextDecoder().decode(this.b.subarray(this.at, this.at + n));
    this.at += n;
    return s;
  }
  /** Skips MQTT 5 properties. */
  properties(): void {
    const n = this.varint();
    if (this.at + n > this.end) throw new Short();
    this.at += n;
  }
  get left(): number {
    return this.end - this.at;
  }
}

/** The protocol level a CONNECT packet names (3 for MQTT 3.1, 4 for 3.1.1, 5), or null when it is not one. */
export function mqttConnectLevel(bytes: Uint8Array): number | null {
  if (bytes[0] !== 0x10) return null;
  try {
    const r = new Reader(bytes, bytes.length);
    r.byte();
    r.varint();
    const name = r.text();
    if (name !== 'MQTT' && name !== 'MQIsdp') return null;
    return r.byte();
  } catch {
    return null;
  }
}

/** Where a field's bytes lie in a packet: [start, end), `end` cut to the bytes there are. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where the credentials of the CONNECT packet a frame starts with lie (MQTT 3.1, 3.1.1 and 5): the
 * user name's and the password's bytes, after their length prefixes, as far as the frame holds
 * them; null when the frame does not start with a CONNECT or names no credential.
 */
export function mqttConnectCredentials(
  bytes: Uint8Array,
): { username?: ByteRange; password?: ByteRange } | null {
  const level = mqttConnectLevel(bytes);
  if (level === null) return null;
  const r = new Reader(bytes, bytes.length);
  const found: { username?: ByteRange; password?: ByteRange } = {};
  /** A length-prefixed field at the reader's position: its range, the reader moved past it. */
  const field = (): ByteRange => {
    const n = r.u16();
    const range = { start: r.at, end: Math.min(r.at + n, bytes.length) };
    r.at += n;
    return range;
  };
  try {
    r.byte();
    r.varint();
    r.text();
    r.byte(); // level
    const flags = r.byte();
    r.u16(); // keep-alive
    if (level === 5) r.properties();
    field(); // client id
    if (flags & 0x04) {
      if (level === 5) r.properties();
      field(); // will topic
      field(); // will payload
    }
    if (flags & 0x80) found.username = field();
    if (flags & 0x40) found.password = field();
  } catch {
    // Cut short or malformed further on: what was found before still is masked.
  }
  // A field the frame was cut before (or inside its length prefix) holds nothing to mask.
  for (const k of ['username', 'password'] as const)
    if (found[k] && found[k].start >= found[k].end) delete found[k];
  return found.username || found.password ? found : null;
}

/** One packet from `r`'s position to its end: its fields, as far as the bytes go. */
function decodePacket(
  bytes: Uint8Array,
  start: number,
  version: number,
): { message: ProtocolMessage; next: number } {
  const protocol = 'mqtt';
  const head = new Reader(bytes, bytes.length);
  head.at = start;
  const first = head.byte();
  const type = MQTT_TYPES[first >> 4];
  if (!type) throw new RangeError(`packet type 0 (reserved) at byte ${start}`);
  const length = head.varint();
  const next = head.at + length;
  const r = new Reader(bytes, Math.min(next, bytes.length));
  r.at = head.at;
  const m: ProtocolMessage = { protocol, type };
  const v5 = version === 5;
  try {
    switch (type) {
      case 'CONNECT': {
        r.text();
        m.protocolVersion = r.byte();
        r.byte(); // connect flags
        m.keepAlive = r.u16();
        if (m.protocolVersion === 5) r.properties();
        m.clientId = r.text();
        break;
      }
      case 'CONNACK':
        r.byte(); // session present
        if (v5) m.reasonCode = r.byte();
        else m.returnCode = r.byte();
        break;
      case 'PUBLISH': {
        m.dup = (first & 0x08) !== 0;
        m.qos = (first >> 1) & 3;
        m.retain = (first & 0x01) !== 0;
        m.topic = r.text();
        if (m.qos > 0) m.packetId = r.u16();
        break;
      }
      case 'PUBACK':
      case 'PUBREC':
      case 'PUBREL':
      case 'PUBCOMP':
        m.packetId = r.u16();
        if (v5 && r.left > 0) m.reasonCode = r.byte();
        break;
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE': {
        m.packetId = r.u16();
        if (v5) r.properties();
        const topics: string[] = [];
        m.topics = topics;
        while (r.left > 0) {
          topics.push(r.text());
          if (type === 'SUBSCRIBE') {
            const options = r.byte();
            m.qos ??= options & 3;
          }
        }
        m.topic = topics[0];
        break;
      }
      case 'SUBACK':
      case 'UNSUBACK': {
        m.packetId = r.u16();
        if (v5) r.properties();
        if (type === 'SUBACK' || v5) {
          const codes: number[] = [];
          m.reasonCodes = codes;
          while (r.left > 0) codes.push(r.byte());
        }
        break;
      }
      case 'DISCONNECT':
      case 'AUTH':
        if (r.left > 0) m.reasonCode = r.byte();
        break;
      default:
        break;
    }
  } catch (e) {
    if (!(e instanceof Short)) throw e;
    m.reason = 'cut short';
  }
  return { message: defined(m), next };
}

/** The packet a binary frame starts with; `packets` says how many when it holds several. */
export function decodeMqtt(f: WireFrame, version = 4): ProtocolMessage {
  if (f.opcode !== 'binary') return malformed('mqtt', 'a text frame (MQTT packets travel in binary frames)');
  const bytes = bytesOf(f);
  if (bytes.length === 0) return malformed('mqtt', 'an empty frame');
  try {
    const { message, next } = decodePacket(bytes, 0, version);
    let packets = 1;
    // A frame may carry several packets (or a packet and the start of the next one).
    for (let at = next; at < bytes.length; packets++) {
      try {
        at = decodePacket(bytes, at, version).next;
      } catch {
        break;
      }
    }
    if (next > bytes.length && !f.truncated && !message.reason) message.reason = 'cut short';
    return packets > 1 ? { ...message, packets } : message;
  } catch (e) {
    return malformed('mqtt', e instanceof Short ? 'cut short inside the fixed header' : (e as Error).message);
  }
}
