// `frameline probe` against real endpoints on loopback, reachability and handshake side: a healthy
// Python server, a closed port, certificates browsers refuse, Origin allow-lists, a refused
// upgrade, and a ws:// URL used from an https page. Each asserts its finding id and evidence.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../electron/engine/store/database.js';
import { listFindings } from '../../../electron/engine/diagnose/finding-store.js';
import { selfSigned } from '../../support/certs.js';
import { cli, cliJson, workspace, type Workspace } from '../../support/cli.js';
import {
  expiredCertificate,
  originClosingServer,
  pingingTlsServer,
} from '../../servers/diagnose-scenarios.js';
import { closedPort, rejectingServer } from '../../servers/scenarios.js';
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

describe('probe: a healthy endpoint', () => {
  it('passes every check with no warning, records a probe session, and exits 0', async () => {
    const server = stack.push(await pythonServer(['--ping-interval', '0.5', '--health', '/health']));
    const { result, report } = await probe(`${server.url}/ws`, ['--echo', '5', '--idle-limit', '2'], ws.db);
    expect(serious(report)).toEqual([]);
    expect(result.code).toBe(0);
    for (const name of ['dns', 'tcp', 'health', 'upgrade', 'origin', 'echo', 'ping', 'heartbeat', 'idle'])
      expect(checkOf(report, name).ok, name).toBe(true);
    expect(checkOf(report, 'health').detail).toMatchObject({ status: 200 });
    expect(checkOf(report, 'echo').detail).toMatchObject({ requested: 5, matched: 5, samples: 5 });
    expect(checkOf(report, 'heartbeat').detail.intervalSeconds).toBeCloseTo(0.5, 0);
    expect(checkOf(report, 'idle').detail).toMatchObject({ endedBy: 'limit', limitSeconds: 2 });
    // Progress went to stderr, one line per check.
    expect(result.stderr).toMatch(/ok\s+upgrade\s.*101/);
    expect(result.stderr).toMatch(/holding an idle connection for up to 2 s/);

    // The run is a session of kind "probe" whose connections are the evidence.
    const { json: sessions } = await cliJson<Array<{ id: number; kind: string; status: string }>>([
      'sessions',
      '--db',
      ws.db,
    ]);
    expect(sessions[0]).toMatchObject({ id: report.sessionId, kind: 'probe', status: 'complete' });
    const { json: shown } = await cliJson<{
      connections: Array<{ status: number; closeCode: number | null }>;
    }>(['show', String(report.sessionId), '--db', ws.db]);
    // upgrade + idle hold + no Origin + foreign Origin
    expect(shown.connections.length).toBe(4);
    expect(shown.connections.every((c) => c.status === 101)).toBe(true);
  });
});

