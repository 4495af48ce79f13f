// A frame's message as its application protocol says it (`message` on frames in show, the console,
// exports and reports): `{ protocol, type, … }` in the protocol's own words. Every field but the
// protocol and the type is optional: each protocol fills in the ones it has.
import { z } from 'zod';
import { ProtocolNameSchema } from '../protocols/names.js';

const count = z.number().int().nonnegative();

/** A decoded frame: the protocol's message type and what it names (event, topic, ids, codes). */
export const ProtocolMessageSchema = z.object({
  protocol: ProtocolNameSchema,
  /**
   * The protocol's word for the message: Socket.IO `EVENT` (or the Engine.IO packet type `ping`
   * for packets that carry no Socket.IO packet), graphql-ws `subscribe`, MQTT `PUBLISH`, STOMP
   * `SEND`, JSON-RPC `request`/`notification`/`result`/`error`, SignalR `Invocation`, a Phoenix
   * event, an ActionCable type or command; `malformed` when the frame does not parse as the
   * protocol (then `reason` says why).
   */
  type: z.string(),
  /** Why a frame is `malformed`, or what was cut short (a truncated payload decodes as far as it can). */
  reason: z.string().optional(),
  /** Socket.IO: the Engine.IO packet type (open, close, ping, pong, message, upgrade, noop). */
  engineType: z.string().optional(),
  /** How the message was encoded when it is not the protocol's text form: `msgpack` (Socket.IO's msgpack parser). */
  encoding: z.enum(['msgpack']).optional(),
  /** Socket.IO: the namespace (`/` when left out). */
  namespace: z.string().optional(),
  /** Socket.IO event name, Phoenix event. */
  name: z.string().optional(),
  /** Socket.IO ack id, graphql-ws operation id, JSON-RPC id (as text), MQTT packet id… */
  id: z.string().optional(),
  /** Socket.IO binary packets: how many binary attachments follow. */
  attachments: count.optional(),
  /** Engine.IO open packet: session id, ping interval and timeout (ms). */
  sid: z.string().optional(),
  pingInterval: z.number().optional(),
  pingTimeout: z.number().optional(),
  /** GraphQL operation name, when the message carries one. */
  operationName: z.string().optional(),
  /** MQTT topic (PUBLISH) or first topic filter (SUBSCRIBE/UNSUBSCRIBE); Phoenix topic. */
  topic: z.string().optional(),
  /** MQTT SUBSCRIBE/UNSUBSCRIBE: every topic filter. */
  topics: z.array(z.string()).optional(),
  /** MQTT packet identifier. */
  packetId: z.number().int().optional(),
  qos: z.number().int().optional(),
  retain: z.boolean().optional(),
  dup: z.boolean().optional(),
  /** MQTT 3.1.1 CONNACK return code. */
  returnCode: z.number().int().optional(),
  /** MQTT 5 reason code (CONNACK, PUBACK…, DISCONNECT, AUTH). */
  reasonCode: z.number().int().optional(),
  /** MQTT SUBACK (3.1.1 return codes, 5 reason codes) and v5 UNSUBACK: one per topic filter. */
  reasonCodes: z.array(z.number().int()).optional(),
  /** MQTT CONNECT: keep-alive in seconds, client id, protocol level (4 = 3.1.1, 5). */
  keepAlive: z.number().int().optional(),
  clientId: z.string().optional(),
  protocolVersion: z.number().int().optional(),
  /** MQTT: the frame holds this many packets (the fields are the first's). SignalR: records. */
  packets: count.optional(),
  /** STOMP headers. */
  destination: z.string().optional(),
  receipt: z.string().optional(),
  receiptId: z.string().optional(),
  messageId: z.string().optional(),
  subscription: z.string().optional(),
  heartBeat: z.string().optional(),
  contentType: z.string().optional(),
  /** JSON-RPC method; ActionCable command. */
  method: z.string().optional(),
  /** JSON-RPC error code; SignalR or STOMP error text. */
  errorCode: z.number().optional(),
  error: z.string().optional(),
  /** SignalR hub method and invocation id. */
  target: z.string().optional(),
  invocationId: z.string().optional(),
  /** Phoenix refs. */
  ref: z.string().optional(),
  joinRef: z.string().optional(),
  /** ActionCable identifier (its JSON text) and the channel it names; command of a client message. */
  identifier: z.string().optional(),
  channel: z.string().optional(),
  command: z.string().optional(),
});
export type ProtocolMessage = z.infer<typeof ProtocolMessageSchema>;
