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
  /** Closes the connection. */
  close(code: number, reason: string): void;
  /** Puts an event on the session's record (`protocol-opened`, …) with its detail. */
  event(kind: string, detail: Record<string, unknown>): void;
  /**
   * The server refused the protocol's opening: the connection's error becomes `message` (the
   * server's own words, prefixed with the protocol's name), a `protocol-refused` event is recorded,
   * and the connection is closed (1000) if it is still open. ClientOpening.refuse calls it.
   */
  refused(message: string): void;
}

/** How the user asked the protocol to be spoken. */
export interface ClientProtocolOptions {
  /** graphql-ws `connection_init` payload, Socket.IO auth, STOMP/MQTT credentials…: `--init-payload JSON`, parsed. */
  initPayload?: unknown;
  /** What `--subscribe` asked for, in order: topic filters, destinations, documents, namespaces. */
  subscribe: readonly string[];
}

/** How the connection ended, as a protocol client is told. */
export interface ConnectionEnd {
  code: number | null;
  reason: string;
  /** The server closed (or dropped) it, rather than Frameline. */
  byServer: boolean;
}

export interface ClientProtocol {
  readonly name: ProtocolName;
  /** The WebSocket is open: send the protocol's opening (or wait for the server's, as Engine.IO). */
  opened(link: ProtocolLink): void;
  /** A data message arrived: answer heartbeats, note the opening's answer. */
  received(data: Buffer, binary: boolean, link: ProtocolLink): void;
  /**
   * The connection ended. Called before the connection's end is recorded, so that a refusal said by
   * a close (graphql-ws 4403 before its ack) becomes the connection's error (link.refused).
   */
  closed(end: ConnectionEnd, link: ProtocolLink): void;
  /**
   * Settles once the protocol is open (connection_ack, CONNACK, CONNECTED, the namespace's connect):
   * the user's `--send` messages go out after it, in order. Rejects, with the server's own words,
   * when the server refuses the opening.
   */
  readonly ready: Promise<void>;
  /** Stops the client's own timers (MQTT PINGREQ, STOMP heart-beats); the connection is ending. */
  dispose(): void;
  /**
   * A user's text message (`--send`, a script's send, the console's composer) as the protocol
   * frames it on the wire, for what a command line or a form cannot carry (STOMP's closing NUL);
   * absent: sent as written.
   */
  framed?(text: string): string;
}

/**
 * The opening's bookkeeping every client shares: `ready` settled once, a refusal said once (to the
 * link and to `ready`), a close before the opening's answer taken as a refusal, timers cleared on
 * dispose. A client extends it and implements opened/received.
 */
export abstract class ClientOpening {
  abstract readonly name: ProtocolName;
  /** What the server's answer to the opening is called (`connection_ack`, `CONNACK`…), for sentences. */
  protected abstract readonly answer: string;
  readonly ready: Promise<void>;
  private settle!: { resolve: () => void; reject: (e: Error) => void };
  private settled = false;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor() {
    this.ready = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    // A refusal is said on the connection's record; nobody has to wait on `ready` to hear it.
    this.ready.catch(() => {});
  }

  /** The protocol is open. */
  get isReady(): boolean {
    return this.settled;
  }

  /** The server accepted the opening: records `protocol-opened` with what it said. */
  protected markReady(link: ProtocolLink, detail: Record<string, unknown> = {}): void {
    if (this.settled) return;
    this.settled = true;
    link.event('protocol-opened', { protocol: this.name, ...detail });
    this.settle.resolve();
  }

  /** The server refused the opening; `words` are what it said, after "NAME: ". */
  protected refuse(link: ProtocolLink, words: string): void {
    if (this.settled) return;
    this.settled = true;
    const message = `${this.name}: ${words}`;
    link.refused(message);
    this.settle.reject(new Error(message));
  }

  /**
   * The server sent what the protocol cannot read: a `protocol-error` event, the connection closed
   * 1002 with `closeReason`; before the opening's answer, the opening failed with it (the capture
   * then ends as a refused opening does).
   */
  protected broken(link: ProtocolLink, message: string, closeReason: string): void {
    link.event('protocol-error', { protocol: this.name, message });
    this.dispose();
    link.close(1002, closeReason);
    this.refuse(link, `${message}, before ${this.answer}`);
  }

  /** Runs `fn` every `ms` until dispose. */
  protected every(ms: number, fn: () => void): void {
    this.timers.push(setInterval(fn, ms));
  }

  abstract opened(link: ProtocolLink): void;
  abstract received(data: Buffer, binary: boolean, link: ProtocolLink): void;

  closed(end: ConnectionEnd, link: ProtocolLink): void {
    if (!end.byServer || this.settled) return;
    const said =
      end.code === null
        ? 'dropped the connection'
        : `closed ${end.code}${end.reason ? ` ${end.reason}` : ''}`;
    this.refuse(link, `the server ${said} before ${this.answer}`);
  }

  dispose(): void {
    for (const t of this.timers.splice(0)) clearInterval(t);
  }
}
