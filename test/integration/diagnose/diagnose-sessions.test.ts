// `frameline diagnose SESSION` on recorded sessions: the fixtures recorded from scenario servers
// (a reconnect storm, buffered bursts, missing pongs, mixed close codes, slow responses, a healthy
// echo), a capture recorded live through nginx with a short proxy_read_timeout, and a probe session.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../electron/engine/store/database.js';
import { listFindings } from '../../../electron/engine/diagnose/finding-store.js';
import { cli, workspace, type Workspace } from '../../support/cli.js';
import { closedPort } from '../../servers/scenarios.js';
import { startNginx } from '../../servers/proxies.js';
import { loadFixture, readFixture, type FixtureName } from '../../fixtures/diagnose/fixture.js';
import { checkOf, diagnose, findingOf, probe, pythonServer, serious, Stack } from './helpers.js';

let ws: Workspace;
const stack = new Stack();

beforeEach(() => {
  ws = workspace();
});

afterEach(async () => {
  await stack.unwind();
  ws.cleanup();
});

function load(name: FixtureName): number {
  const db = openStore(ws.db);
  try {
    return loadFixture(db, readFixture(name));
  } finally {
    db.close();
  }
}

const ids = (r: { findings: Array<{ id: string }> }) => r.findings.map((f) => f.id);

