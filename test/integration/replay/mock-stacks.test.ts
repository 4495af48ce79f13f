// `frameline mock` of sessions recorded against the stacks' own servers, served to the stacks' own
// clients: socket.io-client gets an Engine.IO open packet with a new sid and the recorded
// pingInterval/pingTimeout, is pinged on that interval and stays connected, and gets the recorded
// ack under its own ack id; graphql-ws's client gets its connection_ack and the recorded next and
// complete under its own subscription id.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { captured, texts } from '../../support/captured.js';
import { workspace, type Workspace } from '../../support/cli.js';
import type { GraphqlWsClientModule, SocketIoClientModule } from '../../support/protocol-tool-types.js';
import { startMock, type MockProcess } from '../../support/replay.js';
import { protocolTool, protocolToolMissing } from '../../support/test-tools.js';
import { until } from '../../support/wait.js';
import { graphqlWsServer } from '../../servers/graphql-ws.js';
import { socketIoServer } from '../../servers/socketio.js';

let ws: Workspace;
const toClose: Array<{ close(): Promise<unknown> }> = [];

beforeEach(() => {
  ws = workspace();
});
afterEach(async () => {
  for (const s of toClose.splice(0).reverse()) await s.close();
  ws.cleanup();
});

async function mockOf(session: number): Promise<MockProcess> {
  const mock = await startMock([String(session), '--mode', 'reactive', '--db', ws.db]);
  toClose.push({ close: () => mock.stop() });
  return mock;
}

const socketIoMissing = protocolToolMissing('socket.io') ?? protocolToolMissing('socket.io-client');
describe.skipIf(socketIoMissing)(
  `a mock of a Socket.IO session${socketIoMissing ? ` (skipped: ${socketIoMissing})` : ''}`,
  () => {
    it('speaks Engine.IO and Socket.IO to socket.io-client: a new sid, pings it answers, the recorded ack', async () => {
      const server = await socketIoServer({ pingInterval: 300, pingTimeout: 1000 });
      toClose.push(server);
      const recording = await captured(ws.db, [
        server.url,
        '--send',
        '421["echo",{"n":1}]',
        '--duration',
        '0.6',
      ]);
      expect(recording.code).toBe(0);
      const recordedSid = (
        JSON.parse(
          texts(recording.data.frames, 'in')
            .find((p) => p.startsWith('0{'))!
            .slice(1),
        ) as {
          sid: string;
        }
      ).sid;
      const mock = await mockOf(recording.data.session.id);

      const { io } = protocolTool<SocketIoClientModule>('socket.io-client');
      const socket = io(mock.url.replace(/^ws:/, 'http:'), {
        transports: ['websocket'],
        reconnection: false,
      });
      toClose.push({ close: async () => socket.disconnect() });
      const welcomes: unknown[] = [];
      const disconnects: unknown[] = [];
      let pings = 0;
      socket.on('welcome', (w) => welcomes.push(w));
      socket.on('disconnect', (reason) => disconnects.push(reason));
      socket.io.engine.on('ping', () => pings++);
      await until('socket.io-client to connect to the mock', () => socket.connected);
      expect(socket.io.engine.id).not.toBe(recordedSid);
      expect(socket.id).toMatch(/^[\w-]{20}$/);

      const answer = await new Promise((resolve) => socket.emit('echo', { n: 1 }, resolve));
      expect(answer).toEqual({ echo: { n: 1 } });
      await until('the recorded welcome', () => welcomes.length === 1);
      expect(welcomes).toEqual([{ namespace: '/' }]);

      // Five pings at the recorded 300 ms interval outlast one pingInterval + pingTimeout (1.3 s):
      // the client answered them and the mock kept it.
      await until('five pings from the mock', () => pings >= 5, 20_000);
      expect(socket.connected).toBe(true);
      expect(disconnects).toEqual([]);
    });

    it('closes a client that does not answer its pings, as Engine.IO does, after the recorded pingTimeout', async () => {
      const server = await socketIoServer({ pingInterval: 300, pingTimeout: 1000 });
      toClose.push(server);
      const recording = await captured(ws.db, [server.url, '--send', '42["hello",1]', '--duration', '0.4']);
      expect(recording.code).toBe(0);
      const mock = await mockOf(recording.data.session.id);
      // A WebSocket client that does not speak Engine.IO: it hears the open packet and the pings, and never pongs.
      const silent = new WebSocket(mock.url);
      const heard: string[] = [];
      silent.on('message', (d: Buffer) => heard.push(d.toString()));
      const closed = new Promise<number>((resolve) => silent.on('close', (code: number) => resolve(code)));
      expect(await closed).toBe(1005);
      expect(JSON.parse(heard[0]!.slice(1))).toMatchObject({
        upgrades: [],
        pingInterval: 300,
        pingTimeout: 1000,
      });
      expect(heard.filter((m) => m === '2')).toEqual(['2']);
    });
  },
);

const graphqlMissing = protocolToolMissing('graphql-ws') ?? protocolToolMissing('graphql');
describe.skipIf(graphqlMissing)(
  `a mock of a graphql-ws session${graphqlMissing ? ` (skipped: ${graphqlMissing})` : ''}`,
  () => {
    it("answers graphql-ws's client with connection_ack, then the recorded next and complete under its own id", async () => {
      const server = await graphqlWsServer();
      toClose.push(server);
      const recording = await captured(ws.db, [
        server.url,
        '--subprotocol',
        'graphql-transport-ws',
        '--init-payload',
        '{"token":"let-me-in"}',
        '--send',
        '{"id":"q1","type":"subscribe","payload":{"query":"{ hello }"}}',
        '--duration',
        '0.5',
      ]);
      expect(recording.code).toBe(0);
      const mock = await mockOf(recording.data.session.id);

      const { createClient } = protocolTool<GraphqlWsClientModule>('graphql-ws');
      const client = createClient({
        url: mock.url,
        webSocketImpl: WebSocket,
        connectionParams: { token: 'let-me-in' },
        retryAttempts: 0,
      });
      toClose.push({ close: async () => client.dispose() });
      const nexts: unknown[] = [];
      const ended = await new Promise<string>((resolve) =>
        client.subscribe(
          { query: '{ hello }' },
          {
            next: (v) => nexts.push(v),
            error: (e) => resolve(`error: ${JSON.stringify(e)}`),
            complete: () => resolve('complete'),
          },
        ),
      );
      expect(ended).toBe('complete');
      expect(nexts).toEqual([{ data: { hello: 'world' } }]);
    });
  },
);
