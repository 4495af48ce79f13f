// The session rules on sessions recorded from the real protocol stacks (test/fixtures/diagnose,
// recorded by record.ts from a Socket.IO 4 server, a graphql-ws server and Mosquitto): the
// protocol's own heartbeats, what it refused, and request/response pairs by its ids.
import { describe, expect, it } from 'vitest';
import { appHeartbeatRule } from '../../../shared/diagnosis/app-heartbeat.js';
import { describeCheck } from '../../../shared/diagnosis/describe.js';
import { frameFacts } from '../../../shared/diagnosis/facts.js';
import { diagnoseSession } from '../../../shared/diagnosis/session.js';
import { fixAdvice } from '../../../shared/fix-advice.js';
import { fixtureData, readFixture, type FixtureName } from '../../fixtures/diagnose/fixture.js';

const diagnosed = (name: FixtureName) => diagnoseSession(fixtureData(readFixture(name)));
const serious = (d: ReturnType<typeof diagnoseSession>) =>
  d.findings.filter((f) => f.severity !== 'info').map((f) => `${f.id}: ${f.summary}`);
const findingOf = (d: ReturnType<typeof diagnoseSession>, id: string) => {
  const f = d.findings.find((x) => x.id === id);
  expect(f, `${id} among ${JSON.stringify(d.findings.map((x) => x.id))}`).toBeDefined();
  return f!;
};
const check = (d: ReturnType<typeof diagnoseSession>, name: string) => d.checks.find((c) => c.name === name)!;

describe('protocol heartbeats', () => {
  it('a healthy Socket.IO session: every Engine.IO ping answered, the heartbeat kept, nothing to say', () => {
    const data = fixtureData(readFixture('socketio-healthy'));
    expect(data.connections[0]!.protocol).toBe('socket.io');
    const d = diagnoseSession(data);
    expect(serious(d)).toEqual([]);
    const app = check(d, 'heartbeats').detail.protocolHeartbeats as Record<string, number>;
    expect(app.fromServer).toBeGreaterThanOrEqual(3);
    expect(app.answered).toBe(app.fromServer);
    const facts = frameFacts(data.connections, data.frames, data.endedAt);
    expect(appHeartbeatRule(data.connections, facts.appBeats, data.events).kept).toBe(true);
  });

  it('a bare socket on Socket.IO: dropped pingTimeout after the unanswered ping, said with its cause', () => {
    const d = diagnosed('socketio-bare');
    const f = findingOf(d, 'app-heartbeat-unanswered');
    expect(f.evidence).toMatchObject({
      protocol: 'socket.io',
      intervalSeconds: 0.3,
      timeoutSeconds: 0.2,
      connections: 1,
      closeCodes: { '1005': 1 },
    });
    expect(f.summary).toMatch(/Engine\.IO ping went unanswered \(pingInterval 0\.3 s, pingTimeout 0\.2 s\)/);
    expect(fixAdvice(f).text).toMatch(/socket\.io-client/);
    // The Engine.IO pings stand for the heartbeat: no no-heartbeat, and no bare "closed by the server".
    expect(d.findings.map((x) => x.id)).toEqual(['app-heartbeat-unanswered']);
  });

  it('an MQTT session keeps its heartbeat by the keep-alive of its CONNECT', () => {
    const data = fixtureData(readFixture('mqtt-acl'));
    const facts = frameFacts(data.connections, data.frames, data.endedAt);
    expect(facts.appBeats.get(1)).toMatchObject({ protocol: 'mqtt', keepAliveSeconds: 30 });
    expect(appHeartbeatRule(data.connections, facts.appBeats, data.events).kept).toBe(true);
  });
});

describe('protocol refusals', () => {
  it('graphql-ws 4403 from onConnect: auth-refused, not a bare server close', () => {
    const d = diagnosed('graphql-forbidden');
    expect(findingOf(d, 'auth-refused').evidence).toMatchObject({
      protocol: 'graphql-ws',
      refusal: 'close 4403 Forbidden',
      refusals: 1,
    });
    expect(d.findings.map((x) => x.id)).toEqual(['auth-refused']);
    expect(fixAdvice(findingOf(d, 'auth-refused')).text).toMatch(/connection_init/);
  });

  it('graphql-ws 4406 to a socket that offered no subprotocol: subprotocol-refused, with the flag to add', () => {
    const d = diagnosed('graphql-no-subprotocol');
    const f = findingOf(d, 'subprotocol-refused');
    expect(f.evidence).toMatchObject({
      protocol: 'graphql-ws',
      subprotocol: 'graphql-transport-ws',
      offered: [],
      closeCode: 4406,
    });
    expect(fixAdvice(f).text).toMatch(/--subprotocol graphql-transport-ws/);
    expect(d.findings.map((x) => x.id)).toEqual(['subprotocol-refused']);
  });

  it('Mosquitto refusing a topic in its SUBACK: subscription-refused naming the topic, once', () => {
    const d = diagnosed('mqtt-acl');
    const f = findingOf(d, 'subscription-refused');
    expect(f.evidence).toMatchObject({ protocol: 'mqtt', subscription: 'secret/#', refusals: 1 });
    expect(f.evidence.refusal).toMatch(/^SUBACK 0x80/);
    expect(fixAdvice(f).text).toMatch(/secret\/#/);
    expect(serious(d)).toHaveLength(1);
  });
});

describe('request/response pairs by the protocol’s ids', () => {
  it('graphql-ws: queries pair with their one result, the subscriptions’ ticks never', () => {
    const fx = readFixture('graphql-subscription');
    const d = diagnoseSession(fixtureData(fx));
    expect(serious(d)).toEqual([]);
    const trips = check(d, 'round trips').detail as { requests: number; answered: number };
    const queries = fx.frames.filter((f) => f.dir === 'out' && f.text?.includes('query Hello')).length;
    const completed = fx.frames.filter((f) => f.dir === 'in' && f.text?.includes('"complete"')).length;
    expect(queries).toBeGreaterThanOrEqual(3);
    // Three subscriptions and the queries are asked; only the completed queries are answered.
    expect(trips.requests).toBe(queries + 3);
    expect(trips.answered).toBe(completed);
    // Paired on the JSON "id" alone, the subscriptions' first ticks (~500 ms) would be responses.
    const data = fixtureData(fx);
    const byJsonId = diagnoseSession({
      ...data,
      connections: data.connections.map((c) => ({ ...c, protocol: null })),
      frames: data.frames.map(({ message: _, ...f }) => f),
    });
    expect(findingOf(byJsonId, 'high-latency').evidence.p95Ms as number).toBeGreaterThan(400);
    // The check's line says what paired them.
    expect(describeCheck(check(d, 'round trips'))).toMatch(
      /^request\/response \(by the protocol's ids\) p50 /,
    );
    expect(describeCheck(check(byJsonId, 'round trips'))).toMatch(/^request\/response \(by "id"\) p50 /);
  });

  it('MQTT: SUBSCRIBE pairs with its SUBACK by packet id', () => {
    const d = diagnosed('mqtt-acl');
    expect(check(d, 'round trips').detail).toMatchObject({ requests: 2, answered: 2 });
  });
});
