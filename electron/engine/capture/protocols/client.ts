// Frameline as a well-behaved client of an application protocol: what a capture, a probe, a walk's
// actions and a replay do on a connection before anything of the user's goes out (Engine.IO's open
// and the namespace connect, graphql-ws's connection_init and its ack, STOMP's CONNECT, MQTT's
// CONNECT, SignalR's handshake), the protocol's own heartbeats answered or sent, and `--subscribe`
// said the protocol's way. One ClientProtocol per connection; the recorder records every frame it
// sends like any other.
import type { ProtocolName } from '../../../../shared/protocols/names.js';

/** What a protocol client may do on its connection. */
export interface ProtocolLink {
  /** Sends a message (a text frame, or a binary one). */
  send(data: string | Buffer, binary: boolean): void;
  /** Closes the connection, e.g. when the server refuses the protocol's opening. */
  close(code: number, reason: string): void;
  /** Puts an event on the session's record (`protocol-open`, `protocol-refused`, …) with its detail. */
  event(kind: string, detail: Record<string, unknown>): void;
}

/** How the user asked the protocol to be spoken. */
export interface ClientProtocolOptions {
  /** graphql-ws `connection_init` payload, STOMP/MQTT credentials…: `--init-payload JSON`. */
  initPayload?: unknown;
  /** What `--subscribe` asked for, in order: topic filters, destinations, documents, channels. */
  subscribe: readonly string[];
}

export interface ClientProtocol {
  readonly name: ProtocolName;
  /** The WebSocket is open: send the protocol's opening (or wait for the server's, as Engine.IO). */
  opened(link: ProtocolLink): void;
  /** A data message arrived: answer heartbeats, note the opening's answer. */
  received(data: Buffer, binary: boolean, link: ProtocolLink): void;
  /**
   * Settles once the protocol is open (connection_ack, CONNACK, CONNECTED, the namespace's connect):
   * the user's `--send` messages and the subscriptions go out after it, in order. Rejects, with the
   * server's own words, when the server refuses the opening.
   */
  readonly ready: Promise<void>;
  /** Stops the client's own timers (MQTT PINGREQ, STOMP heart-beats); the connection is ending. */
  dispose(): void;
}