describe('diagnose: recorded fixtures', () => {
  it('finds the reconnect storm: more than 5 a second over 10 s, with flat delays', async () => {
    const { result, report } = await diagnose(load('reconnect-storm'), ws.db);
    expect(result.code).toBe(1);
    const f = findingOf(report, 'reconnect-storm');
    expect(f).toMatchObject({ severity: 'critical', runbook: 'ws-3am#FIX_RECONNECT' });
    expect(f.evidence).toMatchObject({ windowSeconds: 10, backoff: false });
    expect(f.evidence.peakPerSecond as number).toBeGreaterThan(5);
    expect(f.evidence.medianDelayMs as number).toBeLessThan(50);
    expect(f.fix).toMatch(/backoff and jitter/);
    const attempts = readFixture('reconnect-storm').connections.length;
    expect(findingOf(report, 'server-close').evidence).toMatchObject({ codes: { '1013': attempts } });
  });

  it('finds buffered bursts held by the relay, from the senders’ own timestamps', async () => {
    const { report } = await diagnose(load('buffered-bursts'), ws.db);
    const f = findingOf(report, 'proxy-buffering');
    expect(f).toMatchObject({ severity: 'warning' });
    expect(f.evidence).toMatchObject({ sendTimes: true });
    expect(f.evidence.bursts as number).toBeGreaterThanOrEqual(5);
    expect(f.evidence.heldMs as number).toBeGreaterThan(400);
    expect(f.evidence.medianQuietMs as number).toBeGreaterThan(500);
  });

  it('finds missing pongs', async () => {
    const { result, report } = await diagnose(load('missing-pongs'), ws.db);
    expect(result.code).toBe(1);
    const f = findingOf(report, 'heartbeat-timeout');
    expect(f.evidence).toMatchObject({ pingsFrom: 'client', pongs: 0, intervalSeconds: 0.5 });
    expect(f.evidence.missing as number).toBeGreaterThanOrEqual(4);
  });

  it('tells the close codes apart: causes named by the server, a drop in use, then nothing listening', async () => {
    const { report } = await diagnose(load('mixed-close-codes'), ws.db);
    expect(findingOf(report, 'server-close').evidence).toMatchObject({
      codes: { '1001': 1, '1011': 1, '1012': 1, '4001': 1 },
      reasons: expect.arrayContaining(['pricing backend unavailable', 'token expired']),
    });
    const drop = findingOf(report, 'abnormal-closure');
    expect(drop.evidence).toMatchObject({ connections: 1, ordinals: [2] });
    // After the fifth connection the service is gone: the remaining attempts are refused.
    const refused = readFixture('mixed-close-codes').connections.filter(
      (c) => c.error?.kind === 'refused',
    ).length;
    expect(refused).toBeGreaterThan(0);
    expect(findingOf(report, 'server-unreachable').evidence).toMatchObject({ kinds: { refused } });
    expect(checkOf(report, 'close codes').detail).toMatchObject({
      distribution: { '1001': 1, '1006': 1, '1011': 1, '1012': 1, '4001': 1 },
    });
    // Backed off (100 ms doubling to 800 ms): not a storm.
    expect(ids(report)).not.toContain('reconnect-storm');
    expect(ids(report)).not.toContain('idle-timeout');
  });

  it('finds a ping flood from the server, not a heartbeat timeout or a network fault, with its fix', async () => {
    const { result, report } = await diagnose(load('ping-flood'), ws.db);
    expect(result.code).toBe(0); // a warning
    const f = findingOf(report, 'ping-flood');
    expect(f).toMatchObject({ severity: 'warning', runbook: 'root-causes#FIX_HEARTBEAT' });
    expect(f.evidence).toMatchObject({ from: 'server', pings: 200, connections: [1] });
    expect(f.evidence.pingsPerSecond as number).toBeGreaterThanOrEqual(50);
    expect(f.summary).toMatch(
      /^The server sent 200 pings on 1 connection in [\d.]+ s, up to \d+ within one second/,
    );
    expect(f.fix).toMatch(/one ping per interval from a single timer per connection/);
    expect(checkOf(report, 'heartbeats')).toMatchObject({ ok: false });
    expect(ids(report)).toEqual(['ping-flood']);
  });

  it('finds slow responses by pairing requests and responses on their JSON id, while pings stay fast', async () => {
    const { report } = await diagnose(load('slow-responses'), ws.db);
    const f = findingOf(report, 'high-latency');
    expect(f.evidence).toMatchObject({ source: 'request-response', idField: 'id' });
    expect(f.evidence.p95Ms as number).toBeGreaterThan(150);
    expect((f.evidence.sources as { ping: { p95Ms: number } }).ping.p95Ms).toBeLessThan(100);
    // Paired on another field, nothing matches: no finding.
    const other = await diagnose(load('slow-responses'), ws.db, ['--id-field', 'requestId']);
    expect(ids(other.report)).not.toContain('high-latency');
  });

  it('finds nothing wrong in a healthy echo session, prints it for people, and keeps the findings once', async () => {
    const id = load('healthy-echo');
    const { result, report } = await diagnose(id, ws.db);
    expect(serious(report)).toEqual([]);
    expect(result.code).toBe(0);
    // The server pings every 500 ms during the 3 s capture.
    expect(checkOf(report, 'heartbeats').detail).toMatchObject({
      serverIntervalSeconds: 0.5,
      pongsMissing: 0,
    });
    expect(checkOf(report, 'heartbeats').detail.serverPings as number).toBeGreaterThanOrEqual(4);

    const storm = load('reconnect-storm');
    const human = await cli(['diagnose', String(storm), '--db', ws.db]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/CRITICAL {2}reconnect-storm: Clients reconnect in a storm/);
    expect(human.stdout).toMatch(/fix: {6}Reconnect only from onclose/);
    expect(human.stdout).toMatch(/runbook: {2}ws-3am#FIX_RECONNECT/);
    const reconnects = readFixture('reconnect-storm').connections.length - 1;
    expect(human.stdout).toMatch(
      new RegExp(`reconnects\\s.*${reconnects} reconnects, peak \\d+(\\.\\d+)?/s`),
    );

    await diagnose(storm, ws.db);
    const db = openStore(ws.db, { create: false });
    const kept = listFindings(db, storm, 'diagnose');
    db.close();
    expect(kept.map((f) => f.id)).toEqual(['reconnect-storm', 'server-close']);
    expect(kept[0]).toMatchObject({
      severity: 'critical',
      runbook: 'ws-3am#FIX_RECONNECT',
      evidence: { backoff: false },
    });
  });
});

describe('diagnose: sessions recorded live', () => {
  it('finds the idle timeout of nginx in a reconnecting capture: a tight cluster at the proxy_read_timeout', async () => {
    const backend = stack.push(await pythonServer([]));
    const nginx = stack.push(
      await startNginx({ upstreamPort: backend.port, websocket: true, readTimeoutSeconds: 2 }),
    );
    const capture = await cli(
      [
        'capture',
        `${nginx.url}/feed`,
        '--reconnect',
        '--reconnect-base',
        '100',
        '--duration',
        '6.8',
        '--quiet',
        '--json',
        '--db',
        ws.db,
      ],
      {},
      30_000,
    );
    const id = (JSON.parse(capture.stdout) as { session: { id: number } }).session.id;
    const { result, report } = await diagnose(id, ws.db);
    expect(result.code).toBe(1);
    const f = findingOf(report, 'idle-timeout');
    expect(f.evidence.connections as number).toBeGreaterThanOrEqual(2);
    expect(Math.abs((f.evidence.idleSeconds as number) - 2)).toBeLessThanOrEqual(1);
    expect(f.evidence.spreadSeconds as number).toBeLessThan(1);
    expect(findingOf(report, 'no-heartbeat').evidence).toMatchObject({ pingsSeen: 0 });
    // Dropped at the timeout, not in use: not abnormal.
    expect(ids(report)).not.toContain('abnormal-closure');
  });

  it('shows a probe session’s own report', async () => {
    const port = await closedPort();
    const probed = await probe(`ws://127.0.0.1:${port}/ws`, [], ws.db);
    const { result, report } = await diagnose(probed.report.sessionId!, ws.db);
    expect(result.code).toBe(1);
    expect(report.findings).toEqual(probed.report.findings);
    expect(report.checks).toEqual(probed.report.checks);
  });

  it('refuses a session that does not exist with exit code 2', async () => {
    load('healthy-echo');
    const result = await cli(['diagnose', '99', '--db', ws.db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no session 99/);
  });
});
