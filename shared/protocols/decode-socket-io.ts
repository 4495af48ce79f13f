// Socket.IO 4 over Engine.IO 4: an Engine.IO packet type digit, and inside `message` packets
// (`4`) a Socket.IO packet `<type>[<attachments>-][<namespace>,][<ack id>][<JSON data>]`.
// A binary frame is an attachment of the BINARY_EVENT/BINARY_ACK before it, or, with Socket.IO's
// msgpack parser, a whole Socket.IO packet encoded as a MessagePack map `{ type, nsp, data, id }`.
import type { ProtocolMessage } from '../contract/messages.js';
import { decodeMsgpack } from './msgpack.js';
import { bytesOf, defined, idText, isObject, malformed, parseJson, textOf, type WireFrame } from './wire.js';

/** Engine.IO packet types by their digit. */
export const ENGINE_IO_TYPES = ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'] as const;
/** Socket.IO packet types by their digit. */
export const SOCKET_IO_TYPES = [
  'CONNECT',
  'DISCONNECT',
  'EVENT',
  'ACK',
  'CONNECT_ERROR',
  'BINARY_EVENT',
  'BINARY_ACK',
] as const;

/** The Engine.IO open packet's fields (`0{"sid":…,"pingInterval":…,"pingTimeout":…}`), or null. */
export function engineIoOpen(
  text: string,
): { sid: string; pingInterval: number; pingTimeout: number } | null {
  if (!text.startsWith('0{')) return null;
  const o = parseJson(text.slice(1));
  if (!isObject(o) || typeof o.sid !== 'string' || typeof o.pingInterval !== 'number') return null;
  return { sid: o.sid, pingInterval: o.pingInterval, pingTimeout: Number(o.pingTimeout ?? 0) };
}

export function decodeSocketIo(f: WireFrame): ProtocolMessage {
  const protocol = 'socket.io';
  if (f.opcode === 'binary')
    return msgpackPacket(bytesOf(f)) ?? { protocol, type: 'attachment', engineType: 'message' };
  const text = textOf(f);
  const engineType = ENGINE_IO_TYPES[Number(text[0])];
  if (!/^[0-6]/.test(text) || !engineType)
    return malformed(protocol, `not an Engine.IO packet: ${JSON.stringify(text.slice(0, 20))}`);
  if (engineType === 'open') {
    const open = engineIoOpen(text);
    if (!open)
      return f.truncated
        ? { protocol, type: 'open', engineType, reason: 'cut short' }
        : malformed(protocol, 'an Engine.IO open packet without its sid and pingInterval');
    return { protocol, type: 'open', engineType, ...open };
  }
  if (engineType !== 'message') return { protocol, type: engineType, engineType };
  return decodeSocketIoPacket(text.slice(1), f.truncated === true);
}

/** A Socket.IO packet (the text after Engine.IO's `4`). */
function decodeSocketIoPacket(p: string, truncated: boolean): ProtocolMessage {
  const protocol = 'socket.io';
  const type = SOCKET_IO_TYPES[Number(p[0])];
  if (!/^[0-6]/.test(p) || !type)
    return malformed(protocol, `not a Socket.IO packet type: ${JSON.stringify(p.slice(0, 20))}`);
  let at = 1;
  let attachments: number | undefined;
  if (type === 'BINARY_EVENT' || type === 'BINARY_ACK') {
    const m = /^(\d+)-/.exec(p.slice(at));
    if (!m) return malformed(protocol, `a ${type} without its attachment count`);
    attachments = Number(m[1]);
    at += m[0].length;
  }
  let namespace = '/';
  if (p[at] === '/') {
    const comma = p.indexOf(',', at);
    // A namespace with nothing after it ends the packet (`41/chat`).
    namespace = comma === -1 ? p.slice(at) : p.slice(at, comma);
    at = comma === -1 ? p.length : comma + 1;
  }
  const idMatch = /^\d+/.exec(p.slice(at));
  const id = idMatch?.[0];
  if (idMatch) at += idMatch[0].length;
  const body = p.slice(at);
  const m: ProtocolMessage = { protocol, type, engineType: 'message', namespace, id, attachments };
  if (body === '') return defined(m);
  const data = parseJson(body);
  if (data === undefined) {
    if (!truncated) return malformed(protocol, `a ${type} whose data is not JSON`);
    // Cut short: the event name still stands at its head.
    const name = /^\["((?:[^"\\]|\\.)*)"/.exec(body)?.[1];
    return defined({
      ...m,
      name: name === undefined ? undefined : (parseJson(`"${name}"`) as string),
      reason: 'cut short',
    });
  }
  if ((type === 'EVENT' || type === 'BINARY_EVENT') && Array.isArray(data))
    m.name = typeof data[0] === 'string' ? data[0] : undefined;
  if (type === 'CONNECT_ERROR' && isObject(data))
    m.error = typeof data.message === 'string' ? data.message : undefined;
  if (type === 'CONNECT' && isObject(data)) m.sid = idText(data.sid);
  return defined(m);
}

/**
 * A binary frame read as a packet of Socket.IO's msgpack parser, or null when it is not one (then it
 * is an attachment of the default parser): a map with an integer `type` of 0–6 and a string `nsp`.
 */
function msgpackPacket(bytes: Uint8Array): ProtocolMessage | null {
  // A map's first byte: fixmap, map 16 or map 32.
  if (
    bytes.length === 0 ||
    !((bytes[0]! >= 0x80 && bytes[0]! <= 0x8f) || bytes[0] === 0xde || bytes[0] === 0xdf)
  )
    return null;
  let packet: unknown;
  try {
    packet = decodeMsgpack(bytes);
  } catch {
    return null;
  }
  if (!isObject(packet) || typeof packet.nsp !== 'string') return null;
  const type = typeof packet.type === 'number' ? SOCKET_IO_TYPES[packet.type] : undefined;
  if (!type) return null;
  const data = packet.data;
  const m: ProtocolMessage = {
    protocol: 'socket.io',
    type,
    engineType: 'message',
    encoding: 'msgpack',
    namespace: packet.nsp,
    id: idText(packet.id),
  };
  if ((type === 'EVENT' || type === 'BINARY_EVENT') && Array.isArray(data))
    m.name = typeof data[0] === 'string' ? data[0] : undefined;
  if (type === 'CONNECT_ERROR' && isObject(data))
    m.error = typeof data.message === 'string' ? data.message : undefined;
  if (type === 'CONNECT_ERROR' && typeof data === 'string') m.error = data;
  if (type === 'CONNECT' && isObject(data)) m.sid = idText(data.sid);
  return defined(m);
}
