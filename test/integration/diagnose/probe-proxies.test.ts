// `frameline probe` through real reverse proxies on loopback — Debian's nginx and HAProxy — in
// front of the Python `websockets` server, with --direct to the backend: a correct WebSocket
// proxy, one that drops the Upgrade/Connection headers, and short idle timeouts (measured to ±1 s).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { workspace, type Workspace } from '../../support/cli.js';
import { startHaproxy, startNginx } from '../../servers/proxies.js';
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

describe('probe through nginx', () => {
  it('finds nothing wrong with a correct WebSocket proxy and a server that pings below its timeout', async () => {
    const backend = stack.push(await pythonServer(['--ping-interval', '0.5', '--health', '/health']));
    const nginx = stack.push(
      await startNginx({ upstreamPort: backend.port, websocket: true, readTimeoutSeconds: 2 }),
    );
    const { result, report } = await probe(
      `${nginx.url}/ws`,
      ['--direct', `${backend.url}/ws`, '--echo', '3', '--idle-limit', '4'],
      ws.db,
    );
    expect(serious(report)).toEqual([]);
    expect(result.code).toBe(0);
    // Held twice as long as nginx's 2 s read timeout: the server's pings keep it open.
    expect(checkOf(report, 'idle').detail).toMatchObject({ endedBy: 'limit', livedSeconds: 4 });
    expect(checkOf(report, 'health').detail).toMatchObject({ status: 200 });
    expect(checkOf(report, 'upgrade').detail.headers).toMatchObject({
      Server: expect.stringMatching(/^nginx/),
    });
    expect(checkOf(report, 'layers').detail).toMatchObject({ failing: 'none' });
  });

  it('reports proxy-missing-upgrade when nginx does not pass the Upgrade/Connection headers', async () => {
    const backend = stack.push(await pythonServer(['--ping-interval', '0.5']));
    const nginx = stack.push(await startNginx({ upstreamPort: backend.port, websocket: false }));
    const { result, report } = await probe(
      `${nginx.url}/ws`,
      ['--direct', `${backend.url}/ws`, '--idle-limit', '1'],
      ws.db,
    );
    expect(result.code).toBe(1);
    const f = findingOf(report, 'proxy-missing-upgrade');
    // nginx talks HTTP/1.0 upstream by default: the backend refuses the plain request with 400.
    expect(f.evidence).toMatchObject({
      status: 400,
      directStatus: 101,
      layer: 'proxy',
      proxy: expect.stringMatching(/nginx/),
    });
    expect(f.fix).toMatch(/proxy_set_header Upgrade \$http_upgrade/);
    expect(checkOf(report, 'direct.upgrade').ok).toBe(true);
    expect(checkOf(report, 'layers').detail).toMatchObject({ failing: 'proxy' });
    expect(report.findings.map((x) => x.id)).not.toContain('upgrade-rejected');

    // Without --direct, nginx's own answer gives it away.
    const alone = await probe(`${nginx.url}/ws`, ['--idle-limit', '1'], ws.db);
    expect(findingOf(alone.report, 'proxy-missing-upgrade').evidence).toMatchObject({
      status: 400,
      proxy: expect.stringMatching(/^nginx/),
    });

    // With proxy_http_version 1.1 but still no Upgrade/Connection headers, the backend says 426.
    const http11 = stack.push(
      await startNginx({ upstreamPort: backend.port, websocket: false, http11: true }),
    );
    const upgraded = await probe(`${http11.url}/ws`, ['--idle-limit', '1'], ws.db);
    expect(findingOf(upgraded.report, 'proxy-missing-upgrade').evidence).toMatchObject({ status: 426 });
  });

  it('reports idle-timeout with the measured seconds when proxy_read_timeout is short and nothing pings', async () => {
    const backend = stack.push(await pythonServer([]));
    const nginx = stack.push(
      await startNginx({ upstreamPort: backend.port, websocket: true, readTimeoutSeconds: 2 }),
    );
    const { result, report } = await probe(
      `${nginx.url}/ws`,
      ['--direct', `${backend.url}/ws`, '--idle-limit', '6'],
      ws.db,
    );
    expect(result.code).toBe(1);
    const f = findingOf(report, 'idle-timeout');
    expect(f).toMatchObject({ severity: 'critical', runbook: 'ws-3am#FIX_TIMEOUTS' });
    expect(f.evidence).toMatchObject({ closeCode: 1006, closedBy: 'network', layer: 'proxy' });
    expect(Math.abs((f.evidence.idleSeconds as number) - 2)).toBeLessThanOrEqual(1);
    expect(f.fix).toMatch(/proxy_read_timeout/);
    // The backend alone keeps the idle connection: the proxy is the layer that cuts it.
    expect(checkOf(report, 'direct.idle').detail).toMatchObject({ endedBy: 'limit' });
    expect(findingOf(report, 'no-heartbeat').evidence).toMatchObject({ pingsSeen: 0 });
  });
});

describe('probe through HAProxy', () => {
  it('reports idle-timeout at the tunnel timeout', async () => {
    const backend = stack.push(await pythonServer([]));
    const haproxy = stack.push(
      await startHaproxy({
        upstreamPort: backend.port,
        clientSeconds: 5,
        serverSeconds: 5,
        tunnelSeconds: 3,
      }),
    );
    const { result, report } = await probe(
      `${haproxy.url}/ws`,
      ['--direct', `${backend.url}/ws`, '--idle-limit', '6'],
      ws.db,
    );
    expect(result.code).toBe(1);
    const f = findingOf(report, 'idle-timeout');
    expect(f.evidence).toMatchObject({ layer: 'proxy' });
    expect(Math.abs((f.evidence.idleSeconds as number) - 3)).toBeLessThanOrEqual(1);
    expect(checkOf(report, 'idle').detail).toMatchObject({ endedBy: 'close' });
  });

  it('finds nothing wrong when the server pings below the tunnel timeout', async () => {
    const backend = stack.push(await pythonServer(['--ping-interval', '0.5']));
    const haproxy = stack.push(
      await startHaproxy({
        upstreamPort: backend.port,
        clientSeconds: 2,
        serverSeconds: 2,
        tunnelSeconds: 2,
      }),
    );
    const { result, report } = await probe(
      `${haproxy.url}/ws`,
      ['--direct', `${backend.url}/ws`, '--echo', '3', '--idle-limit', '3.5'],
      ws.db,
    );
    expect(serious(report)).toEqual([]);
    expect(result.code).toBe(0);
    expect(checkOf(report, 'idle').detail).toMatchObject({ endedBy: 'limit' });
  });
});
