// The MQTT client's packets and dialogue, checked against mqtt.js's own codec (mqtt-packet): what we
// write, it reads as the fields we meant; what it writes (the packets a broker sends), our reader cuts
// correctly however the bytes are split across WebSocket messages; and the dialogue answers them.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  MqttClient,
  mqttOptionsProblem,
  parseTopicRequest,
} from '../../../../../electron/engine/capture/protocols/mqtt.js';
import {
  PINGREQ,
  PacketReader,
  PacketType,
  acknowledgement,
  connectPacket,
  readProperties,
  subscribePacket,
} from '../../../../../electron/engine/capture/protocols/mqtt-packets.js';
import { recordingLink } from '../../../../support/protocol-link.js';
import { mqttPackets, type MqttPacketModule } from '../../../../support/protocol-tool-types.js';
import { protocolTool, protocolToolMissing } from '../../../../support/test-tools.js';

const missing = protocolToolMissing('mqtt-packet');
const lib = () => protocolTool<MqttPacketModule>('mqtt-packet');

/** What mqtt-packet reads in `bytes`. */
const parse = (bytes: Buffer, protocolVersion = 4) => mqttPackets(lib(), [bytes], protocolVersion);

afterEach(() => {
  vi.useRealTimers();
});

describe.skipIf(missing !== null)(`MQTT packets${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('writes CONNECT as mqtt-packet reads it, for 3.1.1 and 5, with and without credentials', () => {
    expect(parse(connectPacket({ version: 4, clientId: 'frameline-1', keepAlive: 30 }))).toEqual([
      expect.objectContaining({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        keepalive: 30,
        clientId: 'frameline-1',
      }),
    ]);
    const [v5] = parse(
      connectPacket({ version: 5, clientId: 'c', keepAlive: 7, username: 'oncall', password: 'p' }),
      5,
    );
    expect(v5).toMatchObject({ cmd: 'connect', protocolVersion: 5, keepalive: 7, username: 'oncall' });
    expect(String(v5!['password'])).toBe('p');
  });

  it('writes SUBSCRIBE and the acknowledgements as mqtt-packet reads them', () => {
    expect(parse(subscribePacket(4, 9, 'alerts/#', 1))).toEqual([
      expect.objectContaining({
        cmd: 'subscribe',
        messageId: 9,
        subscriptions: [{ topic: 'alerts/#', qos: 1 }],
      }),
    ]);
    expect(parse(subscribePacket(5, 10, 'a/+', 2), 5)[0]).toMatchObject({ cmd: 'subscribe', messageId: 10 });
    const acks = [PacketType.PUBACK, PacketType.PUBREC, PacketType.PUBREL, PacketType.PUBCOMP].map((t) =>
      acknowledgement(t, 300),
    );
    expect(parse(Buffer.concat(acks)).map((p) => [p.cmd, p['messageId']])).toEqual([
      ['puback', 300],
      ['pubrec', 300],
      ['pubrel', 300],
      ['pubcomp', 300],
    ]);
    expect(parse(PINGREQ)).toEqual([expect.objectContaining({ cmd: 'pingreq' })]);
  });

  it('cuts a broker stream into packets wherever the WebSocket messages split it', () => {
    const g = lib().generate;
    const stream = Buffer.concat([
      g({ cmd: 'connack', returnCode: 0, sessionPresent: false }),
      g({ cmd: 'suback', messageId: 1, granted: [1, 128] }),
      g({
        cmd: 'publish',
        topic: 'alerts/db',
        payload: Buffer.alloc(200, 7),
        qos: 1,
        messageId: 5,
        retain: false,
        dup: false,
      }),
      g({ cmd: 'pingresp' }),
    ]);
    const expected = [PacketType.CONNACK, PacketType.SUBACK, PacketType.PUBLISH, PacketType.PINGRESP];
    for (let cut = 0; cut <= stream.length; cut++)
      for (const second of [stream.length, cut + 1]) {
        const reader = new PacketReader();
        const packets = [
          stream.subarray(0, cut),
          stream.subarray(cut, second),
          stream.subarray(second),
        ].flatMap((c) => reader.push(c));
        expect(packets.map((p) => p.type)).toEqual(expected);
      }
    const big = g({
      cmd: 'publish',
      topic: 't',
      payload: Buffer.alloc(70_000, 1),
      qos: 0,
      retain: false,
      dup: false,
    });
    const reader = new PacketReader();
    const chunks = [];
    for (let at = 0; at < big.length; at += 4096) chunks.push(...reader.push(big.subarray(at, at + 4096)));
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.body.length).toBe(big.length - 4);
  });

  it('refuses a Remaining Length longer than four bytes', () => {
    expect(() => new PacketReader().push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toThrow(
      /longer than four bytes/,
    );
  });

  it('reads the Server Keep Alive and Reason String of an MQTT 5 CONNACK among its other properties', () => {
    const connack = lib().generate(
      {
        cmd: 'connack',
        reasonCode: 0,
        sessionPresent: false,
        properties: {
          assignedClientIdentifier: 'x',
          serverKeepAlive: 12,
          userProperties: { region: 'eu' },
          reasonString: 'welcome',
          maximumPacketSize: 1000,
        },
      },
      { protocolVersion: 5 },
    );
    const [p] = new PacketReader().push(connack);
    expect(readProperties(p!.body, 2)).toMatchObject({
      serverKeepAlive: 12,
      reasonString: 'welcome',
      next: p!.body.length,
    });
  });
});

describe.skipIf(missing !== null)(`MQTT client dialogue${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('takes `topic@1` and `topic@2` as the QoS asked, anything else as QoS 0', () => {
    expect(parseTopicRequest('alerts/#@1')).toEqual({ filter: 'alerts/#', qos: 1 });
    expect(parseTopicRequest('a@2')).toEqual({ filter: 'a', qos: 2 });
    expect(parseTopicRequest('mail@example')).toEqual({ filter: 'mail@example', qos: 0 });
    expect(parseTopicRequest('@1')).toEqual({ filter: '@1', qos: 0 });
  });

  it('says what an --init-payload it cannot take is wrong with', () => {
    expect(mqttOptionsProblem({ subscribe: [], initPayload: { keepAlive: -1 } })).toMatch(
      /^--init-payload for MQTT.*keepAlive/,
    );
    expect(mqttOptionsProblem({ subscribe: [], initPayload: { protocolVersion: 3 } })).toMatch(
      /protocolVersion/,
    );
    expect(mqttOptionsProblem({ subscribe: [], initPayload: { user: 'x' } })).toMatch(/user/);
    expect(mqttOptionsProblem({ subscribe: [], initPayload: 'guest' })).toMatch(/is an object of/);
    expect(mqttOptionsProblem({ subscribe: ['a/b'], initPayload: { keepAlive: 1 } })).toBeNull();
  });

  it('rejects ready with the meaning of each 3.1.1 return code', async () => {
    const meanings = [
      'unacceptable protocol version',
      'identifier rejected',
      'server unavailable',
      'bad user name or password',
      'not authorised',
    ];
    for (const [i, meaning] of meanings.entries()) {
      const client = new MqttClient({ subscribe: [] });
      const { link, events, closes } = recordingLink();
      client.opened(link);
      client.received(
        lib().generate({ cmd: 'connack', returnCode: i + 1, sessionPresent: false }),
        true,
        link,
      );
      const said = `mqtt: the broker refused CONNECT: ${meaning} (CONNACK code ${i + 1})`;
      await expect(client.ready).rejects.toThrow(said);
      expect(events).toEqual([{ kind: 'protocol-refused', detail: { message: said } }]);
      expect(closes).toHaveLength(1);
    }
  });

  it('rejects ready with an MQTT 5 reason code and the broker reason string', async () => {
    const client = new MqttClient({ subscribe: [], initPayload: { protocolVersion: 5 } });
    const { link } = recordingLink();
    client.opened(link);
    const connack = lib().generate(
      { cmd: 'connack', reasonCode: 0x9c, sessionPresent: false, properties: { reasonString: 'try eu-2' } },
      { protocolVersion: 5 },
    );
    client.received(connack, true, link);
    await expect(client.ready).rejects.toThrow('use another server (CONNACK code 156: try eu-2)');
  });

  it('holds to the broker Server Keep Alive, and says when a PINGREQ goes unanswered', async () => {
    vi.useFakeTimers();
    const client = new MqttClient({ subscribe: [], initPayload: { protocolVersion: 5, keepAlive: 60 } });
    const { link, sent, events } = recordingLink();
    client.opened(link);
    client.received(
      lib().generate(
        { cmd: 'connack', reasonCode: 0, sessionPresent: false, properties: { serverKeepAlive: 2 } },
        { protocolVersion: 5 },
      ),
      true,
      link,
    );
    await client.ready;
    expect(events[0]).toMatchObject({
      kind: 'protocol-opened',
      detail: { protocol: 'mqtt', keepAlive: 2, version: '5' },
    });
    vi.advanceTimersByTime(2000);
    expect(parse(sent.at(-1)!, 5)[0]!.cmd).toBe('pingreq');
    client.received(lib().generate({ cmd: 'pingresp' }), true, link);
    vi.advanceTimersByTime(2000);
    expect(events.some((e) => e.kind === 'keepalive-unanswered')).toBe(false);
    vi.advanceTimersByTime(2000);
    expect(events.find((e) => e.kind === 'keepalive-unanswered')?.detail).toMatchObject({
      waitedMs: 2000,
      keepAlive: 2,
    });
    client.dispose();
    const count = sent.length;
    vi.advanceTimersByTime(10_000);
    expect(sent).toHaveLength(count);
  });

  it('says a SUBACK failure as subscription-refused with the topic, in 3.1.1 and 5', async () => {
    for (const version of [4, 5] as const) {
      const client = new MqttClient({
        subscribe: ['public/#', 'secret/#@1'],
        initPayload: { protocolVersion: version },
      });
      const { link, sent, events } = recordingLink();
      client.opened(link);
      client.received(
        lib().generate(
          { cmd: 'connack', returnCode: 0, reasonCode: 0, sessionPresent: false },
          { protocolVersion: version },
        ),
        true,
        link,
      );
      await client.ready;
      const subscribes = sent.flatMap((b) => parse(b, version)).filter((p) => p.cmd === 'subscribe');
      expect(subscribes.map((p) => p['messageId'])).toEqual([1, 2]);
      const refused = version === 5 ? 0x87 : 0x80;
      client.received(
        Buffer.concat([
          lib().generate({ cmd: 'suback', messageId: 2, granted: [refused] }, { protocolVersion: version }),
          lib().generate({ cmd: 'suback', messageId: 1, granted: [0] }, { protocolVersion: version }),
        ]),
        true,
        link,
      );
      expect(events.slice(1)).toEqual([
        {
          kind: 'subscription-refused',
          detail: expect.objectContaining({
            topic: 'secret/#',
            qos: 1,
            code: refused,
            reason: version === 5 ? 'not authorized' : 'failure',
          }),
        },
        { kind: 'subscribed', detail: expect.objectContaining({ topic: 'public/#', grantedQos: 0 }) },
      ]);
    }
  });

  it('takes a close by the broker before CONNACK as a refusal, and one of its own as none', async () => {
    const client = new MqttClient({ subscribe: [] });
    const { link, refusal } = recordingLink();
    client.opened(link);
    client.closed({ code: null, reason: '', byServer: true }, link);
    await expect(client.ready).rejects.toThrow('mqtt: the server dropped the connection before CONNACK');
    expect(refusal()).toBe('mqtt: the server dropped the connection before CONNACK');
    const ours = new MqttClient({ subscribe: [] });
    const second = recordingLink();
    ours.opened(second.link);
    ours.closed({ code: 1000, reason: '', byServer: false }, second.link);
    expect(second.refusal()).toBeNull();
  });

  it('closes 1002 on a packet it cannot read, says why on the record, and fails an opening still waiting for CONNACK', async () => {
    const client = new MqttClient({ subscribe: [] });
    const { link, events, closes } = recordingLink();
    client.opened(link);
    client.received(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]), true, link);
    expect(events).toEqual([
      { kind: 'protocol-error', detail: expect.objectContaining({ protocol: 'mqtt' }) },
      {
        kind: 'protocol-refused',
        detail: {
          message: 'mqtt: malformed MQTT packet: a Remaining Length longer than four bytes, before CONNACK',
        },
      },
    ]);
    // The first close is the one on the wire (the refusal's own close then finds the socket closing).
    expect(closes[0]).toEqual([1002, 'malformed MQTT packet']);
    await expect(client.ready).rejects.toThrow(/before CONNACK/);
  });
});
