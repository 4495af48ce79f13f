// Frameline's MQTT client against a real broker (Debian's Mosquitto over its websockets listener):
// CONNACK opens it, a subscription receives what a real client (mosquitto_pub) publishes, keep-alive
// holds the connection past the broker's 1.5 × keep-alive deadline, a wrong password is refused in
// MQTT's words, and QoS 1 and 2 deliveries are acknowledged (with one
// message in flight at a time, the next one arrives only after the client's PUBACK / PUBCOMP).
import { afterEach, describe, expect, it } from 'vitest';
import { MqttClient } from '../../../electron/engine/capture/protocols/mqtt.js';
import type { ClientProtocolOptions } from '../../../electron/engine/capture/protocols/client.js';
import { subprotocolsFor } from '../../../shared/protocols/names.js';
import { mosquittoMissing, startMosquitto, type Mosquitto } from '../../servers/mosquitto.js';
import { linkClient, type LinkedClient } from '../../support/protocol-link.js';
import { mqttPackets, type MqttPacketModule } from '../../support/protocol-tool-types.js';
import { protocolTool, protocolToolMissing } from '../../support/test-tools.js';
import { until } from '../../support/wait.js';

const missing = mosquittoMissing() ?? protocolToolMissing('mqtt-packet');
let broker: Mosquitto | null = null;
let linked: LinkedClient | null = null;

afterEach(async () => {
  await linked?.stop();
  linked = null;
  await broker?.stop();
  broker = null;
});

/** The MQTT packets of one direction of the wire, as the mqtt-packet library (mqtt.js's parser) reads them. */
const packets = (l: LinkedClient, direction: 'sent' | 'received', version = 4) =>
  mqttPackets(
    protocolTool<MqttPacketModule>('mqtt-packet'),
    l.wire.filter((m) => m.direction === direction).map((m) => m.data),
    version,
  );

async function connect(b: Mosquitto, options: Partial<ClientProtocolOptions> = {}) {
  const client = new MqttClient({ subscribe: [], ...options });
  linked = await linkClient(b.url, subprotocolsFor('mqtt'), client);
  return { client, linked };
}

