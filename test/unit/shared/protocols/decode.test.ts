// Every decoder on frames the stack's own library wrote (never hand-written frames): the message
// types, names, ids and codes the protocol's own words give, and a frame cut short decoded as far
// as it goes.
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import type {
  ActionCableModule,
  EngineIoParserModule,
  GraphqlWsModule,
  MqttPacketModule,
  PhoenixModule,
  SignalrModule,
  SocketIoParserModule,
  SocketIoServerModule,
  StompModule,
} from '../../../support/protocol-tool-types.js';
import { WebSocket, WebSocketServer } from 'ws';
import {
  decodeContext,
  decodeFrame,
  messageLabel,
  type WireFrame,
} from '../../../../shared/protocols/decode.js';
import { jsonRpcMissing, jsonRpcWire } from '../../../support/json-rpc.js';
import {
  importProtocolTool,
  protocolTool,
  protocolToolMissing,
  TEST_TOOLS,
} from '../../../support/test-tools.js';

const text = (data: string, direction: 'in' | 'out' = 'out'): WireFrame => ({
  direction,
  opcode: 'text',
  data,
});
const binary = (data: Uint8Array, direction: 'in' | 'out' = 'out'): WireFrame => ({
  direction,
  opcode: 'binary',
  data,
});

describe.skipIf(protocolToolMissing('socket.io'))('Socket.IO', () => {
  it('decodes a real server’s open packet and CONNECT, and the parser’s events, acks and binary events', async () => {
    const { Server } = protocolTool<SocketIoServerModule>('socket.io');
    const http = createServer();
    const io = new Server(http, { pingInterval: 25_000, pingTimeout: 20_000 });
    io.of('/chat').on('connection', (s) =>
      s.on('hello', (_: unknown, ack: (v: unknown) => void) => ack('hi')),
    );
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    const port = (http.address() as AddressInfo).port;
    const parser = protocolTool<SocketIoParserModule>('socket.io-parser');
    const encode = (p: object) => new parser.Encoder().encode(p as never) as Array<string | Buffer>;
    const received: string[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
    const got = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => (received.length >= n ? resolve() : ws.once('message', check));
        ws.on('message', (d) => received.push(String(d)));
        check();
      });
    const opened = got(1);
    await opened;
    const connect = encode({ type: parser.PacketType.CONNECT, nsp: '/chat' })[0] as string;
    ws.send(`4${connect}`);
    await new Promise<void>((r) => {
      const f = () => (received.length >= 2 ? r() : ws.once('message', () => setImmediate(f)));
      f();
    });
    const event = encode({
      type: parser.PacketType.EVENT,
      nsp: '/chat',
      id: 7,
      data: ['hello', { a: 1 }],
    })[0] as string;
    ws.send(`4${event}`);
    await new Promise<void>((r) => {
      const f = () => (received.length >= 3 ? r() : ws.once('message', () => setImmediate(f)));
      f();
    });
    ws.close();
    io.close();
    const c = decodeContext('socket.io', []);
    const open = decodeFrame(text(received[0]!, 'in'), c);
    expect(open).toMatchObject({
      protocol: 'socket.io',
      type: 'open',
      engineType: 'open',
      pingInterval: 25_000,
      pingTimeout: 20_000,
    });
    expect(typeof open?.sid).toBe('string');
    expect(decodeFrame(text(received[1]!, 'in'), c)).toMatchObject({ type: 'CONNECT', namespace: '/chat' });
    expect(decodeFrame(text(`4${connect}`), c)).toMatchObject({
      type: 'CONNECT',
      namespace: '/chat',
      engineType: 'message',
    });
    const sent = decodeFrame(text(`4${event}`), c);
    expect(sent).toMatchObject({ type: 'EVENT', namespace: '/chat', name: 'hello', id: '7' });
    expect(messageLabel(sent)).toBe('EVENT hello');
    expect(decodeFrame(text(received[2]!, 'in'), c)).toMatchObject({
      type: 'ACK',
      namespace: '/chat',
      id: '7',
    });
    const [bin, attachment] = encode({
      type: parser.PacketType.EVENT,
      nsp: '/',
      data: ['upload', Buffer.from([1, 2])],
    });
    expect(decodeFrame(text(`4${bin as string}`), c)).toMatchObject({
      type: 'BINARY_EVENT',
      namespace: '/',
      name: 'upload',
      attachments: 1,
    });
    expect(decodeFrame(binary(attachment as Buffer), c)).toMatchObject({ type: 'attachment' });
    const engine = protocolTool<EngineIoParserModule>('engine.io-parser');
    for (const type of ['ping', 'pong', 'close', 'upgrade', 'noop'] as const) {
      let packet = '';
      engine.encodePacket({ type }, false, (p) => (packet = String(p)));
      expect(decodeFrame(text(packet), c)).toEqual({ protocol: 'socket.io', type, engineType: type });
    }
    // Cut short: the event name still stands.
    const long = encode({
      type: parser.PacketType.EVENT,
      nsp: '/',
      data: ['tick', 'x'.repeat(100)],
    })[0] as string;
    expect(decodeFrame({ ...text(`4${long}`.slice(0, 20)), truncated: true }, c)).toMatchObject({
      type: 'EVENT',
      name: 'tick',
      reason: 'cut short',
    });
    expect(decodeFrame(text('hello'), c)).toMatchObject({ type: 'malformed' });
  });
});

