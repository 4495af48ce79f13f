// `frameline probe` against the real servers of the protocols it speaks: a Socket.IO 4 server whose
// Engine.IO pings every 2 s and drops a silent client 1.5 s later, a graphql-ws server (without
// its subprotocol, and refusing a bad token), and a Mosquitto broker refusing a bad password. What
// is checked is what a user reads: the heartbeat check, the findings and their evidence, the fix.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { workspace, type Workspace } from '../../support/cli.js';
import { protocolToolMissing } from '../../support/test-tools.js';
import { graphqlWsServer } from '../../servers/graphql-ws.js';
import { mosquittoMissing, startMosquitto } from '../../servers/mosquitto.js';
import { socketIoServer } from '../../servers/socketio.js';
import { checkOf, findingOf, probe, pythonServer, serious, Stack } from './helpers.js';

let ws: Workspace;
const stack = new Stack();

beforeEach(() => {
  ws = workspace();
});

afterEach(async () => {
  await stack.unwind();
  ws.cleanup();
});

const ids = (r: { findings: Array<{ id: string }> }) => r.findings.map((f) => f.id);

const socketIoMissing = protocolToolMissing('socket.io');
describe.skipIf(socketIoMissing)(
  `probe of a Socket.IO 4 server${socketIoMissing ? ` (skipped: ${socketIoMissing})` : ''}`,
  () => {
    it('answers Engine.IO pings through the idle hold, and reports them as the server’s heartbeat', async () => {
      const server = stack.push(await socketIoServer({ pingInterval: 2000, pingTimeout: 1500 }));
      // Held past two ping intervals and a timeout: a probe that did not answer would be dropped.
      const { result, report } = await probe(server.url, ['--idle-limit', '6'], ws.db);
      expect(serious(report)).toEqual([]);
      expect(ids(report)).not.toContain('no-heartbeat');
      expect(checkOf(report, 'heartbeat')).toMatchObject({
        ok: true,
        detail: { protocol: 'socket.io', intervalSeconds: 2, verdict: 'seen' },
      });
      expect(checkOf(report, 'heartbeat').detail.protocolBeats as number).toBeGreaterThanOrEqual(2);
      expect(checkOf(report, 'idle').detail).toMatchObject({ endedBy: 'limit' });
      expect(JSON.stringify(report)).not.toMatch(/ws\.ping\(\)|setInterval/);
      expect(server.disconnects).not.toContain('ping timeout');
      expect(result.code).toBe(0);
    });

    it('says the pings went unanswered when told to speak no protocol', async () => {
      const server = stack.push(await socketIoServer({ pingInterval: 1000, pingTimeout: 500 }));
      const { report } = await probe(server.url, ['--protocol', 'none', '--idle-limit', '6'], ws.db);
      const f = findingOf(report, 'app-heartbeat-unanswered');
      expect(f.evidence).toMatchObject({ protocol: 'socket.io', intervalSeconds: 1, timeoutSeconds: 0.5 });
      expect(ids(report)).not.toContain('no-heartbeat');
      expect(f.fix).toMatch(/socket\.io-client/);
    });
  },
);

const graphqlMissing = protocolToolMissing('graphql-ws') ?? protocolToolMissing('graphql');
describe.skipIf(graphqlMissing)(
  `probe of a graphql-ws server${graphqlMissing ? ` (skipped: ${graphqlMissing})` : ''}`,
  () => {
    it('without the subprotocol: subprotocol-refused naming graphql-transport-ws, no Origin refused, no heartbeat verdict', async () => {
      const server = stack.push(await graphqlWsServer());
      const { result, report } = await probe(server.url, ['--idle-limit', '2'], ws.db);
      expect(result.code).toBe(1);
      const f = findingOf(report, 'subprotocol-refused');
      expect(f.evidence).toMatchObject({ subprotocol: 'graphql-transport-ws', offered: [], closeCode: 4406 });
      expect(f.fix).toContain('--subprotocol graphql-transport-ws');
      expect(ids(report)).not.toContain('origin-rejected');
      expect(ids(report)).not.toContain('no-heartbeat');
      expect(ids(report)).not.toContain('server-close');
      expect(checkOf(report, 'origin')).toMatchObject({
        ok: true,
        detail: { refused: [], sameForEvery: { closeCode: 4406 } },
      });
      expect(checkOf(report, 'heartbeat')).toMatchObject({ ok: true, detail: { verdict: 'not-observed' } });
    });

    it('with the protocol and a token its onConnect refuses: auth-refused (4403)', async () => {
      const server = stack.push(await graphqlWsServer());
      const { result, report } = await probe(
        server.url,
        ['--protocol', 'graphql-ws', '--init-payload', '{"token":"tok-7f3a-refused"}', '--idle-limit', '2'],
        ws.db,
      );
      expect(result.code).toBe(1);
      const f = findingOf(report, 'auth-refused');
      expect(f.evidence).toMatchObject({ protocol: 'graphql-ws', closeCode: 4403 });
      expect(String(f.evidence.refusal)).toMatch(/4403/);
      expect(f.fix).toMatch(/connection parameters/);
      expect(ids(report)).not.toContain('subprotocol-refused');
      expect(ids(report)).not.toContain('server-close');
      expect(ids(report)).not.toContain('no-heartbeat');
      // The idle hold says the refusal ended it, not an idle drop.
      const idle = report.checks.find((c) => c.name === 'idle')!;
      expect(idle.ok).toBe(true);
      expect(idle.detail).toMatchObject({ refused: expect.stringMatching(/4403/) });
      // The token was not kept: only that one was given.
      expect(JSON.stringify(report)).not.toContain('tok-7f3a-refused');
    });

    it('with the protocol and a good token: open, nothing wrong', async () => {
      const server = stack.push(await graphqlWsServer());
      const { result, report } = await probe(
        server.url,
        ['--protocol', 'graphql-ws', '--init-payload', '{"token":"let-me-in"}', '--idle-limit', '2'],
        ws.db,
      );
      expect(serious(report)).toEqual([]);
      expect(server.accepted).toContainEqual({ token: 'let-me-in' });
      expect(result.code).toBe(0);
    });
  },
);

const brokerMissing = mosquittoMissing();
describe.skipIf(brokerMissing)(
  `probe of an MQTT broker${brokerMissing ? ` (skipped: ${brokerMissing})` : ''}`,
  () => {
    it('a refused CONNACK is auth-refused, in the broker’s words', async () => {
      const broker = stack.push(await startMosquitto({ users: { sensor: 'right' } }));
      const { report } = await probe(
        `${broker.url}/`,
        [
          '--protocol',
          'mqtt',
          '--init-payload',
          '{"username":"sensor","password":"wrong"}',
          '--idle-limit',
          '2',
        ],
        ws.db,
      );
      const f = findingOf(report, 'auth-refused');
      expect(f.evidence).toMatchObject({ protocol: 'mqtt', closeCode: null });
      expect(String(f.evidence.refusal)).toMatch(/CONNACK/);
      expect(ids(report)).not.toContain('no-heartbeat');
    });
  },
);

describe('probe of a plain WebSocket over a short idle hold', () => {
  it('says "no ping observed" as information, without a no-heartbeat verdict', async () => {
    const server = stack.push(await pythonServer([]));
    const { result, report } = await probe(`${server.url}/ws`, ['--idle-limit', '2'], ws.db);
    expect(ids(report)).not.toContain('no-heartbeat');
    expect(checkOf(report, 'heartbeat')).toMatchObject({
      ok: true,
      detail: { serverPings: 0, neededSeconds: 35, verdict: 'not-observed' },
    });
    expect(result.code).toBe(0);
  });
});
