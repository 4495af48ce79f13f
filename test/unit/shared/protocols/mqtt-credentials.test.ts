// Where an MQTT CONNECT's credentials lie, on packets mqtt.js's own writer made (3.1, 3.1.1 and 5,
// with a will and v5 properties before them): masking those bytes in place leaves a packet the same
// parser reads, with the masked values; a frame cut inside the password gives what is there.
import { describe, expect, it } from 'vitest';
import { mqttConnectCredentials } from '../../../../shared/protocols/decode-mqtt.js';
import { Redactor } from '../../../../shared/redaction.js';
import { mqttPackets, type MqttPacketModule } from '../../../support/protocol-tool-types.js';
import { protocolTool, protocolToolMissing } from '../../../support/test-tools.js';

describe.skipIf(protocolToolMissing('mqtt-packet'))('mqttConnectCredentials', () => {
  const mqtt = protocolTool<MqttPacketModule>('mqtt-packet');

  it.each([3, 4, 5])('finds the user name and password of a level %i CONNECT after its will', (level) => {
    const connect = mqtt.generate(
      {
        cmd: 'connect',
        protocolId: level === 3 ? 'MQIsdp' : 'MQTT',
        protocolVersion: level,
        clientId: 'probe-1',
        keepalive: 30,
        username: 'oncall',
        password: Buffer.from('right-horse'),
        will: {
          topic: 'gone',
          payload: Buffer.from('bye'),
          qos: 1,
          ...(level === 5 ? { properties: { willDelayInterval: 5 } } : {}),
        },
        ...(level === 5 ? { properties: { sessionExpiryInterval: 10 } } : {}),
      },
      { protocolVersion: level },
    );
    const found = mqttConnectCredentials(connect);
    expect(connect.toString('utf8', found?.username?.start, found?.username?.end)).toBe('oncall');
    expect(connect.toString('utf8', found?.password?.start, found?.password?.end)).toBe('right-horse');

    const masked = Buffer.from(connect);
    masked.fill('*', found!.password!.start, found!.password!.end);
    const [read] = mqttPackets(mqtt, [masked], level);
    expect(read).toMatchObject({ cmd: 'connect', username: 'oncall', clientId: 'probe-1' });
    expect(String(read?.['password'])).toBe('*'.repeat('right-horse'.length));

    // Cut inside the password: its first bytes are there, and are all there is to mask.
    const cut = connect.subarray(0, found!.password!.start + 4);
    expect(mqttConnectCredentials(cut)?.password).toEqual({ start: found!.password!.start, end: cut.length });
  });

  it('finds nothing in a CONNECT without credentials, nor in other packets', () => {
    expect(mqttConnectCredentials(mqtt.generate({ cmd: 'connect', clientId: 'c', keepalive: 5 }))).toBeNull();
    expect(mqttConnectCredentials(mqtt.generate({ cmd: 'pingreq' }))).toBeNull();
    expect(
      mqttConnectCredentials(mqtt.generate({ cmd: 'publish', topic: 'password', payload: Buffer.from('x') })),
    ).toBeNull();
  });
});

describe.skipIf(protocolToolMissing('mqtt-packet'))('Redactor.bytes', () => {
  const mqtt = protocolTool<MqttPacketModule>('mqtt-packet');
  const connect = mqtt.generate({
    cmd: 'connect',
    clientId: 'probe-1',
    keepalive: 30,
    username: 'oncall',
    password: Buffer.from('right-horse'),
  });
  const read = (bytes: Uint8Array) => mqttPackets(mqtt, [Buffer.from(bytes)])[0];

  it('masks the password in a copy, counted by name; the user name only when the user names it', () => {
    const r = new Redactor();
    const masked = r.bytes(connect);
    expect(read(masked)).toMatchObject({ username: 'oncall', password: Buffer.from('***********') });
    expect(connect.includes('right-horse')).toBe(true);
    const user = new Redactor({ enabled: true, fields: ['Username'], patterns: [] });
    expect(read(user.bytes(connect))).toMatchObject({ username: '******' });
    expect([r.summary().rules, user.summary().rules]).toEqual([
      [{ rule: 'packet-field', count: 1, names: ['password'] }],
      [
        { rule: 'packet-field', count: 1, names: ['password'] },
        { rule: 'user-field', count: 1, names: ['username'] },
      ],
    ]);
  });

  it('leaves the bytes as they are with redaction off, and bytes that are no CONNECT', () => {
    expect(new Redactor({ enabled: false, fields: [], patterns: [] }).bytes(connect)).toBe(connect);
    const publish = mqtt.generate({ cmd: 'publish', topic: 'password', payload: Buffer.from('x') });
    expect(new Redactor().bytes(publish)).toBe(publish);
  });
});
