// The application protocols Frameline knows over a WebSocket, by the names users type
// (`--protocol NAME`) and see (show, the console, exports, reports), and what the handshake alone
// says about a connection's protocol: its negotiated subprotocol, or its URL. The first frames say
// the rest (shared/protocols/detect.ts).
import { z } from 'zod';

export const PROTOCOL_NAMES = [
  /** Socket.IO over Engine.IO (v4): `/socket.io/?EIO=4`, packets `0{…}`, `2`/`3` heartbeats, `42[…]` events. */
  'socket.io',
  /** GraphQL over WebSocket, the graphql-ws library's protocol: subprotocol `graphql-transport-ws`. */
  'graphql-ws',
  /** The legacy subscriptions-transport-ws protocol: subprotocol `graphql-ws` (sic). */
  'subscriptions-transport-ws',
  /** MQTT 3.1.1 / 5 over WebSocket: subprotocol `mqtt` (or `mqttv3.1`); binary packets. */
  'mqtt',
  /** STOMP 1.0–1.2: subprotocols `v12.stomp`, `v11.stomp`, `v10.stomp`. */
  'stomp',
  /** JSON-RPC 2.0: `{"jsonrpc":"2.0", …}` messages. */
  'json-rpc',
  /** ASP.NET Core SignalR, JSON hub protocol: records ending in U+001E. */
  'signalr',
  /** Phoenix channels (Elixir): `[join_ref, ref, topic, event, payload]` arrays, or v1 objects. */
  'phoenix',
  /** Rails ActionCable: subprotocol `actioncable-v1-json`; `welcome`, `ping`, `confirm_subscription`. */
  'actioncable',
] as const;

export type ProtocolName = (typeof PROTOCOL_NAMES)[number];
export const ProtocolNameSchema = z.enum(PROTOCOL_NAMES);

/** What a user may ask with `--protocol`: a protocol, or `none` to treat the socket as plain. */
export const ProtocolChoiceSchema = z.enum([...PROTOCOL_NAMES, 'none']);
export type ProtocolChoice = z.infer<typeof ProtocolChoiceSchema>;

/** Subprotocols (case-insensitive) that name their protocol outright. */
const BY_SUBPROTOCOL: Record<string, ProtocolName> = {
  'graphql-transport-ws': 'graphql-ws',
  'graphql-ws': 'subscriptions-transport-ws',
  mqtt: 'mqtt',
  'mqttv3.1': 'mqtt',
  'v10.stomp': 'stomp',
  'v11.stomp': 'stomp',
  'v12.stomp': 'stomp',
  stomp: 'stomp',
  'actioncable-v1-json': 'actioncable',
  'actioncable-unsupported': 'actioncable',
};

/** The protocol a subprotocol names, if it names one. */
export function protocolOfSubprotocol(subprotocol: string | null | undefined): ProtocolName | null {
  if (!subprotocol) return null;
  return BY_SUBPROTOCOL[subprotocol.trim().toLowerCase()] ?? null;
}

/** The subprotocols a client offers to speak `protocol` (most preferred first); none for the others. */
export function subprotocolsFor(protocol: ProtocolName): string[] {
  switch (protocol) {
    case 'graphql-ws':
      return ['graphql-transport-ws'];
    case 'subscriptions-transport-ws':
      return ['graphql-ws'];
    case 'mqtt':
      return ['mqtt'];
    case 'stomp':
      return ['v12.stomp', 'v11.stomp', 'v10.stomp'];
    case 'actioncable':
      return ['actioncable-v1-json'];
    default:
      return [];
  }
}

/** The protocol a URL says (Engine.IO's path and query, SignalR's `id` after negotiate, Phoenix's `vsn`). */
export function protocolOfUrl(url: string): ProtocolName | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.searchParams.has('EIO') || /\/socket\.io\/?$/.test(u.pathname)) return 'socket.io';
  if (/\/websocket\/?$/.test(u.pathname) && u.searchParams.has('vsn')) return 'phoenix';
  if (/\/cable\/?$/.test(u.pathname)) return 'actioncable';
  return null;
}

/** What the handshake says: the negotiated subprotocol first, then the URL; null when neither does. */
export function protocolOfHandshake(
  subprotocol: string | null | undefined,
  url: string,
): ProtocolName | null {
  return protocolOfSubprotocol(subprotocol) ?? protocolOfUrl(url);
}
