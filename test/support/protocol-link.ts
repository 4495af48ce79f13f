// A protocol client (electron/engine/capture/protocols/) driven over a real `ws` WebSocket, for the
// tests that hold it against a real broker: the harness plays the ProtocolLink as a capture does
// (send → ws.send, close → ws.close, event → collected, refused → a `protocol-refused` event, the
// message kept and the connection closed 1000), hands every message to received(), tells the client
// how the connection ended (closed()) before disposing it, and keeps every message both ways, so that
// a test can check what went over the wire.
import WebSocket from 'ws';
import type { ClientProtocol, ProtocolLink } from '../../electron/engine/capture/protocols/client.js';

export interface WireMessage {
  direction: 'sent' | 'received';
  data: Buffer;
  binary: boolean;
  at: number;
}

export interface LinkedClient {
  ws: WebSocket;
  /** The subprotocol the server chose. */
  subprotocol: string;
  events: Array<{ kind: string; detail: Record<string, unknown> }>;
  wire: WireMessage[];
  /** What the client said the server refused (link.refused), as a capture makes it the connection's error. */
  refusal(): string | null;
  /** Settles with the close code and reason once the connection is closed. */
  closed: Promise<{ code: number; reason: string }>;
  isClosed(): boolean;
  stop(): Promise<void>;
}

export function linkClient(
  url: string,
  subprotocols: string[],
  client: ClientProtocol,
): Promise<LinkedClient> {
  const ws = new WebSocket(url, subprotocols);
  const events: LinkedClient['events'] = [];
  const wire: WireMessage[] = [];
  let isClosed = false;
  let closedByUs = false;
  let refusal: string | null = null;
  const link: ProtocolLink = {
    send(data, binary) {
      const buf = typeof data === 'string' ? Buffer.from(data) : data;
      wire.push({ direction: 'sent', data: buf, binary, at: Date.now() });
      ws.send(data, { binary });
    },
    close(code, reason) {
      closedByUs = true;
      ws.close(code, reason);
    },
    event(kind, detail) {
      events.push({ kind, detail });
    },
    refused(message) {
      refusal = message;
      events.push({ kind: 'protocol-refused', detail: { protocol: client.name, message } });
      if (ws.readyState === WebSocket.OPEN) link.close(1000, '');
    },
  };
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => {
      isClosed = true;
      // ws says 1005 for a close without a code and 1006 for a dropped connection.
      client.closed(
        { code: code === 1006 ? null : code, reason: reason.toString(), byServer: !closedByUs },
        link,
      );
      client.dispose();
      resolve({ code, reason: reason.toString() });
    }),
  );
  ws.on('message', (data: Buffer, binary) => {
    wire.push({ direction: 'received', data, binary, at: Date.now() });
    client.received(data, binary, link);
  });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => {
      ws.off('error', reject);
      ws.on('error', () => {});
      client.opened(link);
      resolve({
        ws,
        subprotocol: ws.protocol,
        events,
        wire,
        refusal: () => refusal,
        closed,
        isClosed: () => isClosed,
        stop: async () => {
          if (!isClosed) {
            link.close(1000, 'test over');
            await closed;
          }
        },
      });
    });
  });
}

/**
 * A ProtocolLink with no connection behind it, for unit tests that feed a client the server's
 * bytes: it keeps what the client sent, its events (a refusal as `protocol-refused`, as a capture
 * records it) and its closes.
 */
export function recordingLink() {
  const sent: Buffer[] = [];
  const events: LinkedClient['events'] = [];
  const closes: Array<[number, string]> = [];
  let refusal: string | null = null;
  const link: ProtocolLink = {
    send: (data) => void sent.push(Buffer.from(data)),
    close: (code, reason) => void closes.push([code, reason]),
    event: (kind, detail) => void events.push({ kind, detail }),
    refused: (message) => {
      refusal = message;
      events.push({ kind: 'protocol-refused', detail: { message } });
      closes.push([1000, '']);
    },
  };
  return { link, sent, events, closes, refusal: () => refusal };
}
