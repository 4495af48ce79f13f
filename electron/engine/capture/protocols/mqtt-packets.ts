// The MQTT control packets Frameline's MQTT client writes and reads (3.1.1 and 5), and the framing of
// a byte stream into packets: a WebSocket message may carry several packets, and one packet may span
// several messages. Only what the client's dialogue needs; the display decoder lives in shared/.

import { mqttVarint } from '../../../../shared/protocols/decode-mqtt.js';

/** MQTT control packet types (the high nibble of the first byte). */
export const PacketType = {
  CONNECT: 1,
  CONNACK: 2,
  PUBLISH: 3,
  PUBACK: 4,
  PUBREC: 5,
  PUBREL: 6,
  PUBCOMP: 7,
  SUBSCRIBE: 8,
  SUBACK: 9,
  PINGREQ: 12,
  PINGRESP: 13,
  DISCONNECT: 14,
} as const;

export type MqttVersion = 4 | 5;

export interface MqttPacket {
  type: number;
  /** The low nibble of the first byte (PUBLISH: dup, QoS, retain). */
  flags: number;
  body: Buffer;
}

/** The largest Remaining Length MQTT allows (four bytes of variable-length integer). */
const MAX_REMAINING = 268_435_455;

function varint(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    bytes.push(b);
  } while (n > 0);
  return Buffer.from(bytes);
}

function utf8(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([u16(b.length), b]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function packet(type: number, flags: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([(type << 4) | flags]), varint(body.length), body]);
}

export interface ConnectFields {
  version: MqttVersion;
  clientId: string;
  keepAlive: number;
  username?: string;
  password?: string;
}

/** CONNECT with a clean session (3.1.1) or clean start (5), no will. */
export function connectPacket(c: ConnectFields): Buffer {
  let flags = 0x02;
  if (c.username !== undefined) flags |= 0x80;
  if (c.password !== undefined) flags |= 0x40;
  const header = Buffer.concat([utf8('MQTT'), Buffer.from([c.version, flags]), u16(c.keepAlive)]);
  const properties = c.version === 5 ? [varint(0)] : [];
  const payload = [utf8(c.clientId)];
  if (c.username !== undefined) payload.push(utf8(c.username));
  if (c.password !== undefined) payload.push(utf8(c.password));
  return packet(PacketType.CONNECT, 0, header, ...properties, ...payload);
}

/** SUBSCRIBE of one topic filter at `qos` (packets' flags are fixed at 0b0010). */
export function subscribePacket(version: MqttVersion, packetId: number, filter: string, qos: number): Buffer {
  const properties = version === 5 ? [varint(0)] : [];
  return packet(PacketType.SUBSCRIBE, 0x02, u16(packetId), ...properties, utf8(filter), Buffer.from([qos]));
}

/** PUBACK, PUBREC or PUBCOMP (success, so MQTT 5 may omit the reason code), or PUBREL. */
export function acknowledgement(type: number, packetId: number): Buffer {
  return packet(type, type === PacketType.PUBREL ? 0x02 : 0, u16(packetId));
}

export const PINGREQ = packet(PacketType.PINGREQ, 0);

/** Cuts a byte stream into MQTT packets, keeping an incomplete tail for the next message. */
export class PacketReader {
  private pending: Buffer = Buffer.alloc(0);

  /** The complete packets `chunk` finishes; throws on a Remaining Length longer than four bytes. */
  push(chunk: Buffer): MqttPacket[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const packets: MqttPacket[] = [];
    for (;;) {
      const first = this.pending[0];
      if (first === undefined) break;
      let read: { value: number; next: number } | null;
      try {
        read = mqttVarint(this.pending, 1);
      } catch {
        throw new Error('malformed MQTT packet: a Remaining Length longer than four bytes');
      }
      if (!read) break;
      const { value: length, next: offset } = read;
      if (this.pending.length < offset + length) break;
      if (length > MAX_REMAINING) throw new Error(`malformed MQTT packet: Remaining Length ${length}`);
      packets.push({
        type: first >> 4,
        flags: first & 0x0f,
        body: this.pending.subarray(offset, offset + length),
      });
      this.pending = this.pending.subarray(offset + length);
    }
    return packets;
  }
}

