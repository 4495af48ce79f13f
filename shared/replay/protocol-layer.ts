// What of a recorded conversation belongs to its protocol rather than to the application: the
// opening (Engine.IO's open and the namespace connects, graphql-ws connection_init/ack, MQTT
// CONNECT/CONNACK, STOMP CONNECT/CONNECTED) and the heartbeats (Engine.IO `2`/`3`, graphql-ws
// ping/pong, MQTT PINGREQ/PINGRESP, STOMP's heart-beat EOLs). A replay or a mock speaks those afresh
// (new session ids, their own heartbeats), so they are never sent again as recorded and never
// compared; what is left is the application's conversation.
import type { ProtocolMessage } from '../contract/messages.js';
import { decodeFrame, type DecodeContext } from '../protocols/decode.js';
import { stompHead } from '../protocols/decode-stomp.js';
import type { ProtocolName } from '../protocols/names.js';
import { isObject, parseJson } from '../protocols/wire.js';
import { parseJson as parseJsonText, type ReadStructure } from './diff.js';
import { messageId, type Conversation, type TimedMessage } from './pairing.js';

/** The message types each protocol says by itself (its opening, heartbeats and namespace goodbyes). */
const PROTOCOL_OWN: Partial<Record<ProtocolName, ReadonlySet<string>>> = {
  'socket.io': new Set([
    'open',
    'close',
    'ping',
    'pong',
    'upgrade',
    'noop',
    'CONNECT',
    'CONNECT_ERROR',
    'DISCONNECT',
  ]),
  'graphql-ws': new Set(['connection_init', 'connection_ack', 'ping', 'pong']),
  'subscriptions-transport-ws': new Set(['connection_init', 'connection_ack', 'ka']),
  mqtt: new Set(['CONNECT', 'CONNACK', 'PINGREQ', 'PINGRESP']),
  stomp: new Set(['CONNECT', 'STOMP', 'CONNECTED', 'heart-beat']),
};

/** The server's answer to the opening, after which the application's messages go out. */
const OPENING_ANSWER: Partial<Record<ProtocolName, string>> = {
  'socket.io': 'CONNECT',
  'graphql-ws': 'connection_ack',
  'subscriptions-transport-ws': 'connection_ack',
  mqtt: 'CONNACK',
  stomp: 'CONNECTED',
};

const bytes = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

/** A recorded message decoded in its protocol (binary messages are kept as base64). */
export function messageOf(
  m: TimedMessage,
  direction: 'in' | 'out',
  context: DecodeContext,
): ProtocolMessage | null {
  return decodeFrame(
    { direction, opcode: m.opcode, data: m.opcode === 'binary' ? bytes(m.text) : m.text },
    context,
  );
}

/** True when the protocol says this message by itself (opening, heartbeat): a replay or a mock says it afresh. */
export function isProtocolOwn(
  m: TimedMessage,
  direction: 'in' | 'out',
  context: DecodeContext | null,
): boolean {
  if (!context) return false;
  const own = PROTOCOL_OWN[context.protocol];
  const decoded = own ? messageOf(m, direction, context) : null;
  return decoded !== null && own!.has(decoded.type);
}

/** The application's conversation: the client's and the server's messages without the protocol's own. */
export function applicationConversation(c: Conversation, context: DecodeContext | null): Conversation {
  if (!context) return c;
  return {
    sent: c.sent.filter((m) => !isProtocolOwn(m, 'out', context)),
    received: c.received.filter((m) => !isProtocolOwn(m, 'in', context)),
  };
}

/**
 * When the protocol was open in a recording (epoch µs): the last answer to the opening before the
 * application's first message (the namespace connect, connection_ack, CONNACK, CONNECTED); null
 * when the recording has none.
 */
export function protocolOpenedAt(c: Conversation, context: DecodeContext | null): number | null {
  const answer = context ? OPENING_ANSWER[context.protocol] : undefined;
  if (!context || !answer) return null;
  const firstSent = c.sent.find((m) => !isProtocolOwn(m, 'out', context))?.ts ?? Infinity;
  let at: number | null = null;
  for (const m of c.received) {
    if (at !== null && m.ts > firstSent) break;
    if (messageOf(m, 'in', context)?.type === answer) at = m.ts;
  }
  return at;
}

/** How a protocol client opens the protocol as the recording did: its init payload and its subscriptions. */
export interface RecordedOpening {
  initPayload?: unknown;
  subscribe: string[];
}

/**
 * What the recorded client said in its opening, as a protocol client's options: the Socket.IO
 * namespaces and their auth, the graphql-ws connection_init payload, the MQTT keep-alive, client id
 * and level, the STOMP CONNECT's host, login, passcode and heart-beat. The application's own
 * subscriptions (a graphql-ws subscribe, an MQTT SUBSCRIBE) are replayed as messages, not here.
 */
