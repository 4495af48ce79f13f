// GraphQL over WebSocket: the graphql-ws protocol (subprotocol `graphql-transport-ws`) and the
// legacy subscriptions-transport-ws (subprotocol `graphql-ws`). JSON objects `{type, id, payload}`.
import type { ProtocolMessage } from '../contract/messages.js';
import {
  defined,
  fieldsOfHead,
  isObject,
  malformed,
  parseJson,
  str,
  textOf,
  type WireFrame,
} from './wire.js';

/** graphql-ws message types. */
export const GRAPHQL_WS_TYPES = [
  'connection_init',
  'connection_ack',
  'ping',
  'pong',
  'subscribe',
  'next',
  'error',
  'complete',
];
/** subscriptions-transport-ws message types (GQL_*). */
export const SUBSCRIPTIONS_TRANSPORT_TYPES = [
  'connection_init',
  'connection_ack',
  'connection_error',
  'connection_terminate',
  'ka',
  'start',
  'data',
  'error',
  'complete',
  'stop',
];

/** The operation named in a GraphQL document (`subscription OnTick { … }`), if it names one. */
function operationNameOf(query: unknown): string | undefined {
  if (typeof query !== 'string') return undefined;
  return /\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(query)?.[1];
}

export function decodeGraphql(
  f: WireFrame,
  protocol: 'graphql-ws' | 'subscriptions-transport-ws',
): ProtocolMessage {
  const text = textOf(f);
  const o = parseJson(text);
  if (o === undefined && f.truncated) {
    const head = fieldsOfHead(text, ['type', 'id']);
    if (head.type) return defined({ protocol, type: head.type, id: head.id, reason: 'cut short' });
  }
  if (!isObject(o) || typeof o.type !== 'string')
    return malformed(protocol, 'not a JSON object with a "type"');
  const payload = isObject(o.payload) ? o.payload : {};
  return defined({
    protocol,
    type: o.type,
    id: str(o, 'id'),
    operationName: str(payload, 'operationName') ?? operationNameOf(payload.query),
  });
}
