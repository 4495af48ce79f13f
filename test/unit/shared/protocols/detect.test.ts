// A connection's protocol from its handshake, else from its first frames as each stack's own
// library writes them (JSON-RPC: as rpc-websockets' client and server put them on the wire).
import { describe, expect, it } from 'vitest';
import type {
  EngineIoParserModule,
  GraphqlWsModule,
  MqttPacketModule,
  PhoenixModule,
  SignalrModule,
  StompModule,
} from '../../../support/protocol-tool-types.js';
import { DETECT_FRAMES, detectProtocol } from '../../../../shared/protocols/detect.js';
import type { WireFrame } from '../../../../shared/protocols/decode.js';
import { jsonRpcMissing, jsonRpcWire } from '../../../support/json-rpc.js';
import { protocolTool, protocolToolMissing } from '../../../support/test-tools.js';

const plain = { subprotocol: null, url: 'ws://127.0.0.1:9/ws' };
const text = (data: string, direction: 'in' | 'out' = 'out'): WireFrame => ({
  direction,
  opcode: 'text',
  data,
});

const tools = [
  'engine.io-parser',
  'graphql-ws',
  'mqtt-packet',
  '@stomp/stompjs',
  '@microsoft/signalr',
  'phoenix',
];
const missing = tools.map(protocolToolMissing).find(Boolean);

describe('protocol detection', () => {
  it('takes the handshake first: the subprotocol, then the URL', () => {
    expect(detectProtocol({ subprotocol: 'graphql-transport-ws', url: plain.url }, [])).toBe('graphql-ws');
    expect(
      detectProtocol({ subprotocol: null, url: 'ws://h/socket.io/?EIO=4&transport=websocket' }, []),
    ).toBe('socket.io');
    expect(detectProtocol(plain, [])).toBeNull();
  });

  it.skipIf(missing)('knows each stack by its first frames', () => {
    const engine = protocolTool<EngineIoParserModule>('engine.io-parser');
    let open = '';
    engine.encodePacket(
      {
        type: 'open',
        data: JSON.stringify({
          sid: 'abc',
          upgrades: [],
          pingInterval: 25000,
          pingTimeout: 20000,
          maxPayload: 1e6,
        }),
      },
      false,
      (p) => (open = String(p)),
    );
    expect(detectProtocol(plain, [text(open, 'in')])).toBe('socket.io');

    const g = protocolTool<GraphqlWsModule>('graphql-ws');
    expect(detectProtocol(plain, [text(g.stringifyMessage({ type: g.MessageType.ConnectionInit }))])).toBe(
      'graphql-ws',
    );
    expect(
      detectProtocol(plain, [
        text(g.stringifyMessage({ type: g.MessageType.Subscribe, id: '1', payload: { query: '{a}' } })),
      ]),
    ).toBe('graphql-ws');

    const mqtt = protocolTool<MqttPacketModule>('mqtt-packet');
    const connect = new Uint8Array(
      mqtt.generate({
        cmd: 'connect',
        protocolVersion: 4,
        clientId: 'c',
        keepalive: 10,
        clean: true,
      } as never),
    );
    expect(detectProtocol(plain, [{ direction: 'out', opcode: 'binary', data: connect }])).toBe('mqtt');

    const { FrameImpl } = protocolTool<StompModule>('@stomp/stompjs');
    const stomp = new FrameImpl({
      command: 'CONNECT',
      headers: { 'accept-version': '1.2', host: '/' },
    }).serialize() as string;
    expect(detectProtocol(plain, [text(stomp)])).toBe('stomp');

    const signalr = protocolTool<SignalrModule>('@microsoft/signalr');
    const ping = new signalr.JsonHubProtocol().writeMessage({ type: signalr.MessageType.Ping }) as string;
    expect(detectProtocol(plain, [text(ping, 'in')])).toBe('signalr');

    const { Serializer } = protocolTool<PhoenixModule>('phoenix');
    let join = '';
    Serializer.encode(
      { join_ref: '1', ref: '1', topic: 'room:lobby', event: 'phx_join', payload: {} },
      (s) => (join = s),
    );
    expect(detectProtocol(plain, [text(join)])).toBe('phoenix');
  });

  it.skipIf(jsonRpcMissing)(
    'knows JSON-RPC by its first frames, looks at the first frames only, and lets the handshake win',
    async () => {
      // A call, its result, an error and a notification, as rpc-websockets' client and server send them.
      const rpc = await jsonRpcWire();
      expect(rpc.length).toBeGreaterThanOrEqual(4);
      expect(detectProtocol(plain, rpc)).toBe('json-rpc');
      expect(
        detectProtocol(
          plain,
          rpc.filter((f) => f.direction === 'in'),
        ),
      ).toBe('json-rpc');
      expect(detectProtocol(plain, [text('hello'), ...rpc])).toBe('json-rpc');
      const chatter = Array.from({ length: DETECT_FRAMES }, () => text('hello'));
      expect(detectProtocol(plain, [...chatter, ...rpc])).toBeNull();
      expect(detectProtocol({ subprotocol: 'graphql-transport-ws', url: plain.url }, rpc)).toBe('graphql-ws');
    },
  );
});
