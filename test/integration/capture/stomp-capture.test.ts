// `frameline capture --protocol stomp` against Debian's RabbitMQ with rabbitmq_web_stomp, as a user
// runs it: CONNECT with the credentials and vhost of --init-payload and its CONNECTED, --subscribe a
// SUBSCRIBE (with its receipt), a message a second real client (@stomp/stompjs) sent to the queue
// delivered and recorded, heart-beats kept at the negotiated interval until Frameline's own close,
// and a wrong passcode said in the broker's words in one line, exit code 1. One node for the file
// (it takes seconds to start), stopped after it.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  RABBITMQ_GUEST,
  rabbitmqMissing,
  sendWithStompJs,
  startRabbitMq,
  type RabbitMq,
} from '../../servers/rabbitmq.js';
import { captured, texts } from '../../support/captured.js';
import { workspace, type Workspace } from '../../support/cli.js';
import { protocolToolMissing } from '../../support/test-tools.js';

const missing = rabbitmqMissing() ?? protocolToolMissing('@stomp/stompjs');
let broker: RabbitMq | null = null;
let ws: Workspace;

beforeAll(async () => {
  if (missing === null) broker = await startRabbitMq();
}, 120_000);

afterAll(async () => {
  await broker?.stop();
}, 60_000);

beforeEach(() => {
  ws = workspace();
});

afterEach(() => {
  ws.cleanup();
});

describe.skipIf(missing !== null)(
  `capture of a STOMP broker${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    it('subscribes to /queue/x, receives what another client sent there, heart-beats, and ends with its own close', async () => {
      const b = broker!;
      // The queue keeps the message until a subscriber comes: no race with the capture's SUBSCRIBE.
      await sendWithStompJs(b, '/queue/x', 'disk 91% on db-1');
      const { code, data } = await captured(ws.db, [
        b.stompUrl,
        '--protocol',
        'stomp',
        '--init-payload',
        JSON.stringify({ ...RABBITMQ_GUEST, heartBeat: '1000,1000' }),
        '--subscribe',
        '/queue/x',
        '--duration',
        '3',
      ]);
      expect(code).toBe(0);
      expect(data.connections).toHaveLength(1);
      expect(data.connections[0]).toMatchObject({
        subprotocol: 'v12.stomp',
        closedBy: 'client',
        closeCode: 1000,
        error: null,
      });
      const out = texts(data.frames, 'out');
      const into = texts(data.frames, 'in');
      expect(out[0]).toMatch(
        /^CONNECT\naccept-version:1\.0,1\.1,1\.2\nhost:\/\nheart-beat:1000,1000\nlogin:guest\n/,
      );
      expect(out[1]).toBe('SUBSCRIBE\nid:sub-0\ndestination:/queue/x\nack:auto\nreceipt:sub-0\n\n\0');
      expect(into[0]).toMatch(/^CONNECTED\nserver:RabbitMQ\/[^]*version:1\.2\n/);
      const message = into.find((p) => p.startsWith('MESSAGE\n'));
      expect(message).toMatch(/\nsubscription:sub-0\n/);
      expect(message).toMatch(/\n\ndisk 91% on db-1\0/);
      // Three seconds at 1 s (RabbitMQ's heart-beats are whole seconds): heart-beats went out, and the
      // connection outlived twice the interval after which RabbitMQ drops a silent client.
      expect(out.filter((p) => /^\r?\n$/.test(p)).length).toBeGreaterThanOrEqual(2);
      const kinds = data.events.map((e) => e.kind);
      expect(kinds).toEqual(expect.arrayContaining(['protocol-opened', 'subscribed']));
      expect(kinds).not.toContain('heartbeat-missed');
      expect(data.events.find((e) => e.kind === 'protocol-opened')?.detail).toMatchObject({
        protocol: 'stomp',
        version: '1.2',
        heartBeat: { sendEveryMs: 1000, expectEveryMs: 1000 },
      });
    });

    it("a wrong passcode ends the capture with the broker's words in one line, exit code 1", async () => {
      const b = broker!;
      const { code, stderr, data } = await captured(ws.db, [
        b.stompUrl,
        '--protocol',
        'stomp',
        '--init-payload',
        JSON.stringify({ ...RABBITMQ_GUEST, passcode: 'not-the-passcode' }),
        '--subscribe',
        '/queue/x',
        '--send',
        'never sent',
      ]);
      expect(code).toBe(1);
      const said = "stomp: the broker refused CONNECT: Bad CONNECT: Access refused for user 'guest'";
      const errors = stderr.split('\n').filter((l) => l.startsWith('error:'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`error: could not connect to ${b.stompUrl}: ${said}`);
      expect(data.connections[0]!.error?.message).toContain(said);
      expect(texts(data.frames, 'out')).toHaveLength(1);
      expect(texts(data.frames, 'in')[0]).toMatch(/^ERROR\n/);
    });
  },
);
