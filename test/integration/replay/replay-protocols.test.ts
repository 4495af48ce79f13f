// `frameline replay` of sessions that carried a protocol, against the stacks' own servers: the
// replay opens the protocol afresh (a new Engine.IO sid, its own pongs; connection_init and its
// ack), sends the recorded application messages once it is open, never the recorded opening or
// heartbeats, and compares the answers without the protocol's own messages.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captured, texts } from '../../support/captured.js';
import { cliJson, workspace, type Workspace } from '../../support/cli.js';
import type { ShowJson } from '../../support/session-json.js';
import { protocolToolMissing } from '../../support/test-tools.js';
import { until } from '../../support/wait.js';
import { graphqlWsServer } from '../../servers/graphql-ws.js';
import { mosquittoMissing, startMosquitto } from '../../servers/mosquitto.js';
import { socketIoServer, type SocketIoScenario } from '../../servers/socketio.js';

interface ReplayJson {
  sessionId: number;
  sent: number;
  received: number;
  matched: number;
  changed: number;
  missing: number;
  extra: number;
}

let ws: Workspace;
const toClose: Array<{ close(): Promise<void> }> = [];

beforeEach(() => {
  ws = workspace();
});
afterEach(async () => {
  for (const s of toClose.splice(0)) await s.close();
  ws.cleanup();
});

async function replay(source: number, to: string): Promise<{ code: number | null; json: ReplayJson }> {
  const { result, json } = await cliJson<ReplayJson>(['replay', String(source), '--to', to, '--db', ws.db]);
  return { code: result.code, json };
}

const framesOf = async (session: number) =>
  (await cliJson<ShowJson>(['show', String(session), '--frames', '--db', ws.db])).json;

const sidOf = (frames: ShowJson['frames']) =>
  (
    JSON.parse(
      texts(frames, 'in')
        .find((p) => p.startsWith('0{'))!
        .slice(1),
    ) as { sid: string }
  ).sid;

const socketIoMissing = protocolToolMissing('socket.io');
describe.skipIf(socketIoMissing)(
  `replay of a Socket.IO session${socketIoMissing ? ` (skipped: ${socketIoMissing})` : ''}`,
  () => {
    // Pings every 300 ms, a client that has not answered dropped 1 s later.
    async function server(): Promise<SocketIoScenario> {
      const s = await socketIoServer({ pingInterval: 300, pingTimeout: 1000 });
      toClose.push(s);
      return s;
    }

    it('opens Engine.IO afresh, answers its pings past a ping timeout, and finds the ack and events the same', async () => {
      const recordedServer = await server();
      const recording = await captured(ws.db, [
        recordedServer.url,
        '--send',
        '421["echo",{"n":1}]',
        '--send',
        '42["hello",2]',
        '--duration',
        '2',
      ]);
      expect(recording.code).toBe(0);
      const recordedOut = texts(recording.data.frames, 'out');
      expect(recordedOut.filter((p) => p === '3').length).toBeGreaterThanOrEqual(3);

      const s = await server();
      const { code, json } = await replay(recording.data.session.id, s.url);
      expect(code).toBe(0);
      // Sent: the two events; answered: the welcome event and the ack. No sid, no ping compared.
      expect(json).toMatchObject({ sent: 2, received: 2, matched: 2, changed: 0, missing: 0, extra: 0 });
      // (socket.io hands the handler the ack callback as a last argument.)
      expect(s.events.map((e) => ({ ...e, args: e.args.filter((a) => typeof a !== 'function') }))).toEqual([
        { namespace: '/', name: 'echo', args: [{ n: 1 }] },
        { namespace: '/', name: 'hello', args: [2] },
      ]);

      const run = await framesOf(json.sessionId);
      expect(run.connections[0]).toMatchObject({ closedBy: 'client', closeCode: 1000, error: null });
      expect(sidOf(run.frames)).not.toBe(sidOf(recording.data.frames));
      const out = texts(run.frames, 'out');
      // The namespace connect once (the protocol client's), then the events; pongs only for pings received.
      expect(out.filter((p) => p.startsWith('40'))).toEqual(['40']);
      expect(out.filter((p) => p.startsWith('42'))).toEqual(['421["echo",{"n":1}]', '42["hello",2]']);
      const pings = texts(run.frames, 'in').filter((p) => p === '2').length;
      const pongs = out.filter((p) => p === '3').length;
      expect(pings).toBeGreaterThanOrEqual(3);
      expect(pongs).toBeGreaterThanOrEqual(pings - 1);
      // The replay lasted the recorded 2 s, past one pingInterval + pingTimeout, and the server kept it.
      await until('the server to see the replay go', () => s.disconnects.length === 1);
      expect(s.disconnects).toEqual(['transport close']);
    });

    it('replays a capture made with --protocol none as the bare socket it was: the recorded frames, no pongs of its own', async () => {
      const recordedServer = await server();
      const recording = await captured(ws.db, [
        recordedServer.url,
        '--protocol',
        'none',
        '--send',
        '40',
        '--send',
        '42["hello",2]',
        '--duration',
        '0.5',
      ]);
      expect(recording.code).toBe(0);

      const s = await server();
      const { code, json } = await replay(recording.data.session.id, s.url);
      // Both recorded messages go out as they were, the namespace connect among them; compared as
      // plain messages, the new sids differ from the recorded ones (exit code 1: answers differ).
      expect(json).toMatchObject({ sent: 2 });
      expect(json.changed).toBeGreaterThan(0);
      expect(code).toBe(1);
      const out = texts((await framesOf(json.sessionId)).frames, 'out');
      expect(out).toEqual(['40', '42["hello",2]']);
      // (Whether the server handles the event depends on its namespace connect finishing first: a bare
      // client does not wait for it, recorded or replayed.)
    });
  },
);

