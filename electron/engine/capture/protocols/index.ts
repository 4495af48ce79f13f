// The protocols Frameline can speak as a client, by name: how to make one connection's client, what
// is wrong with the options for it (said before anything is created), and the URL its clients
// connect to. A protocol missing here is recorded and decoded, but not spoken.
import { InputError } from '../../errors.js';
import {
  protocolOfHandshake,
  protocolOfSubprotocol,
  protocolOfUrl,
  subprotocolsFor,
  type ProtocolChoice,
  type ProtocolName,
} from '../../../../shared/protocols/names.js';
import type { ClientProtocol, ClientProtocolOptions } from './client.js';
import { GraphqlWsClient, graphqlWsOptionsProblem } from './graphql-ws.js';
import { MqttClient, mqttOptionsProblem } from './mqtt.js';
import { SocketIoClient, socketIoOptionsProblem, socketIoUrl } from './socket.io.js';
import { StompClient, stompOptionsProblem } from './stomp.js';

/** One protocol Frameline speaks as a client. */
interface ClientEntry {
  /** `url` is the one the connection opened (STOMP's CONNECT names its host). */
  create(options: ClientProtocolOptions, url: URL): ClientProtocol;
  /** What is wrong with the options for this protocol, in a sentence; null when nothing is. */
  problem?(options: ClientProtocolOptions): string | null;
  /** The URL this protocol's own clients connect to, given the one the user typed. */
  url?(url: URL): URL;
}

const CLIENTS: Partial<Record<ProtocolName, ClientEntry>> = {
  'socket.io': { create: (o) => new SocketIoClient(o), problem: socketIoOptionsProblem, url: socketIoUrl },
  'graphql-ws': { create: (o) => new GraphqlWsClient(o), problem: graphqlWsOptionsProblem },
  mqtt: { create: (o) => new MqttClient(o), problem: mqttOptionsProblem },
  stomp: { create: (o, url) => new StompClient(o, url), problem: stompOptionsProblem },
};

/** A new client of `name` for one connection to `url`; null when Frameline does not speak it. */
export function clientFor(
  name: ProtocolName,
  options: ClientProtocolOptions,
  url: URL,
): ClientProtocol | null {
  return CLIENTS[name]?.create(options, url) ?? null;
}

/** The protocols Frameline speaks as a client. */
export function spokenProtocols(): ProtocolName[] {
  return Object.keys(CLIENTS) as ProtocolName[];
}

/** How a capture (or a probe…) asks for a protocol: the choice, the init payload as JSON text, the subscriptions. */
export interface ProtocolRequest {
  url: URL;
  protocol?: ProtocolChoice | undefined;
  initPayload?: string | undefined;
  subscribe: readonly string[];
  subprotocols: readonly string[];
}

/** A protocol request checked before connecting: what to connect to and offer, and what to speak. */
export interface ProtocolPlan {
  url: URL;
  subprotocols: string[];
  /** The protocol chosen (or said by the URL) before connecting; null: the 101 may still say one. */
  chosen: ProtocolName | null;
  /** `--protocol none`: speak nothing, whatever the handshake says. */
  plain: boolean;
  options: ClientProtocolOptions;
}

/** Checks the protocol's fields (InputError with a sentence) and plans the connection. */
export function planProtocol(r: ProtocolRequest): ProtocolPlan {
  const plain = r.protocol === 'none';
  const chosen: ProtocolName | null =
    r.protocol === 'none' ? null : (r.protocol ?? protocolOfUrl(r.url.href));
  let initPayload: unknown;
  if (r.initPayload !== undefined) {
    try {
      initPayload = JSON.parse(r.initPayload);
    } catch (err) {
      throw new InputError(
        `--init-payload is not JSON (${(err as Error).message}); give an object such as {"token":"…"}`,
      );
    }
  }
  const options: ClientProtocolOptions = {
    ...(initPayload !== undefined ? { initPayload } : {}),
    subscribe: [...r.subscribe],
  };
  // Without a choice, the first subprotocol offered says what the 101 will most likely choose.
  const expected = chosen ?? (plain ? null : protocolOfSubprotocol(r.subprotocols[0]));
  const entry = expected ? CLIENTS[expected] : undefined;
  const asks = r.initPayload !== undefined || r.subscribe.length > 0;
  if (plain && asks)
    throw new InputError(
      '--protocol none speaks no protocol, so --init-payload and --subscribe have nothing to say; drop them or choose a protocol',
    );
  if (expected && !entry && asks)
    throw new InputError(
      `Frameline does not speak ${expected} as a client yet, so --init-payload and --subscribe cannot be used with it; it speaks ${spokenProtocols().join(', ')}`,
    );
  if (!expected && !plain && asks)
    throw new InputError(
      `--init-payload and --subscribe are said in a protocol, and neither the URL nor --subprotocol names one; add --protocol ${spokenProtocols().join('|')}`,
    );
  const problem = entry?.problem?.(options);
  if (problem) throw new InputError(problem);
  return {
    url: chosen && entry?.url ? entry.url(r.url) : r.url,
    // Only a protocol the user chose adds its subprotocol: one the URL suggests offers what was given.
    subprotocols:
      r.subprotocols.length === 0 && r.protocol !== undefined && chosen
        ? subprotocolsFor(chosen)
        : [...r.subprotocols],
    chosen,
    plain,
    options,
  };
}

/** The client one connection speaks: the chosen protocol, else what its 101 said; null for none. */
export function clientForConnection(plan: ProtocolPlan, subprotocol: string | null): ClientProtocol | null {
  if (plan.plain) return null;
  const name = plan.chosen ?? protocolOfHandshake(subprotocol, plan.url.href);
  return name ? clientFor(name, plan.options, plan.url) : null;
}
