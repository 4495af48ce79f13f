// A real JSON-RPC 2.0 server (rpc-websockets, from the test tools) and the frames its own client and
// server put on the wire, for the decoders, detection and the capture → show path.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { WireFrame } from '../../shared/protocols/decode.js';
import type { RpcWebsocketsModule } from './protocol-tool-types.js';
import { protocolTool, protocolToolMissing } from './test-tools.js';

/** Why the JSON-RPC server cannot run here (a skipped test says it); null when it can. */
export const jsonRpcMissing = protocolToolMissing('rpc-websockets');

export interface JsonRpcServer {
  url: string;
  close(): Promise<void>;
}

/** An rpc-websockets server on 127.0.0.1, port 0, with one method: `sum` of its params. */
export async function jsonRpcServer(): Promise<JsonRpcServer> {
  const rpc = protocolTool<RpcWebsocketsModule>('rpc-websockets');
  const server = new rpc.Server({ port: 0, host: '127.0.0.1' } as never);
  await once(server as never, 'listening');
  server.register('sum', (params: number[]) => params.reduce((a, b) => a + b, 0));
  const port = ((server as unknown as { wss: WebSocketServer }).wss.address() as AddressInfo).port;
  return { url: `ws://127.0.0.1:${port}`, close: () => server.close() };
}

/**
 * The frames of one rpc-websockets client talking to an rpc-websockets server, in wire order, seen
 * from the client (a relay between them records what each side really sends): a `sum` call and its
 * result, a call of a method the server does not have and its error, then a notification `audit`.
 */
export async function jsonRpcWire(): Promise<WireFrame[]> {
  const rpc = protocolTool<RpcWebsocketsModule>('rpc-websockets');
  const server = await jsonRpcServer();
  const seen: WireFrame[] = [];
  const relay = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(relay, 'listening');
  const text = (d: unknown, direction: 'in' | 'out'): WireFrame => ({
    direction,
    opcode: 'text',
    data: String(d),
  });
  relay.on('connection', (down) => {
    const up = new WebSocket(server.url);
    const pending: string[] = [];
    up.on('open', () => pending.splice(0).forEach((m) => up.send(m)));
    down.on('message', (d) => {
      seen.push(text(d, 'out'));
      if (up.readyState === WebSocket.OPEN) up.send(String(d));
      else pending.push(String(d));
    });
    up.on('message', (d) => {
      seen.push(text(d, 'in'));
      down.send(String(d));
    });
  });
  const client = new rpc.Client(`ws://127.0.0.1:${(relay.address() as AddressInfo).port}`);
  try {
    await once(client as never, 'open');
    await client.call('sum', [1, 2]);
    await client.call('nope', []).catch(() => undefined);
    const notified = new Promise<void>((resolve) =>
      relay.clients.forEach((ws) => ws.on('message', (d) => String(d).includes('audit') && resolve())),
    );
    await client.notify('audit', ['x']);
    await notified;
  } finally {
    client.close();
    await server.close();
    relay.close();
  }
  return seen;
}
