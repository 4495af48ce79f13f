// A connection's protocol: what its handshake says (names.ts), or else what its first frames say.
// Only the first few frames are looked at (DETECT_FRAMES): detection runs each time a session is
// read, and every protocol shows itself in its opening exchange.
import type { ProtocolChoice, ProtocolName } from './names.js';
import { protocolOfHandshake } from './names.js';
import { engineIoOpen } from './decode-socket-io.js';
import { mqttConnectLevel } from './decode-mqtt.js';
import { phoenixFields } from './decode-phoenix.js';
import { RECORD_SEPARATOR } from './decode-signalr.js';
import { stompHead } from './decode-stomp.js';
import { bytesOf, isObject, parseJson, textOf, type WireFrame } from './wire.js';

/** How many of a connection's first frames detection reads. */
export const DETECT_FRAMES = 8;

/** graphql-ws message types that the legacy protocol does not have, and the other way round. */
const GRAPHQL_WS_ONLY = new Set(['subscribe', 'next', 'ping', 'pong']);
const SUBSCRIPTIONS_TRANSPORT_ONLY = new Set([
  'start',
  'data',
  'stop',
  'ka',
  'connection_terminate',
  'connection_error',
]);

/** What one frame says of its protocol, or null when it says nothing. */
function protocolOfFrame(f: WireFrame): ProtocolName | 'graphql' | null {
  if (f.opcode === 'binary') return mqttConnectLevel(bytesOf(f)) === null ? null : 'mqtt';
  if (f.opcode !== 'text') return null;
  const text = textOf(f);
  if (engineIoOpen(text)) return 'socket.io';
  if (text.endsWith(RECORD_SEPARATOR)) {
    const o = parseJson(text.slice(0, text.indexOf(RECORD_SEPARATOR)));
    if (isObject(o) && (typeof o.protocol === 'string' || typeof o.type === 'number')) return 'signalr';
  }
  const head = stompHead(text);
  if (head && ['CONNECT', 'STOMP', 'CONNECTED'].includes(head.command)) return 'stomp';
  const v = parseJson(text);
  const first = Array.isArray(v) && !phoenixFields(v) ? v[0] : v;
  if (isObject(first) && first.jsonrpc === '2.0') return 'json-rpc';
  if (phoenixFields(v)) return 'phoenix';
  if (!isObject(v)) return null;
  if (v.type === 'welcome' || (typeof v.command === 'string' && typeof v.identifier === 'string'))
    return 'actioncable';
  if (typeof v.type === 'string') {
    if (GRAPHQL_WS_ONLY.has(v.type)) return 'graphql-ws';
    if (SUBSCRIPTIONS_TRANSPORT_ONLY.has(v.type)) return 'subscriptions-transport-ws';
    if (v.type === 'connection_init' || v.type === 'connection_ack') return 'graphql';
  }
  return null;
}

/**
 * The protocol of a connection: its handshake's (negotiated subprotocol, then URL), else the first
 * of its first DETECT_FRAMES frames that names one. A `connection_init` alone is graphql-ws (the
 * legacy protocol shows itself by `start`, `data` or `ka`). Null when nothing says.
 */
export function detectProtocol(
  handshake: { subprotocol: string | null; url: string },
  frames: Iterable<WireFrame>,
): ProtocolName | null {
  const said = protocolOfHandshake(handshake.subprotocol, handshake.url);
  if (said) return said;
  let graphql = false;
  let n = 0;
  for (const f of frames) {
    if (n++ >= DETECT_FRAMES) break;
    const p = protocolOfFrame(f);
    if (p === 'graphql') graphql = true;
    else if (p) return p;
  }
  return graphql ? 'graphql-ws' : null;
}

/**
 * The protocol of a connection of a capture told `--protocol choice`: that protocol, none for
 * `none`, and what detection says when nothing was chosen (null: a session recorded before the
 * choice was kept, or without one).
 */
export function connectionProtocol(
  choice: ProtocolChoice | null,
  handshake: { subprotocol: string | null; url: string },
  frames: Iterable<WireFrame>,
): ProtocolName | null {
  if (choice === 'none') return null;
  return choice ?? detectProtocol(handshake, frames);
}
