// A walk whose app actions answer the decision: Debian's nginx in front of a `ws` backend, without
// the Upgrade/Connection headers. At "Where does it break?" the direct-vs-proxy probe finds
// proxy-missing-upgrade, and the walk suggests the load balancer branch with that evidence.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { Incident, WalkRun, WalkView } from '../../../shared/contract/incidents.js';
import { cli, workspace, type Workspace } from '../../support/cli.js';
import { NGINX, startNginx, type Proxy } from '../../servers/proxies.js';

let ws: Workspace;
let backend: Server;
let wss: WebSocketServer;
let nginx: Proxy;
let backendUrl: string;

describe.skipIf(!existsSync(NGINX))('a walk answered by a probe through nginx', () => {
  beforeAll(async () => {
    ws = workspace();
    // A WebSocket backend that answers a plain GET (what a proxy without the headers sends) with 426.
    backend = createServer((_req, res) =>
      res.writeHead(426, { Upgrade: 'websocket' }).end('upgrade required'),
    );
    wss = new WebSocketServer({ server: backend });
    wss.on('connection', (socket) => socket.on('message', (m) => socket.send(m)));
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    backendUrl = `ws://127.0.0.1:${(backend.address() as AddressInfo).port}`;
    nginx = await startNginx({
      upstreamPort: (backend.address() as AddressInfo).port,
      websocket: false,
      http11: true,
    });
  });

  afterAll(async () => {
    await nginx?.stop();
    for (const c of wss?.clients ?? []) c.terminate();
    wss?.close();
    await new Promise<void>((resolve) => (backend ? backend.close(() => resolve()) : resolve()));
    ws?.cleanup();
  });

  async function json<T>(...args: string[]): Promise<{ code: number | null; value: T }> {
    const r = await cli([...args, '--db', ws.db, '--json']);
    try {
      return { code: r.code, value: JSON.parse(r.stdout) as T };
    } catch {
      throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
    }
  }

  it('suggests "Load balancer" at the scope decision, with the probe\'s evidence', async () => {
    const incident = (await json<Incident>('incident', 'create', '--title', 'Upgrades fail behind nginx'))
      .value;
    const started = await json<WalkView>(
      'walk',
      'start',
      String(incident.id),
      '--runbook',
      'ws-3am',
      '--target',
      `${nginx.url}/ws`,
      '--direct',
      `${backendUrl}/ws`,
    );
    const walk = started.value.id;
    expect((await json<WalkView>('walk', 'choose', String(walk))).value.current.visit.node).toBe('SCOPE');

    const probe = await json<WalkRun>('walk', 'action', String(walk), '--step', '1');
    expect(probe.value).toMatchObject({ kind: 'probe', status: 'ok' });
    expect(probe.value.summary).toMatch(/proxy-missing-upgrade/);

    const w = (await json<WalkView>('walk', 'show', String(walk))).value;
    const finding = w.findings.find((f) => f.id === 'proxy-missing-upgrade')!;
    expect(finding).toMatchObject({ source: 'probe', runId: probe.value.id });
    expect(w.current.suggestions[0]).toMatchObject({
      label: 'Load balancer',
      to: 'BALANCER',
      findings: expect.arrayContaining([{ id: 'proxy-missing-upgrade', evidence: finding.evidence }]),
    });
    expect(
      w.timeline.some((e) => e.kind === 'finding' && e.text.startsWith('finding proxy-missing-upgrade')),
    ).toBe(true);

    const human = await cli(['walk', 'show', String(walk), '--db', ws.db]);
    expect(human.stdout).toMatch(
      /suggested: "Load balancer": proxy-missing-upgrade.* points? to "Load balancer"/,
    );
  });
});
