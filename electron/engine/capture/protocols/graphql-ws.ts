// GraphQL over WebSocket as the graphql-ws library speaks it (subprotocol graphql-transport-ws):
// `connection_init` (with --init-payload) first, nothing else before `connection_ack` (the server
// closes 4401 on a subscribe before it), `ping` answered with `pong` and the same payload, and each
// `--subscribe` a `subscribe` message with its own id once the ack came.
import { ClientOpening, type ClientProtocolOptions, type ProtocolLink } from './client.js';

/** A subscribe message's payload: the GraphQL request. */
interface SubscribePayload {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

/**
 * What a `--subscribe` value asks: a GraphQL document as is, or (starting with `{`) a JSON object
 * with `query` and optionally `variables` and `operationName`. Throws a sentence when it is neither.
 */
export function subscribePayload(value: string): SubscribePayload {
  if (!value.trimStart().startsWith('{')) return { query: value };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    // A document that starts with `{` (a query shorthand) is a document.
    return { query: value };
  }
  const o = parsed as Partial<SubscribePayload> | null;
  if (typeof o !== 'object' || o === null || typeof o.query !== 'string')
    throw new Error(
      `--subscribe ${value.slice(0, 80)} is a JSON object without a "query" string; give a GraphQL document, or {"query":"…","variables":{…}}`,
    );
  return {
    query: o.query,
    ...(o.variables !== undefined ? { variables: o.variables } : {}),
    ...(o.operationName !== undefined ? { operationName: o.operationName } : {}),
  };
}

/** What is wrong with the options for graphql-ws, in a sentence; null when nothing is. */
export function graphqlWsOptionsProblem(o: ClientProtocolOptions): string | null {
  if (
    o.initPayload !== undefined &&
    (typeof o.initPayload !== 'object' || o.initPayload === null || Array.isArray(o.initPayload))
  )
    return '--init-payload for graphql-ws is the connection_init payload, a JSON object such as {"token":"…"}';
  for (const s of o.subscribe) {
    try {
      subscribePayload(s);
    } catch (err) {
      return (err as Error).message;
    }
  }
  return null;
}

export class GraphqlWsClient extends ClientOpening {
  readonly name = 'graphql-ws' as const;
  protected readonly answer = 'connection_ack';
  private nextId = 1;

  constructor(private readonly options: ClientProtocolOptions) {
    super();
  }

  opened(link: ProtocolLink): void {
    const init: { type: string; payload?: unknown } = { type: 'connection_init' };
    if (this.options.initPayload !== undefined) init.payload = this.options.initPayload;
    link.send(JSON.stringify(init), false);
  }

  received(data: Buffer, binary: boolean, link: ProtocolLink): void {
    if (binary) return;
    let message: { type?: unknown; payload?: unknown };
    try {
      message = JSON.parse(data.toString('utf8')) as typeof message;
    } catch {
      return;
    }
    switch (message.type) {
      case 'connection_ack':
        if (this.isReady) return;
        for (const s of this.options.subscribe) {
          const id = String(this.nextId++);
          link.send(JSON.stringify({ id, type: 'subscribe', payload: subscribePayload(s) }), false);
        }
        this.markReady(link, { payload: message.payload ?? null });
        return;
      case 'ping':
        link.send(
          JSON.stringify(
            message.payload === undefined ? { type: 'pong' } : { type: 'pong', payload: message.payload },
          ),
          false,
        );
        return;
      default:
        return;
    }
  }
}