describe.skipIf(protocolToolMissing('graphql-ws'))('graphql-ws and subscriptions-transport-ws', () => {
  it('gives each graphql-ws message its type, id and operation name', () => {
    const g = protocolTool<GraphqlWsModule>('graphql-ws');
    const c = decodeContext('graphql-ws', []);
    const m = (msg: object) => decodeFrame(text(g.stringifyMessage(msg as never)), c);
    expect(m({ type: g.MessageType.ConnectionInit })).toEqual({
      protocol: 'graphql-ws',
      type: 'connection_init',
    });
    expect(
      m({ type: g.MessageType.Subscribe, id: 'a1', payload: { query: 'subscription OnTick { tick }' } }),
    ).toEqual({
      protocol: 'graphql-ws',
      type: 'subscribe',
      id: 'a1',
      operationName: 'OnTick',
    });
    expect(m({ type: g.MessageType.Next, id: 'a1', payload: { data: { tick: 1 } } })).toMatchObject({
      type: 'next',
      id: 'a1',
    });
    expect(m({ type: g.MessageType.Complete, id: 'a1' })).toMatchObject({ type: 'complete', id: 'a1' });
    expect(m({ type: g.MessageType.Ping })).toMatchObject({ type: 'ping' });
    const cut = g.stringifyMessage({
      type: g.MessageType.Next,
      id: 'a2',
      payload: { data: { big: 'y'.repeat(200) } },
    } as never);
    expect(decodeFrame({ ...text(cut.slice(0, 40)), truncated: true }, c)).toMatchObject({
      type: 'next',
      id: 'a2',
      reason: 'cut short',
    });
    expect(decodeFrame(text('{"no":1}'), c)).toMatchObject({ type: 'malformed' });
  });
});

