// A real graphql-ws server (the graphql-ws and graphql packages of the test tools) over `ws` on
// 127.0.0.1, port 0: a schema with a query (`hello`) and a ticking subscription (`tick`), and an
// onConnect that refuses (4403 Forbidden) a connection_init whose payload's token is not "let-me-in"
// when one is given. It records every message a client sent, in order, as the server parsed it.
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { protocolTool } from '../support/test-tools.js';
import type { Running } from './scenarios.js';

export interface GraphqlWsScenario extends Running {
  /** Each message a client sent (its `type`, and `id` when it has one), in arrival order. */
  received: Array<{ type: string; id?: string }>;
  /** connection_init payloads the server accepted. */
  accepted: unknown[];
}

interface GraphqlModule {
  GraphQLSchema: new (config: Record<string, unknown>) => unknown;
  GraphQLObjectType: new (config: Record<string, unknown>) => unknown;
  GraphQLString: unknown;
  GraphQLInt: unknown;
  GraphQLNonNull: new (t: unknown) => unknown;
}

export async function graphqlWsServer(opts: { tickMs?: number } = {}): Promise<GraphqlWsScenario> {
  const g = protocolTool<GraphqlModule>('graphql');
  const { useServer } = protocolTool<{
    useServer: (options: Record<string, unknown>, ws: WebSocketServer) => { dispose(): Promise<void> };
  }>('graphql-ws', 'use/ws');
  const tickMs = opts.tickMs ?? 100;
  const schema = new g.GraphQLSchema({
    query: new g.GraphQLObjectType({
      name: 'Query',
      fields: { hello: { type: g.GraphQLString, resolve: () => 'world' } },
    }),
    subscription: new g.GraphQLObjectType({
      name: 'Subscription',
      fields: {
        tick: {
          type: new g.GraphQLNonNull(g.GraphQLInt),
          subscribe: async function* () {
            for (let n = 1; ; n++) {
              await new Promise((r) => setTimeout(r, tickMs));
              yield { tick: n };
            }
          },
        },
      },
    }),
  });
  const http = createServer();
  const sockets = new Set<Socket>();
  http.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const wss = new WebSocketServer({ server: http });
  const received: GraphqlWsScenario['received'] = [];
  const accepted: unknown[] = [];
  // Recorded before graphql-ws reads it: the order the client sent in.
  wss.on('connection', (socket) => {
    socket.on('message', (data) => {
      try {
        const m = JSON.parse(String(data)) as { type: string; id?: string };
        received.push(m.id === undefined ? { type: m.type } : { type: m.type, id: m.id });
      } catch {
        received.push({ type: '(not JSON)' });
      }
    });
  });
  const server = useServer(
    {
      schema,
      onConnect: (ctx: { connectionParams?: { token?: unknown } }) => {
        const token = ctx.connectionParams?.token;
        if (token !== undefined && token !== 'let-me-in') return false; // 4403 Forbidden
        accepted.push(ctx.connectionParams ?? null);
        return true;
      },
    },
    wss,
  );
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/graphql`,
    port,
    received,
    accepted,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await server.dispose();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