export function recordedOpening(c: Conversation, context: DecodeContext | null): RecordedOpening {
  const opening: RecordedOpening = { subscribe: [] };
  if (!context) return opening;
  for (const m of c.sent) {
    const decoded = messageOf(m, 'out', context);
    if (!decoded) continue;
    switch (`${context.protocol} ${decoded.type}`) {
      case 'socket.io CONNECT': {
        const ns = decoded.namespace ?? '/';
        if (!opening.subscribe.includes(ns)) opening.subscribe.push(ns);
        // `40/chat,{"token":…}`: the auth after the namespace.
        const body = m.text.slice(2).replace(/^\/[^,]*,?/, '');
        const auth = body ? parseJson(body) : undefined;
        if (opening.initPayload === undefined && isObject(auth)) opening.initPayload = auth;
        break;
      }
      case 'graphql-ws connection_init':
      case 'subscriptions-transport-ws connection_init': {
        const payload = (parseJson(m.text) as { payload?: unknown } | undefined)?.payload;
        if (isObject(payload)) opening.initPayload = payload;
        break;
      }
      case 'mqtt CONNECT':
        opening.initPayload = {
          ...(decoded.keepAlive !== undefined ? { keepAlive: decoded.keepAlive } : {}),
          ...(decoded.clientId ? { clientId: decoded.clientId } : {}),
          ...(decoded.protocolVersion === 4 || decoded.protocolVersion === 5
            ? { protocolVersion: decoded.protocolVersion }
            : {}),
        };
        break;
      case 'stomp CONNECT':
      case 'stomp STOMP': {
        const headers = stompHead(m.text)?.headers;
        const h = (name: string) => headers?.get(name);
        opening.initPayload = Object.fromEntries(
          (
            [
              ['host', h('host')],
              ['login', h('login')],
              ['passcode', h('passcode')],
              ['heartBeat', h('heart-beat')],
            ] as const
          ).filter(([, v]) => v !== undefined),
        );
        break;
      }
      default:
        break;
    }
  }
  if (context.protocol === 'socket.io' && opening.subscribe.length === 0) opening.subscribe.push('/');
  return opening;
}

/** A Socket.IO packet up to its ack id (`42`, `43/chat,`, `451-`), and the ack id. */
const SOCKET_IO_ACK = /^(4[0-6](?:\d+-)?(?:\/[^,]*,)?)(\d*)/;

/**
 * The id that ties an answer to its request: a Socket.IO ack id (an event asking for an ack, and
 * the ack), else the message's JSON `idField` (a graphql-ws operation id, a JSON-RPC id).
 */
export function exchangeId(
  m: TimedMessage,
  context: DecodeContext | null,
  idField: string,
): string | number | undefined {
  if (context?.protocol !== 'socket.io') return messageId(m, idField);
  if (m.opcode !== 'text') return undefined;
  const id = SOCKET_IO_ACK.exec(m.text)?.[2];
  return id ? Number(id) : undefined;
}

/** The message's text with its exchange id (see exchangeId) set to `id`. */
export function withExchangeId(
  m: TimedMessage,
  id: string | number,
  context: DecodeContext | null,
  idField: string,
): string {
  if (context?.protocol === 'socket.io')
    return m.text.replace(SOCKET_IO_ACK, (_all, head: string) => `${head}${id}`);
  const parsed = JSON.parse(m.text) as Record<string, unknown>;
  parsed[idField] = id;
  return JSON.stringify(parsed);
}

/**
 * A request without its exchange id: a client's request is the recorded one when their shapes are
 * equal, whatever ids each client chose (socket.io-client counts acks from 0, graphql-ws uses UUIDs).
 */
export function requestShape(m: TimedMessage, context: DecodeContext | null, idField: string): string {
  if (m.opcode !== 'text' || exchangeId(m, context, idField) === undefined) return `${m.opcode}:${m.text}`;
  if (context?.protocol === 'socket.io') return `text:${m.text.replace(SOCKET_IO_ACK, '$1')}`;
  const { [idField]: _id, ...rest } = JSON.parse(m.text) as Record<string, unknown>;
  return `text:${JSON.stringify(rest)}`;
}

/**
 * A STOMP frame as a structure to compare: its command, its headers by name and its body, so that a
 * diff says which header changed (`$.headers["message-id"]`) and leaves out the volatile ones.
 */
function stompStructure(text: string): unknown {
  const head = stompHead(text);
  if (!head) return undefined;
  const blank = /\r?\n\r?\n/.exec(text);
  const body = blank ? text.slice(blank.index + blank[0].length).replace(/\0[\r\n]*$/, '') : '';
  return { command: head.command, headers: Object.fromEntries(head.headers), body };
}

/** How a replay compares the answers of a connection in this protocol: STOMP frames by header, else JSON. */
export function answerStructure(context: DecodeContext | null): ReadStructure {
  return context?.protocol === 'stomp' ? stompStructure : parseJsonText;
}
