// `frameline probe --protocol stomp` against Debian's RabbitMQ with rabbitmq_web_stomp: a healthy
// probe reports the heart-beat CONNECTED negotiated (1 s) as the broker's heartbeat, with no warning,
// and a wrong passcode is auth-refused in the broker's words. One node for the file (it takes
// seconds to start), stopped after it, its epmd too.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RABBITMQ_GUEST, rabbitmqMissing, startRabbitMq, type RabbitMq } from '../../servers/rabbitmq.js';
import { workspace, type Workspace } from '../../support/cli.js';
import { checkOf, findingOf, probe, serious } from './helpers.js';

const missing = rabbitmqMissing();
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

const ids = (r: { findings: Array<{ id: string }> }) => r.findings.map((f) => f.id);

describe.skipIf(missing !== null)(`probe of a STOMP broker${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('opens STOMP, keeps heart-beats both ways through the idle hold, and reports the negotiated heart-beat', async () => {
    const { result, report } = await probe(
      broker!.stompUrl,
      [
        '--protocol',
        'stomp',
        '--init-payload',
        JSON.stringify({ ...RABBITMQ_GUEST, heartBeat: '1000,1000' }),
        '--idle-limit',
        '3',
      ],
      ws.db,
    );
    expect(serious(report)).toEqual([]);
    expect(ids(report)).not.toContain('no-heartbeat');
    expect(checkOf(report, 'upgrade').detail).toMatchObject({
      headers: { 'sec-websocket-protocol': 'v12.stomp' },
    });
    // RabbitMQ answers CONNECT's 1000,1000 with its own 1000,1000: a beat a second, from the broker.
    expect(checkOf(report, 'heartbeat')).toMatchObject({
      ok: true,
      detail: { protocol: 'stomp', intervalSeconds: 1, from: 'server', verdict: 'seen' },
    });
    expect(checkOf(report, 'heartbeat').detail.protocolBeats as number).toBeGreaterThanOrEqual(2);
    // Held past twice the interval after which RabbitMQ drops a client whose beats stop.
    expect(checkOf(report, 'idle')).toMatchObject({ ok: true, detail: { endedBy: 'limit' } });
    expect(JSON.stringify(report)).not.toMatch(/ws\.ping\(\)|setInterval/);
    expect(result.code).toBe(0);
  });

  it('a wrong passcode is auth-refused, in the broker’s words, and the passcode is not kept', async () => {
    const { result, report } = await probe(
      broker!.stompUrl,
      [
        '--protocol',
        'stomp',
        '--init-payload',
        JSON.stringify({ ...RABBITMQ_GUEST, passcode: 'pw-91c2-wrong' }),
        '--idle-limit',
        '2',
      ],
      ws.db,
    );
    expect(result.code).toBe(1);
    const f = findingOf(report, 'auth-refused');
    expect(f.evidence).toMatchObject({ protocol: 'stomp', closeCode: null });
    expect(String(f.evidence.refusal)).toMatch(/refused CONNECT: .*Access refused for user 'guest'/);
    // Said once: the protocol's name is not repeated before the broker's words.
    expect(f.summary).toMatch(/^The stomp server refused the probe's opening: the broker refused CONNECT/);
    expect(f.fix).toMatch(/login and passcode/);
    expect(ids(report)).not.toContain('no-heartbeat');
    expect(ids(report)).not.toContain('server-close');
    expect(JSON.stringify(report)).not.toContain('pw-91c2-wrong');
  });
});