describe.skipIf(protocolToolMissing('mqtt-packet'))('MQTT', () => {
  const mqtt = protocolTool<MqttPacketModule>('mqtt-packet');

  it.each([4, 5])('decodes every packet type of MQTT level %i', (level) => {
    const v5 = level === 5;
    const gen = (p: object) => new Uint8Array(mqtt.generate(p as never, { protocolVersion: level } as never));
    const connectFrame = binary(
      gen({
        cmd: 'connect',
        protocolVersion: level,
        clientId: 'probe-1',
        keepalive: 30,
        clean: true,
        ...(v5 ? { properties: { sessionExpiryInterval: 10 } } : {}),
      }),
    );
    const c = decodeContext('mqtt', [connectFrame]);
    expect(c.mqttVersion).toBe(level);
    const d = (p: object, dir: 'in' | 'out' = 'in') => decodeFrame(binary(gen(p), dir), c);
    expect(decodeFrame(connectFrame, c)).toEqual({
      protocol: 'mqtt',
      type: 'CONNECT',
      protocolVersion: level,
      keepAlive: 30,
      clientId: 'probe-1',
    });
    expect(
      d({
        cmd: 'connack',
        sessionPresent: false,
        ...(v5 ? { reasonCode: 135, properties: { reasonString: 'no' } } : { returnCode: 5 }),
      }),
    ).toEqual(
      v5
        ? { protocol: 'mqtt', type: 'CONNACK', reasonCode: 135 }
        : { protocol: 'mqtt', type: 'CONNACK', returnCode: 5 },
    );
    expect(
      d({
        cmd: 'publish',
        topic: 'sensors/t1',
        payload: 'hot',
        qos: 1,
        messageId: 42,
        retain: true,
        dup: false,
        ...(v5 ? { properties: { contentType: 'text/plain' } } : {}),
      }),
    ).toEqual({
      protocol: 'mqtt',
      type: 'PUBLISH',
      topic: 'sensors/t1',
      packetId: 42,
      qos: 1,
      retain: true,
      dup: false,
    });
    for (const cmd of ['puback', 'pubrec', 'pubrel', 'pubcomp'])
      expect(d({ cmd, messageId: 42, ...(v5 ? { reasonCode: 16 } : {}) })).toEqual({
        protocol: 'mqtt',
        type: cmd.toUpperCase(),
        packetId: 42,
        ...(v5 ? { reasonCode: 16 } : {}),
      });
    expect(
      d(
        {
          cmd: 'subscribe',
          messageId: 3,
          subscriptions: [
            { topic: 'a/#', qos: 1 },
            { topic: 'b/+', qos: 0 },
          ],
        },
        'out',
      ),
    ).toEqual({
      protocol: 'mqtt',
      type: 'SUBSCRIBE',
      packetId: 3,
      topic: 'a/#',
      topics: ['a/#', 'b/+'],
      qos: 1,
    });
    expect(d({ cmd: 'suback', messageId: 3, granted: [1, 128] })).toEqual({
      protocol: 'mqtt',
      type: 'SUBACK',
      packetId: 3,
      reasonCodes: [1, 128],
    });
    expect(d({ cmd: 'unsubscribe', messageId: 4, unsubscriptions: ['a/#'] }, 'out')).toMatchObject({
      type: 'UNSUBSCRIBE',
      packetId: 4,
      topics: ['a/#'],
    });
    expect(d({ cmd: 'unsuback', messageId: 4, ...(v5 ? { granted: [0] } : {}) })).toEqual({
      protocol: 'mqtt',
      type: 'UNSUBACK',
      packetId: 4,
      ...(v5 ? { reasonCodes: [0] } : {}),
    });
    expect(d({ cmd: 'pingreq' }, 'out')).toEqual({ protocol: 'mqtt', type: 'PINGREQ' });
    expect(d({ cmd: 'pingresp' })).toEqual({ protocol: 'mqtt', type: 'PINGRESP' });
    expect(d({ cmd: 'disconnect', ...(v5 ? { reasonCode: 142 } : {}) })).toEqual({
      protocol: 'mqtt',
      type: 'DISCONNECT',
      ...(v5 ? { reasonCode: 142 } : {}),
    });
    if (v5)
      expect(d({ cmd: 'auth', reasonCode: 24, properties: { authenticationMethod: 'x' } })).toEqual({
        protocol: 'mqtt',
        type: 'AUTH',
        reasonCode: 24,
      });
  });

  it('says when a frame holds several packets, and decodes a cut-short one as far as it goes', () => {
    const gen = (p: object) => new Uint8Array(mqtt.generate(p as never));
    const c = decodeContext('mqtt', []);
    const a = gen({ cmd: 'publish', topic: 'x/1', payload: 'a', qos: 0 });
    const b = gen({ cmd: 'pingresp' });
    const both = new Uint8Array([...a, ...b, ...a]);
    expect(decodeFrame(binary(both), c)).toEqual({
      protocol: 'mqtt',
      type: 'PUBLISH',
      topic: 'x/1',
      qos: 0,
      retain: false,
      dup: false,
      packets: 3,
    });
    const big = gen({
      cmd: 'publish',
      topic: 'long/topic/name',
      payload: 'z'.repeat(500),
      qos: 2,
      messageId: 9,
    });
    expect(decodeFrame({ ...binary(big.subarray(0, 8)), truncated: true }, c)).toMatchObject({
      type: 'PUBLISH',
      qos: 2,
      reason: 'cut short',
    });
    expect(decodeFrame(text('CONNECT'), c)).toMatchObject({ type: 'malformed' });
    expect(decodeFrame(binary(new Uint8Array([0x00, 0x00])), c)).toMatchObject({ type: 'malformed' });
  });
});

