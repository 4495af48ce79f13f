// Frameline's STOMP client against a real broker (Debian's RabbitMQ with rabbitmq_web_stomp): CONNECTED
// opens it with the version and heart-beats negotiated, a subscription to a queue receives what a
// second real client (@stomp/stompjs) sends, a wrong passcode and an unknown vhost are refused in
// the broker's words, a refused SUBSCRIBE is said, and heart-beats hold the connection past twice
// the negotiated interval (without them, RabbitMQ drops it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StompClient } from '../../../electron/engine/capture/protocols/stomp.js';
import type { ClientProtocolOptions } from '../../../electron/engine/capture/protocols/client.js';
import { subprotocolsFor } from '../../../shared/protocols/names.js';
import {
  RABBITMQ_GUEST,
  rabbitmqMissing,
  sendWithStompJs,
  startRabbitMq,
  type RabbitMq,
} from '../../servers/rabbitmq.js';
import { linkClient, type LinkedClient } from '../../support/protocol-link.js';
import { protocolToolMissing } from '../../support/test-tools.js';
import { until } from '../../support/wait.js';

const missing = rabbitmqMissing() ?? protocolToolMissing('@stomp/stompjs');
const GUEST = RABBITMQ_GUEST;
let broker: RabbitMq;
const clients: LinkedClient[] = [];

async function connect(options: Partial<ClientProtocolOptions>) {
  const client = new StompClient({ subscribe: [], ...options }, new URL(broker.stompUrl));
  const linked = await linkClient(broker.stompUrl, subprotocolsFor('stomp'), client);
  clients.push(linked);
  return { client, linked };
}

function heartbeats(l: LinkedClient, direction: 'sent' | 'received'): number {
  return l.wire.filter((m) => m.direction === direction && /^\r?\n$/.test(m.data.toString())).length;
}

describe.skipIf(missing !== null)(
  `STOMP client against RabbitMQ${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    beforeAll(async () => {
      broker = await startRabbitMq();
    }, 120_000);

    afterAll(async () => {
      for (const c of clients) await c.stop();
      await broker?.stop();
    }, 60_000);

    it('is ready at CONNECTED, with the version and heart-beats negotiated', async () => {
      const { client, linked } = await connect({ initPayload: { ...GUEST, heartBeat: '4000,6000' } });
      await client.ready;
      expect(linked.subprotocol).toBe('v12.stomp');
      expect(linked.wire[0]!.data.toString()).toMatch(
        /^CONNECT\naccept-version:1\.0,1\.1,1\.2\nhost:\/\nheart-beat:4000,6000\n/,
      );
      const connected = linked.wire.find((m) => m.direction === 'received')!.data.toString();
      // RabbitMQ answers heart-beat:sx,sy with sx = our cy and sy = our cx.
      expect(connected).toMatch(/^CONNECTED\n[^]*heart-beat:6000,4000\n/);
      expect(linked.events.find((e) => e.kind === 'protocol-opened')?.detail).toMatchObject({
        protocol: 'stomp',
        version: '1.2',
        heartBeat: { sendEveryMs: 4000, expectEveryMs: 6000 },
        server: expect.stringMatching(/^RabbitMQ\//),
      });
    });

    it('receives on /queue/x what another real client sends there', async () => {
      const { client, linked } = await connect({ initPayload: GUEST, subscribe: ['/queue/x'] });
      await client.ready;
      await until('the SUBSCRIBE receipt', () => linked.events.some((e) => e.kind === 'subscribed'));
      expect(linked.events.find((e) => e.kind === 'subscribed')?.detail).toMatchObject({
        destination: '/queue/x',
        id: 'sub-0',
      });
      await sendWithStompJs(broker, '/queue/x', 'disk 91% on db-1');
      await until('the MESSAGE', () => linked.wire.some((m) => m.data.toString().startsWith('MESSAGE\n')));
      const message = linked.wire.find((m) => m.data.toString().startsWith('MESSAGE\n'))!.data.toString();
      expect(message).toMatch(/\nsubscription:sub-0\n/);
      expect(message).toMatch(/\ndestination:\/queue\/x\n/);
      expect(message).toMatch(/\n\ndisk 91% on db-1\0/);
    });

    it('rejects ready with the broker words when the passcode is wrong', async () => {
      const { client, linked } = await connect({ initPayload: { ...GUEST, passcode: 'not-the-passcode' } });
      const said = "stomp: the broker refused CONNECT: Bad CONNECT: Access refused for user 'guest'";
      await expect(client.ready).rejects.toThrow(said);
      expect(linked.refusal()).toContain(said);
      await linked.closed;
    });

    it("sends the URL's host as the vhost by default, which RabbitMQ refuses", async () => {
      const { client } = await connect({ initPayload: { login: 'guest', passcode: 'guest' } });
      await expect(client.ready).rejects.toThrow("Virtual host '127.0.0.1' access denied");
    });

    it('puts a SUBSCRIBE the broker refuses on the record as subscription-refused', async () => {
      const { client, linked } = await connect({
        initPayload: GUEST,
        subscribe: ['/queue/fine', '/nowhere/x'],
      });
      await client.ready;
      await until('the ERROR', () => linked.events.some((e) => e.kind === 'subscription-refused'));
      expect(linked.events.find((e) => e.kind === 'subscription-refused')?.detail).toMatchObject({
        destination: '/nowhere/x',
        id: 'sub-1',
        message: expect.stringContaining("Unknown destination: '/nowhere/x' is not a valid destination"),
      });
      expect(linked.events.find((e) => e.kind === 'subscribed')?.detail).toMatchObject({
        destination: '/queue/fine',
      });
    });

    it('keeps the connection alive with heart-beats beyond twice the negotiated interval', async () => {
      const { client, linked } = await connect({ initPayload: { ...GUEST, heartBeat: '1000,1000' } });
      await client.ready;
      const openedAt = Date.now();
      await until(
        'four heart-beats each way',
        () => heartbeats(linked, 'sent') >= 4 && heartbeats(linked, 'received') >= 4,
        30_000,
      );
      expect(Date.now() - openedAt).toBeGreaterThan(3_000);
      expect(linked.isClosed()).toBe(false);
      expect(linked.events.some((e) => e.kind === 'heartbeat-missed')).toBe(false);
    });

    it('once disposed sends no more heart-beats, and RabbitMQ drops the silent connection', async () => {
      const { client, linked } = await connect({ initPayload: { ...GUEST, heartBeat: '1000,1000' } });
      await client.ready;
      client.dispose();
      const sent = heartbeats(linked, 'sent');
      // The harness never closes on its own: the broker ends it.
      await linked.closed;
      expect(heartbeats(linked, 'sent')).toBe(sent);
    });
  },
);