describe.skipIf(missing !== null)(
  `MQTT client against Mosquitto${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    it('is ready at CONNACK, with a frameline client id on a clean session', async () => {
      broker = await startMosquitto();
      const { client, linked: l } = await connect(broker);
      await client.ready;
      expect(l.subprotocol).toBe('mqtt');
      const open = l.events.find((e) => e.kind === 'protocol-opened')!;
      expect(open.detail).toMatchObject({
        protocol: 'mqtt',
        version: '3.1.1',
        keepAlive: 30,
        sessionPresent: false,
      });
      expect(open.detail['clientId']).toMatch(/^frameline-[0-9a-f]{12}$/);
      const [connectPacket] = packets(l, 'sent');
      expect(connectPacket).toMatchObject({ cmd: 'connect', protocolVersion: 4, clean: true, keepalive: 30 });
      // The broker's own account: protocol level 4 (p2 is its MQTT 3.1.1 label), clean, keep-alive 30.
      const said = new RegExp(
        `New client connected from .* as ${String(open.detail['clientId'])} \\(p2, c1, k30\\)`,
      );
      await until('the broker to log the client', () => said.test(broker!.log()));
    });

    it('subscribes each topic filter and receives what mosquitto_pub publishes', async () => {
      broker = await startMosquitto();
      const { client, linked: l } = await connect(broker, { subscribe: ['alerts/#', 'metrics/cpu'] });
      await client.ready;
      await until('both SUBACKs', () => l.events.filter((e) => e.kind === 'subscribed').length === 2);
      expect(l.events.filter((e) => e.kind === 'subscribed').map((e) => e.detail['topic'])).toEqual([
        'alerts/#',
        'metrics/cpu',
      ]);
      await broker.publish('alerts/db', 'primary down');
      await until('the PUBLISH', () => packets(l, 'received').some((p) => p.cmd === 'publish'));
      const publish = packets(l, 'received').find((p) => p.cmd === 'publish')!;
      expect(publish['topic']).toBe('alerts/db');
      expect((publish['payload'] as Buffer).toString()).toBe('primary down');
    });

    it('sends PINGREQ every keep-alive and stays connected past the broker deadline', async () => {
      broker = await startMosquitto();
      const { client, linked: l } = await connect(broker, { initPayload: { keepAlive: 1 } });
      await client.ready;
      const openedAt = Date.now();
      // Mosquitto drops a client silent for 1.5 × keep-alive; three answered pings span 3 s.
      await until(
        'three PINGRESPs',
        () => packets(l, 'received').filter((p) => p.cmd === 'pingresp').length >= 3,
        20_000,
      );
      expect(Date.now() - openedAt).toBeGreaterThan(2_500);
      expect(packets(l, 'sent').filter((p) => p.cmd === 'pingreq').length).toBeGreaterThanOrEqual(3);
      expect(l.isClosed()).toBe(false);
      expect(l.events.some((e) => e.kind === 'keepalive-unanswered')).toBe(false);
      expect(broker.log()).not.toMatch(/exceeded timeout/);
    });

    it('stops pinging once disposed, and the broker then drops the silent client', async () => {
      broker = await startMosquitto();
      const { client, linked: l } = await connect(broker, { initPayload: { keepAlive: 1 } });
      await client.ready;
      client.dispose();
      const pingsAtDispose = packets(l, 'sent').filter((p) => p.cmd === 'pingreq').length;
      // The harness never closes on its own: the broker ends the silent connection.
      await l.closed;
      expect(packets(l, 'sent').filter((p) => p.cmd === 'pingreq').length).toBe(pingsAtDispose);
    });

    it('rejects ready with "not authorised" when the password is wrong', async () => {
      broker = await startMosquitto({ users: { oncall: 'right-horse' } });
      const { client, linked: l } = await connect(broker, {
        initPayload: { username: 'oncall', password: 'wrong-horse' },
      });
      const said = 'mqtt: the broker refused CONNECT: not authorised (CONNACK code 5)';
      await expect(client.ready).rejects.toThrow(said);
      expect(l.refusal()).toBe(said);
      await l.closed;
      // The right password opens it.
      await l.stop();
      const ok = await connect(broker, { initPayload: { username: 'oncall', password: 'right-horse' } });
      await ok.client.ready;
    });

    it('says MQTT 5 refusals with their reason code', async () => {
      broker = await startMosquitto({ users: { oncall: 'right-horse' } });
      const { client } = await connect(broker, {
        initPayload: { username: 'oncall', password: 'wrong-horse', protocolVersion: 5 },
      });
      await expect(client.ready).rejects.toThrow(
        /refused CONNECT: (not authorized|bad user name or password) \(CONNACK code 13[45]/,
      );
    });

    it('acknowledges QoS 1 (PUBACK) and QoS 2 (PUBREC, PUBCOMP) deliveries', async () => {
      // One message in flight: the broker sends the next only once the previous one is acknowledged.
      broker = await startMosquitto({ maxInflight: 1 });
      const { client, linked: l } = await connect(broker, { subscribe: ['orders@1', 'payments@2'] });
      await client.ready;
      await until('both SUBACKs', () => l.events.filter((e) => e.kind === 'subscribed').length === 2);
      expect(l.events.filter((e) => e.kind === 'subscribed').map((e) => e.detail['grantedQos'])).toEqual([
        1, 2,
      ]);
      for (const n of [1, 2, 3]) await broker.publish('orders', `order ${n}`, { qos: 1 });
      for (const n of [1, 2]) await broker.publish('payments', `payment ${n}`, { qos: 2 });
      const delivered = () => packets(l, 'received').filter((p) => p.cmd === 'publish');
      await until('five deliveries', () => delivered().length === 5, 20_000);
      expect(delivered().map((p) => [(p['payload'] as Buffer).toString(), p['qos']])).toEqual([
        ['order 1', 1],
        ['order 2', 1],
        ['order 3', 1],
        ['payment 1', 2],
        ['payment 2', 2],
      ]);
      const sent = packets(l, 'sent');
      const ids = (cmd: string) => sent.filter((p) => p.cmd === cmd).map((p) => p['messageId']);
      expect(ids('puback')).toEqual(
        delivered()
          .slice(0, 3)
          .map((p) => p['messageId']),
      );
      expect(ids('pubrec')).toEqual(
        delivered()
          .slice(3)
          .map((p) => p['messageId']),
      );
      await until('both PUBCOMPs', () => packets(l, 'sent').filter((p) => p.cmd === 'pubcomp').length === 2);
      expect(packets(l, 'received').filter((p) => p.cmd === 'pubrel')).toHaveLength(2);
    });
  },
);
