// `frameline probe` against real endpoints on loopback, behaviour side: slow echoes, a server that
// never answers, one that closes with 1011, one that crashes mid-conversation, one that never
// pongs, one that never pings, and a relay that holds messages back. Each asserts its finding id
// and evidence.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { workspace, type Workspace } from '../../support/cli.js';
import { bufferingRelay, crashingServer, noPongServer } from '../../servers/diagnose-scenarios.js';
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

describe('probe: echo and round trips', () => {
  it('reports high-latency when echoes take 150 ms', async () => {
    const server = stack.push(await pythonServer(['--ping-interval', '0.5', '--echo-delay', '0.15']));
    const { result, report } = await probe(`${server.url}/ws`, ['--echo', '4', '--idle-limit', '1'], ws.db);
    const f = findingOf(report, 'high-latency');
    expect(f).toMatchObject({ severity: 'warning' });
    expect(f.evidence).toMatchObject({ source: 'echo', samples: 4, thresholdMs: 100 });
    // About the server's delay: a round trip is timed from where the probe's send returns to where
    // the echo is read, and the server's sleep may end a little early (CI measured 149.34 ms under
    // load), so the floor leaves 10 ms for the clocks and the timestamps' places.
    expect(f.evidence.p95Ms as number).toBeGreaterThanOrEqual(140);
    expect(f.evidence.p95Ms as number).toBeLessThan(1000);
    // Pings are answered by the library at once: the slowness is the handler's.
    expect(checkOf(report, 'ping').detail.p50Ms as number).toBeLessThan(f.evidence.p50Ms as number);
    expect(result.code).toBe(0);
  });

  it('reports no-messages when nothing comes back', async () => {
    const server = stack.push(await pythonServer(['--ping-interval', '0.5', '--silent']));
    const { result, report } = await probe(
      `${server.url}/ws`,
      ['--echo', '3', '--idle-limit', '1', '--timeout', '1'],
      ws.db,
    );
    expect(result.code).toBe(1);
    const f = findingOf(report, 'no-messages');
    expect(f.evidence).toMatchObject({ sent: 1, matched: 0, received: 0 });
    expect(checkOf(report, 'echo').ok).toBe(false);
  });

  it('reports server-close with the code when the server closes with 1011', async () => {
    const server = stack.push(await pythonServer(['--ping-interval', '0.5', '--close', '1011']));
    const { report } = await probe(`${server.url}/ws`, ['--echo', '3', '--idle-limit', '1'], ws.db);
    const f = findingOf(report, 'server-close');
    expect(f.evidence).toMatchObject({ code: 1011, reason: 'scenario close', during: 'echo/ping' });
    expect(ids(report)).not.toContain('no-messages');
  });

  it('reports abnormal-closure when the server drops the connection mid-conversation', async () => {
    const server = stack.push(await crashingServer(2));
    const { report } = await probe(
      `${server.url}/ws`,
      ['--echo', '5', '--idle-limit', '1', '--timeout', '2'],
      ws.db,
    );
    const f = findingOf(report, 'abnormal-closure');
    expect(f.evidence).toMatchObject({ closeCode: 1006, during: 'echo/ping' });
    expect(f.evidence.idleSeconds as number).toBeLessThan(1);
    expect(checkOf(report, 'echo').detail).toMatchObject({ matched: 2 });
  });
});

describe('probe: heartbeats', () => {
  it('reports heartbeat-timeout when pings get no pong', async () => {
    const server = stack.push(await noPongServer());
    const { result, report } = await probe(
      `${server.url}/ws`,
      ['--idle-limit', '1', '--timeout', '2'],
      ws.db,
    );
    expect(result.code).toBe(1);
    const f = findingOf(report, 'heartbeat-timeout');
    expect(f).toMatchObject({ severity: 'critical' });
    expect(f.evidence).toMatchObject({ pings: 1, pongs: 0, missing: 1, timeoutMs: 5000 });
  });

  it('says no ping was observed in a 2 s hold of a server that never pings (no verdict), and no idle timeout when nothing cuts it', async () => {
    const server = stack.push(await pythonServer([]));
    const { result, report } = await probe(`${server.url}/ws`, ['--idle-limit', '2'], ws.db);
    // Servers commonly ping every 20–30 s: 2 s of silence says nothing about their heartbeat.
    expect(ids(report)).not.toContain('no-heartbeat');
    const heartbeat = checkOf(report, 'heartbeat');
    expect(heartbeat).toMatchObject({ ok: true, detail: { serverPings: 0, verdict: 'not-observed' } });
    expect(heartbeat.detail.observedSeconds as number).toBeCloseTo(2, 0);
    expect(ids(report)).not.toContain('idle-timeout');
    expect(checkOf(report, 'idle').detail).toMatchObject({ endedBy: 'limit' });
    expect(result.code).toBe(0);
  });
});

describe('probe: buffering on the path', () => {
  it('reports proxy-buffering when a relay holds the server’s messages and lets them go in batches', async () => {
    const server = stack.push(await pythonServer(['--stream', '0.04']));
    const relay = stack.push(await bufferingRelay(server.port, 600));
    const { report } = await probe(`${relay.url}/ws`, ['--idle-limit', '3.5'], ws.db);
    const f = findingOf(report, 'proxy-buffering');
    expect(f).toMatchObject({ severity: 'warning' });
    expect(f.evidence).toMatchObject({ sendTimes: true });
    expect(f.evidence.bursts as number).toBeGreaterThanOrEqual(3);
    expect(f.evidence.maxHeldMs as number).toBeGreaterThan(400);
    expect(f.evidence.medianQuietMs as number).toBeGreaterThan(400);
  });

  it('finds no buffering in the same stream without the relay', async () => {
    const server = stack.push(await pythonServer(['--stream', '0.04', '--ping-interval', '0.5']));
    const { report } = await probe(`${server.url}/ws`, ['--idle-limit', '2'], ws.db);
    expect(serious(report)).toEqual([]);
  });
});
