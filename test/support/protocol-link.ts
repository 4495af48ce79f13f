// A protocol client (electron/engine/capture/protocols/) driven over a real `ws` WebSocket, for the
// tests that hold it against a real broker: the harness plays the ProtocolLink (send → ws.send,
// close → ws.close, event → collected), hands every message to received(), disposes on close, and
// keeps every message both ways, so that a test can check what went over the wire.
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
  const link: ProtocolLink = {
    send(data, binary) {
      const buf = typeof data === 'string' ? Buffer.from(data) : data;
      wire.push({ direction: 'sent', data: buf, binary, at: Date.now() });
      ws.send(data, { binary });
    },
    close(code, reason) {
      ws.close(code, reason);
    },
    event(kind, detail) {
      events.push({ kind, detail });
    },
  };
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => {
      isClosed = true;
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
        closed,
        isClosed: () => isClosed,
        stop: async () => {
          if (!isClosed) {
            ws.close(1000, 'test over');
            await closed;
          }
        },
      });
    });
  });
}