const graphqlMissing = protocolToolMissing('graphql-ws') ?? protocolToolMissing('graphql');
describe.skipIf(graphqlMissing)(
  `replay of a graphql-ws session${graphqlMissing ? ` (skipped: ${graphqlMissing})` : ''}`,
  () => {
    it('sends connection_init and waits for its ack, then the subscribe, and finds next and complete the same', async () => {
      const recordedServer = await graphqlWsServer();
      toClose.push(recordedServer);
      const subscribe = '{"id":"q1","type":"subscribe","payload":{"query":"{ hello }"}}';
      const recording = await captured(ws.db, [
        recordedServer.url,
        '--subprotocol',
        'graphql-transport-ws',
        '--init-payload',
        '{"token":"let-me-in"}',
        '--send',
        subscribe,
        '--duration',
        '0.5',
      ]);
      expect(recording.code).toBe(0);
      expect(texts(recording.data.frames, 'in')).toContain('{"type":"connection_ack"}');

      const s = await graphqlWsServer();
      toClose.push(s);
      const { code, json } = await replay(recording.data.session.id, s.url);
      expect(code).toBe(0);
      expect(json).toMatchObject({ sent: 1, received: 2, matched: 2, changed: 0, missing: 0, extra: 0 });
      // The server saw the opening once, with the recorded payload, and the subscribe after it.
      expect(s.received).toEqual([{ type: 'connection_init' }, { type: 'subscribe', id: 'q1' }]);
      expect(s.accepted).toEqual([{ token: 'let-me-in' }]);
      const run = await framesOf(json.sessionId);
      expect(run.connections[0]).toMatchObject({ closedBy: 'client', closeCode: 1000, error: null });
      expect(texts(run.frames, 'in')).toEqual([
        '{"type":"connection_ack"}',
        '{"id":"q1","type":"next","payload":{"data":{"hello":"world"}}}',
        '{"id":"q1","type":"complete"}',
      ]);
    });
  },
);

const mqttMissing = mosquittoMissing();
describe.skipIf(mqttMissing)(
  `replay of an MQTT session${mqttMissing ? ` (skipped: ${mqttMissing})` : ''}`,
  () => {
    /** The MQTT packet types (first byte's high nibble) of one direction's binary frames. */
    const packetTypes = (frames: ShowJson['frames'], direction: 'in' | 'out') =>
      (frames ?? [])
        .filter((f) => f.direction === direction && f.opcode === 'binary')
        .map((f) => Buffer.from(f.payload, 'base64')[0]! >> 4);
    const CONNECT = 1;
    const SUBSCRIBE = 8;
    const PINGREQ = 12;

    it('sends its own CONNECT and PINGREQs, the recorded SUBSCRIBE after the CONNACK, and finds the SUBACK the same', async () => {
      const broker = await startMosquitto();
      toClose.push({ close: () => broker.stop() });
      const recording = await captured(ws.db, [
        `${broker.url}/`,
        '--protocol',
        'mqtt',
        '--init-payload',
        '{"keepAlive":1}',
        '--subscribe',
        'a/b',
        '--duration',
        '2.5',
      ]);
      expect(recording.code).toBe(0);
      expect(
        packetTypes(recording.data.frames, 'out').filter((t) => t === PINGREQ).length,
      ).toBeGreaterThanOrEqual(1);

      const { code, json } = await replay(recording.data.session.id, `${broker.url}/`);
      expect(code).toBe(0);
      expect(json).toMatchObject({ sent: 1, received: 1, matched: 1, changed: 0, missing: 0, extra: 0 });
      const run = await framesOf(json.sessionId);
      // Kept past 1.5 × the recorded keep-alive of 1 s by its own PINGREQs, closed by the replay.
      expect(run.connections[0]).toMatchObject({ closedBy: 'client', closeCode: 1000, error: null });
      const out = packetTypes(run.frames, 'out');
      expect(out.filter((t) => t === CONNECT)).toHaveLength(1);
      expect(out.filter((t) => t === SUBSCRIBE)).toHaveLength(1);
      expect(out.indexOf(SUBSCRIBE)).toBeGreaterThan(out.indexOf(CONNECT));
      expect(out.filter((t) => t === PINGREQ).length).toBeGreaterThanOrEqual(1);
    });
  },
);