/** Bytes each MQTT 5 property's value takes (by property identifier); 'varint', 'utf8', 'binary', 'pair'. */
const PROPERTY_SIZES: Record<number, number | 'varint' | 'utf8' | 'binary' | 'pair'> = {
  0x01: 1,
  0x02: 4,
  0x03: 'utf8',
  0x08: 'utf8',
  0x09: 'binary',
  0x0b: 'varint',
  0x11: 4,
  0x12: 'utf8',
  0x13: 2,
  0x15: 'utf8',
  0x16: 'binary',
  0x17: 1,
  0x18: 4,
  0x19: 1,
  0x1a: 'utf8',
  0x1c: 'utf8',
  0x1f: 'utf8',
  0x21: 2,
  0x22: 2,
  0x23: 2,
  0x24: 1,
  0x25: 1,
  0x26: 'pair',
  0x27: 4,
  0x28: 1,
  0x29: 1,
  0x2a: 1,
};

/** A Variable Byte Integer of a received packet, which must be all there. */
function readVarint(b: Buffer, offset: number): { value: number; next: number } {
  const read = mqttVarint(b, offset);
  if (!read) throw new Error('malformed MQTT packet: a variable-length integer is cut short');
  return read;
}

export interface Properties {
  /** Server Keep Alive (0x13): the keep-alive the broker holds the client to. */
  serverKeepAlive?: number;
  /** Reason String (0x1F). */
  reasonString?: string;
  /** Where the packet continues after its properties. */
  next: number;
}

/** Reads an MQTT 5 property block at `offset`, keeping the few properties the client acts on. */
export function readProperties(b: Buffer, offset: number): Properties {
  const { value: length, next: start } = readVarint(b, offset);
  const end = start + length;
  const out: Properties = { next: end };
  let at = start;
  while (at < end) {
    const { value: id, next } = readVarint(b, at);
    at = next;
    const size = PROPERTY_SIZES[id];
    if (size === undefined) throw new Error(`malformed MQTT packet: unknown property 0x${id.toString(16)}`);
    if (id === 0x13) out.serverKeepAlive = b.readUInt16BE(at);
    if (id === 0x1f) out.reasonString = b.toString('utf8', at + 2, at + 2 + b.readUInt16BE(at));
    if (typeof size === 'number') at += size;
    else if (size === 'varint') at = readVarint(b, at).next;
    else if (size === 'pair') at += 2 + b.readUInt16BE(at) + 2 + b.readUInt16BE(at + 2 + b.readUInt16BE(at));
    else at += 2 + b.readUInt16BE(at);
  }
  if (at !== end) throw new Error('malformed MQTT packet: properties overrun their length');
  return out;
}

/** What a refusing CONNACK's return code (3.1.1) means. */
export const CONNACK_RETURN_CODES: Record<number, string> = {
  1: 'unacceptable protocol version',
  2: 'identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorised',
};

/** What an MQTT 5 reason code of 0x80 and above means (CONNACK, SUBACK). */
export const REASON_CODES: Record<number, string> = {
  0x80: 'unspecified error',
  0x81: 'malformed packet',
  0x82: 'protocol error',
  0x83: 'implementation specific error',
  0x84: 'unsupported protocol version',
  0x85: 'client identifier not valid',
  0x86: 'bad user name or password',
  0x87: 'not authorized',
  0x88: 'server unavailable',
  0x89: 'server busy',
  0x8a: 'banned',
  0x8c: 'bad authentication method',
  0x8f: 'topic filter invalid',
  0x90: 'topic name invalid',
  0x91: 'packet identifier in use',
  0x95: 'packet too large',
  0x97: 'quota exceeded',
  0x99: 'payload format invalid',
  0x9a: 'retain not supported',
  0x9b: 'QoS not supported',
  0x9c: 'use another server',
  0x9d: 'server moved',
  0x9e: 'shared subscriptions not supported',
  0x9f: 'connection rate exceeded',
  0xa1: 'subscription identifiers not supported',
  0xa2: 'wildcard subscriptions not supported',
};
