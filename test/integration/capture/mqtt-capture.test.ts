// `frameline capture --protocol mqtt` against Debian's Mosquitto over its websockets listener, as a
// user runs it: CONNECT and its CONNACK, each --subscribe a SUBSCRIBE and its SUBACK, a message a
// real client (mosquitto_pub) publishes recorded, PINGREQs at the keep-alive of --init-payload so
// that the broker (which drops a client silent for 1.5 × keep-alive) keeps it, and a wrong password
// said in MQTT's words in one line, exit code 1. One broker for the file, stopped after it.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FrameRecord } from '../../../shared/contract.js';
import { mosquittoMissing, startMosquitto, type Mosquitto } from '../../servers/mosquitto.js';
import { captured } from '../../support/captured.js';
import { cli, workspace, type Workspace } from '../../support/cli.js';
import { mqttPackets, type MqttPacketModule } from '../../support/protocol-tool-types.js';
import { protocolTool, protocolToolMissing } from '../../support/test-tools.js';
import { until } from '../../support/wait.js';

const missing = mosquittoMissing() ?? protocolToolMissing('mqtt-packet');
const USER = { username: 'oncall', password: 'right-horse' };
let broker: Mosquitto | null = null;
let ws: Workspace;

beforeAll(async () => {
  if (missing === null) broker = await startMosquitto({ users: { [USER.username]: USER.password } });
}, 30_000);

afterAll(async () => {
  await broker?.stop();
});

beforeEach(() => {
  ws = workspace();
});

afterEach(() => {
  ws.cleanup();
});

/** The MQTT packets of one direction of the recorded frames, as mqtt.js's own parser reads them. */
const packets = (frames: FrameRecord[] | undefined, direction: 'in' | 'out') =>
  mqttPackets(
    protocolTool<MqttPacketModule>('mqtt-packet'),
    (frames ?? [])
      .filter((f) => f.direction === direction && f.opcode === 'binary')
      .map((f) => Buffer.from(f.payload, 'base64')),
  );

describe.skipIf(missing !== null)(
  `capture of an MQTT broker${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    it('subscribes, records what mosquitto_pub publishes, pings past twice its keep-alive, and ends with its own close', async () => {
      const b = broker!;
      const running = captured(ws.db, [
        `${b.url}/`,
        '--protocol',
        'mqtt',
        '--init-payload',
        JSON.stringify({ keepAlive: 1, ...USER }),
        '--subscribe',
        'a/b',
        '--duration',
        '3',
      ]);
      // Published once the broker has granted the subscription, so that it is delivered.
      await until(
        'the broker to grant the SUBSCRIBE',
        () => /Sending SUBACK to frameline-/.test(b.log()),
        20_000,
      );
      await b.publish('a/b', 'disk 91% on db-1', { auth: USER });
      const { code, data } = await running;
      expect(code).toBe(0);
      expect(data.connections).toHaveLength(1);
      const c = data.connections[0]!;
      expect(c).toMatchObject({ subprotocol: 'mqtt', closedBy: 'client', closeCode: 1000, error: null });
      expect(Date.parse(c.closedAt!) - Date.parse(c.openedAt!)).toBeGreaterThanOrEqual(2_000);

      const out = packets(data.frames, 'out');
      const into = packets(data.frames, 'in');
      expect(out.slice(0, 2).map((p) => p.cmd)).toEqual(['connect', 'subscribe']);
      expect(out[0]).toMatchObject({ keepalive: 1, username: USER.username, clean: true });
      expect(out[1]).toMatchObject({ subscriptions: [{ topic: 'a/b', qos: 0 }] });
      expect(into.slice(0, 2)).toMatchObject([
        { cmd: 'connack', returnCode: 0 },
        { cmd: 'suback', granted: [0] },
      ]);
      const published = into.filter((p) => p.cmd === 'publish');
      expect(published.map((p) => [p['topic'], (p['payload'] as Buffer).toString()])).toEqual([
        ['a/b', 'disk 91% on db-1'],
      ]);
      // Three seconds at a 1 s keep-alive: the broker, which drops a client silent for 1.5 s, was pinged.
      expect(out.filter((p) => p.cmd === 'pingreq').length).toBeGreaterThanOrEqual(2);
      expect(into.filter((p) => p.cmd === 'pingresp').length).toBeGreaterThanOrEqual(1);

      const kinds = data.events.map((e) => e.kind);
      expect(kinds).toEqual(expect.arrayContaining(['protocol-opened', 'subscribed']));
      expect(kinds).not.toContain('keepalive-unanswered');
      expect(data.events.find((e) => e.kind === 'protocol-opened')?.detail).toMatchObject({
        protocol: 'mqtt',
        version: '3.1.1',
        keepAlive: 1,
      });
      expect(b.log()).not.toMatch(/exceeded timeout/);

      // Read as a person reads it: each binary packet says what it is before its bytes.
      const shown = await cli(['show', String(data.session.id), '--frames', '--db', ws.db]);
      expect(shown.code).toBe(0);
      const said = shown.stdout
        .split('\n')
        .map((l) => /\s\[([^\]]+)\] [0-9a-f]{2}/.exec(l)?.[1])
        .filter(Boolean);
      expect(said.slice(0, 4)).toEqual(['CONNECT', 'CONNACK', 'SUBSCRIBE a/b', 'SUBACK']);
      expect(said).toContain('PUBLISH a/b');
      expect(said).toContain('PINGREQ');
    });

    it('a wrong password ends the capture with "not authorised" in one line, exit code 1', async () => {
      const b = broker!;
      const url = `${b.url}/`;
      const { code, stderr, data } = await captured(ws.db, [
        url,
        '--protocol',
        'mqtt',
        '--init-payload',
        JSON.stringify({ ...USER, password: 'wrong-horse' }),
        '--subscribe',
        'a/b',
        '--send',
        'never sent',
      ]);
      expect(code).toBe(1);
      expect(stderr.split('\n').filter((l) => l.startsWith('error:'))).toEqual([
        `error: could not connect to ${url}: mqtt: the broker refused CONNECT: not authorised (CONNACK code 5)`,
      ]);
      expect(packets(data.frames, 'out').map((p) => p.cmd)).toEqual(['connect']);
      expect(packets(data.frames, 'in')).toMatchObject([{ cmd: 'connack', returnCode: 5 }]);
      expect(data.frames?.some((f) => f.direction === 'out' && f.opcode === 'text')).toBe(false);
      // Mosquitto drops the connection rather than answer Frameline's close: the refusal stays the error.
      expect(data.connections[0]!.error).toEqual({
        kind: 'other',
        message: 'mqtt: the broker refused CONNECT: not authorised (CONNACK code 5)',
      });
    });
  },
);