describe.skipIf(protocolToolMissing('@stomp/stompjs'))('STOMP', () => {
  it('gives each frame stompjs writes its command and headers', () => {
    const { FrameImpl } = protocolTool<StompModule>('@stomp/stompjs');
    const c = decodeContext('stomp', []);
    const s = (command: string, headers: Record<string, string>, body = '') =>
      decodeFrame(text(new FrameImpl({ command, headers, body }).serialize() as string), c);
    expect(s('CONNECT', { 'accept-version': '1.2', 'heart-beat': '10000,10000', host: '/' })).toEqual({
      protocol: 'stomp',
      type: 'CONNECT',
      heartBeat: '10000,10000',
    });
    expect(s('SUBSCRIBE', { id: 'sub-0', destination: '/topic/prices', receipt: 'r-1' })).toEqual({
      protocol: 'stomp',
      type: 'SUBSCRIBE',
      id: 'sub-0',
      destination: '/topic/prices',
      receipt: 'r-1',
    });
    expect(
      s(
        'MESSAGE',
        {
          subscription: 'sub-0',
          'message-id': 'm-7',
          destination: '/topic/prices',
          'content-type': 'application/json',
        },
        '{"p":1}',
      ),
    ).toEqual({
      protocol: 'stomp',
      type: 'MESSAGE',
      subscription: 'sub-0',
      messageId: 'm-7',
      destination: '/topic/prices',
      contentType: 'application/json',
    });
    expect(s('RECEIPT', { 'receipt-id': 'r-1' })).toEqual({
      protocol: 'stomp',
      type: 'RECEIPT',
      receiptId: 'r-1',
    });
    expect(s('ERROR', { message: 'Access refused' })).toEqual({
      protocol: 'stomp',
      type: 'ERROR',
      error: 'Access refused',
    });
    expect(decodeFrame(text('\n'), c)).toEqual({ protocol: 'stomp', type: 'heart-beat' });
    expect(decodeFrame(text('HELLO\n\n\0'), c)).toMatchObject({ type: 'malformed' });
  });
});

describe.skipIf(protocolToolMissing('@microsoft/signalr'))('SignalR', () => {
  it('names each JSON hub message type, its target and invocation id, and the handshake', () => {
    const signalr = protocolTool<SignalrModule>('@microsoft/signalr');
    // The handshake record as the client library writes it (its module is internal to the package).
    const { HandshakeProtocol } = createRequire(import.meta.url)(
      join(
        TEST_TOOLS,
        'protocols',
        'node_modules',
        '@microsoft',
        'signalr',
        'dist',
        'cjs',
        'HandshakeProtocol.js',
      ),
    ) as { HandshakeProtocol: new () => { writeHandshakeRequest(r: object): string } };
    const hub = new signalr.JsonHubProtocol();
    const c = decodeContext('signalr', []);
    const w = (m: object) => decodeFrame(text(hub.writeMessage(m as never) as string), c);
    expect(
      decodeFrame(text(new HandshakeProtocol().writeHandshakeRequest({ protocol: 'json', version: 1 })), c),
    ).toEqual({ protocol: 'signalr', type: 'handshake' });
    const T = signalr.MessageType;
    expect(w({ type: T.Invocation, target: 'SendMessage', arguments: ['hi'], invocationId: '3' })).toEqual({
      protocol: 'signalr',
      type: 'Invocation',
      target: 'SendMessage',
      invocationId: '3',
    });
    expect(w({ type: T.StreamItem, invocationId: '4', item: 1 })).toMatchObject({
      type: 'StreamItem',
      invocationId: '4',
    });
    expect(w({ type: T.Completion, invocationId: '3', error: 'boom' })).toMatchObject({
      type: 'Completion',
      invocationId: '3',
      error: 'boom',
    });
    expect(
      w({ type: T.StreamInvocation, target: 'Counter', arguments: [], invocationId: '4' }),
    ).toMatchObject({ type: 'StreamInvocation', target: 'Counter' });
    expect(w({ type: T.CancelInvocation, invocationId: '4' })).toMatchObject({ type: 'CancelInvocation' });
    expect(w({ type: T.Ping })).toEqual({ protocol: 'signalr', type: 'Ping' });
    expect(w({ type: T.Close, error: 'shutting down' })).toMatchObject({
      type: 'Close',
      error: 'shutting down',
    });
    const two =
      (hub.writeMessage({ type: T.Ping } as never) as string) +
      (hub.writeMessage({ type: T.Ping } as never) as string);
    expect(decodeFrame(text(two), c)).toMatchObject({ type: 'Ping', packets: 2 });
  });
});

