// `frameline capture` as a client of the protocol a WebSocket carries, against the stacks' own
// servers: Socket.IO 4 (Engine.IO's open, namespace connects, server pings answered) and graphql-ws
// (connection_init, its ack, subscriptions). What is checked is what a user would: the recorded
// frames and events, the close, the exit code and the one-line error, and what the server received.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { captured, texts } from '../../support/captured.js';
import { workspace, type Workspace } from '../../support/cli.js';
import { protocolToolMissing } from '../../support/test-tools.js';
import { until } from '../../support/wait.js';
import { graphqlWsServer, type GraphqlWsScenario } from '../../servers/graphql-ws.js';
import { socketIoServer, type SocketIoScenario } from '../../servers/socketio.js';

let ws: Workspace;
const toClose: Array<{ close(): Promise<void> }> = [];

beforeEach(() => {
  ws = workspace();
});

afterEach(async () => {
  for (const s of toClose.splice(0)) await s.close();
  ws.cleanup();
});

const capture = (args: string[]) => captured(ws.db, args);

const socketIoMissing = protocolToolMissing('socket.io');
describe.skipIf(socketIoMissing)(
  `capture of a Socket.IO 4 server${socketIoMissing ? ` (skipped: ${socketIoMissing})` : ''}`,
  () => {
    // Pings every 300 ms, a client that has not answered dropped 1 s later: a client that does not
    // speak Engine.IO is gone within 1.3 s, while one that does has a second to answer on a busy
    // machine (a 200 ms window was missed once while a RabbitMQ node booted beside the test).
    async function server(): Promise<SocketIoScenario> {
      const s = await socketIoServer({ pingInterval: 300, pingTimeout: 1000 });
      toClose.push(s);
      return s;
    }

    it('stays connected for several ping timeouts, answering every ping, and ends with its own close', async () => {
      const s = await server();
      const { code, data } = await capture([s.url, '--duration', '3']);
      expect(code).toBe(0);
      expect(data.connections).toHaveLength(1);
      const c = data.connections[0]!;
      expect(c).toMatchObject({ closedBy: 'client', closeCode: 1000, error: null });
      // Every ping that came before our close was answered (one arriving while we close cannot be).
      const frames = data.frames ?? [];
      const ourClose = frames.find((f) => f.direction === 'out' && f.opcode === 'close')!.seq;
      const pings = frames.filter((f) => f.direction === 'in' && f.payload === '2' && f.seq < ourClose);
      const pongs = texts(frames, 'out').filter((p) => p === '3');
      // 3 s at a 300 ms interval, more than twice a silent client's 1.3 s: pings, each answered.
      expect(pings.length).toBeGreaterThanOrEqual(5);
      expect(pongs).toHaveLength(pings.length);
      expect(texts(data.frames, 'out')[0]).toBe('40');
      expect(texts(data.frames, 'in')[0]).toMatch(/^0\{"sid":/);
      expect(data.events.map((e) => e.kind)).toEqual(
        expect.arrayContaining(['engine-open', 'protocol-opened']),
      );
      await until('the server to see the client go', () => s.disconnects.length === 1);
      expect(s.disconnects).toEqual(['transport close']);
    });

    it('sends --send after the namespace connect was answered, and the server handler receives it', async () => {
      const s = await server();
      const { code, data } = await capture([s.url, '--send', '42["hello",1]', '--duration', '0.5']);
      expect(code).toBe(0);
      await until('the event to reach the handler', () => s.events.length === 1);
      expect(s.events).toEqual([{ namespace: '/', name: 'hello', args: [1] }]);
      const frames = data.frames ?? [];
      const seqOf = (dir: string, test: (p: string) => boolean) =>
        frames.find((f) => f.direction === dir && test(f.payload))!.seq;
      expect(seqOf('out', (p) => p === '42["hello",1]')).toBeGreaterThan(
        seqOf('in', (p) => p.startsWith('40{')),
      );
    });

    it('--send-every repeats the messages, never the namespace connect', async () => {
      const s = await server();
      const { code, data } = await capture([
        s.url,
        '--send',
        '42["beat"]',
        '--send-every',
        '0.2',
        '--duration',
        '1.2',
      ]);
      expect(code).toBe(0);
      expect(data.connections[0]).toMatchObject({ closedBy: 'client', closeCode: 1000 });
      const out = texts(data.frames, 'out');
      expect(out.filter((p) => p.startsWith('40'))).toEqual(['40']);
      expect(out.filter((p) => p === '42["beat"]').length).toBeGreaterThanOrEqual(3);
      await until(
        'the beats to reach the handler',
        () => s.events.length === out.filter((p) => p === '42["beat"]').length,
      );
    });

    it('opens the protocol afresh on every reconnect', async () => {
      const s = await server();
      let kicked = false;
      s.io.on('connection', (socket) => {
        if (kicked) return;
        kicked = true;
        socket.disconnect(true);
      });
      const { code, data } = await capture([
        s.url,
        '--reconnect',
        '--reconnect-base',
        '50',
        '--send',
        '42["hello"]',
        '--duration',
        '1.5',
      ]);
      expect(code).toBe(0);
      expect(data.connections.length).toBe(2);
      for (const c of data.connections) {
        const frames = (data.frames ?? []).filter((f) => f.connection === c.id && f.opcode === 'text');
        expect(frames[0]).toMatchObject({ direction: 'in', payload: expect.stringMatching(/^0\{"sid":/) });
        expect(frames[1]).toMatchObject({ direction: 'out', payload: '40' });
      }
      const opened = data.events.filter((e) => e.kind === 'protocol-opened').map((e) => e.connection);
      expect(opened).toEqual(data.connections.map((c) => c.id));
    });

    it('a namespace refused by its middleware ends the capture with the server`s words, in one line', async () => {
      const s = await server();
      const { code, stderr, data } = await capture([
        s.url.replace(/\?.*$/, ''),
        '--subscribe',
        '/private',
        '--init-payload',
        '{"token":"wrong"}',
        '--send',
        '42["never"]',
      ]);
      expect(code).toBe(1);
      expect(stderr).toContain(
        'error: could not connect to ' +
          s.url.replace(/\?.*$/, '') +
          ': socket.io: the server refused namespace /private (connect_error): not authorized: bad token',
      );
      expect(texts(data.frames, 'out')).toEqual(['40/private,{"token":"wrong"}']);
      expect(data.connections[0]!.closedBy).toBe('client');
      expect(data.events.find((e) => e.kind === 'protocol-refused')?.detail).toMatchObject({
        protocol: 'socket.io',
      });
      expect(s.events).toEqual([]);
    });

    it('connects the namespaces --subscribe names, with the auth of --init-payload', async () => {
      const s = await server();
      const { code } = await capture([
        s.url,
        '--protocol',
        'socket.io',
        '--subscribe',
        '/private',
        '--subscribe',
        '/chat',
        '--init-payload',
        '{"token":"let-me-in"}',
        '--send',
        '42/chat,["said",2]',
        '--duration',
        '0.5',
      ]);
      expect(code).toBe(0);
      await until('the event to reach the /chat handler', () => s.events.length === 1);
      expect(s.connections).toEqual([
        { namespace: '/private', auth: { token: 'let-me-in' } },
        { namespace: '/chat', auth: { token: 'let-me-in' } },
      ]);
      expect(s.events).toEqual([{ namespace: '/chat', name: 'said', args: [2] }]);
    });
  },
);

const graphqlMissing = protocolToolMissing('graphql-ws') ?? protocolToolMissing('graphql');
describe.skipIf(graphqlMissing)(
  `capture of a graphql-ws server${graphqlMissing ? ` (skipped: ${graphqlMissing})` : ''}`,
  () => {
    async function server(): Promise<GraphqlWsScenario> {
      const s = await graphqlWsServer({ tickMs: 50 });
      toClose.push(s);
      return s;
    }

    it('--subscribe receives the subscription`s next messages after connection_ack', async () => {
      const s = await server();
      const { code, data } = await capture([
        s.url,
        '--protocol',
        'graphql-ws',
        '--subscribe',
        'subscription { tick }',
        '--duration',
        '1',
      ]);
      expect(code).toBe(0);
      expect(data.connections[0]).toMatchObject({ subprotocol: 'graphql-transport-ws', closedBy: 'client' });
      const out = texts(data.frames, 'out').map((p) => JSON.parse(p) as unknown);
      expect(out.slice(0, 2)).toEqual([
        { type: 'connection_init' },
        { id: '1', type: 'subscribe', payload: { query: 'subscription { tick }' } },
      ]);
      const nexts = texts(data.frames, 'in')
        .map((p) => JSON.parse(p) as { type: string; id?: string; payload?: { data?: { tick?: number } } })
        .filter((m) => m.type === 'next');
      expect(nexts.length).toBeGreaterThanOrEqual(3);
      expect(nexts.slice(0, 3).map((m) => m.payload?.data?.tick)).toEqual([1, 2, 3]);
      expect(nexts.every((m) => m.id === '1')).toBe(true);
    });

    it('never sends --send before connection_ack', async () => {
      const s = await server();
      const query = '{"id":"q","type":"subscribe","payload":{"query":"{ hello }"}}';
      const { code, data } = await capture([
        s.url,
        '--subprotocol',
        'graphql-transport-ws',
        '--send',
        query,
        '--duration',
        '0.5',
      ]);
      expect(code).toBe(0);
      const frames = (data.frames ?? []).filter((f) => f.opcode === 'text');
      const order = frames.map((f) => `${f.direction} ${(JSON.parse(f.payload) as { type: string }).type}`);
      expect(order.slice(0, 3)).toEqual(['out connection_init', 'in connection_ack', 'out subscribe']);
      expect(texts(data.frames, 'in')).toContain(
        '{"id":"q","type":"next","payload":{"data":{"hello":"world"}}}',
      );
      expect(s.received).toEqual([{ type: 'connection_init' }, { type: 'subscribe', id: 'q' }]);
    });

    it('a refused init payload ends the capture with 4403 in one line and the exit code of a failed connect', async () => {
      const s = await server();
      const { code, stderr, data } = await capture([
        s.url,
        '--protocol',
        'graphql-ws',
        '--init-payload',
        '{"token":"nope"}',
        '--subscribe',
        'subscription { tick }',
        '--send',
        '{"id":"x","type":"subscribe","payload":{"query":"{ hello }"}}',
      ]);
      expect(code).toBe(1);
      expect(stderr).toContain(
        `error: could not connect to ${s.url}: graphql-ws: the server closed 4403 Forbidden before connection_ack`,
      );
      expect(data.connections[0]).toMatchObject({ closeCode: 4403, closedBy: 'server' });
      expect(s.received).toEqual([{ type: 'connection_init' }]);
      expect(texts(data.frames, 'out')).toEqual(['{"type":"connection_init","payload":{"token":"nope"}}']);
    });
  },
);

describe('a server that breaks the protocol before answering its opening', () => {
  /** A `ws` server that accepts `subprotocol` and answers the opening with `reply`. */
  async function breaking(subprotocol: string, reply: Buffer | string) {
    const server = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      handleProtocols: (offered) => (offered.has(subprotocol) ? subprotocol : false),
    });
    server.on('connection', (socket) => socket.once('message', () => socket.send(reply)));
    await once(server, 'listening');
    toClose.push({ close: () => new Promise<void>((r) => server.close(() => r())) });
    return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  it('MQTT: a packet it cannot read instead of CONNACK ends the capture in one line, exit code 1, closed 1002', async () => {
    // A CONNACK whose Remaining Length runs past four bytes.
    const url = await breaking('mqtt', Buffer.from([0x20, 0xff, 0xff, 0xff, 0xff, 0x01]));
    const { code, stderr, data } = await capture([url, '--protocol', 'mqtt', '--duration', '5']);
    expect(code).toBe(1);
    expect(stderr.split('\n').filter((l) => l.startsWith('error:'))).toEqual([
      `error: could not connect to ${url}: mqtt: malformed MQTT packet: a Remaining Length longer than four bytes, before CONNACK`,
    ]);
    expect(data.events.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['protocol-error', 'protocol-refused']),
    );
    expect(data.connections[0]).toMatchObject({ closeCode: 1002, closedBy: 'client' });
  });

  it('STOMP: a frame it cannot read instead of CONNECTED ends the capture the same way', async () => {
    const url = await breaking('v12.stomp', 'CONNECTED\nversion:1.2\nno colon here\n\n\0');
    const { code, stderr } = await capture([url, '--protocol', 'stomp', '--duration', '5']);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^error: could not connect to .*: stomp: malformed STOMP frame: .+, before CONNECTED$/m,
    );
  });
});