describe('probe: nothing there', () => {
  it('reports server-unreachable for a closed port, fast, and exits 1', async () => {
    const port = await closedPort();
    const started = Date.now();
    const { result, report } = await probe(`ws://127.0.0.1:${port}/ws`, [], ws.db);
    expect(result.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    const f = findingOf(report, 'server-unreachable');
    expect(f).toMatchObject({ severity: 'critical', runbook: 'symptom-matrix#FIX_REACH' });
    expect(f.evidence).toMatchObject({ stage: 'tcp', port, code: 'ECONNREFUSED' });
    expect(checkOf(report, 'tcp').ok).toBe(false);
    expect(report.checks.map((c) => c.name)).not.toContain('upgrade');
    // The findings are kept with the probe's session.
    const db = openStore(ws.db, { create: false });
    expect(listFindings(db, report.sessionId!, 'probe').map((x) => x.id)).toEqual(['server-unreachable']);
    db.close();
  });
});

describe('probe: TLS', () => {
  it('reports tls-error for a self-signed certificate and stops like a browser would', async () => {
    const pair = selfSigned(ws.dir, 'server', 'localhost');
    const server = stack.push(await pingingTlsServer(pair, 500));
    const { result, report } = await probe(`wss://localhost:${server.port}/ws`, ['--idle-limit', '1'], ws.db);
    expect(result.code).toBe(1);
    const f = findingOf(report, 'tls-error');
    expect(f.evidence).toMatchObject({
      stage: 'certificate',
      selfSigned: true,
      expired: false,
      subject: 'localhost',
    });
    expect(String(f.evidence.code)).toMatch(/SELF_SIGNED/);
    expect(checkOf(report, 'tls').detail).toMatchObject({ protocol: 'TLSv1.3', authorized: false });
    expect(report.checks.map((c) => c.name)).not.toContain('upgrade');
  });

  it('reports an expired certificate as expired even when its CA is trusted', async () => {
    const pair = expiredCertificate(ws.dir);
    const server = stack.push(await pingingTlsServer(pair, 500));
    const { report } = await probe(
      `wss://localhost:${server.port}/ws`,
      ['--ca', pair.certFile, '--idle-limit', '1'],
      ws.db,
    );
    const f = findingOf(report, 'tls-error');
    expect(f.evidence).toMatchObject({ expired: true, code: 'CERT_HAS_EXPIRED' });
    expect(String(f.evidence.validTo)).toMatch(/^2020-01-02/);
  });

  it('finds nothing wrong with a trusted certificate and a pinging server', async () => {
    const pair = selfSigned(ws.dir, 'trusted', 'localhost', 30);
    const server = stack.push(await pingingTlsServer(pair, 400));
    const { result, report } = await probe(
      `wss://localhost:${server.port}/ws`,
      ['--ca', pair.certFile, '--echo', '3', '--idle-limit', '1.5', '--timeout', '2'],
      ws.db,
    );
    expect(serious(report)).toEqual([]);
    expect(result.code).toBe(0);
    expect(checkOf(report, 'tls').detail).toMatchObject({
      authorized: true,
      hostnameError: null,
      daysLeft: 29,
    });
  });
});

describe('probe: Origin', () => {
  it('reports origin-rejected when one of the pages’ origins gets 403 and another is accepted', async () => {
    const server = stack.push(
      await pythonServer(['--ping-interval', '0.5', '--origins', 'https://app.example.com']),
    );
    const { result, report } = await probe(
      `${server.url}/ws`,
      ['--origin', 'https://app.example.com', '--origin', 'https://admin.example.com', '--idle-limit', '1'],
      ws.db,
    );
    expect(result.code).toBe(1);
    const f = findingOf(report, 'origin-rejected');
    expect(f.evidence).toMatchObject({
      status: 403,
      refused: ['https://admin.example.com'],
      accepted: ['https://app.example.com'],
    });
    const origin = checkOf(report, 'origin').detail;
    expect(origin.foreignAccepted).toBe(false);
    // The main handshake used the first origin, and was accepted.
    expect(checkOf(report, 'upgrade').detail).toMatchObject({
      status: 101,
      origin: 'https://app.example.com',
    });
    expect(report.findings.map((x) => x.id)).not.toContain('upgrade-rejected');
  });

  it('reports origin-rejected for a server that accepts the upgrade and closes with 1008', async () => {
    const server = stack.push(await originClosingServer(['https://app.example.com']));
    const { report } = await probe(
      `${server.url}/ws`,
      [
        '--origin',
        'https://app.example.com',
        '--origin',
        'https://old.example.com',
        '--idle-limit',
        '1',
        '--timeout',
        '2',
      ],
      ws.db,
    );
    const f = findingOf(report, 'origin-rejected');
    expect(f.evidence).toMatchObject({ closeCode: 1008, refused: ['https://old.example.com'] });
  });
});

describe('probe: refused upgrade and mixed content', () => {
  it('reports upgrade-rejected with the status, headers and body of the answer', async () => {
    const server = stack.push(await rejectingServer(403, 'tenant suspended'));
    const { result, report } = await probe(`${server.url}/ws`, ['--idle-limit', '1'], ws.db);
    expect(result.code).toBe(1);
    const f = findingOf(report, 'upgrade-rejected');
    expect(f.evidence).toMatchObject({
      status: 403,
      bodyHead: 'tenant suspended',
      headers: { 'X-Reason': 'test-scenario' },
    });
    expect(report.findings.map((x) => x.id)).not.toContain('origin-rejected');
  });

  it('reports mixed-content for a ws:// URL opened from an https page', async () => {
    const server = stack.push(await pythonServer(['--ping-interval', '0.5']));
    const { result, report } = await probe(
      `${server.url}/ws`,
      ['--page-origin', 'https://app.example.com', '--idle-limit', '1'],
      ws.db,
    );
    expect(result.code).toBe(1);
    const f = findingOf(report, 'mixed-content');
    expect(f.evidence).toMatchObject({ pageOrigin: 'https://app.example.com', url: `${server.url}/ws` });
    expect(checkOf(report, 'mixed-content').ok).toBe(false);
  });
});

describe('probe: bad input', () => {
  it.each([
    [['probe', 'http://127.0.0.1:1/ws'], /use ws:\/\//],
    [['probe', 'ws://127.0.0.1:1/ws', '--echo=-1'], /--echo must be/],
    [['probe', 'ws://127.0.0.1:1/ws', '--origin', 'app.example.com'], /not an origin/],
    [['probe', 'ws://127.0.0.1:1/ws', '--page-origin', 'https://a.example/page'], /drop the path/],
    [['probe', 'ws://127.0.0.1:1/ws', '--health-path', 'health'], /must start with/],
    [['probe'], /needs the URL to check/],
    [
      ['probe', 'ws://127.0.0.1:1/ws', 'ws://127.0.0.1:2/ws'],
      /takes 1 URL, got 2: "ws:\/\/127.0.0.1:2\/ws" is one too many/,
    ],
    [
      ['probe', 'ws://127.0.0.1:1/ws', '--echo', '-1'],
      /^frameline: --echo must be a whole number from 0 to 1000 messages, not "-1"$/m,
    ],
    [
      ['probe', 'ws://127.0.0.1:1/ws', '--timeout', 'soon'],
      /--timeout must be a number from 0.1 to 300 seconds, not "soon"/,
    ],
    [['diagnose', '1', '2'], /takes at most 1 session id, got 2/],
    [['diagnose', 'x'], /not a session id/],
  ])('exits 2 with a sentence for %j', async (args, message) => {
    const result = await cli([...args, '--db', ws.db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