describe.skipIf(protocolToolMissing('phoenix'))('Phoenix', () => {
  it('gives a serialized push its event, topic and refs', () => {
    const { Serializer } = protocolTool<PhoenixModule>('phoenix');
    const c = decodeContext('phoenix', []);
    let frame = '';
    Serializer.encode(
      { join_ref: '1', ref: '2', topic: 'room:lobby', event: 'phx_join', payload: {} },
      (s) => (frame = s),
    );
    const m = decodeFrame(text(frame), c);
    expect(m).toEqual({ protocol: 'phoenix', type: 'phx_join', topic: 'room:lobby', ref: '2', joinRef: '1' });
    expect(messageLabel(m)).toBe('phx_join room:lobby');
    Serializer.encode(
      { join_ref: null, ref: '3', topic: 'phoenix', event: 'heartbeat', payload: {} },
      (s) => (frame = s),
    );
    expect(decodeFrame(text(frame), c)).toEqual({
      protocol: 'phoenix',
      type: 'heartbeat',
      topic: 'phoenix',
      ref: '3',
    });
  });
});

describe.skipIf(protocolToolMissing('@rails/actioncable'))('ActionCable', () => {
  it('decodes the commands a real consumer sends: subscribe, and a perform as message', async () => {
    const server = new WebSocketServer({
      port: 0,
      host: '127.0.0.1',
      handleProtocols: (p) => (p.has('actioncable-v1-json') ? 'actioncable-v1-json' : false),
    });
    await once(server, 'listening');
    const frames: string[] = [];
    const twoFrames = new Promise<void>((resolve) =>
      server.on('connection', (ws) => {
        // ActionCable's consumer subscribes once the server has welcomed it.
        ws.send(JSON.stringify({ type: 'welcome' }));
        ws.on('message', (d) => {
          frames.push(String(d));
          const o = JSON.parse(String(d)) as { command: string; identifier: string };
          if (o.command === 'subscribe')
            ws.send(JSON.stringify({ identifier: o.identifier, type: 'confirm_subscription' }));
          if (frames.length === 2) resolve();
        });
      }),
    );
    const cable = await importProtocolTool<ActionCableModule>('@rails/actioncable');
    // The consumer runs in a page: its connection monitor listens for the page's visibility.
    const page = globalThis as unknown as Record<string, unknown>;
    page.addEventListener ??= () => undefined;
    page.removeEventListener ??= () => undefined;
    cable.adapters.WebSocket = WebSocket as never;
    const consumer = cable.createConsumer(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/cable`);
    consumer.subscriptions.create(
      { channel: 'ChatChannel', room: 'ops' },
      {
        connected(this: { perform(action: string, data: object): void }) {
          this.perform('speak', { body: 'hi' });
        },
      },
    );
    await twoFrames;
    consumer.disconnect();
    server.close();
    const c = decodeContext('actioncable', []);
    expect(decodeFrame(text(frames[0]!), c)).toEqual({
      protocol: 'actioncable',
      type: 'subscribe',
      command: 'subscribe',
      identifier: '{"channel":"ChatChannel","room":"ops"}',
      channel: 'ChatChannel',
    });
    expect(decodeFrame(text(frames[1]!), c)).toMatchObject({
      type: 'message',
      command: 'message',
      channel: 'ChatChannel',
      name: 'speak',
    });
  });
});

describe.skipIf(jsonRpcMissing)('JSON-RPC', () => {
  it('tells requests, notifications, results and errors apart, with method, id and error code', async () => {
    const seen = await jsonRpcWire();
    const c = decodeContext('json-rpc', []);
    const m = seen.map((f) => decodeFrame(f, c));
    expect(m).toContainEqual({ protocol: 'json-rpc', type: 'request', method: 'sum', id: '1' });
    expect(m).toContainEqual({ protocol: 'json-rpc', type: 'result', id: '1' });
    expect(m).toContainEqual(expect.objectContaining({ type: 'error', id: '2', errorCode: -32601 }));
    expect(m).toContainEqual({ protocol: 'json-rpc', type: 'notification', method: 'audit' });
  });
});

describe('frames with no message', () => {
  it('gives control frames and connections without a protocol no message', () => {
    expect(
      decodeFrame({ direction: 'in', opcode: 'ping', data: new Uint8Array() }, { protocol: 'socket.io' }),
    ).toBeNull();
    expect(decodeFrame(text('2'), null)).toBeNull();
  });
});
