// `frameline diagnose SESSION` on sessions captured live from the real protocol stacks (issue 21,
// item 4): a Socket.IO 4 server (healthy, and reached as a bare socket that answers no Engine.IO
// ping), a graphql-ws server (a healthy ticking subscription, an onConnect refusal, no subprotocol
// offered), Mosquitto refusing a topic, RabbitMQ refusing a passcode.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cli, workspace, type Workspace } from '../../support/cli.js';
import { protocolToolMissing } from '../../support/test-tools.js';
import { graphqlWsServer } from '../../servers/graphql-ws.js';
import { mosquittoMissing, startMosquitto } from '../../servers/mosquitto.js';
import { RABBITMQ_GUEST, rabbitmqMissing, startRabbitMq, type RabbitMq } from '../../servers/rabbitmq.js';
import { socketIoServer } from '../../servers/socketio.js';
import { checkOf, diagnose, findingOf, serious, Stack } from './helpers.js';

let ws: Workspace;
const stack = new Stack();

beforeEach(() => {
  ws = workspace();
});

afterEach(async () => {
  await stack.unwind();
  ws.cleanup();
});

/** `frameline capture URL ARGS` into the workspace's database; the session's id. */
async function capture(url: string, args: string[]): Promise<number> {
  const r = await cli(['capture', url, ...args, '--quiet', '--json', '--db', ws.db], {}, 60_000);
  try {
    return (JSON.parse(r.stdout) as { session: { id: number } }).session.id;
  } catch {
    throw new Error(`capture printed no session (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

const ids = (r: { findings: Array<{ id: string }> }) => r.findings.map((f) => f.id);

const socketIoMissing = protocolToolMissing('socket.io');
describe.skipIf(socketIoMissing)(
  `diagnose: Socket.IO${socketIoMissing ? ` (skipped: ${socketIoMissing})` : ''}`,
  () => {
    it('a healthy capture speaking Socket.IO: its pings answered, no warning', async () => {
      const s = stack.push(await socketIoServer({ pingInterval: 300, pingTimeout: 200 }));
      const id = await capture(s.url, ['--duration', '2']);
      const { result, report } = await diagnose(id, ws.db);
      expect(serious(report)).toEqual([]);
      expect(result.code).toBe(0);
      const app = checkOf(report, 'heartbeats').detail.protocolHeartbeats as Record<string, number>;
      expect(app.fromServer).toBeGreaterThanOrEqual(2);
      expect(app.answered).toBe(app.fromServer);
    });

    it('a bare capture (--protocol none) is dropped after its unanswered Engine.IO ping: app-heartbeat-unanswered', async () => {
      const s = stack.push(await socketIoServer({ pingInterval: 300, pingTimeout: 200 }));
      const id = await capture(s.url, ['--protocol', 'none', '--duration', '10']);
      const { result, report } = await diagnose(id, ws.db);
      expect(result.code).toBe(1);
      const f = findingOf(report, 'app-heartbeat-unanswered');
      expect(f.evidence).toMatchObject({
        protocol: 'socket.io',
        intervalSeconds: 0.3,
        timeoutSeconds: 0.2,
        connections: 1,
      });
      expect(f.fix).toMatch(/socket\.io-client/);
      expect(ids(report)).not.toContain('no-heartbeat');
    });
  },
);

const graphqlMissing = protocolToolMissing('graphql-ws') ?? protocolToolMissing('graphql');
describe.skipIf(graphqlMissing)(
  `diagnose: graphql-ws${graphqlMissing ? ` (skipped: ${graphqlMissing})` : ''}`,
  () => {
    it('three healthy subscriptions ticking every 500 ms: their ticks are not responses, no high-latency', async () => {
      const s = stack.push(await graphqlWsServer({ tickMs: 500 }));
      const subscribe = ['OnTick', 'AlsoOnTick', 'StillOnTick'].flatMap((name) => [
        '--subscribe',
        `subscription ${name} { tick }`,
      ]);
      const id = await capture(s.url, ['--protocol', 'graphql-ws', ...subscribe, '--duration', '2.5']);
      const { result, report } = await diagnose(id, ws.db);
      expect(serious(report)).toEqual([]);
      expect(result.code).toBe(0);
      expect(checkOf(report, 'round trips').detail).toMatchObject({
        requests: 3,
        answered: 0,
        requestResponse: null,
      });
    });

    it('an onConnect refusing the init payload (4403): auth-refused', async () => {
      const s = stack.push(await graphqlWsServer());
      const id = await capture(s.url, ['--protocol', 'graphql-ws', '--init-payload', '{"token":"wrong"}']);
      const { report } = await diagnose(id, ws.db);
      const f = findingOf(report, 'auth-refused');
      expect(f.evidence).toMatchObject({ protocol: 'graphql-ws', refusal: 'close 4403 Forbidden' });
      expect(f.fix).toMatch(/connection_init/);
      expect(ids(report)).toEqual(['auth-refused']);
    });

    it('no subprotocol offered (4406): subprotocol-refused, whose fix names --subprotocol graphql-transport-ws', async () => {
      const s = stack.push(await graphqlWsServer());
      const id = await capture(s.url, ['--protocol', 'none', '--send', '{"type":"connection_init"}']);
      const { report } = await diagnose(id, ws.db);
      const f = findingOf(report, 'subprotocol-refused');
      expect(f.evidence).toMatchObject({
        protocol: 'graphql-ws',
        subprotocol: 'graphql-transport-ws',
        offered: [],
        closeCode: 4406,
      });
      expect(f.fix).toMatch(/--subprotocol graphql-transport-ws/);
      expect(ids(report)).toEqual(['subprotocol-refused']);
    });
  },
);

const noMosquitto = mosquittoMissing();
describe.skipIf(noMosquitto)(`diagnose: Mosquitto${noMosquitto ? ` (skipped: ${noMosquitto})` : ''}`, () => {
  it('a topic its dynamic security refuses: subscription-refused naming the topic; the allowed one pairs', async () => {
    const broker = stack.push(await startMosquitto({ subscribable: ['sensors/#'] }));
    const id = await capture(broker.url, [
      '--protocol',
      'mqtt',
      '--subscribe',
      'sensors/#',
      '--subscribe',
      'secret/#',
      '--duration',
      '1.5',
    ]);
    const { report } = await diagnose(id, ws.db);
    expect(findingOf(report, 'subscription-refused').evidence).toMatchObject({
      protocol: 'mqtt',
      subscription: 'secret/#',
      refusals: 1,
    });
    expect(serious(report)).toHaveLength(1);
    // SUBSCRIBE → SUBACK by packet id; the keep-alive of the CONNECT stands for the heartbeat.
    expect(checkOf(report, 'round trips').detail).toMatchObject({
      requests: 2,
      answered: 2,
      pairedBy: { protocol: 2, field: 0 },
    });
    expect(ids(report)).not.toContain('no-heartbeat');
  });
});

const noRabbit = rabbitmqMissing();
describe.skipIf(noRabbit)(`diagnose: RabbitMQ${noRabbit ? ` (skipped: ${noRabbit})` : ''}`, () => {
  let broker: RabbitMq | undefined;
  beforeAll(async () => {
    broker = await startRabbitMq();
  }, 120_000);
  afterAll(async () => {
    await broker?.stop();
  });

  it('a wrong passcode answered by ERROR: auth-refused in the broker’s words', async () => {
    const id = await capture(broker!.stompUrl, [
      '--protocol',
      'stomp',
      '--init-payload',
      JSON.stringify({ ...RABBITMQ_GUEST, passcode: 'not-the-passcode' }),
    ]);
    const { report } = await diagnose(id, ws.db);
    const f = findingOf(report, 'auth-refused');
    expect(f.evidence).toMatchObject({ protocol: 'stomp', refusals: 1 });
    expect(f.evidence.refusal).toMatch(/^ERROR: Bad CONNECT/);
    expect(f.fix).toMatch(/login and passcode/);
  });
});
